"""Discord refuses replies: 403 in one channel, 404 for an expired interaction, 429 rate limits.

The bot logs one line for each refusal, never a traceback, and goes on answering elsewhere. The
403 and 404 are real `discord.Forbidden` and `discord.NotFound`, raised from the faked network
layer; the 429 goes through discord.py's own webhook adapter (over a fake aiohttp session), so
its own retry runs.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from fakediscord import (
    Recorder,
    button_payload,
    buttons,
    check_sent,
    command_payload,
    dispatch,
    feed,
    make_bot,
    settle,
    snowflake,
    start_dpytest,
    write_docs,
)

from bot.settings import Settings
from index import Index, open_index

pytestmark = pytest.mark.asyncio

TROOPS = "how many troops will Mexico train?"
UNKNOWN_INTERACTION = {"code": 10062, "message": "Unknown interaction"}
MISSING_PERMISSIONS = {"code": 50013, "message": "Missing Permissions"}


@dataclass
class FakeResponse:
    """The parts of an aiohttp response discord.py's errors read (as discord.py's tests fake it)."""

    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RefusingNetwork(Recorder):
    """Discord, refusing every request of interactions whose token names a refusal."""

    refused: list[str] = field(default_factory=list)

    def refuse(self, token: str, step: str) -> None:
        if token.startswith(f"forbidden-{step}") or token == "forbidden":
            self.refused.append(token)
            raise discord.Forbidden(FakeResponse(403, "Forbidden"), MISSING_PERMISSIONS)
        if token.startswith(f"expired-{step}") or token == "expired":
            self.refused.append(token)
            raise discord.NotFound(FakeResponse(404, "Not Found"), UNKNOWN_INTERACTION)

    async def create_interaction_response(self, interaction_id, token, *, params, **kwargs):
        self.refuse(token, "response")
        return await super().create_interaction_response(interaction_id, token, params=params)

    async def execute_webhook(self, webhook_id, token, *, payload=None, wait=False, **kwargs):
        self.refuse(token, "followup")
        return await super().execute_webhook(webhook_id, token, payload=payload, wait=wait)


def asked(question: str, token: str, channel_id: int | None = None, **kwargs: Any) -> dict:
    payload = command_payload("ask", {"question": question}, **kwargs)
    payload["token"] = token
    if channel_id is not None:
        payload["channel_id"] = payload["channel"]["id"] = str(channel_id)
    return payload


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    docs = write_docs(tmp_path_factory.mktemp("docs"))
    return open_index(docs, tmp_path_factory.mktemp("index"))


@pytest_asyncio.fixture
async def bot(index: Index, tmp_path: Path):
    settings = Settings(docs=Path("unused"), cooldown_seconds=0)
    bot = await make_bot(settings, index)
    yield bot
    await bot.close()


def bot_records(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("bot") and r.levelno >= level]


@pytest.mark.parametrize(
    ("token", "refusal"),
    [
        ("forbidden", "403 Forbidden (error code: 50013): Missing Permissions"),
        ("forbidden-followup", "403 Forbidden (error code: 50013): Missing Permissions"),
        ("expired", "404 Not Found (error code: 10062): Unknown interaction"),
        ("expired-followup", "404 Not Found (error code: 10062): Unknown interaction"),
    ],
)
async def test_a_refused_reply_is_one_log_line_and_the_bot_answers_elsewhere(
    bot, caplog, token, refusal, tally: Counter
):
    network = RefusingNetwork()
    caplog.set_level(logging.DEBUG, logger="bot")
    denied_channel, other_channel = snowflake(), snowflake()
    tasks = feed(bot, network, asked(TROOPS, token, denied_channel))
    await settle()
    assert all(t.exception() is None for t in tasks)  # nothing escaped discord.py's handler
    assert network.refused, "the fake network never refused"
    (line,) = bot_records(caplog, logging.INFO)
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert line.getMessage() == (
        f"/ask in channel {denied_channel}: Discord refused the reply: {refusal}"
    )
    # Meanwhile and afterwards, other channels are answered.
    for n in range(3):
        await dispatch(bot, network, asked(TROOPS, f"fine-{n}", other_channel))
    answered = [c for c in network.of("followup") if c.payload.get("embeds")]
    assert len(answered) == 3
    assert all("**700**" in c.payload["embeds"][0]["fields"][0]["value"] for c in answered)
    check_sent(network)
    tally["faults: Discord refusals (403/404)"] += 1


async def test_a_button_whose_interaction_expired_is_one_log_line(bot, caplog, tally: Counter):
    network = RefusingNetwork()
    await dispatch(bot, network, asked(TROOPS, "fine"))
    message = network.of("followup")[-1].message
    caplog.set_level(logging.DEBUG, logger="bot")
    click = button_payload(message, buttons(message)["More"]["custom_id"])
    click["token"] = "expired"
    tasks = feed(bot, network, click)
    await settle()
    assert all(t.exception() is None for t in tasks)
    (line,) = bot_records(caplog, logging.INFO)
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert "Discord refused the reply: 404 Not Found (error code: 10062)" in line.getMessage()
    tally["faults: Discord refusals (403/404)"] += 1


# 429 through discord.py's own webhook adapter ----------------------------------------------------


class FakeSession:
    """An aiohttp-like session that answers discord.py's webhook adapter the way Discord does:
    JSON bodies, and 429 (with the `Via` header of Discord's proxy) for the first `limited`
    follow-ups. Replies are recorded in `recorder`.
    """

    def __init__(self, recorder: Recorder, limited: int, via: bool = True) -> None:
        self.recorder, self.limited, self.via = recorder, limited, via
        self.statuses: list[int] = []

    async def close(self) -> None:
        """What bot.close() calls on the session login made."""

    def request(self, method: str, url: str, *, data=None, params=None, **_: Any):
        return _Exchange(self, method, url, json.loads(data) if data else None, params or {})

    async def respond(self, method: str, url: str, payload, params) -> SimpleNamespace:
        path = url.split("/api/v10/", 1)[1]
        parts = path.split("/")
        if parts[0] == "webhooks" and method == "POST" and self.limited:
            self.limited -= 1
            body = {"message": "You are being rate limited.", "retry_after": 0.05, "global": False}
            headers = {"Via": "1.1 google"} if self.via else {}
            return self.reply(429, body, headers)
        if parts[0] == "interactions":
            wrapped = SimpleNamespace(payload=payload)
            body = await self.recorder.create_interaction_response(
                parts[1], parts[2], params=wrapped
            )
        elif method == "DELETE":
            body = await self.recorder.delete_original_interaction_response(parts[1], parts[2])
        else:
            wait = params.get("wait") in (True, "true", "1")
            body = await self.recorder.execute_webhook(
                parts[1], parts[2], payload=payload, wait=wait
            )
        return self.reply(200 if body is not None else 204, body)

    def reply(self, status: int, body: Any, headers: dict | None = None) -> SimpleNamespace:
        self.statuses.append(status)
        text = "" if body is None else json.dumps(body)

        async def read_text(encoding: str = "utf-8") -> str:
            return text

        headers = {"content-type": "application/json", **(headers or {})}
        reason = {200: "OK", 204: "No Content", 429: "Too Many Requests"}[status]
        return SimpleNamespace(status=status, reason=reason, headers=headers, text=read_text)


@dataclass
class _Exchange:
    session: FakeSession
    method: str
    url: str
    payload: Any
    params: dict

    async def __aenter__(self):
        return await self.session.respond(self.method, self.url, self.payload, self.params)

    async def __aexit__(self, *exc: object) -> bool:
        return False


async def ask_over(bot, session: FakeSession, payload: dict) -> set[asyncio.Task]:
    """Feed an interaction whose replies go through discord.py's real webhook adapter."""
    bot.http._HTTPClient__session = session  # what login would have created
    before = asyncio.all_tasks()
    bot._connection.parse_interaction_create(payload)
    tasks = asyncio.all_tasks() - before
    await settle()
    return tasks


async def test_a_rate_limited_reply_is_retried_by_discord_py(bot, caplog, tally: Counter):
    recorder = Recorder()
    session = FakeSession(recorder, limited=2)
    caplog.set_level(logging.WARNING)
    tasks = await ask_over(bot, session, asked(TROOPS, "limited"))
    assert all(t.exception() is None for t in tasks)
    assert session.statuses == [200, 429, 429, 200]  # defer, two refusals, the answer
    (answer,) = recorder.of("followup")
    assert "**700**" in answer.payload["embeds"][0]["fields"][0]["value"]
    retries = [r for r in caplog.records if "is rate limited. Retrying" in r.getMessage()]
    assert len(retries) == 2 and all(r.name.startswith("discord") for r in retries)
    assert bot_records(caplog, logging.WARNING) == []
    check_sent(recorder)
    tally["faults: Discord rate limits (429)"] += 1


async def test_a_rate_limit_discord_py_cannot_wait_out_is_one_log_line(bot, caplog, tally: Counter):
    """A 429 without Discord's proxy header (a Cloudflare ban) is raised, not retried."""
    recorder = Recorder()
    session = FakeSession(recorder, limited=2, via=False)
    caplog.set_level(logging.DEBUG, logger="bot")
    tasks = await ask_over(bot, session, asked(TROOPS, "banned"))
    assert all(t.exception() is None for t in tasks)
    lines = bot_records(caplog, logging.INFO)
    assert [r.levelno for r in lines] == [logging.WARNING]
    assert "Discord refused the reply: 429 Too Many Requests" in lines[0].getMessage()
    assert lines[0].exc_info is None
    await ask_over(bot, FakeSession(recorder, limited=0), asked(TROOPS, "later"))
    assert [c.kind for c in recorder.calls][-2:] == ["response", "followup"]  # answered again
    tally["faults: Discord rate limits (429)"] += 1


async def test_a_prefix_reply_refused_in_one_channel_is_one_log_line(
    index: Index, tmp_path: Path, caplog, tally: Counter
):
    """`!ask` through dpytest's fake gateway: Discord refuses replies in the first channel only."""
    settings = Settings(
        docs=Path("unused"),
        message_content=True,
        cooldown_seconds=0,
    )
    denied_id: list[int] = []

    def refuse(channel_id: int) -> Exception | None:
        if channel_id in denied_id:
            return discord.Forbidden(FakeResponse(403, "Forbidden"), MISSING_PERMISSIONS)
        return None

    bot, sent = await start_dpytest(settings, index, text_channels=2, refuse=refuse)
    denied, allowed = bot.guilds[0].text_channels[:2]
    denied_id.append(denied.id)
    caplog.set_level(logging.DEBUG, logger="bot")
    try:
        await dpytest.message(f"!ask {TROOPS}", channel=denied)
        await dpytest.message(f"!ask {TROOPS}", channel=allowed)
    finally:
        await dpytest.empty_queue()
    (line,) = bot_records(caplog, logging.INFO)
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert line.getMessage() == (
        f"Reply in channel {denied.id}: Discord refused it: 403 Forbidden (error code: 50013): "
        "Missing Permissions"
    )
    (reply,) = sent
    assert "**700**" in reply["embeds"][0]["fields"][0]["value"]
    tally["faults: Discord refusals (403/404)"] += 1
