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


CHAPTERS = {
    "descaling": (
        "Descale the kettle every four weeks in hard-water areas.",
        "Fill it halfway with white vinegar and boil it once.",
        "Leave the vinegar in overnight and rinse the kettle twice in the morning.",
        "Lemon juice works as well as vinegar and smells better.",
        "Never use a metal brush on the heating plate.",
        "Scale flakes in your tea mean the kettle is overdue for descaling.",
        "Descaling tablets dissolve in ten minutes in warm water.",
    ),
    "filling": (
        "Fill the kettle through the lid up to the maximum mark.",
        "Boiling water spills out of the spout when the kettle is too full.",
        "Below the minimum mark the thermostat may switch off too early.",
        "Filtered water leaves less scale than tap water.",
        "Pour out water that stood overnight before you boil again.",
        "The window on the side shows the level in cups.",
        "Close the lid until it clicks before switching the kettle on.",
    ),
    "safety": (
        "Unplug the kettle before you clean its outside.",
        "Keep the cord away from the edge of the counter where children can reach it.",
        "The base must stay dry; wipe up spilt water at once.",
        "A kettle that boils dry switches itself off and cools for ten minutes.",
        "Never put the kettle or its base in the dishwasher.",
        "Use a socket of its own rather than an extension lead.",
        "A cracked body or a damaged cord means the kettle must be repaired.",
    ),
    "warranty": (
        "The warranty covers the kettle for two years from the date of purchase.",
        "Keep the receipt: the shop asks for it before any repair.",
        "Damage from scale is not covered when the kettle was never descaled.",
        "Return the kettle in its box with all its parts.",
        "A replacement kettle carries the rest of the first warranty.",
        "Repairs outside the warranty are quoted before any work starts.",
        "The warranty does not cover the glass window on the side.",
    ),
}


def test_a_page_that_collects_the_others_is_never_quoted(tmp_path):
    """Sphinx's one-page edition (`singlehtml`) beside the site: every answer is quoted from the
    chapter a reader would open, and the one-page edition is not even named as a copy."""
    import subprocess
    import sys

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text('project = "Kettle"\n', encoding="utf-8")
    toc = "\n".join(f"   {name}" for name in CHAPTERS)
    (src / "index.rst").write_text(f"Kettle\n======\n\n.. toctree::\n\n{toc}\n", encoding="utf-8")
    for name, paragraphs in CHAPTERS.items():
        body = "\n\n".join(paragraphs)
        (src / f"{name}.rst").write_text(f"{name.title()}\n{'=' * len(name)}\n\n{body}\n")
    docs = tmp_path / "docs"
    for builder, out in (("html", docs), ("singlehtml", docs / "single")):
        run = [sys.executable, "-m", "sphinx", "-q", "-b", builder, str(src), str(out)]
        subprocess.run(run, check=True, capture_output=True)
    idx = open_index(docs, tmp_path / "index")
    for name, paragraphs in CHAPTERS.items():
        for sentence in paragraphs[::3]:
            shown = idx.ask(sentence.rstrip(".").lower(), k=3).passages
            assert shown[0].document == f"{name}.html", (sentence, shown[0])
            named = {c.document for p in shown for c in p.also_in} | {p.document for p in shown}
            assert "single/index.html" not in named, sentence


def test_which_pages_collect_others_counts_only_smaller_pages():
    """On (page, paragraph hash) pairs: a one-page edition collects its chapters; two versions of
    a site (every page twice) collect nothing, nor does a page of stock lines found everywhere."""
    import numpy as np

    from index.store.boilerplate import aggregate_pages

    pairs = []
    for page in range(6):  # v1 pages 0-5, their v2 twins 10-15: 30 paragraphs each
        for h in range(page * 100, page * 100 + 30):
            pairs += [(page, h), (page + 10, h)]
    pairs += [(99, h) for page in range(4) for h in range(page * 100, page * 100 + 30)]
    stock = [(98, page * 100) for page in range(6)] + [(98, 5000 + h) for h in range(20)]
    both = np.array(sorted(set(pairs + stock)), dtype=np.int64)
    assert aggregate_pages(both, np.zeros(0, np.int64)).tolist() == [99]
    # the same pages without the one-page edition: nothing collects
    alone = both[both[:, 0] != 99]
    assert aggregate_pages(alone, np.zeros(0, np.int64)).tolist() == []
    # a page made of three pages' paragraphs, no smaller than they are, collects nothing either
    mixed = [(50 + p, p * 100 + h) for p in range(3) for h in range(30)]
    mixed += [(60, p * 100 + h) for p in range(3) for h in range(10)] + [
        (60, 7000 + h) for h in range(20)
    ]
    both = np.array(sorted(set(mixed)), dtype=np.int64)
    assert aggregate_pages(both, np.zeros(0, np.int64)).tolist() == []
