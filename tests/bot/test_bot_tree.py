"""Raw INTERACTION_CREATE payloads through discord.py's own CommandTree and view store.

Option parsing, checks, error handling and button dispatch all run for real; only the replies
are recorded instead of sent.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3

import pytest
from fakediscord import (
    CHANNEL_ID,
    MANAGE_GUILD,
    USER_ID,
    button_payload,
    buttons,
    call,
    check_sent,
    command_payload,
    dispatch,
    make_bot,
)

from bot.gate import QUESTION_LIMIT
from index import open_index

pytestmark = pytest.mark.asyncio

EPHEMERAL = 64
TROOPS = "how many troops will Mexico train?"


def embed_of(payload: dict) -> dict:
    (embed,) = payload["embeds"]
    return embed


def text_of(embed: dict) -> str:
    parts = [embed.get("title", ""), embed.get("description", "")]
    parts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


async def test_ask_defers_then_answers_publicly_with_quote_and_buttons(bot, recorder):
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    defer, followup = recorder.calls
    assert (defer.kind, defer.payload) == ("response", {"type": 5})  # thinking, public
    assert followup.kind == "followup" and not followup.payload.get("flags")
    embed = embed_of(followup.payload)
    assert embed["title"] == TROOPS
    assert "**700**" in embed["fields"][0]["value"]
    assert (
        "000\\_44c18b5492aa5800.txt · CNN · [ctninfo.com](https://ctninfo.com/?p=35770&preview=true)"
        in text_of(embed)
    )
    assert embed["footer"]["text"].startswith("passages 1–3 · ")
    assert set(buttons(followup.payload)) == {"More", "👍", "👎"}
    check_sent(recorder)


async def test_private_ask_is_ephemeral_from_the_start(bot, recorder):
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS, "private": True}))
    defer, followup = recorder.calls
    assert defer.payload == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert followup.payload["flags"] == EPHEMERAL
    check_sent(recorder)


async def test_no_answer_is_told_privately_with_suggestions(bot, recorder):
    await dispatch(bot, recorder, command_payload("ask", {"question": "zebra quantum xylophone?"}))
    kinds = [c.kind for c in recorder.calls]
    assert kinds == ["response", "delete_original", "followup"]
    followup = recorder.calls[-1].payload
    assert followup["flags"] == EPHEMERAL and "components" not in followup
    assert "Nothing in the documents answers" in embed_of(followup)["description"]
    check_sent(recorder)


async def test_blank_question_is_answered_privately(bot, recorder):
    await dispatch(bot, recorder, command_payload("ask", {"question": "   "}))
    followup = recorder.of("followup")[0].payload
    assert followup["flags"] == EPHEMERAL and followup["content"]
    check_sent(recorder)


async def test_too_long_question_is_refused_by_option_parsing(bot, recorder):
    question = "why " * (QUESTION_LIMIT // 4 + 1)
    await dispatch(bot, recorder, command_payload("ask", {"question": question}))
    (response,) = recorder.calls  # no defer, no search
    assert response.payload["type"] == 4
    assert response.payload["data"]["flags"] == EPHEMERAL
    assert f"1 to {QUESTION_LIMIT} characters" in response.payload["data"]["content"]
    check_sent(recorder)


async def test_channel_allow_list(settings, index, recorder):
    other = CHANNEL_ID + 1
    settings = dataclasses.replace(settings, allowed_channels=frozenset({other}))
    bot = await make_bot(settings, index)
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    (refusal,) = recorder.calls
    assert refusal.payload["data"]["flags"] == EPHEMERAL
    assert f"<#{other}>" in refusal.payload["data"]["content"]
    recorder.calls.clear()
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}, channel_id=other))
    assert [c.kind for c in recorder.calls] == ["response", "followup"]
    check_sent(recorder)
    await bot.close()


async def test_cooldown_is_per_user(settings, index, recorder):
    bot = await make_bot(dataclasses.replace(settings, cooldown_seconds=3600), index)
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}, user_id=USER_ID + 1))
    kinds = [c.kind for c in recorder.calls]
    assert kinds == ["response", "followup", "response", "response", "followup"]
    refusal = recorder.calls[2].payload["data"]
    assert refusal["flags"] == EPHEMERAL and refusal["content"].startswith("Please wait")
    check_sent(recorder)
    await bot.close()


async def test_more_shows_the_next_passages_to_the_clicker(bot, recorder):
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    answer = recorder.of("followup")[0].message
    first = {f["value"] for f in embed_of(answer)["fields"]}
    await dispatch(bot, recorder, button_payload(answer, buttons(answer)["More"]["custom_id"]))
    defer, more = recorder.calls[-2:]
    assert defer.payload == {"type": 5, "data": {"flags": EPHEMERAL}}
    assert more.payload["flags"] == EPHEMERAL
    embed = embed_of(more.payload)
    assert embed["footer"]["text"].startswith("passages 4–6")
    assert [f["name"][:2] for f in embed["fields"]] == ["4.", "5.", "6."]
    assert not first & {f["value"] for f in embed["fields"]}  # new passages, not the same ones
    assert "More" in buttons(more.payload)
    check_sent(recorder)


async def test_votes_are_recorded_once_per_user_with_a_hashed_id(bot, recorder, settings):
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    answer = recorder.of("followup")[0].message
    up, down = buttons(answer)["👍"]["custom_id"], buttons(answer)["👎"]["custom_id"]
    await dispatch(bot, recorder, button_payload(answer, up))
    await dispatch(bot, recorder, button_payload(answer, down))  # same user: already voted
    await dispatch(bot, recorder, button_payload(answer, down, user_id=USER_ID + 7))
    replies = [c.payload["data"]["content"] for c in recorder.calls[2:]]
    assert replies == [
        "Thanks: your 👍 is recorded.",
        "You already voted on this answer. Thanks!",
        "Thanks: your 👎 is recorded.",
    ]
    with sqlite3.connect(settings.db_target()) as db:  # what is stored, read with SQL
        rows = db.execute("SELECT vote, question, document, user_hash FROM votes ORDER BY id")
        rows = rows.fetchall()
        everything = "\n".join(line for line in db.iterdump())
    assert [r[0] for r in rows] == [1, 1, 1, -1, -1, -1]  # each of the three passages shown
    assert {r[1] for r in rows} == {TROOPS}
    assert rows[0][2] == "000_44c18b5492aa5800.txt"
    assert rows[0][3] == bot.db.user_hash(USER_ID) != bot.db.user_hash(USER_ID + 7)
    assert str(USER_ID) not in everything  # only the salted hash
    check_sent(recorder)


async def test_buttons_switch_off_when_they_expire(bot, recorder):
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    answer = recorder.of("followup")[0].message
    store = bot._connection._view_store._views[int(answer["id"])]
    (view,) = {item.view for item in store.values()}
    await call(recorder, view.on_timeout())  # what discord.py calls after the timeout
    (edit,) = recorder.of("edit")
    assert all(b["disabled"] for b in buttons(edit.payload).values())
    check_sent(recorder)


async def test_sources_pages_turn(settings, tmp_path, recorder):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(23):
        (folder / f"note{i:02}.txt").write_text(f"Note {i}\n\nThe code word is word{i}.\n")
    bot = await make_bot(
        settings, await asyncio.to_thread(open_index, folder, tmp_path / "many-index")
    )
    await dispatch(bot, recorder, command_payload("sources"))
    (first,) = recorder.calls
    data = first.payload["data"]
    assert data["flags"] == EPHEMERAL
    assert embed_of(data)["footer"]["text"].startswith("page 1/3 · 23 documents")
    assert buttons(data)["◀"].get("disabled") and not buttons(data)["▶"].get("disabled")
    await dispatch(bot, recorder, button_payload(first.message, buttons(data)["▶"]["custom_id"]))
    turned = recorder.calls[-1].payload
    assert turned["type"] == 7  # the same message, edited
    assert embed_of(turned["data"])["footer"]["text"].startswith("page 2/3")
    check_sent(recorder)
    await bot.close()


async def test_sources_lists_documents(bot, recorder):
    await dispatch(bot, recorder, command_payload("sources"))
    description = embed_of(recorder.calls[0].payload["data"])["description"]
    assert (
        "**3.** Barn owls · 3 sentences" in description
        and "Garden \\*notes\\* for @everyone" in description
    )
    assert "components" not in recorder.calls[0].payload["data"]  # one page: no buttons
    check_sent(recorder)


async def test_help(bot, recorder):
    await dispatch(bot, recorder, command_payload("help"))
    data = recorder.calls[0].payload["data"]
    assert data["flags"] == EPHEMERAL and "/ask" in embed_of(data)["description"]
    check_sent(recorder)


async def test_reload_needs_manage_server_or_an_owner(settings, index, recorder):
    bot = await make_bot(dataclasses.replace(settings, owner_ids=frozenset({USER_ID + 5})), index)
    await dispatch(bot, recorder, command_payload("reload"))
    (refusal,) = recorder.calls
    assert "Manage Server" in refusal.payload["data"]["content"]
    await dispatch(bot, recorder, command_payload("reload", permissions=MANAGE_GUILD))
    await dispatch(bot, recorder, command_payload("reload", user_id=USER_ID + 5, guild_id=None))
    done = [c.payload["content"] for c in recorder.of("followup")]
    assert len(done) == 2 and all(t.startswith("Reloaded. ") for t in done)
    check_sent(recorder)
    await bot.close()


async def test_unexpected_errors_are_reported_politely(bot, recorder, caplog):
    bot.index = "not an index"  # the search fails in a way no user can fix
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    followup = recorder.of("followup")[0].payload
    assert followup["content"].startswith("Something went wrong")
    assert "/ask failed" in caplog.text
    check_sent(recorder)
