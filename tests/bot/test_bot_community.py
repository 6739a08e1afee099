"""Communities through discord.py's own dispatch: collections per server and channel, follow-ups in
threads, votes that count, /stats, /forget, and a database that cannot be used.

The database is real SQLite in the test's folder; only Discord's network is faked.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import sqlite3
from pathlib import Path

import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend, factories, runner
from fakediscord import (
    CHANNEL_ID,
    GUILD_ID,
    MANAGE_GUILD,
    USER_ID,
    Recorder,
    button_payload,
    buttons,
    check_sent,
    command_payload,
    dispatch,
    make_bot,
    snowflake,
    start_dpytest,
)

from bot.answering import VOTE_LOST
from bot.commands import NO_STATE
from bot.db import SCHEMA, Database

pytestmark = pytest.mark.asyncio

TROOPS = "how many troops will Mexico train?"
SPAM = "what happens to spam?"
SERVER_A, SERVER_B = 920000000000000001, 920000000000000002
A1, A2, B1 = 920000000000000011, 920000000000000012, 920000000000000021
ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_44c18b5492aa5800.txt"


def embed_of(payload: dict) -> dict:
    (embed,) = payload["embeds"]
    return embed


def last_answer(recorder: Recorder) -> dict:
    """The last answer embed sent (public or private)."""
    for call in reversed(recorder.of("followup")):
        if call.payload.get("embeds"):
            return embed_of(call.payload)
    raise AssertionError("no answer was sent")


def last_text(recorder: Recorder) -> str:
    call = recorder.calls[-1]
    data = call.payload.get("data", call.payload)
    return data.get("content") or ""


def collection(sub: str, options: dict | None = None, **kw) -> dict:
    """A /collection subcommand, as Discord sends it (the subcommand is the group's option)."""
    payload = command_payload("collection", options, **kw)
    payload["data"]["options"] = [{"name": sub, "type": 1, "options": payload["data"]["options"]}]
    return payload


def thread_payload(name: str, options: dict, *, thread_id: int, parent_id: int, **kw) -> dict:
    """A slash command used in a thread under `parent_id`, as Discord sends it."""
    payload = command_payload(name, options, channel_id=thread_id, **kw)
    payload["channel"] = {
        "id": str(thread_id),
        "type": 11,
        "guild_id": payload["guild_id"],
        "parent_id": str(parent_id),
        "owner_id": str(USER_ID),
        "name": "a thread",
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 1,
        "member_count": 1,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": "2026-01-01T00:00:00+00:00",
            "locked": False,
        },
    }
    return payload


# Collections ----------------------------------------------------------------------------------


@pytest.fixture
def communities(tmp_path: Path, settings) -> object:
    """Three collections: `rules` for server A, `manual` for A and B, `troops` for B."""
    texts = {
        "rules": {
            "rules.txt": "House rules\n\nMembers must be kind to each other.\n"
            "Spam is removed, and spammers are banned after three warnings.\n",
            "events.txt": "Events\n\nGame nights start at 8 p.m. on Fridays.\n",
        },
        "manual": {
            "manual.txt": "Printer manual\n\nThe printer holds 250 sheets of paper.\n"
            "Spam faxes are blocked by the printer's filter.\n",
            "toner.txt": "Toner\n\nReplace the toner after 3000 pages.\n",
        },
    }
    for name, files in texts.items():
        (tmp_path / name).mkdir()
        for file, text in files.items():
            (tmp_path / name / file).write_text(text, encoding="utf-8")
    (tmp_path / "troops").mkdir()
    (tmp_path / "troops" / SEED.name).write_text(SEED.read_text(encoding="utf-8"))
    toml = tmp_path / "collections.toml"
    toml.write_text(
        f"""
[rules]
docs = "rules"
index = "idx/rules"
guilds = [{SERVER_A}]

[manual]
docs = "manual"
url = "https://example.org/manual"
index = "idx/manual"
guilds = [{SERVER_A}, {SERVER_B}]

[troops]
docs = "troops"
index = "idx/troops"
guilds = [{SERVER_B}]
""",
        encoding="utf-8",
    )
    return dataclasses.replace(settings, collections=toml)


def source_of(embed: dict) -> str:
    """The document named in the first passage's citation line (its last line), without the link
    a collection's `url` puts on it."""
    name = embed["fields"][0]["value"].rsplit("\n", 1)[1].split(" · ", 1)[0]
    return re.sub(r"^\[(.*)\]\(.*\)$", r"\1", name)


async def test_two_servers_and_three_channels_answer_from_their_collections(communities, recorder):
    bot = await make_bot(communities, None)
    assert all(c.index is None for c in bot.collections)  # opened when first asked

    async def ask(question: str, guild: int, channel: int) -> dict:
        payload = command_payload("ask", {"question": question}, guild_id=guild, channel_id=channel)
        await dispatch(bot, recorder, payload)
        return last_answer(recorder)

    async def use(name: str, guild: int, channel: int) -> str:
        options = {"name": name}
        payload = collection(
            "use", options, guild_id=guild, channel_id=channel, permissions=MANAGE_GUILD
        )
        await dispatch(bot, recorder, payload)
        return last_text(recorder)

    # A's first channel: the first collection allowed in A (rules), never chosen
    assert source_of(await ask(SPAM, SERVER_A, A1)) == "rules.txt"
    assert bot.collections.get("troops").index is None
    # A's second channel chooses the manual; B chooses troops for its channel
    member = collection("use", {"name": "manual"}, guild_id=SERVER_A, channel_id=A2)
    await dispatch(bot, recorder, member)  # without Manage Server
    assert "Manage Server" in last_text(recorder)
    assert source_of(await ask(SPAM, SERVER_A, A2)) == "rules.txt"  # nothing changed
    assert await use("manual", SERVER_A, A2) == "Now answering in this channel from manual."
    assert source_of(await ask(SPAM, SERVER_A, A2)) == "manual.txt"
    assert source_of(await ask(SPAM, SERVER_A, A1)) == "rules.txt"  # the other channel keeps its
    assert (await use("rules", SERVER_B, B1)).startswith("No collection rules here")  # not B's
    assert await use("troops", SERVER_B, B1) == "Now answering in this channel from troops."
    assert "**700**" in (await ask(TROOPS, SERVER_B, B1))["fields"][0]["value"]
    assert source_of(await ask(SPAM, SERVER_B, B1 + 1)) == "manual.txt"  # B's first allowed

    # a thread under A's second channel answers from the channel's collection
    thread = snowflake()
    await dispatch(
        bot,
        recorder,
        thread_payload(
            "ask", {"question": SPAM}, thread_id=thread, parent_id=A2, guild_id=SERVER_A
        ),
    )
    assert source_of(last_answer(recorder)) == "manual.txt"

    # /collection list in B: what B may use, and which answers here
    await dispatch(bot, recorder, collection("list", guild_id=SERVER_B, channel_id=B1))
    text = embed_of(recorder.calls[-1].payload["data"])["description"]
    assert "rules" not in text
    assert "**troops** · 1 document · https://example.org" not in text
    assert "**troops** · 1 document ← answers here" in text
    assert "**manual** · 2 documents · https://example.org/manual" in text
    check_sent(recorder)
    await bot.close()


async def test_a_collections_file_error_is_one_line(tmp_path, settings):
    from bot.collections import CollectionsError, read_specs

    bad = tmp_path / "c.toml"
    for text, words in (
        ("[a\ndocs=1", "not valid TOML"),
        ("[Rules]\ndocs='x'", "lowercase"),
        ("[a]\nurl='https://x'", "needs docs"),
        ("[a]\ndocs='x'\nguilds=['1']", "server ids"),
        ("[a]\ndocs='x'\nwatch=true", "unknown key 'watch'"),
    ):
        bad.write_text(text)
        with pytest.raises(CollectionsError) as error:
            read_specs(bad)
        assert words in str(error.value) and "\n" not in str(error.value)


# Follow-ups -----------------------------------------------------------------------------------


async def test_a_question_in_a_thread_the_bot_answered_in_follows_it(bot, recorder, settings):
    thread = snowflake()
    first, then = "how many voles do barn owls eat?", "what can they hear under the snow?"
    for question in (first, then):
        payload = thread_payload(
            "ask", {"question": question}, thread_id=thread, parent_id=CHANNEL_ID
        )
        await dispatch(bot, recorder, payload)
    followed = last_answer(recorder)
    assert followed["title"] == then
    assert followed["description"] == f"following: {first}"
    assert "snow" in followed["fields"][0]["value"]
    # the same question in the channel itself, not a thread: no conversation
    await dispatch(bot, recorder, command_payload("ask", {"question": then}))
    assert "description" not in last_answer(recorder)
    with sqlite3.connect(settings.db_target()) as db:
        rows = db.execute("SELECT id, question, following FROM questions ORDER BY id").fetchall()
    assert [(q, f) for _, q, f in rows] == [(first, None), (then, rows[0][0]), (then, None)]
    check_sent(recorder)


async def test_what_only_the_asker_saw_is_never_followed(bot, recorder):
    thread = snowflake()
    then = "what can they hear under the snow?"
    for options in (
        {"question": "how many voles do barn owls eat?", "private": True},
        {"question": "zebra quantum xylophone?"},  # nothing found: told to the asker alone
        {"question": then},
    ):
        payload = thread_payload("ask", options, thread_id=thread, parent_id=CHANNEL_ID)
        await dispatch(bot, recorder, payload)
    assert last_answer(recorder)["title"] == then
    assert "description" not in last_answer(recorder)  # following neither of them
    check_sent(recorder)


async def test_a_thread_started_from_an_answer_follows_it(bot, recorder):
    first = "how many voles do barn owls eat?"
    await dispatch(bot, recorder, command_payload("ask", {"question": first}))
    answer = recorder.of("followup")[-1].message
    thread = int(answer["id"])  # Discord gives a thread started from a message that message's id
    then = "what can they hear under the snow?"
    payload = thread_payload("ask", {"question": then}, thread_id=thread, parent_id=CHANNEL_ID)
    await dispatch(bot, recorder, payload)
    assert last_answer(recorder)["description"] == f"following: {first}"
    other = thread_payload("ask", {"question": then}, thread_id=snowflake(), parent_id=CHANNEL_ID)
    await dispatch(bot, recorder, other)
    assert "description" not in last_answer(recorder)
    check_sent(recorder)


async def test_more_under_a_follow_up_keeps_its_conversation(bot, recorder):
    thread = snowflake()
    for question in (TROOPS, "who requested the support?"):
        payload = thread_payload(
            "ask", {"question": question}, thread_id=thread, parent_id=CHANNEL_ID
        )
        await dispatch(bot, recorder, payload)
    message = recorder.of("followup")[-1].message
    assert embed_of(message)["description"] == f"following: {TROOPS}"
    await dispatch(bot, recorder, button_payload(message, buttons(message)["More"]["custom_id"]))
    more = embed_of(recorder.calls[-1].payload)
    assert more["footer"]["text"].startswith("passages 4–6")
    assert more["description"] == f"following: {TROOPS}"
    check_sent(recorder)


# Votes ----------------------------------------------------------------------------------------


async def test_votes_from_three_people_move_a_passage_and_from_one_or_two_do_not(bot, recorder):
    async def ask(question: str = TROOPS, guild: int = GUILD_ID) -> dict:
        await dispatch(
            bot, recorder, command_payload("ask", {"question": question}, guild_id=guild)
        )
        return recorder.of("followup")[-1].message

    def first(message: dict) -> str:
        return embed_of(message)["fields"][0]["value"]

    answer = await ask()
    top = first(answer)
    assert "**700**" in top
    down = buttons(answer)["👎"]["custom_id"]
    for n, voter in enumerate((USER_ID, USER_ID + 1, USER_ID + 2), 1):
        await dispatch(bot, recorder, button_payload(answer, down, user_id=voter))
        assert last_text(recorder) == "Thanks: your 👎 is recorded."
        again = await ask()
        if n < 3:
            assert first(again) == top, f"{n} people moved the passage"
        else:
            assert first(again) != top  # three different people: ranked lower for this question
    assert first(await ask("Mexico will train how many troops?")) != top  # the same words
    assert first(await ask(guild=SERVER_B)) == top  # another server: its own votes

    await dispatch(bot, recorder, collection("clear-votes", permissions=MANAGE_GUILD))
    assert last_text(recorder) == "Cleared 9 votes on default in this server."
    assert first(await ask()) == top
    check_sent(recorder)


async def test_three_thumbs_up_raise_a_passage(bot, recorder):
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    answer = recorder.of("followup")[-1].message
    await dispatch(bot, recorder, button_payload(answer, buttons(answer)["More"]["custom_id"]))
    more = recorder.of("followup")[-1].message  # passages 4-6, on their own message
    fourth = embed_of(more)["fields"][0]["value"]
    for voter in (USER_ID, USER_ID + 1, USER_ID + 2):
        await dispatch(
            bot, recorder, button_payload(more, buttons(more)["👍"]["custom_id"], user_id=voter)
        )
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    values = [f["value"] for f in embed_of(recorder.of("followup")[-1].message)["fields"]]
    assert fourth.split("\n")[0][2:] in values[0]  # raised to the top (numbering aside)
    check_sent(recorder)


# /stats and /forget ---------------------------------------------------------------------------


async def test_stats_shows_what_was_asked_found_and_voted(bot, recorder):
    for n, question in enumerate([TROOPS, "zebra quantum xylophone?", "Zebra quantum xylophone"]):
        await dispatch(
            bot, recorder, command_payload("ask", {"question": question}, user_id=USER_ID + n)
        )
    answer = recorder.of("followup")[0].message
    await dispatch(bot, recorder, button_payload(answer, buttons(answer)["👎"]["custom_id"]))
    await dispatch(bot, recorder, command_payload("stats"))
    assert "Manage Server" in last_text(recorder)
    await dispatch(bot, recorder, command_payload("stats", permissions=MANAGE_GUILD))
    data = recorder.calls[-1].payload["data"]
    embed = embed_of(data)
    figures = embed["description"]
    assert "Last 7 days: 3 questions, 33% answered, 0% voted 👍, 33% voted 👎" in figures
    assert "kept 30 days" in figures
    assert "2× Zebra quantum xylophone\n" in embed["description"] + "\n"  # same words, twice
    assert embed["footer"]["text"] == "page 1/2"
    await dispatch(
        bot, recorder, button_payload(recorder.calls[-1].message, buttons(data)["▶"]["custom_id"])
    )
    page = embed_of(recorder.calls[-1].payload["data"])
    assert page["footer"]["text"] == "page 2/2"
    assert "1× 👎 A first group of 150 Haitian soldiers departed… (default)" in page["description"]
    check_sent(recorder)


async def test_stats_pages_stay_within_discords_limits(bot, recorder):
    for n in range(23):
        question = f"zebra{n} " + "quantum xylophone " * 30
        await dispatch(bot, recorder, command_payload("ask", {"question": question}))
    await dispatch(bot, recorder, command_payload("stats", permissions=MANAGE_GUILD))
    data = recorder.calls[-1].payload["data"]
    assert embed_of(data)["footer"]["text"] == "page 1/4"  # 10 + 10 + 3 unanswered, 1 voted
    check_sent(recorder)


async def test_forget_deletes_the_askers_rows_only(bot, recorder, settings):
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    answer = recorder.of("followup")[-1].message
    await dispatch(bot, recorder, button_payload(answer, buttons(answer)["👍"]["custom_id"]))
    await dispatch(bot, recorder, command_payload("ask", {"question": "owls?"}))
    other = USER_ID + 1
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}, user_id=other))
    await dispatch(bot, recorder, command_payload("forget"))
    assert last_text(recorder) == (
        "Deleted 5 logged questions and votes of yours, in every server."
    )  # two questions, one vote on three passages
    with sqlite3.connect(settings.db_target()) as db:
        users = {
            u
            for (u,) in db.execute(
                "SELECT user_hash FROM questions UNION ALL SELECT user_hash FROM votes"
            )
        }
    assert users == {bot.db.user_hash(other)}
    check_sent(recorder)


# A database that cannot be used ---------------------------------------------------------------


def locked(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE other (x)")
    holder.execute("BEGIN EXCLUSIVE")
    return holder


def read_only(path: Path) -> str:
    Database(path).close()  # a current database...
    return f"file:{path}?mode=ro"  # ...opened read-only, as SQLite's URI says


def newer(path: Path) -> None:
    Database(path).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA + 1}")


@pytest.mark.parametrize(
    ("make", "says"),
    [(locked, "is locked"), (read_only, "is read-only"), (newer, "is from a newer Verbatim")],
    ids=["locked", "read-only", "newer-schema"],
)
async def test_an_unusable_database_is_one_line_and_answers_go_on(
    make, says, settings, index, recorder, tmp_path, caplog
):
    path = tmp_path / "state.db"
    made = make(path)
    target = made if isinstance(made, str) else str(path)
    caplog.set_level(logging.INFO)
    bot = await make_bot(dataclasses.replace(settings, db=Path(target)), index)
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    answer = recorder.of("followup")[-1].message
    assert "**700**" in embed_of(answer)["fields"][0]["value"]
    await dispatch(bot, recorder, button_payload(answer, buttons(answer)["👎"]["custom_id"]))
    assert last_text(recorder) == VOTE_LOST
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}, user_id=USER_ID + 1))
    assert "**700**" in last_answer(recorder)["fields"][0]["value"]
    await dispatch(bot, recorder, command_payload("forget"))
    assert last_text(recorder) == NO_STATE
    await dispatch(bot, recorder, command_payload("stats", permissions=MANAGE_GUILD))
    if make is read_only:  # what was logged before can still be read
        assert embed_of(recorder.calls[-1].payload["data"])["title"] == "Statistics"
    else:
        assert last_text(recorder) == NO_STATE
    problems = [r for r in caplog.records if r.name == "bot.db"]
    assert len(problems) == 1 and problems[0].levelno == logging.ERROR
    line = problems[0].getMessage()
    assert says in line and "answering goes on" in line and "\n" not in line
    assert not any("Traceback" in r.getMessage() or r.exc_info for r in caplog.records)
    check_sent(recorder)
    await bot.close()
    if isinstance(made, sqlite3.Connection):
        made.close()


async def test_a_reply_to_an_answer_follows_it(settings, index):
    """`!ask` as a reply (dpytest's fake gateway): it follows the answer it replies to."""
    _, sent = await start_dpytest(dataclasses.replace(settings, message_content=True), index)
    first, then = "how many voles do barn owls eat?", "what can they hear under the snow?"
    await dpytest.message(f"!ask {first}")
    answer = dpytest.get_message()
    config = dpytest.get_config()
    channel, member = config.channels[0], config.members[0]
    data = factories.make_message_dict(channel, member, content=f"!ask {then}", type=19)
    data["message_reference"] = {
        "message_id": str(answer.id),
        "channel_id": str(channel.id),
        "guild_id": str(channel.guild.id),
    }
    backend.get_state().parse_message_create(data)
    await runner.run_all_events()
    await dpytest.message(f"!ask {then}")  # not a reply: follows nothing
    replies = [p for p in sent if p.get("embeds")]
    assert replies[1]["embeds"][0]["description"] == f"following: {first}"
    assert "description" not in replies[2]["embeds"][0]
    await dpytest.empty_queue()
