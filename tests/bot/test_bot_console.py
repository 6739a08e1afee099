"""The console on its own: /sources in pages, follow-ups only when a question leans on the last
answer, and the README's sample output is what the console prints."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.console import Console
from bot.db import Database
from bot.render import sources_cards, to_text
from bot.settings import Settings
from index import Index, open_index

VOLES = "how many voles do barn owls eat?"
SNOW = "what can they hear under the snow?"
TROOPS = "how many troops will Mexico train?"


def test_sources_pages_as_the_bot_does(tmp_path: Path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(1, 26):  # 25 documents: the bot's listing has three pages
        (docs / f"note-{n:02}.txt").write_text(f"Note {n}\n\nThe note number {n} is short.\n")
    index = open_index(docs, tmp_path / "index")
    console = Console(index, Settings(docs=docs, index_dir=tmp_path / "index"))
    cards = sources_cards(index.documents, markdown=False)
    assert len(cards) == 3

    first = console.reply("/sources")
    assert first == to_text(cards[0]) + "\n/sources 2 shows the next page."
    assert "page 1/3 · 25 documents" in first and "10. " in first and "11. " not in first
    second = console.reply("/sources 2")
    assert "11. " in second and "20. " in second and "21. " not in second
    assert second.endswith("/sources 3 shows the next page.")
    last = console.reply("/sources 3")
    assert last == to_text(cards[2]) and "25. Note 25" in last and "next page" not in last
    assert console.reply("/sources 99") == last  # past the end: the last page, as ▶ stops there
    assert console.reply("/sources 0") == first  # before the start: the first page
    assert console.reply("/sources two").startswith("/sources takes a page number")


def test_a_question_follows_only_when_it_leans_on_the_last_answer(
    index: Index, settings: Settings, tmp_path: Path
):
    db = Database(tmp_path / "v.db")
    console = Console(index, settings, db=db)
    assert "following" not in console.reply(VOLES)
    leaning = console.reply(SNOW)  # "they", and words of the owls' document: a follow-up
    assert f"following: {VOLES}" in leaning and "snow" in leaning
    assert index.leans_on(SNOW, console.conversation)
    own = console.reply(TROOPS)  # words of another document: a question of its own
    assert "following" not in own and "**700**" in own
    again = console.reply("who requested it?")  # leans on the troops, not on the owls
    assert f"following: {TROOPS}" in again and VOLES not in again
    db.close()
    with sqlite3.connect(tmp_path / "v.db") as raw:
        rows = raw.execute("SELECT id, question, following FROM questions ORDER BY id").fetchall()
    ids = {question: qid for qid, question, _ in rows}
    assert [(q, f) for _, q, f in rows] == [
        (VOLES, None),
        (SNOW, ids[VOLES]),
        (TROOPS, None),
        ("who requested it?", ids[TROOPS]),
    ]


def test_in_a_folder_of_one_document_a_new_question_is_not_a_follow_up(tmp_path: Path):
    """Every word of a question is in the one document that answered the last: what ties a
    follow-up to the conversation is a word pointing back or a word of the recent questions."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "seeds", docs)
    assert len(list(docs.iterdir())) == 1
    index = open_index(docs, tmp_path / "index")
    console = Console(index, Settings(docs=docs, index_dir=tmp_path / "index"))
    assert "following" not in console.reply(TROOPS)
    assert f"following: {TROOPS}" in console.reply("who requested it?")  # "it" points back
    new = "what security solutions were explored?"
    assert "following" not in console.reply(new)  # its words are the article's, but its own
    assert f"following: {new}" in console.reply("which security measures?")  # a word of it


ROOT = Path(__file__).resolve().parents[2]
SAMPLE = "<!-- console sample:"


def readme_sample() -> tuple[list[str], str]:
    """The questions piped into the console by the README's marked sample, and the output shown
    after them (the first ```sh and ```text blocks after the marker)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme.count(SAMPLE) == 1, "the README marks one console sample"
    after = readme[readme.index(SAMPLE) :]
    command = re.search(r"```sh\n(.*?)```", after, re.S).group(1).strip()
    shown = re.search(r"```text\n(.*?)```", after, re.S).group(1)
    piped = re.fullmatch(r'echo "([^"]+)" \| scripts/run --console', command)
    assert piped, f"the sample pipes one question into scripts/run --console, not {command!r}"
    return [piped.group(1)], shown


def test_the_readme_console_sample_is_what_the_console_prints(tmp_path: Path):
    """`scripts/run --console` runs `python -m bot --console` in the repository, over seeds/;
    here in a copy of it, so no .env or cache of the developer's is read. Only the time varies."""
    questions, shown = readme_sample()
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "VERBATIM"))}
    env |= {"PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--console"],
        input="".join(f"{q}\n" for q in questions),
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr

    def timeless(text: str) -> str:
        return re.sub(r" · [\d.,]+ ms\)", " · N ms)", text).strip()

    assert timeless(done.stdout) == timeless(shown)


def test_quit_or_exit_ends_the_console(tmp_path: Path):
    """What people type to leave a prompt: the lines after it are never read."""
    from io import StringIO

    from bot.console import run_console

    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    index = open_index(tmp_path / "seeds", tmp_path / "index")
    console = Console(index, Settings(docs=tmp_path / "seeds", index_dir=tmp_path / "index"))
    for word in ("/quit", "/exit", " /QUIT "):
        out = StringIO()
        assert run_console(console, StringIO(f"{TROOPS}\n{word}\n{TROOPS}\n"), out) == 0
        assert out.getvalue().count("**700**") == 2  # the first answer only: two passages mark it
    assert "/quit" in console.reply("/nonsense")
