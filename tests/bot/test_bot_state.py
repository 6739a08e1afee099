"""The database on its own (real SQLite), the console's /collection, follow-ups and /stats, and
`python -m bot stats` and `feedback --export`."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from bot import collections
from bot.cli import main
from bot.console import Console
from bot.db import DAY, Database, question_key
from index import Passage

VOLES = "how many voles do barn owls eat?"
SNOW = "what can they hear under the snow?"


def passage(document: str = "a.txt", start: int = 0) -> Passage:
    return Passage(document, "A", None, start, start + 5, "hello", start, start + 5, 1.0)


def test_a_new_database_has_the_schema_a_salt_and_wal(tmp_path):
    db = Database(tmp_path / "v.db")
    db.close()
    with sqlite3.connect(tmp_path / "v.db") as raw:
        assert raw.execute("PRAGMA user_version").fetchone() == (1,)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        (salt,) = raw.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()
    assert len(salt) == 32
    other = Database(tmp_path / "w.db")
    assert Database(tmp_path / "v.db").user_hash(7) != other.user_hash(7)  # salted per database


def test_questions_with_the_same_stemmed_words_share_a_key():
    assert question_key("How many troops will Mexico train?") == "mexico train troop"
    assert question_key("Mexico: training how many troops") == question_key("troops Mexico train")


def test_old_rows_are_deleted_and_recent_ones_kept(tmp_path):
    db = Database(tmp_path / "v.db", retention_days=30)
    old = time.time() - 31 * DAY
    for when in (old, time.time()):
        db.log_question(
            guild_id=1,
            channel_id=2,
            collection="c",
            user_id=3,
            question="q",
            passages=[],
            when=when,
        )
        db.vote(
            guild_id=1,
            collection="c",
            user_id=3,
            question=f"q{when}",
            passages=[passage()],
            vote="up",
            when=when,
        )
    db.purge()  # (logging purges too, now and then)
    db.close()
    with sqlite3.connect(tmp_path / "v.db") as raw:
        for table in ("questions", "votes"):
            (n, newest) = raw.execute(f"SELECT COUNT(*), MIN(time) FROM {table}").fetchone()
            assert n == 1 and newest > old + DAY, table


def test_votes_count_people_not_clicks(tmp_path):
    db = Database(tmp_path / "v.db")
    for user in (1, 1, 1, 2):
        db.vote(
            guild_id=9,
            collection="c",
            user_id=user,
            question="q",
            passages=[passage()],
            vote="down",
        )
    assert db.boosts(9, "c", "q", 1.0) == {}  # two people, however often they click
    db.vote(guild_id=9, collection="c", user_id=3, question="q", passages=[passage()], vote="down")
    assert db.boosts(9, "c", "q", 1.0) == {("a.txt", 0): -1.0}
    assert db.boosts(8, "c", "q", 1.0) == {} and db.boosts(9, "d", "q", 1.0) == {}
    db.close()


def test_a_reply_follows_the_chain_of_answers(tmp_path):
    db = Database(tmp_path / "v.db")
    first = db.log_question(
        guild_id=1, channel_id=2, collection="c", user_id=3, question="one", passages=[passage()]
    )
    db.set_message(first, 100)
    second = db.log_question(
        guild_id=1,
        channel_id=2,
        collection="c",
        user_id=4,
        question="two",
        passages=[],
        following=first,
    )
    db.set_message(second, 101)
    collection, turns = db.turns_before(101)
    assert collection == "c" and [t.question for t in turns] == ["one", "two"]
    assert turns[0].top == ("a.txt", 0) and turns[1].top is None
    assert db.turns_before(999) is None
    db.close()


@pytest.fixture
def two(tmp_path: Path, docs: Path) -> collections.Registry:
    other = tmp_path / "other"
    other.mkdir()
    (other / "bread.txt").write_text("Bread\n\nBread needs flour, water, salt and yeast.\n")
    specs = [
        collections.Spec("animals", docs, None, tmp_path / "i1"),
        collections.Spec(
            "bread", other, "https://example.org/bread", tmp_path / "i2", frozenset({5})
        ),
    ]
    return collections.Registry(specs)


def test_console_collection_follow_ups_and_stats(two, settings, tmp_path):
    db = Database(tmp_path / "v.db")
    console = Console(None, settings, registry=two, db=db)
    listing = console.reply("/collection")
    assert "animals · not opened yet ← answers here" in listing
    assert "bread · not opened yet · https://example.org/bread" in listing
    assert "**" not in listing
    first = console.reply(VOLES)
    assert "following" not in first and "**four** voles" in first
    followed = console.reply(SNOW)
    assert f"following: {VOLES}" in followed and "snow" in followed
    assert console.reply("/new").startswith("A new conversation")
    assert "following" not in console.reply(SNOW)
    assert console.reply("/collection bread") == "Now answering from bread (a new conversation)."
    assert "flour" in console.reply("what does bread need?")
    assert console.reply("/collection cheese").startswith("No collection cheese")
    assert "1 document" in console.reply("/collection")
    console.reply("zebra quantum xylophone?")
    stats = console.reply("/stats")
    assert "Last 7 days: 5 questions, 80% answered" in stats
    assert "1× zebra quantum xylophone?" in stats
    db.close()


def test_console_without_a_database_still_answers(settings, index):
    console = Console(index, settings)
    assert "**700**" in console.reply("how many troops will Mexico train?")
    assert console.reply("/stats").startswith("Statistics need the bot's database")


def test_bot_stats_and_feedback_export(tmp_path, monkeypatch, capsys):
    path = tmp_path / "v.db"
    db = Database(path)
    db.log_question(
        guild_id=1, channel_id=2, collection="c", user_id=3, question="why?", passages=[]
    )
    db.vote(
        guild_id=1,
        collection="c",
        user_id=3,
        question="how many?",
        passages=[passage(), passage("b.txt", 10)],
        vote="down",
    )
    db.close()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERBATIM_DB", str(path))
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "Last 30 days: 1 question, 0% answered" in out and "1× why?" in out
    export = tmp_path / "votes.jsonl"
    assert main(["feedback", "--export", str(export)]) == 0
    assert capsys.readouterr().err.strip() == "Exported 2 votes."
    rows = [json.loads(line) for line in export.read_text().splitlines()]
    assert [r["passage"] for r in rows] == [
        {"document": "a.txt", "sentence_start": 0},
        {"document": "b.txt", "sentence_start": 10},
    ]
    assert {r["vote"] for r in rows} == {"down"} and rows[0]["question"] == "how many?"
    assert rows[0]["server"] == 1 and len(rows[0]["user"]) == 64  # a salted sha256, not the id
    assert rows[0]["time"].endswith("+00:00")


def test_bot_stats_on_a_newer_database_is_one_line(tmp_path, monkeypatch, capsys):
    path = tmp_path / "v.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 99")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERBATIM_DB", str(path))
    assert main(["stats"]) == 1
    err = capsys.readouterr().err
    assert "error: " in err and "newer Verbatim" in err and "Traceback" not in err


def test_refresh_rereads_an_open_collection_only(two, tmp_path):
    bread = two.get("bread")
    assert two.refresh("bread") is None and bread.index is None  # unopened: read when asked
    old = bread.open()
    (bread.spec.docs / "rye.txt").write_text("Rye\n\nRye bread is dense and keeps for a week.\n")
    report = two.refresh("bread")
    assert report is not None and report.added == 1 and report.documents == 2  # an update
    assert bread.index is not old and not bread.reloading
    assert "week" in bread.index.ask("how long does rye bread keep?").passages[0].text


def test_console_through_main_with_a_collections_file(tmp_path, docs, monkeypatch, capsys):
    import io
    import sys

    (tmp_path / "c.toml").write_text(f'[animals]\ndocs = "{docs}"\nindex = "idx"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VERBATIM_COLLECTIONS", str(tmp_path / "c.toml"))
    monkeypatch.setenv("VERBATIM_DB", str(tmp_path / "v.db"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{VOLES}\n{SNOW}\n/collection\n"))
    assert main(["--console"]) == 0
    out = capsys.readouterr().out
    assert f"following: {VOLES}" in out and "animals · 3 documents ← answers here" in out
    (tmp_path / "c.toml").write_text("[animals]\n")
    assert main(["--console"]) == 2
    assert capsys.readouterr().err.startswith("error: ") and (tmp_path / "v.db").exists()
