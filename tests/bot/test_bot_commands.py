"""Command callbacks called directly with real interactions whose replies are recorded."""

from __future__ import annotations

import pytest
from fakediscord import MANAGE_GUILD, call, check_sent, command_payload, interaction

from bot.commands import Answers, mentioned_question

TROOPS = "how many troops will Mexico train?"


def cog(bot) -> Answers:
    return bot.get_cog("Answers")


@pytest.mark.asyncio
async def test_ask_callback_answers_once_after_deferring(bot, recorder):
    it = interaction(bot, command_payload("ask"))
    await call(recorder, Answers.ask.callback(cog(bot), it, question=TROOPS))
    assert [c.kind for c in recorder.calls] == ["response", "followup"]
    (embed,) = recorder.calls[1].payload["embeds"]
    assert "**700**" in embed["fields"][0]["value"]
    check_sent(recorder)


@pytest.mark.asyncio
async def test_ask_callback_quotes_markup_and_mentions_harmlessly(bot, recorder):
    it = interaction(bot, command_payload("ask"))
    await call(
        recorder, Answers.ask.callback(cog(bot), it, question="who do I ping at first frost?")
    )
    (embed,) = recorder.of("followup")[0].payload["embeds"]
    quote = next(f["value"] for f in embed["fields"] if "frost" in f["value"])
    assert "\\*first frost\\*" in quote and "\\<@123>" in quote and "\\<@&456>" in quote
    check_sent(recorder)  # allowed_mentions {"parse": []}: @everyone in it pings nobody


@pytest.mark.asyncio
async def test_sources_help_and_reload_callbacks_reply_privately(bot, recorder):
    for command in (Answers.sources, Answers.help):
        await call(recorder, command.callback(cog(bot), interaction(bot, command_payload("x"))))
    it = interaction(bot, command_payload("reload", permissions=MANAGE_GUILD))
    await call(recorder, Answers.reload.callback(cog(bot), it))
    flags = [c.payload["data"].get("flags") for c in recorder.of("response")]
    assert flags == [64, 64, 64]
    assert (
        recorder.of("followup")[0]
        .payload["content"]
        .startswith("Reloaded. Built index of 3 documents")
    )
    check_sent(recorder)


def test_mentioned_question():
    assert mentioned_question("<@42> how many troops?", 42) == "how many troops?"
    assert mentioned_question("  <@!42>\nwhy?", 42) == "why?"
    assert mentioned_question("<@42>", 42) == ""
    assert mentioned_question("hey <@42> why?", 42) is None
    assert mentioned_question("<@43> why?", 42) is None
