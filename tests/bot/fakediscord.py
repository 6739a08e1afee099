"""The fake Discord network for the bot's tests, and raw payloads as Discord sends them.

Only Discord's network is faked. Interaction responses and follow-ups go to a `Recorder` (set as
discord.py's webhook adapter through `discord.webhook.async_.async_context`); raw
INTERACTION_CREATE payloads go through discord.py's own parsing, CommandTree and view store.
"""

from __future__ import annotations

import asyncio
import itertools
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import discord
import discord.ext.test as dpytest
from discord.webhook.async_ import async_context

from bot.client import VerbatimBot
from bot.settings import Settings
from index import Index

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_44c18b5492aa5800.txt"

APP_ID = 900000000000000001
BOT_ID = APP_ID
GUILD_ID = 900000000000000002
CHANNEL_ID = 900000000000000003
USER_ID = 900000000000000004
MANAGE_GUILD = str(discord.Permissions(manage_guild=True).value)

GARDEN = """---
title: Garden *notes* for @everyone
source: https://example.org/garden_notes
---
# Garden notes

The greenhouse holds 42 clay pots on three shelves.
Tomatoes need **six hours** of sun; water them at 7 a.m. and never at noon.
When the *first frost* comes, ping <@123> and <@&456> and @everyone so someone covers the beds.
Run `cover --all` and put the ~old~ sheets in the | shed | behind the _blue_ door.
"""

OWLS = """Barn owls

Barn owls hunt at night over open fields and eat about four voles a night.
A barn owl can hear a mouse moving under a foot of snow.
Source: https://example.org/owls
"""

_ids = itertools.count(910000000000000000)


def snowflake() -> int:
    """A fresh Discord id."""
    return next(_ids)


def message_data(message_id, channel_id, content: str, author: dict, **extra) -> dict:
    """A message as Discord's API gives it (what discord.Message is made from)."""
    return {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "type": 0,
        "content": content,
        "author": {"discriminator": "0", "avatar": None, **author},
        "embeds": [],
        "attachments": [],
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "tts": False,
        "timestamp": "2026-01-01T00:00:00+00:00",
        "edited_timestamp": None,
        **extra,
    }


def write_docs(folder: Path) -> Path:
    """The test documents: the seed article, a markdown file full of markup, a tiny text."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(SEED, folder / SEED.name)
    (folder / "garden.md").write_text(GARDEN, encoding="utf-8")
    (folder / "owls.txt").write_text(OWLS, encoding="utf-8")
    return folder


# The fake network ---------------------------------------------------------------------------


@dataclass
class Call:
    """One request the bot made: what kind, and the JSON it sent."""

    kind: str  # "response", "followup", "edit", "edit_original", "delete_original"
    payload: dict[str, Any] | None
    message: dict[str, Any] | None = None  # the message Discord would have created or edited


@dataclass
class Recorder:
    """discord.py's webhook adapter, recording instead of sending (interaction replies)."""

    calls: list[Call] = field(default_factory=list)

    def message_json(self, payload: dict[str, Any] | None, message_id: int | None = None) -> dict:
        """The message Discord would create from a sent payload, as it returns it."""
        payload = payload or {}
        author = {"id": str(BOT_ID), "username": "verbatim", "bot": True}
        return message_data(
            message_id or snowflake(),
            CHANNEL_ID,
            payload.get("content", ""),
            author,
            embeds=payload.get("embeds", []),
            components=payload.get("components", []),
            flags=payload.get("flags", 0),
            application_id=str(APP_ID),
        )

    async def create_interaction_response(self, interaction_id, token, *, params, **_):
        payload = params.payload
        message = None
        if payload["type"] in (4, 5):  # a message, or "thinking…" that becomes one
            message = self.message_json(payload.get("data"))
        self.calls.append(Call("response", payload, message))
        interaction = {"id": str(interaction_id), "type": 2}
        data: dict[str, Any] = {"interaction": interaction}
        if message is not None:
            interaction["response_message_id"] = message["id"]
            interaction["response_message_loading"] = payload["type"] == 5
            data["resource"] = {"type": payload["type"], "message": message}
        return data

    async def execute_webhook(self, webhook_id, token, *, payload=None, wait=False, **_):
        message = self.message_json(payload)
        self.calls.append(Call("followup", payload, message))
        return message if wait else None

    async def edit_webhook_message(self, webhook_id, token, message_id, *, payload=None, **_):
        message = self.message_json(payload, message_id)
        self.calls.append(Call("edit", payload, message))
        return message

    async def edit_original_interaction_response(self, application_id, token, *, payload=None, **_):
        message = self.message_json(payload)
        self.calls.append(Call("edit_original", payload, message))
        return message

    async def delete_original_interaction_response(self, application_id, token, **_):
        self.calls.append(Call("delete_original", None))

    def of(self, kind: str) -> list[Call]:
        return [c for c in self.calls if c.kind == kind]

    def sent(self) -> list[dict[str, Any]]:
        """Every payload that creates or edits a message (what Discord would show)."""
        out = []
        for call in self.calls:
            if call.kind == "response" and call.payload["type"] in (4, 7):  # message, edit
                out.append(call.payload["data"])
            elif call.kind in ("followup", "edit", "edit_original") and call.payload:
                out.append(call.payload)
        return out


# Raw interaction payloads -------------------------------------------------------------------


def _base(user_id: int, permissions: str, channel_id: int, guild_id: int | None) -> dict:
    user = {
        "id": str(user_id),
        "username": f"user{user_id % 1000}",
        "discriminator": "0",
        "avatar": None,
        "global_name": None,
    }
    data: dict[str, Any] = {
        "id": str(snowflake()),
        "application_id": str(APP_ID),
        "token": "interaction-token",
        "version": 1,
        "locale": "en-US",
        "attachment_size_limit": 8 * 1024 * 1024,
        "entitlements": [],
        "authorizing_integration_owners": {},
        "app_permissions": "0",
        "channel_id": str(channel_id),
    }
    if guild_id is None:
        data["channel"] = {"id": str(channel_id), "type": 1, "recipients": [user]}
        data["user"] = user
        data["context"] = 1
    else:
        data["guild_id"] = str(guild_id)
        data["guild_locale"] = "en-US"
        data["context"] = 0
        data["channel"] = {
            "id": str(channel_id),
            "type": 0,
            "guild_id": str(guild_id),
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
        }
        data["member"] = {
            "user": user,
            "roles": [],
            "joined_at": "2025-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": permissions,
        }
    return data


def command_payload(
    name: str,
    options: dict[str, Any] | None = None,
    *,
    user_id: int = USER_ID,
    permissions: str = "0",
    channel_id: int = CHANNEL_ID,
    guild_id: int | None = GUILD_ID,
) -> dict:
    """An INTERACTION_CREATE payload for a slash command with its options, as Discord sends it."""
    kinds = {str: 3, bool: 5, int: 4}
    data = _base(user_id, permissions, channel_id, guild_id)
    data["type"] = 2
    data["data"] = {
        "id": str(snowflake()),
        "name": name,
        "type": 1,
        "options": [
            {"name": k, "type": kinds[type(v)], "value": v} for k, v in (options or {}).items()
        ],
    }
    return data


def button_payload(message: dict, custom_id: str, *, user_id: int = USER_ID) -> dict:
    """An INTERACTION_CREATE payload for a click on a button of `message`."""
    data = _base(user_id, "0", CHANNEL_ID, GUILD_ID)
    data["type"] = 3
    data["message"] = message
    data["data"] = {"custom_id": custom_id, "component_type": 2}
    return data


def buttons(message_payload: dict) -> dict[str, dict]:
    """A sent message's buttons by label (or emoji name), each with custom_id and disabled."""
    out = {}
    for row in message_payload.get("components", []):
        for item in row.get("components", []):
            label = item.get("label") or item.get("emoji", {}).get("name")
            out[label] = item
    return out


def feed(bot: VerbatimBot, recorder: Recorder, payload: dict) -> set[asyncio.Task]:
    """Hand one raw interaction to discord.py as the gateway would; return the tasks it started."""
    before = asyncio.all_tasks()
    token = async_context.set(recorder)  # the tasks discord.py creates copy this context
    try:
        bot._connection.parse_interaction_create(payload)
    finally:
        async_context.reset(token)
    return asyncio.all_tasks() - before


async def dispatch(bot: VerbatimBot, recorder: Recorder, payload: dict) -> None:
    """Feed one raw interaction and wait until discord.py has finished handling it."""
    feed(bot, recorder, payload)
    await settle()


async def call(recorder: Recorder, coroutine: Any) -> Any:
    """Await a command callback with interaction replies going to `recorder`."""
    token = async_context.set(recorder)
    try:
        return await coroutine
    finally:
        async_context.reset(token)


def interaction(bot: VerbatimBot, payload: dict) -> discord.Interaction:
    """A real discord.Interaction built from a raw payload, for calling callbacks directly."""
    return discord.Interaction(data=payload, state=bot._connection)


# Discord's limits, written out here rather than taken from bot.render, so a wrong constant there
# fails the tests (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
MESSAGE_LIMIT, EMBEDS_LIMIT, TITLE_LIMIT, DESCRIPTION_LIMIT = 2000, 10, 256, 4096
FIELDS_LIMIT, FIELD_NAME_LIMIT, FIELD_VALUE_LIMIT, FOOTER_LIMIT, TOTAL_LIMIT = (
    25,
    256,
    1024,
    2048,
    6000,
)


def size(text: str) -> int:
    """Length in UTF-16 code units: at least what Discord counts, however it counts."""
    return len(text.encode("utf-16-le")) // 2


def check_payload(payload: dict) -> None:
    """What Discord checks on every message we send: no pings, nothing over its size limits."""
    assert payload.get("allowed_mentions") == {"parse": []}, payload.get("allowed_mentions")
    assert size(payload.get("content") or "") <= MESSAGE_LIMIT
    embeds = payload.get("embeds") or []
    assert len(embeds) <= EMBEDS_LIMIT
    for embed in embeds:
        check_embed(embed)


def check_embed(embed: dict) -> None:
    """An embed's JSON is within every one of Discord's embed limits."""
    fields = embed.get("fields", [])
    assert size(embed.get("title", "")) <= TITLE_LIMIT
    assert size(embed.get("description", "")) <= DESCRIPTION_LIMIT
    assert len(fields) <= FIELDS_LIMIT
    for f in fields:
        assert 1 <= size(f["name"]) <= FIELD_NAME_LIMIT
        assert 1 <= size(f["value"]) <= FIELD_VALUE_LIMIT
    footer = embed.get("footer", {}).get("text", "")
    assert size(footer) <= FOOTER_LIMIT
    total = size(embed.get("title", "")) + size(embed.get("description", "")) + size(footer)
    total += sum(size(f["name"]) + size(f["value"]) for f in fields)
    assert total <= TOTAL_LIMIT


def check_sent(recorder: Recorder) -> list[dict]:
    """Check every message the bot sent or edited; return their payloads."""
    sent = recorder.sent()
    for payload in sent:
        check_payload(payload)
    return sent


async def settle(ignore: set[asyncio.Task] = frozenset()) -> None:
    """Wait until the command and button tasks discord.py started (but `ignore`) have finished."""
    names = ("CommandTree-invoker", "discord-ui-view-dispatch")
    while True:
        pending = [
            t
            for t in asyncio.all_tasks() - ignore
            if t is not asyncio.current_task() and not t.done() and t.get_name().startswith(names)
        ]
        if not pending:
            return
        await asyncio.gather(*pending, return_exceptions=True)


async def make_bot(settings: Settings, index: Index | None, **kwargs: Any) -> VerbatimBot:
    """A bot set up as `login` would, without logging in: cog added, bot user and app id known."""
    bot = VerbatimBot(settings, index, **kwargs)
    await bot._async_setup_hook()
    await bot.setup_hook()
    bot._connection._command_tree = bot.tree
    bot._connection.application_id = APP_ID
    bot._connection.user = discord.ClientUser(
        state=bot._connection,
        data={
            "id": str(BOT_ID),
            "username": "verbatim",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
        },
    )
    return bot


async def start_dpytest(
    settings: Settings,
    index: Index | None,
    text_channels: int = 1,
    refuse: Any = None,
) -> tuple[VerbatimBot, list[dict]]:
    """A bot on dpytest's backend, and the list its sent message payloads are recorded in.

    `refuse(channel_id)` may return an exception to raise instead of sending, as Discord would.
    """
    intents = discord.Intents.default()
    intents.members = True  # dpytest needs it
    intents.message_content = settings.message_content
    bot = VerbatimBot(settings, index, intents=intents)
    await bot._async_setup_hook()
    await bot.setup_hook()
    dpytest.configure(bot, text_channels=text_channels)
    sent: list[dict] = []
    original = bot.http.send_message

    async def send_message(channel_id, *, params):
        error = refuse(channel_id) if refuse is not None else None
        if error is not None:
            raise error
        sent.append(params.payload)
        channel = bot.get_channel(channel_id)  # noqa: F841 (dpytest reads its caller's `channel`)
        return await original(channel_id, params=params)

    bot.http.send_message = send_message
    return bot, sent
