"""/reload swaps the index while questions go on: those asked meanwhile use the old index."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import threading
from pathlib import Path

import pytest
from fakediscord import (
    MANAGE_GUILD,
    USER_ID,
    check_sent,
    command_payload,
    feed,
    make_bot,
    settle,
    write_docs,
)

from index import Index, open_index

pytestmark = pytest.mark.asyncio

NEW = "how many zeppelins fly over Lakehurst?"
QUESTIONS = (NEW, "how many troops will Mexico train?", "how many voles do barn owls eat?")


class HeldLoad:
    """The real open_index, held before it returns until the test lets it go."""

    def __init__(self, folder: Path, index_dir: Path) -> None:
        self.folder, self.index_dir = folder, index_dir
        self.built = threading.Event()
        self.release = threading.Event()

    def __call__(self) -> Index:
        index = open_index(self.folder, self.index_dir)
        self.built.set()
        if not self.release.wait(60):
            raise TimeoutError("the test never released the reload")
        return index


def answers(recorder) -> dict[str, dict]:
    """The last answer embed sent for each question, by title."""
    out = {}
    for call in recorder.of("followup"):
        for embed in call.payload.get("embeds", []):
            out[embed["title"]] = embed
    return out


async def test_questions_during_a_reload_are_answered_from_the_old_index(
    settings, tmp_path, recorder
):
    folder = write_docs(tmp_path / "docs")
    old = await asyncio.to_thread(open_index, folder, tmp_path / "index")
    load = HeldLoad(folder, tmp_path / "index")
    bot = await make_bot(dataclasses.replace(settings, docs=folder), old, load=load)
    (folder / "airships.txt").write_text("Airships\n\nEvery May, 3 zeppelins fly over Lakehurst.\n")

    reload = feed(bot, recorder, command_payload("reload", permissions=MANAGE_GUILD))
    assert await asyncio.to_thread(load.built.wait, 60)
    assert bot.reloading and bot.index is old
    for n, question in enumerate(QUESTIONS):
        feed(bot, recorder, command_payload("ask", {"question": question}, user_id=USER_ID + n))
    feed(bot, recorder, command_payload("reload", permissions=MANAGE_GUILD))
    await settle(ignore=reload)  # everything but the held reload finishes

    during = answers(recorder)
    assert "**700**" in during[QUESTIONS[1]]["fields"][0]["value"]
    assert any("four" in f["value"] for f in during[QUESTIONS[2]]["fields"])
    assert "Nothing in the documents answers" in during[NEW]["description"]  # old index
    assert any(
        c.payload["type"] == 4 and "already running" in c.payload["data"]["content"]
        for c in recorder.of("response")
    )
    assert not any("went wrong" in str(c.payload) for c in recorder.calls)

    load.release.set()
    await settle()
    assert not bot.reloading and bot.index is not old
    assert recorder.of("followup")[-1].payload["content"].startswith("Reloaded. ")
    await settle(
        feed(bot, recorder, command_payload("ask", {"question": NEW}, user_id=USER_ID + 9))
    )
    await settle()
    after = answers(recorder)[NEW]
    assert any("**3**" in f["value"] for f in after.get("fields", []))
    check_sent(recorder)
    await bot.close()


async def test_a_failed_reload_keeps_the_old_index(settings, tmp_path, recorder):
    folder = write_docs(tmp_path / "docs")
    old = await asyncio.to_thread(open_index, folder, tmp_path / "index")
    bot = await make_bot(dataclasses.replace(settings, docs=folder, index_dir=tmp_path / "i"), old)
    shutil.rmtree(folder)
    feed(bot, recorder, command_payload("reload", permissions=MANAGE_GUILD))
    await settle()
    text = recorder.of("followup")[0].payload["content"]
    assert text.startswith("Reload failed; still answering from the previous documents.")
    assert bot.index is old
    feed(bot, recorder, command_payload("ask", {"question": "how many troops will Mexico train?"}))
    await settle()
    assert "**700**" in recorder.of("followup")[-1].payload["embeds"][0]["fields"][0]["value"]
    check_sent(recorder)
    await bot.close()


async def test_the_loop_guard_catches_index_work_on_the_loop(off_the_loop, index, docs, tmp_path):
    """The check every bot and hostile test runs (offloop.py) fails an ask, a load or a build
    made on the event loop's thread, and lets the same calls through from a worker thread."""
    from offloop import OnTheLoop

    from index.store import disk

    assert (await asyncio.to_thread(index.ask, QUESTIONS[1])).found
    assert (await asyncio.to_thread(open_index, docs, tmp_path / "i")).report.built
    with pytest.raises(OnTheLoop):
        index.ask(QUESTIONS[1])
    with pytest.raises(OnTheLoop):
        open_index(docs, tmp_path / "i")  # the name this module imported: its load is caught
    with pytest.raises(OnTheLoop):
        disk.load(tmp_path / "i")
    assert len(off_the_loop) == 3
    off_the_loop.clear()  # caught as this test meant: not a failure
