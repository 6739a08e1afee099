"""The fast engine computes exactly rank-bm25's BM25Okapi scores, at every level, on a real corpus."""

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index.analysis.tokens import terms
from index.read.documents import list_files
from index.search.bm25 import LookupBM25, RankBM25, SparseBM25, avg_length, idf_okapi
from index.store.build import LEVELS, build_segment, term_list


@pytest.fixture
def data(docs):
    return build_segment(list_files(docs))


def _queries(data) -> list[list[int]]:
    vocab = {t: i for i, t in enumerate(term_list(data.arrays))}
    questions = [
        "how many troops will Mexico train?",
        "Haiti Mexico training Haiti",  # a repeated term counts twice, as in rank-bm25
        "volcano eruption ash Iceland",
        "yeast flour water salt",
        "the telescope mirror",
        "security",
    ]
    out = [[vocab[t] for t in terms(q) if t in vocab] for q in questions]
    out += [[i] for i in range(0, len(vocab), 7)]  # single terms across the vocabulary
    return out


def _idf(data, level: str):
    a = data.arrays
    return idf_okapi(np.diff(a[f"{level}_indptr"]), len(a[f"{level}_len"]))


class _Fast:
    """The engine the searcher uses for a level: scanned sentences, looked-up paragraphs and docs,
    with the query's IDFs passed as the searcher passes them."""

    def __init__(self, data, level: str, live=None):
        a = data.arrays
        ptr, idx, tf, length = (a[f"{level}_{x}"] for x in ("indptr", "indices", "tf", "len"))
        self.idf = _idf(data, level)
        self.level = level
        if level == "sent":
            avgdl = avg_length(length, live)
            self.engine = SparseBM25(ptr, idx, tf, length, avgdl, live)
        else:
            self.engine = LookupBM25(ptr, idx, tf, length, self.idf)

    def score(self, query):
        if self.level == "sent":
            return self.engine.score(query, [float(self.idf[t]) for t in query])
        return self.engine.score(query)

    def top(self, query, k):
        return self.engine.top(query, [float(self.idf[t]) for t in query], k)


def _fast(data, level: str, live=None):
    return _Fast(data, level, live)


@pytest.mark.parametrize("level", LEVELS)
def test_fast_scores_equal_rank_bm25(data, level):
    a = data.arrays
    ptr, idx, tf = a[f"{level}_indptr"], a[f"{level}_indices"], a[f"{level}_tf"]
    n_units = len(a[f"{level}_len"])
    fast = _fast(data, level)
    ref = RankBM25(ptr, idx, tf, n_units)
    for query in _queries(data):
        ids_f, s_f = fast.score(query)
        ids_r, s_r = ref.score(query)
        assert np.array_equal(ids_f, ids_r)
        np.testing.assert_allclose(s_f, s_r, rtol=1e-12, atol=1e-12)


def test_fast_engine_equals_rank_bm25_fed_the_tokens_directly(data, docs):
    """Index sentences and tokens by hand, score with rank-bm25 itself, compare to the index."""
    from index.analysis.sentences import split
    from index.read.documents import iter_documents

    corpus = []
    for _, doc, _ in iter_documents(docs):
        if doc is not None:
            corpus += [terms(doc.text[s:e]) for s, e, _ in split(doc.text, doc.skip)]
    direct = BM25Okapi(corpus)
    fast = _fast(data, "sent")
    vocab = {t: i for i, t in enumerate(term_list(data.arrays))}
    for question in ("how many troops will Mexico train?", "eruption of Laki sulphur", "dough"):
        q = [t for t in terms(question) if t in vocab]
        ids, scores = fast.score([vocab[t] for t in q])
        full = direct.get_scores(q)
        np.testing.assert_allclose(scores, full[ids], rtol=1e-12, atol=1e-12)
        assert np.count_nonzero(full) <= len(ids)


def test_both_engines_answer_alike(docs, index_dir):
    from index import open_index

    fast = open_index(docs, index_dir)
    ref = open_index(docs, index_dir, engine="rank-bm25")
    for q in ("how many troops will Mexico train?", "When did Laki erupt?", "what is JWST"):
        a, b = fast.ask(q, k=5), ref.ask(q, k=5)
        assert [(p.document, p.start, p.end, p.answer) for p in a.passages] == [
            (p.document, p.start, p.end, p.answer) for p in b.passages
        ]
        np.testing.assert_allclose([p.score for p in a.passages], [p.score for p in b.passages])


@pytest.mark.parametrize("k", [1, 3, 30])
@pytest.mark.parametrize(
    "kernel, block",
    [(True, None), (True, 7), (True, 16), (False, None)],
    ids=["compiled", "compiled-blocks-of-7", "compiled-blocks-of-16", "numpy"],
)
def test_top_k_equals_exhaustive_top_k(data, k, kernel, block):
    """The compiled kernel (its accumulator one block of units at a time, here also blocks far
    smaller than the index) and numpy's code give the exhaustive top k, to the bit."""
    for live in (None, np.arange(len(data.arrays["sent_len"])) % 3 != 1):  # some units deleted
        fast = _fast(data, "sent", live)
        if kernel and not fast.engine.use_kernel:
            pytest.skip("the compiled kernel is not built on this machine (no C compiler)")
        fast.engine.use_kernel = kernel
        if block is not None:
            assert fast.engine.n_units > 3 * block  # several blocks, the last one partial
            fast.engine._block = np.zeros(block, dtype=np.float64)
            fast.engine._seen = np.zeros(block, dtype=np.uint8)
        for query in _queries(data):
            ids, scores = fast.score(query)
            if live is not None:
                assert live[ids].all()
            expected = np.lexsort((ids, -scores))[:k]
            got_ids, got_scores = fast.top(query, k)
            assert got_ids.tolist() == ids[expected].tolist()
            assert np.array_equal(got_scores, scores[expected])  # same operations, same bits
            for scratch in (fast.engine._acc, fast.engine._block, fast.engine._seen):
                assert not scratch.any()  # left clean


@pytest.mark.parametrize("level", ["para", "doc"])
def test_compiled_lookup_equals_numpy_lookup_to_the_bit(data, level):
    """The compiled lookup finds the same postings and rounds each weight as numpy does."""
    fast = _fast(data, level).engine
    if not fast.use_kernel:
        pytest.skip("the compiled kernel is not built on this machine (no C compiler)")
    rng = np.random.default_rng(3)
    units = rng.integers(0, fast.n_units, size=300)  # unsorted, repeated, most without the terms
    for query in _queries(data):
        fast.use_kernel = True
        got, got_matched = fast.score_units(query, units)
        fast.use_kernel = False
        expected, matched = fast.score_units(query, units)
        assert np.array_equal(got, expected) and np.array_equal(got_matched, matched)
    fast.use_kernel = True
    with pytest.raises(IndexError):
        fast.score_units([len(fast.indptr)], units)
    with pytest.raises(IndexError):
        fast.score_units(_queries(data)[0], np.array([fast.n_units]))
