"""A question that names a document by a seldom-used word of its file name or title is answered
from that document first (naming.py)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from index import open_index
from index.analysis.tokens import name_terms
from index.search.order import naming
from index.search.order.naming import Names


def names_of(doc_ids, titles, frequency, sentences):
    """`Names` over one segment of these documents, filed as a build files them."""
    pairs = [name_terms(d, t) for d, t in zip(doc_ids, titles, strict=True)]
    return Names([segment(pairs)], frequency, sentences)


def segment(pairs, **arrays):
    """A segment's documents' count and arrays as `Names` reads them: `pairs` filed, arrays given
    replacing those filed."""
    return len(pairs), dict(naming.filed(pairs), **arrays)


def named_plainly(pairs, frequencies, sentences, qset) -> list[int]:
    """What `Names.named` finds, by its definition, document by document."""
    counts = Counter(w for a, b in pairs for w in set(a.split()) | set(b.split()))
    common = {w for w, c in counts.items() if 2 * c >= len(pairs)}
    seldom = max(1, sentences // naming.RARE)
    return [
        d
        for d, pair in enumerate(pairs)
        if any(
            (held := set(text.split()) - common)
            and held <= qset
            and (frequencies(sorted(held)) <= seldom).any()
            for text in pair
        )
    ]


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
    names = names_of(
        ["ref/views.html", "howto/gunicorn.html", "faq/admin.html", "index.html"],
        ["Views — Django", "Using Gunicorn — Django", "FAQ: The admin — Django", "Django"],
        lambda w: frequency(w, 0),
        10_000,
    )
    assert names.named(frozenset({"view", "admin", "django"})) is None
    gunicorn = names.named(frozenset({"run", "gunicorn"}))
    assert gunicorn is not None and gunicorn.tolist() == [False, True, False, False]


def test_a_name_of_several_words_is_named_only_when_the_question_holds_all_of_them():
    # A question holding one word of a name ("gnuplot"), or its other words, names no document.
    docs = [f"ref/{w}-card.pdf" for w in ("octave", "gnuplot", "latex", "make", "grep")]
    docs += [f"guide/part-{n}.html" for n in range(6)]
    names = names_of(docs, [None] * len(docs), lambda w: 1, 100_000)
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
    stored = [
        n for d in idx._segs.gen.segments for n in naming.stored(d.arrays, len(d.meta["doc_ids"]))
    ]
    assert stored == [name_terms(d, t) for d, t in zip(idx._doc_ids, idx._titles, strict=True)]
    assert ("instal guid", "instal") in stored
    pairs = stored
    asked = [set(a.split()) | set(b.split()) | {"use"} for a, b in pairs]
    asked += [set(a.split()[1:]) for a, _ in pairs] + [{"array", "resiz"}, set()]
    for qset in asked:
        got = idx.document_names.named(frozenset(qset))
        want = named_plainly(pairs, idx._frequencies, idx.sentence_count, qset)
        assert (got.nonzero()[0].tolist() if got is not None else []) == want, qset
    assert any(named_plainly(pairs, idx._frequencies, idx.sentence_count, q) for q in asked)
    filed = naming.filed([("x", "y z"), ("x", "w")])
    assert naming.stored(filed, 2) == [("x", "y z"), ("x", "w")]
    for damaged in (
        dict(filed, name_ends=np.array([0, 1, 9])),
        dict(filed, name_text=np.frombuffer(b"\xff" * 6, np.uint8)),
        {k: v for k, v in filed.items() if k != "name_ends"},
    ):
        assert naming.stored(damaged, 2) == [None, None]  # found again, one for each document


def test_a_word_common_only_with_the_other_segments_counted_is_left_out_of_every_name():
    """Which words are common (half the documents or more have them) is decided over every
    segment: "django", in one name of the first segment, is in all four documents' names."""
    first = [("django gunicorn", "")]
    later = [(f"django {w}", "") for w in ("model", "view", "form")]
    names = Names([segment(first), segment(later)], lambda w: 1, 100_000)
    hit = names.named(frozenset({"run", "gunicorn"}))
    assert hit is not None and hit.tolist() == [True, False, False, False]
    assert names.named(frozenset({"django"})) is None


def test_damaged_names_in_a_segment_name_no_document_and_raise_nothing():
    """A damaged name or filing array names none of its segment's documents (or, an entry of bytes
    that are not UTF-8, none by that name); the documents keep their numbers, and the other
    segments' names are found."""
    pairs = [("gunicorn", "use gunicorn"), ("uwsgi", "")]
    filed = naming.filed(pairs)
    ok = segment([("nginx", "")])
    broken = filed["name_text"].copy()
    broken[:2] = 0xFF  # the first file name's first bytes
    for damaged, named in (
        (segment(pairs, name_text=broken), [True, True, False]),  # its title still names it
        (segment(pairs, name_text=filed["name_text"][:-2]), None),
        (segment(pairs, name_ends=filed["name_ends"][:-1]), None),
        (segment(pairs, name_start=filed["name_start"][:-1]), None),
        (segment(pairs, name_filed=filed["name_filed"] + 5), None),
        (segment(pairs, name_words=np.zeros(0, np.uint8)), None),
        ((2, {}), None),  # none kept
        (segment(pairs), [True, True, False]),
    ):
        names = Names([damaged, ok], lambda w: 1, 100_000)
        hit = names.named(frozenset({"gunicorn", "uwsgi", "use"}))
        assert (hit.tolist() if hit is not None else None) == named, damaged
        assert names.named(frozenset({"nginx"})).tolist() == [False, False, True]
    assert (
        Names([segment(pairs, name_text=broken)], lambda w: 1, 10).named(frozenset({"gunicorn"}))
        is None
    )  # the title alone, "use gunicorn", is not all there


def test_an_index_without_terms_still_loads_and_answers_none(tmp_path):
    """Names are made when no sentence has a word (an index without terms: none has a
    frequency), and a question is still answered with none."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "release-notes.txt").write_text(": ", encoding="utf-8")
    idx = open_index(folder, tmp_path / "index")
    assert idx._frequencies(["releas", "note"]).tolist() == [0, 0]
    assert not idx.ask("release notes?").passages
