"""BM25Okapi scoring (rank-bm25's definition) over a term-major sparse matrix, and rank-bm25 itself.

The fast engine precomputes each posting's BM25 weight exactly as rank-bm25 computes it, so a query
only sums the postings of its terms: work follows the postings touched, not the corpus size.
"""

from __future__ import annotations

import math

import numpy as np

try:  # the compiled kernel (setup.py); without it the numpy code below gives the same results
    from index.search import _kernel
except ImportError:  # pragma: no cover - depends on the machine having had a C compiler
    _kernel = None

K1 = 1.5
B = 0.75
EPSILON = 0.25
KERNEL_BLOCK = 1 << 15  # units a kernel pass accumulates at once: 256 KiB of scores, in L2


def idf_okapi(df: np.ndarray, n_units: int) -> np.ndarray:
    """rank-bm25's BM25Okapi IDF: log((N - df + .5) / (df + .5)), negatives floored at 0.25 × mean.

    The mean is over the terms present (df > 0), as rank-bm25 has no others, and is summed exactly
    (math.fsum): the same value whatever order the terms come in, so an index updated in place and
    one built from scratch agree to the bit. (rank-bm25 sums in its own order; the two differ by at
    most a unit in the last place, for floored terms only.)
    """
    df = np.asarray(df, dtype=np.int64)
    if not len(df):
        return np.zeros(0, dtype=np.float64)
    # Computed once per distinct df (a few thousand, not one per term), with math.log as rank-bm25;
    # a table by df value maps them back (no sort of the whole vocabulary).
    counts = np.bincount(df)
    distinct = np.flatnonzero(counts)
    per_df = [math.log(n_units - f + 0.5) - math.log(f + 0.5) for f in distinct.tolist()]
    table = np.zeros(len(counts), dtype=np.float64)
    table[distinct] = per_df
    idf = table[df]
    present = [(v, c) for f, v, c in zip(distinct.tolist(), per_df, counts[distinct].tolist(),
                                         strict=True) if f > 0]  # fmt: skip
    if present:
        average = math.fsum(v * c for v, c in present) / sum(c for _, c in present)
        idf[(idf < 0) & (df > 0)] = EPSILON * average
    return idf


def avg_length(unit_len: np.ndarray, live: np.ndarray | None = None) -> float:
    """The average unit length over live units, as rank-bm25 computes it (an int over an int)."""
    if live is None:
        total, count = int(unit_len.sum()), len(unit_len)
    else:
        total, count = int(unit_len[live].sum()), int(np.count_nonzero(live))
    return total / count if count else 0.0


def norm_table(max_len: int, avgdl: float) -> np.ndarray:
    """K1 · (1 − B + B · len / avgdl) for every length 0..max_len: each posting's length part."""
    doc_len = np.arange(max_len + 1, dtype=np.float64)
    if avgdl <= 0:
        return np.full(max_len + 1, K1 * (1 - B), dtype=np.float64)
    return K1 * (1 - B + B * doc_len / avgdl)


def posting_lengths(indices: np.ndarray, unit_len: np.ndarray) -> np.ndarray:
    """The length of each posting's unit, in posting order (int32)."""
    return np.asarray(unit_len, dtype=np.int64)[np.asarray(indices)].astype(np.int32)


def posting_weights(
    indptr: np.ndarray, indices: np.ndarray, tf: np.ndarray, unit_len: np.ndarray, idf: np.ndarray
) -> np.ndarray:
    """BM25Okapi weight of every posting, in rank-bm25's operation order (bitwise-equal scores)."""
    avgdl = float(unit_len.sum()) / max(1, len(unit_len))
    counts = np.diff(indptr)
    term_idf = np.repeat(idf, counts)
    q_freq = tf.astype(np.float64)
    doc_len = unit_len[indices].astype(np.float64)
    return term_idf * (q_freq * (K1 + 1) / (q_freq + K1 * (1 - B + B * doc_len / avgdl)))


class SparseBM25:
    """BM25 over the sentences of one segment, stored as CSC postings of term frequencies.

    A posting's weight is computed when it is read, from its tf, its unit's length and the
    current (global) average length and IDF: nothing stored depends on the rest of the index, so
    a segment stays valid when others are added or documents deleted. `live` masks deleted units.
    The compiled kernel does the work; the numpy code below is its fallback and gives the same
    results.
    """

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        tf: np.ndarray,
        unit_len: np.ndarray,
        avgdl: float,
        live: np.ndarray | None = None,
        dl: np.ndarray | None = None,
    ):
        self.indptr = indptr
        self.indices = indices
        self.tf = tf
        self.unit_len = unit_len
        # Each posting's unit length, beside its tf (`posting_lengths`): the kernel reads both in
        # order instead of looking the length up by unit, a cache miss per posting at 1M.
        self.dl = posting_lengths(indices, unit_len) if dl is None else dl
        self.n_units = len(unit_len)
        self.live = live
        max_len = int(unit_len.max(initial=0))
        self.norm = norm_table(max_len, avgdl)
        # The kernel's accumulator holds one block of units: small enough to stay in the cache.
        self._block = np.zeros(min(self.n_units, KERNEL_BLOCK), dtype=np.float64)
        self._seen = np.zeros(len(self._block), dtype=np.uint8)
        self._acc: np.ndarray | None = None  # the numpy code's accumulator, made when first needed
        self._live_bytes = b"" if live is None else np.ascontiguousarray(live, dtype=np.uint8)
        self.use_kernel = _kernel is not None and (
            (indptr.dtype, indices.dtype, tf.dtype, self.dl.dtype)
            == (np.int64, np.int32, np.int32, np.int32)
        )

    def _weights(self, row: int, idf: float) -> tuple[np.ndarray, np.ndarray]:
        """(units, weights) of one term's postings, deleted units left out."""
        lo, hi = int(self.indptr[row]), int(self.indptr[row + 1])
        idx = self.indices[lo:hi]
        q_freq = self.tf[lo:hi].astype(np.float64)
        w = idf * (q_freq * (K1 + 1) / (q_freq + self.norm[self.unit_len[idx]]))
        if self.live is not None:
            keep = self.live[idx].astype(bool)
            idx, w = idx[keep], w[keep]
        return idx, w

    def score(self, rows: list[int], idfs: list[float]) -> tuple[np.ndarray, np.ndarray]:
        """(every live unit holding a query term, ascending, and its score), summed in query order."""
        if self._acc is None:
            self._acc = np.zeros(self.n_units, dtype=np.float64)
        acc = self._acc
        touched = []
        try:
            for row, idf in zip(rows, idfs, strict=True):
                idx, w = self._weights(row, idf)
                acc[idx] += w  # a term's postings hold each unit once
                touched.append(idx)
            if not touched:
                return np.empty(0, np.int64), np.empty(0, np.float64)
            ids = np.unique(np.concatenate(touched)).astype(np.int64)
            return ids, acc[ids].copy()
        finally:
            for idx in touched:
                acc[idx] = 0.0

    def top(self, rows: list[int], idfs: list[float], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The `k` best live units holding a query term, best first (ties: lower id), and their scores."""
        if self.use_kernel:
            ids, scores = _kernel.top_k(
                self.indptr, self.indices, self.tf, self.dl, self.norm, self._live_bytes,
                list(rows), [float(x) for x in idfs], k, self.n_units, self._block, self._seen,
            )  # fmt: skip
            return np.frombuffer(ids, dtype=np.int64), np.frombuffer(scores, dtype=np.float64)
        ids, scores = self.score(rows, idfs)
        best = np.lexsort((ids, -scores))[:k]
        return ids[best], scores[best]

    def score_units(
        self, rows: list[int], idfs: list[float], units: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(BM25 scores of `units`, whether each holds a query term), summed in query order."""
        scores = np.zeros(len(units), dtype=np.float64)
        matched = np.zeros(len(units), dtype=bool)
        for row, idf in zip(rows, idfs, strict=True):
            lo, hi = int(self.indptr[row]), int(self.indptr[row + 1])
            idx = self.indices[lo:hi]
            if not len(idx) or not len(units):
                continue
            pos = np.minimum(np.searchsorted(idx, units), len(idx) - 1)
            found = idx[pos] == units
            q_freq = self.tf[lo + pos[found]].astype(np.float64)
            length = self.unit_len[units[found]]
            scores[found] += idf * (q_freq * (K1 + 1) / (q_freq + self.norm[length]))
            matched |= found
        return scores, matched


class LookupBM25:
    """BM25 of a level that is only looked up (paragraphs, documents), never scanned.

    It keeps term frequencies and IDF and computes a posting's weight when asked, with the same
    expression as `posting_weights`, so the scores are the same to the last bit; the weights of
    the whole level never need to be stored or paged in.
    """

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        tf: np.ndarray,
        unit_len: np.ndarray,
        idf: np.ndarray,
        avgdl: float | None = None,
    ):
        self.indptr = indptr
        self.indices = indices
        self.tf = tf
        self.unit_len = unit_len
        self.idf = idf  # by this level's term rows
        self.n_units = len(unit_len)
        # The average over the whole index's live units (given), else over these units.
        self.avgdl = avg_length(unit_len) if avgdl is None else avgdl
        self.use_kernel = _kernel is not None and (
            (indptr.dtype, indices.dtype, tf.dtype, unit_len.dtype, idf.dtype)
            == (np.int64, np.int32, np.int32, np.int64, np.float64)
        )

    def _weights(self, t: int, pos: np.ndarray) -> np.ndarray:
        lo = int(self.indptr[t])
        q_freq = self.tf[lo + pos].astype(np.float64)
        doc_len = self.unit_len[self.indices[lo + pos]].astype(np.float64)
        return self.idf[t] * (
            q_freq * (K1 + 1) / (q_freq + K1 * (1 - B + B * doc_len / self.avgdl))
        )

    def score_units(self, term_ids: list[int], units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(BM25 scores of `units`, whether each holds a query term), summed in query order."""
        if self.use_kernel and self.avgdl > 0:
            units = np.ascontiguousarray(units, dtype=np.int64)
            scores = np.zeros(len(units), dtype=np.float64)
            matched = np.zeros(len(units), dtype=np.uint8)
            _kernel.lookup(
                self.indptr, self.indices, self.tf, self.unit_len, self.idf, self.avgdl,
                list(term_ids), units, scores, matched,
            )  # fmt: skip
            return scores, matched.view(bool)
        scores = np.zeros(len(units), dtype=np.float64)
        matched = np.zeros(len(units), dtype=bool)
        for t in term_ids:
            lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
            idx = self.indices[lo:hi]
            if not len(idx) or not len(units):
                continue
            pos = np.minimum(np.searchsorted(idx, units), len(idx) - 1)
            found = idx[pos] == units
            scores[found] += self._weights(t, pos[found])
            matched |= found
        return scores, matched

    def score(self, term_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(every unit holding a query term, ascending, and its score): exhaustive, for checks."""
        parts = [self.indices[self.indptr[t] : self.indptr[t + 1]] for t in term_ids]
        if not parts:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        ids = np.unique(np.concatenate(parts)).astype(np.int64)
        return ids, self.score_units(term_ids, ids)[0]


class RankBM25:
    """The same level scored by rank-bm25's BM25Okapi itself: the reference, slow at scale."""

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, tf: np.ndarray, n_units: int):
        from rank_bm25 import BM25Okapi

        corpus: list[list[str]] = [[] for _ in range(n_units)]
        for term in range(len(indptr) - 1):
            name = str(term)
            for unit, count in zip(
                indices[indptr[term] : indptr[term + 1]].tolist(),
                tf[indptr[term] : indptr[term + 1]].tolist(),
                strict=True,
            ):
                corpus[unit].extend([name] * count)
        self.indptr = indptr
        self.indices = indices
        self.n_units = n_units
        self.model = BM25Okapi(corpus) if n_units else None
        self._last: tuple[tuple[int, ...], np.ndarray] | None = None

    def _full(self, term_ids: list[int]) -> np.ndarray:
        key = tuple(term_ids)
        if self._last is None or self._last[0] != key:
            full = self.model.get_scores([str(t) for t in term_ids]) if self.model else np.zeros(0)
            self._last = (key, full)
        return self._last[1]

    def _matched(self, term_ids: list[int]) -> np.ndarray:
        parts = [self.indices[self.indptr[t] : self.indptr[t + 1]] for t in term_ids]
        return np.unique(np.concatenate(parts)).astype(np.int64) if parts else np.empty(0, np.int64)

    def score_units(self, term_ids: list[int], units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(rank-bm25's scores of `units`, whether each holds a query term)."""
        if not term_ids or not len(units):
            return np.zeros(len(units)), np.zeros(len(units), dtype=bool)
        return self._full(term_ids)[units], np.isin(units, self._matched(term_ids))

    def top(self, term_ids: list[int], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The `k` best units holding a query term, best first (ties: lower id), and their scores."""
        ids, scores = self.score(term_ids)
        best = np.lexsort((ids, -scores))[:k]
        return ids[best], scores[best]

    def score(self, term_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(every unit holding a query term, ascending, and rank-bm25's score of it)."""
        ids = self._matched(term_ids)
        if not len(ids):
            return ids, np.empty(0, np.float64)
        return ids, self._full(term_ids)[ids]
