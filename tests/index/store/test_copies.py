"""Copies: byte-identical files are stored once and cited by the plainest name (no copy mark,
then the shortest path), through adds, removals and changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from index import open_index
from index.answer.copies import plainest, plainness

TEXT = "Glaciers\n\nThe Aletsch glacier is 23 kilometres long and loses ice every summer.\n"
OTHER = "Harbours\n\nThe ferry leaves the harbour at seven and returns before the storm.\n"
QUESTION = "how long is the Aletsch glacier?"


def stored_documents(idx) -> list[str]:
    """The documents the index holds text for, live or not, over all its segments."""
    return [d for data in idx._segs.gen.segments for d in data.meta["doc_ids"]]


def cited(idx) -> str:
    return idx.ask(QUESTION).passages[0].document


@pytest.mark.parametrize(
    "names,plain",
    [
        (["glacier (copy).txt", "glacier.txt"], "glacier.txt"),
        (["Copy of glacier.txt", "glacier.txt"], "glacier.txt"),
        (["glacier (1).txt", "glacier - Copy.txt", "glacier copy 2.txt"], "glacier (1).txt"),
        (["a/b/glacier.txt", "b/glacier.txt", "glacier (2).txt"], "b/glacier.txt"),
        (["Kopie von glacier.txt", "old/glacier.txt"], "old/glacier.txt"),
    ],
)
def test_the_plainest_name(names, plain):
    assert plainest(names) == plain
    assert not plainness("copyright.txt")[0] and not plainness("photocopy.txt")[0]


def test_copies_are_stored_once_and_cite_the_plain_name(tmp_path: Path):
    docs = tmp_path / "docs"
    (docs / "archive" / "2023").mkdir(parents=True)
    for name in ("glacier (copy).txt", "glacier.txt", "archive/2023/glacier.txt"):
        (docs / name).write_text(TEXT, encoding="utf-8")
    (docs / "harbour.txt").write_text(OTHER, encoding="utf-8")
    idx = open_index(docs, tmp_path / "index")
    assert stored_documents(idx) == ["glacier.txt", "harbour.txt"]  # "glacier (copy)" sorts first
    assert [d.id for d in idx.documents] == ["glacier.txt", "harbour.txt"]
    assert cited(idx) == "glacier.txt" and idx.report.documents == 2
    passages = idx.ask(QUESTION, 5).passages
    assert {p.document for p in passages} <= {"glacier.txt", "harbour.txt"}
    # the copies are named under the passage, plainest first, as copies found in answers are
    assert [c.document for c in passages[0].also_in] == [
        "archive/2023/glacier.txt",
        "glacier (copy).txt",
    ]


def test_copies_through_adds_removals_and_changes(tmp_path: Path):
    docs, index_dir = tmp_path / "docs", tmp_path / "index"
    docs.mkdir()
    (docs / "glacier (copy).txt").write_text(TEXT, encoding="utf-8")
    assert cited(open_index(docs, index_dir)) == "glacier (copy).txt"  # the only one

    shutil.copy2(docs / "glacier (copy).txt", docs / "glacier.txt")  # the plain name comes
    idx = open_index(docs, index_dir)
    assert cited(idx) == "glacier.txt" and [d.id for d in idx.documents] == ["glacier.txt"]

    (docs / "sub").mkdir()
    shutil.copy2(docs / "glacier.txt", docs / "sub" / "glacier.txt")  # a copy: not read
    idx = open_index(docs, index_dir)
    assert cited(idx) == "glacier.txt" and stored_documents(idx).count("sub/glacier.txt") == 0

    (docs / "glacier.txt").unlink()  # the plain one goes: the next plainest stands for it
    idx = open_index(docs, index_dir)
    assert cited(idx) == "sub/glacier.txt" and [d.id for d in idx.documents] == ["sub/glacier.txt"]

    (docs / "sub" / "glacier.txt").write_text(OTHER, encoding="utf-8")  # no longer a copy
    idx = open_index(docs, index_dir)
    assert cited(idx) == "glacier (copy).txt"
    assert idx.ask("when does the ferry leave?").passages[0].document == "sub/glacier.txt"
    assert [d.id for d in idx.documents] == ["glacier (copy).txt", "sub/glacier.txt"]
    fresh = open_index(docs, tmp_path / "fresh")  # the same as reading the folder afresh
    assert stored_documents(fresh) == [d.id for d in idx.documents]


def test_copies_of_a_pdf(tmp_path: Path):
    from makedocs import handbook_pdf

    docs = tmp_path / "docs"
    (docs / "hr").mkdir(parents=True)
    handbook_pdf(docs / "hr" / "Copy of handbook.pdf")
    shutil.copy2(docs / "hr" / "Copy of handbook.pdf", docs / "hr" / "handbook.pdf")
    idx = open_index(docs, tmp_path / "index")
    assert stored_documents(idx) == ["hr/handbook.pdf"]
    assert idx.ask("what does the warranty cover?").passages[0].document == "hr/handbook.pdf"


def test_the_ascii_key_is_the_patterns_key():
    """`Key` reads ASCII text with a translation table: the same words as `_PUNCT` gives."""
    import random

    from index.answer.copies import _PUNCT, Key

    def by_pattern(text):
        w = _PUNCT.sub(" ", text.casefold()).split()
        return " ".join(w), frozenset(w if len(w) < 3 else zip(w, w[1:], w[2:], strict=False))

    alphabet = [chr(c) for c in range(128)] + ["é", "ß", "—", "’", "\u00a0", "İ", "ﬁ"]
    rng = random.Random(7)
    texts = ["", "Don't use it -- ever!", "a_b c\x1fd e", "İstanbul ﬁle"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(5000)]
    for text in texts:
        k = Key(text)
        assert (k.text, k.grams) == by_pattern(text), repr(text)


def test_texts_told_apart_by_their_words_are_those_their_trigrams_tell_apart():
    """`_same` skips the trigrams when the words alone show two texts apart: it says what the
    trigram similarity says, on texts near the threshold (a few words changed, dropped, added
    or repeated, from a small vocabulary so that trigrams repeat)."""
    import random

    from index.answer.copies import NEAR, Key, _same

    def by_trigrams(a, b):
        if a.text == b.text:
            return bool(a.text)
        ga, gb = a.grams, b.grams
        return bool(ga | gb) and len(ga & gb) / len(ga | gb) >= NEAR

    rng = random.Random(3)
    decided = {True: 0, False: 0}
    for _ in range(20000):
        vocab = [f"w{i}" for i in range(rng.choice([3, 8, 40, 400]))]
        words = [rng.choice(vocab) for _ in range(rng.randint(0, 90))]
        other = list(words)
        for _ in range(rng.randint(0, 6)):
            at = rng.randint(0, len(other))
            change = rng.choice(["add", "drop", "swap", "repeat"])
            if change == "add" or not other:
                other.insert(at, rng.choice([*vocab, "new"]))
            elif change == "drop":
                del other[min(at, len(other) - 1)]
            elif change == "swap":
                other[min(at, len(other) - 1)] = "new"
            else:
                other[at:at] = other[max(0, at - 3) : at]
        a, b = Key(" ".join(words)), Key(" ".join(other))
        expected = by_trigrams(Key(" ".join(words)), Key(" ".join(other)))
        assert _same(a, b) == expected, (words, other)
        decided[expected] += 1
    assert min(decided.values()) > 1000  # both answers were asked for


def _passage(document: str, text: str, score: float):
    from index.answer.model import Passage

    return Passage(document, document, None, 0, len(text), text, 0, len(text), score)


def test_of_equal_passages_the_smallest_documents_is_shown():
    """A site's all-in-one page (or a manual bound with others) ranked a little higher than the
    page a reader would open; the passage is shown from the smaller document, the other named."""
    from index.answer.copies import Copies

    sizes = {"api/all.html": 9000, "api/cli.html": 120, "api/fs.html": 300}
    copies = Copies(sizes.__getitem__)
    text = "Automatically zero-fills all newly allocated Buffer and SlowBuffer instances."
    assert copies.add(_passage("api/all.html", text, 0.9), text)
    assert copies.add(_passage("api/fs.html", "Opens a file for reading.", 0.8), "Opens a file.")
    assert not copies.add(_passage("api/cli.html", text, 0.7), text)
    # a passage that only repeats the best sentence is named, never shown in the first's place
    longer = text + " It costs a little speed at start-up."
    assert not copies.add(_passage("api/fs.html", longer, 0.6), text)
    first, second = copies.passages()
    assert (first.document, first.score) == ("api/cli.html", 0.9)
    assert [c.document for c in first.also_in] == ["api/all.html", "api/fs.html"]
    assert second.document == "api/fs.html"
