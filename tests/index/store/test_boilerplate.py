"""A paragraph repeated on most of a site's pages, in a block no structure marks as navigation,
is never quoted; the decision follows the folder as pages are added and removed, exactly as a
fresh build makes it."""

from __future__ import annotations

from pathlib import Path

from index import open_index

TOPICS = (
    "descaling the kettle with vinegar every four weeks",
    "filling the kettle up to the maximum mark",
    "the thermostat switching the kettle off when the water boils",
    "cleaning the limescale filter in the spout",
    "storing the kettle with its lid open to dry",
    "choosing a socket away from the sink",
)
REPEATED = "Kettle handbook, updated weekly by the kettle team in Leeds."
QUESTION = "who updates the kettle handbook every week?"


def write(folder: Path, n: int) -> None:
    for i, topic in enumerate(TOPICS[:n]):
        (folder / f"page{i}.html").write_text(
            f'<html><body><div class="top"><p>{REPEATED}</p></div>'
            f"<h1>Page {i}</h1><p>This page is about {topic}.</p></body></html>",
            encoding="utf-8",
        )


def quoted(idx) -> list[str]:
    return [p.text for p in idx.ask(QUESTION, k=5).passages]


def test_a_paragraph_on_most_pages_is_never_quoted_and_follows_updates(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    write(docs, 3)
    target = tmp_path / "index"
    assert REPEATED in quoted(open_index(docs, target))  # on 3 pages: maybe content, kept
    write(docs, 6)
    grown = open_index(docs, target)
    assert REPEATED not in quoted(grown)
    assert grown.ask("how often should the kettle be descaled with vinegar?").passages
    fresh = open_index(docs, tmp_path / "fresh")
    assert quoted(fresh) == quoted(grown)
    for i in range(2, 6):
        (docs / f"page{i}.html").unlink()
    assert REPEATED in quoted(open_index(docs, target))  # back to 2 pages: content again
    # A text file repeating it is not a site's page: it never counts, and is still quoted.
    write(docs, 6)
    (docs / "notes.txt").write_text(REPEATED + "\n", encoding="utf-8")
    shown = open_index(docs, target).ask(QUESTION, k=5).passages
    assert [p.document for p in shown if p.text == REPEATED] == ["notes.txt"]
