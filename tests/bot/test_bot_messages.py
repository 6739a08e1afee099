"""Asking by mention and by `!ask`, driven through dpytest's fake Discord backend."""

from __future__ import annotations

import dataclasses

import discord
import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from discord.ext.test import backend
from fakediscord import (
    Recorder,
    button_payload,
    check_payload,
    check_sent,
    dispatch,
    start_dpytest,
)

from bot.client import VerbatimBot

pytestmark = pytest.mark.asyncio

TROOPS = "how many troops will Mexico train?"


async def start(settings, index) -> tuple[VerbatimBot, list[dict]]:
    """A bot on dpytest's backend; returns it and the list its sent payloads are recorded in."""
    return await start_dpytest(settings, index)


@pytest_asyncio.fixture
async def chat(settings, index):
    bot, sent = await start(dataclasses.replace(settings, message_content=True), index)
    yield bot, sent
    await dpytest.empty_queue()


def quotes(payload: dict) -> str:
    (embed,) = payload["embeds"]
    return "\n".join(f["value"] for f in embed["fields"])


async def test_prefix_command_answers_like_ask(chat):
    _, sent = chat
    await dpytest.message(f"!ask {TROOPS}")
    (reply,) = sent
    assert "**700**" in quotes(reply)
    assert "message_reference" in reply  # a reply, which pings nobody, not even the asker
    assert reply["components"][0]["components"][0]["label"] == "More"
    check_payload(reply)


async def test_mention_answers_like_ask(chat):
    bot, sent = chat
    await dpytest.message(f"<@{bot.user.id}> {TROOPS}")
    (reply,) = sent
    assert "**700**" in quotes(reply)
    check_payload(reply)


async def test_mention_without_question_explains(chat):
    bot, sent = chat
    await dpytest.message(f"<@{bot.user.id}>")
    (reply,) = sent
    assert reply["content"].startswith("Ask me a question after the mention")
    check_payload(reply)


async def test_markup_and_mentions_in_quotes_ping_nobody(chat):
    _, sent = chat
    await dpytest.message("!ask who do I ping when the first frost comes?")
    (reply,) = sent
    assert "@everyone" in quotes(reply) and "\\<@123>" in quotes(reply)
    check_payload(reply)


async def test_other_bots_are_ignored(chat):
    bot, sent = chat
    config = dpytest.get_config()
    other = backend.make_user("otherbot", "0001")
    other.bot = True
    member = backend.make_member(other, config.guilds[0])
    await dpytest.message(f"!ask {TROOPS}", member=member)
    await dpytest.message(f"<@{bot.user.id}> {TROOPS}", member=member)
    assert sent == []


async def test_cooldown_refuses_politely(settings, index):
    settings = dataclasses.replace(settings, message_content=True, cooldown_seconds=3600)
    _, sent = await start(settings, index)
    await dpytest.message(f"!ask {TROOPS}")
    await dpytest.message(f"!ask {TROOPS}")
    assert sent[1]["content"].startswith("Please wait")
    for payload in sent:
        check_payload(payload)
    await dpytest.empty_queue()


async def test_channel_allow_list_refuses_politely(settings, index):
    settings = dataclasses.replace(settings, message_content=True, allowed_channels=frozenset({1}))
    _, sent = await start(settings, index)
    await dpytest.message(f"!ask {TROOPS}")
    (reply,) = sent
    assert reply["content"] == "I only answer in these channels: <#1>."
    check_payload(reply)
    await dpytest.empty_queue()


async def test_off_without_the_message_content_setting(settings, index, caplog):
    caplog.set_level("INFO")
    bot, sent = await start(settings, index)  # VERBATIM_MESSAGE_CONTENT is off by default
    await dpytest.message(f"!ask {TROOPS}")
    await dpytest.message(f"<@{bot.user.id}> {TROOPS}")
    assert sent == []
    assert "Mentions and !ask are off" in caplog.text
    await dpytest.empty_queue()


async def test_buttons_under_a_message_reply_work(chat, recorder):
    bot, sent = chat
    await dpytest.message(f"!ask {TROOPS}")
    reply = dpytest.get_message()
    more = sent[0]["components"][0]["components"][0]["custom_id"]
    message = {**Recorder().message_json(sent[0], reply.id), "channel_id": str(reply.channel.id)}
    await dispatch(bot, recorder, button_payload(message, more))
    (embed,) = recorder.of("followup")[0].payload["embeds"]
    assert embed["footer"]["text"].startswith("passages 4–6")
    check_sent(recorder)


async def test_prefix_and_mention_answer_in_the_servers_preferred_language(chat):
    """A message carries no locale: the reply uses the server's preferred one (here German);
    the quotes are the same as in English."""
    bot, sent = chat
    await dpytest.message(f"!ask {TROOPS}")
    english = sent.pop()
    guild = dpytest.get_config().guilds[0]
    guild.preferred_locale = discord.Locale.german
    await dpytest.message(f"!ask {TROOPS}")
    german = sent.pop()
    assert german["components"][0]["components"][0]["label"] == "Mehr"
    assert german["embeds"][0]["footer"]["text"].startswith("Passagen 1–3 · ")
    assert quotes(german) == quotes(english)
    await dpytest.message(f"<@{bot.user.id}>")
    assert sent.pop()["content"].startswith("Stell mir nach der Erwähnung eine Frage")
