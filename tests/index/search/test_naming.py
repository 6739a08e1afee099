"""A question that names a document by a seldom-used word of its file name or title is answered
from that document first (naming.py)."""

from __future__ import annotations

import numpy as np

from index import open_index
from index.analysis.tokens import name_terms
from index.search.order import naming
from index.search.order.naming import Names

USER_MANUAL = """# Arrays

An array resized to fewer elements drops the ones past its new end.

Resizing an array to fewer dimensions than it has is not possible.

# Plots

A plot is drawn in the current figure.
"""

LIBRARY = """# The Array class

The classes of libwidget, the C++ library under the widget program.

## void resize (int n)

Change the size of the array to be n elements. If n is less than the current size, the length is
updated but no memory is released.

## int capacity (void)

Return the number of elements the object can hold.
"""

OTHER = """# Installing

Run the installer and follow the steps it shows.
"""


def test_a_question_naming_a_library_is_answered_from_its_manual_first(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in (
        ("guide.md", USER_MANUAL),
        ("libwidget.md", LIBRARY),
        ("install.md", OTHER),
    ):
        (folder / name).write_text(text, encoding="utf-8")
    idx = open_index(folder, tmp_path / "index")
    named = idx.ask(
        "If I resize an array to fewer elements in libwidget, is the memory given back?"
    )
    assert named.passages[0].document == "libwidget.md"
    assert "no memory is released" in named.passages[0].text
    # Not named, the user manual's resize answers first as before.
    plain = idx.ask("If I resize an array to fewer elements, are the elements dropped?")
    assert plain.passages[0].document == "guide.md"


def test_a_name_of_words_the_text_uses_often_or_that_most_documents_share_names_none():
    frequency = {"view": 500, "admin": 900, "gunicorn": 3, "django": 40}.get
    names = Names(
        ["ref/views.html", "howto/gunicorn.html", "faq/admin.html", "index.html"],
        ["Views — Django", "Using Gunicorn — Django", "FAQ: The admin — Django", "Django"],
        lambda ws: np.array([frequency(w, 0) for w in ws]),
        10_000,
    )
    assert names.named(frozenset({"view", "admin", "django"})) is None
    gunicorn = names.named(frozenset({"run", "gunicorn"}))
    assert gunicorn is not None and gunicorn.tolist() == [False, True, False, False]


def test_a_name_of_several_words_is_named_only_when_the_question_holds_all_of_them():
    # Each name is filed under the word of it the fewest names share ("gnuplot", not "card"): a
    # question holding that word alone, or the name's other words, names no document.
    docs = [f"ref/{w}-card.pdf" for w in ("octave", "gnuplot", "latex", "make", "grep")]
    docs += [f"guide/part-{n}.html" for n in range(6)]
    names = Names(docs, [None] * len(docs), lambda ws: np.ones(len(ws)), 100_000)
    hit = names.named(frozenset({"gnuplot", "card", "ref", "plot"}))
    assert hit is not None and hit.tolist() == [i == 1 for i in range(len(docs))]
    assert names.named(frozenset({"card", "ref"})) is None
    assert names.named(frozenset({"gnuplot"})) is None


def test_the_names_stored_at_build_are_the_names_found_from_titles(tmp_path):
    """A document's name words are found when it is read and stored (a load does not tokenize
    every title again); they equal what its file name and title give, also after an update
    merges segments, and a segment that stored none has them found at load."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in (("guide.md", USER_MANUAL), ("lib/libwidget.md", LIBRARY)):
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    idx = open_index(folder, tmp_path / "index")
    (folder / "install-guide.md").write_text(OTHER, encoding="utf-8")
    idx = open_index(folder, tmp_path / "index")  # an update: a second segment
    stored = [n for d in idx._segs.gen.segments for n in d.meta["names"]]
    assert [tuple(n) for n in stored] == [
        name_terms(d, t) for d, t in zip(idx._doc_ids, idx._titles, strict=True)
    ]
    assert ("instal guid", "instal") in [tuple(n) for n in stored]
    df = idx._frequencies
    found = Names(idx._doc_ids, idx._titles, df, idx.sentence_count)
    assert idx.document_names.names == found.names and found.names
    broken = naming.stored({"doc_ids": idx._doc_ids, "names": [[1, None]] * 3})
    damaged = Names(idx._doc_ids, idx._titles, df, idx.sentence_count, broken)
    assert damaged.names == found.names
    meta = {"doc_ids": ["a", "b"], "names": [["x", "y z"], ["x", 3]]}
    assert naming.stored(meta) == [("x", "y z"), None]  # a damaged entry is found again
    assert naming.stored({"doc_ids": ["a", "b"], "names": [["x", ""]]}) == [None, None]


def test_an_index_without_terms_still_loads_and_answers_none(tmp_path):
    """Names are made when no sentence has a word (an index without terms: none has a
    frequency), and a question is still answered with none."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "release-notes.txt").write_text(": ", encoding="utf-8")
    idx = open_index(folder, tmp_path / "index")
    assert idx._frequencies(["releas", "note"]).tolist() == [0, 0]
    assert not idx.ask("release notes?").passages
