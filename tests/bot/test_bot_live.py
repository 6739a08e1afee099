"""Live documents in the bot and the console: a new file is answered from without a restart;
shards reach discord.py."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import discord
import pytest
from fakediscord import make_bot, write_docs

from bot.client import ShardedVerbatimBot, VerbatimBot, create_bot
from bot.settings import Settings, load_settings
from index import open_index

ROOT = Path(__file__).resolve().parents[2]
NEW_FILE = "The harbour ferries carry 300 passengers across the bay.\n"
DEADLINE = 30  # seconds: generous for a loaded machine; the figure itself is printed


def test_the_shard_setting_reaches_discord_py(tmp_path):
    settings = load_settings({"VERBATIM_SHARDS": "0-3/8"}, dotenv=None)
    bot = create_bot(settings, None)
    assert isinstance(bot, ShardedVerbatimBot) and isinstance(bot, discord.AutoShardedClient)
    assert bot.shard_ids == [0, 1, 2, 3] and bot.shard_count == 8
    unsharded = create_bot(load_settings({}, dotenv=None), None)
    assert type(unsharded) is VerbatimBot and unsharded.shard_count is None


@pytest.mark.asyncio
async def test_the_bot_answers_from_a_file_added_while_it_runs(tmp_path, capsys):
    docs = write_docs(tmp_path / "docs")
    settings = Settings(docs=docs, index_dir=tmp_path / "index", cooldown_seconds=0)
    bot = await make_bot(settings, await asyncio.to_thread(open_index, docs, settings.index_dir))
    before = bot.index.generation
    try:
        bot.start_watching()
        await asyncio.sleep(0.3)  # the watcher is set up
        started = time.monotonic()
        (docs / "ferries.txt").write_text(NEW_FILE, encoding="utf-8")
        while bot.index.generation == before and time.monotonic() - started < DEADLINE:
            await asyncio.sleep(0.05)
        took = time.monotonic() - started
        answer = await bot.search("how many passengers do the ferries carry?")
        assert answer.passages[0].document == "ferries.txt", f"not picked up in {took:.1f} s"
        assert bot.index.report.added == 1
        with capsys.disabled():
            print(f"\nbot: a new file was answerable {took:.2f} s after it was written")
    finally:
        await bot.close()
    assert bot._watching is not None and bot._watching.done()  # closing stops the watcher


@pytest.mark.asyncio
async def test_the_bots_watcher_reads_a_dropped_pdf_and_a_burst_in_fresh_workers(tmp_path, capsys):
    """The bot runs threads (its event loop, the watcher, searches off the loop): a PDF and 70
    files dropped while it watches are all answered from, and each reading worker is a fresh
    interpreter that is gone once the bot closes."""
    docs = write_docs(tmp_path / "docs")
    settings = Settings(docs=docs, index_dir=tmp_path / "index", cooldown_seconds=0)
    bot = await make_bot(settings, await asyncio.to_thread(open_index, docs, settings.index_dir))
    try:
        bot.start_watching()
        await asyncio.sleep(0.3)
        started = time.monotonic()
        shutil.copy(USERGUIDE, tmp_path / "guide.pdf")
        os.rename(tmp_path / "guide.pdf", docs / "guide.pdf")
        for i in range(70):
            (docs / f"note{i:02d}.txt").write_text(f"Depot {i} keeps the lantern{i} oil.\n")
        while len(bot.index.documents) < 74 and time.monotonic() - started < 120:
            await asyncio.sleep(0.05)
        took = time.monotonic() - started
        assert len(bot.index.documents) == 74, f"{len(bot.index.documents)} after {took:.1f} s"
        workers = [
            int(p)
            for p in subprocess.run(
                ["ps", "-o", "pid=", "--ppid", str(os.getpid())], capture_output=True, text=True
            ).stdout.split()
        ]
        assert workers  # the PDF was read in a worker, kept for the next refresh
        pdf = await bot.search("what is the ReportLab toolkit?")
        note = await bot.search("where does lantern69 oil stay?")
        assert pdf.passages[0].document == "guide.pdf"
        assert note.passages[0].document == "note69.txt"
        with capsys.disabled():
            print(f"\nbot: a 134-page PDF and 70 files were answerable {took:.2f} s after the drop")
    finally:
        await bot.close()
    from index.read.workers import POOL

    POOL.close()  # what the exit handler does
    gone = time.monotonic() + 30
    while any(Path(f"/proc/{p}").exists() for p in workers) and time.monotonic() < gone:
        await asyncio.sleep(0.1)
    assert not [p for p in workers if Path(f"/proc/{p}").exists()], "a worker outlived the pool"


@pytest.mark.asyncio
async def test_watching_is_off_when_the_setting_says_so(tmp_path):
    docs = write_docs(tmp_path / "docs")
    settings = Settings(docs=docs, index_dir=tmp_path / "index", watch=False)
    bot = await make_bot(settings, await asyncio.to_thread(open_index, docs, settings.index_dir))
    bot.start_watching()
    assert bot._watching is None
    await bot.close()


def test_the_console_picks_up_a_new_file(tmp_path):
    docs = write_docs(tmp_path / "docs")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "VERBATIM"))}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "bot", "--console", "--docs", str(docs)]
    command += ["--index", str(tmp_path / "index")]
    console = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert console.stderr.readline().startswith("Built index of 3 documents")
        time.sleep(0.5)  # the watcher thread is set up
        started = time.monotonic()
        (docs / "ferries.txt").write_text(NEW_FILE, encoding="utf-8")
        line = console.stderr.readline()  # the watcher says what it applied
        took = time.monotonic() - started
        assert line.startswith("verbatim: default: documents updated: +1 added · ~0 changed · −0")
        out, _ = console.communicate("how many passengers do the ferries carry?\n", timeout=60)
        assert "**300**" in out and "ferries" in out
        print(f"console: the new file was applied {took:.2f} s after it was written")
        assert took < DEADLINE
    finally:
        console.kill()
        console.wait()


def test_sharded_bot_keeps_the_settings(tmp_path):
    settings = dataclasses.replace(Settings(docs=tmp_path), shards=((2,), 4))
    bot = create_bot(settings, None)
    assert bot.shard_ids == [2] and bot.shard_count == 4 and bot.settings is settings


USERGUIDE = ROOT / "tests" / "index" / "pdfs" / "reportlab-userguide.pdf"  # a real 134-page PDF


def test_the_console_reads_a_dropped_pdf_and_a_burst_and_leaves_no_worker(tmp_path):
    """The console has threads (the watcher's): its workers must not be forks of it (they hung on
    a futex and the PDF was skipped for good, reported as added). All files are answered from,
    and no worker outlives the console."""
    docs = write_docs(tmp_path / "docs")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "VERBATIM"))}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "bot", "--console", "--docs", str(docs)]
    command += ["--index", str(tmp_path / "index")]
    console = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert console.stderr.readline().startswith("Built index of 3 documents")
        time.sleep(0.5)  # the watcher thread is set up
        started = time.monotonic()
        shutil.copy(USERGUIDE, tmp_path / "guide.pdf")
        os.rename(tmp_path / "guide.pdf", docs / "guide.pdf")  # appears whole
        for i in range(70):
            (docs / f"note{i:02d}.txt").write_text(f"Depot {i} keeps the lantern{i} oil.\n")
        added, lines = 0, []
        while added < 71 and time.monotonic() - started < 120:
            line = console.stderr.readline()
            lines.append(line)
            found = re.search(r"\+(\d+) added", line)
            added += int(found.group(1)) if found else 0
        took = time.monotonic() - started
        assert added == 71 and not any("skipped" in x for x in lines), lines
        workers = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(console.pid)], capture_output=True, text=True
        ).stdout.split()
        assert workers  # the PDF was read in a worker
        questions = "what is the ReportLab toolkit?\n/new\nwhere does lantern69 oil stay?\n"
        out, _ = console.communicate(questions, timeout=60)
        assert "guide.pdf" in out and "note69.txt" in out
        print(f"console: a 134-page PDF and 70 files were applied {took:.2f} s after the drop")
        gone = time.monotonic() + 30
        while any(Path(f"/proc/{p}").exists() for p in workers) and time.monotonic() < gone:
            time.sleep(0.1)
        assert not [p for p in workers if Path(f"/proc/{p}").exists()], "a worker outlived it"
    finally:
        console.kill()
        console.wait()
