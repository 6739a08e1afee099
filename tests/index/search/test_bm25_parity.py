"""BM25 equals rank-bm25's BM25Okapi at every level, for terms of every document frequency.

The expected scores come from rank-bm25 itself, fed a corpus this test builds on its own from the
files: each file read with `read_document`, split with `split`, sentences grouped into paragraphs
(by the paragraph number `split` gives) and into documents, tokens from `terms`. The index is
asked only through `Index.unit_scores`, so the check holds whatever the index stores inside.

The made-up corpus has, at each level, terms in one unit, terms in some units, and terms in most
units: BM25Okapi floors those last ones' negative IDF at 0.25 × the mean IDF, so changing that
floor changes their scores.
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index import open_index
from index.analysis.sentences import split
from index.analysis.tokens import terms
from index.read.documents import read_document

LEVELS = ("sent", "para", "doc")
EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
COMMON = "river"  # in most sentences, so in most paragraphs and documents too
FREQUENT = "meadow harbour lantern orchard".split()  # in some sentences, most documents
WORDS = """
    bridge market village mill festival copper tower garden ferry island canal barley kettle
    sparrow falcon willow granite candle ribbon thunder
""".split()


def write_made_up(folder: Path) -> Path:
    """Eight documents (txt, md, html) of 3-5 paragraphs of 2-5 sentences, from a fixed seed."""
    rng = random.Random(13)
    folder.mkdir(parents=True, exist_ok=True)
    unique = 0
    for n in range(8):
        paragraphs = []
        for _ in range(rng.randint(3, 5)):
            sentences = []
            for _ in range(rng.randint(2, 5)):
                unique += 1
                chosen = [*rng.sample(WORDS, rng.randint(1, 4)), f"zeppelin{unique}"]
                chosen += [w for w in FREQUENT if rng.random() < 0.2]
                if rng.random() < 0.75:
                    chosen += [COMMON] * rng.randint(1, 2)
                rng.shuffle(chosen)
                sentences.append("The " + " and ".join(chosen) + " stood there.")
            paragraphs.append(" ".join(sentences))
        kind = n % 3
        if kind == 0:
            (folder / f"notes{n}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        elif kind == 1:
            body = f"# Notes {n}\n\n" + "\n\n".join(paragraphs) + "\n"
            (folder / f"notes{n}.md").write_text(body, encoding="utf-8")
        else:
            body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
            page = f"<html><head><title>Notes {n}</title></head><body>{body}</body></html>"
            (folder / f"notes{n}.html").write_text(page, encoding="utf-8")
    return folder


def units_of(folder: Path) -> dict[str, list[tuple[tuple[str, int], list[str]]]]:
    """Every level's units as (key, tokens), read from the files without the index."""
    out: dict[str, list] = {level: [] for level in LEVELS}
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in EXTENSIONS)
    for path in files:
        doc_id = path.relative_to(folder).as_posix()
        doc, _ = read_document(doc_id, path)
        spans = split(doc.text, doc.skip) if doc is not None else []
        if not spans:
            continue
        sentences = [terms(doc.text[start:end]) for start, end, _ in spans]
        paragraphs: list[list[str]] = []
        for i, (_, _, number) in enumerate(spans):
            if i == 0 or number != spans[i - 1][2]:
                paragraphs.append([])
            paragraphs[-1].extend(sentences[i])
        out["sent"] += [((doc_id, n), tokens) for n, tokens in enumerate(sentences)]
        out["para"] += [((doc_id, n), tokens) for n, tokens in enumerate(paragraphs)]
        out["doc"].append(((doc_id, 0), [t for s in sentences for t in s]))
    return out


class Reference:
    """rank-bm25 over one level's units, and which units hold which terms."""

    def __init__(self, units: list[tuple[tuple[str, int], list[str]]]):
        self.keys = [key for key, _ in units]
        self.model = BM25Okapi([tokens for _, tokens in units])
        self.holding: dict[str, set[int]] = {}
        for u, (_, tokens) in enumerate(units):
            for t in tokens:
                self.holding.setdefault(t, set()).add(u)

    def df(self, term: str) -> int:
        return len(self.holding.get(term, ()))

    def scores(self, query: list[str]) -> dict[tuple[str, int], float]:
        full = self.model.get_scores(query)
        held = set().union(*(self.holding.get(t, set()) for t in query))
        return {self.keys[u]: float(full[u]) for u in sorted(held)}


def bands(ref: Reference) -> dict[str, list[str]]:
    """The vocabulary by document frequency: one unit, under half, half, most units (IDF < 0)."""
    n = len(ref.keys)
    out: dict[str, list[str]] = {"one": [], "some": [], "half": [], "most": []}
    for term in sorted(ref.holding):
        df = ref.df(term)
        band = "one" if df == 1 else "some" if 2 * df < n else "half" if 2 * df == n else "most"
        out[band].append(term)
    return out


def compare(idx, ref: Reference, level: str, query: list[str]) -> int:
    expected = ref.scores(query)
    got = idx.unit_scores(query, level)
    assert sorted(got) == sorted(expected), (level, query)
    keys = sorted(expected)
    np.testing.assert_allclose(
        [got[k] for k in keys], [expected[k] for k in keys], rtol=1e-12, atol=1e-12,
        err_msg=f"{level} {query}",
    )  # fmt: skip
    return len(keys)


@pytest.fixture(scope="module")
def made_up(tmp_path_factory: pytest.TempPathFactory):
    folder = write_made_up(tmp_path_factory.mktemp("made-up") / "docs")
    idx = open_index(folder, tmp_path_factory.mktemp("made-up-index"))
    return idx, units_of(folder)


@pytest.mark.parametrize("level", LEVELS)
def test_every_term_alone_scores_as_rank_bm25_scores_it(made_up, level):
    idx, units = made_up
    ref = Reference(units[level])
    found = bands(ref)
    # The corpus holds every band at every level, the floored one ("most") included.
    assert all(found[b] for b in ("one", "some", "most")), {b: len(t) for b, t in found.items()}
    assert COMMON in found["most"]
    checked = sum(compare(idx, ref, level, [term]) for term in sorted(ref.holding))
    assert checked >= len(ref.holding)


@pytest.mark.parametrize("level", LEVELS)
def test_mixed_and_repeated_terms_score_as_rank_bm25_scores_them(made_up, level):
    idx, units = made_up
    ref = Reference(units[level])
    found = bands(ref)
    rng = random.Random(7)
    one, some, most = found["one"], found["some"], found["most"]
    queries = [
        [one[0], some[0], most[0]],  # one term of each band
        [most[0], one[-1], most[0], some[-1]],  # a repeated term counts again
        [COMMON, COMMON, COMMON],
        [*found["half"][:1], some[len(some) // 2], "zzyzx-not-in-the-corpus"],
    ]
    vocabulary = sorted(ref.holding)
    queries += [rng.sample(vocabulary, rng.randint(2, 8)) for _ in range(40)]
    for query in queries:
        assert compare(idx, ref, level, query) > 0, query


@pytest.mark.parametrize("level", LEVELS)
def test_real_documents_score_as_rank_bm25_scores_them(docs, index_dir, level):
    """The seed article, Markdown, HTML and nested text of the core tests, with real questions."""
    idx = open_index(docs, index_dir)
    ref = Reference(units_of(docs)[level])
    questions = [
        "how many troops will Mexico train?",
        "Haiti Mexico training Haiti",
        "volcano eruption ash Iceland",
        "yeast flour water salt dough",
        "the telescope mirror",
        "security police gangs",
    ]
    for query in [terms(q) for q in questions] + [[t] for t in sorted(ref.holding)[::5]]:
        compare(idx, ref, level, query)
    assert bands(ref)["one"]  # and, at the sentence and paragraph levels, "some"
