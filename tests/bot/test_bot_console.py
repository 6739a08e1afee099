"""The console on its own: /sources in pages, follow-ups only when a question leans on the last
answer, and the README's sample output is what the console prints."""

from __future__ import annotations

from pathlib import Path

from bot.console import Console
from bot.render import sources_cards, to_text
from bot.settings import Settings
from index import open_index


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
