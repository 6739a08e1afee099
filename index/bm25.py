"""BM25Okapi scoring (rank-bm25's definition) over a term-major sparse matrix, and rank-bm25 itself.

The fast engine precomputes each posting's BM25 weight exactly as rank-bm25 computes it, so a query
only sums the postings of its terms: work follows the postings touched, not the corpus size.
"""

from __future__ import annotations

import math

import numpy as np

try:  # the compiled kernel (setup.py); without it the numpy code below gives the same results
    from index import _kernel
except ImportError:  # pragma: no cover - depends on the machine having had a C compiler
    _kernel = None

K1 = 1.5
B = 0.75
EPSILON = 0.25


def idf_okapi(df: np.ndarray, n_units: int) -> np.ndarray:
    """rank-bm25's BM25Okapi IDF: log((N - df + .5) / (df + .5)), negatives floored at 0.25 × mean."""
    # Computed once per distinct df (a few thousand, not one per term), with math.log as rank-bm25.
    distinct, where = np.unique(np.asarray(df, dtype=np.int64), return_inverse=True)
    per_df = [math.log(n_units - f + 0.5) - math.log(f + 0.5) for f in distinct.tolist()]
    idf = np.array(per_df, dtype=np.float64)[where.reshape(-1)]
    if len(idf):
        average = sum(idf.tolist()) / len(idf)  # summed in term order, as rank-bm25 does
        idf[idf < 0] = EPSILON * average
    return idf


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


def term_bounds(indptr: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The largest weight of each term's postings, at least 0: what one term can add to a score."""
    bounds = np.zeros(len(indptr) - 1, dtype=np.float64)
    filled = np.flatnonzero(np.diff(indptr) > 0)
    if len(filled):
        bounds[filled] = np.maximum.reduceat(weights, indptr[filled])
    return np.maximum(bounds, 0.0)


class SparseBM25:
    """BM25 over one level (sentences, paragraphs or documents) stored as CSC postings.

    `top` finds the k best units with MaxScore: terms are added in full, those that can add most
    first, until no unit lacking all of them can reach the k-th best partial score; the remaining
    terms are then only looked up for the few units that can still make the top k. The work follows
    the rare terms' postings, not the common terms' or the corpus size.
    """

    def __init__(
        self,
        indptr: np.ndarray,
        indices: np.ndarray,
        weights: np.ndarray,
        bound: np.ndarray,
        n_units: int,
    ):
        self.indptr = indptr
        self.indices = indices
        self.weights = weights
        self.bound = bound
        self.n_units = n_units
        self._acc = np.zeros(n_units, dtype=np.float64)
        self._seen = np.zeros(n_units, dtype=bool)
        self.use_kernel = _kernel is not None and (
            indptr.dtype == np.int64 and indices.dtype == np.int32 and weights.dtype == np.float64
        )

    def _postings(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
        return self.indices[lo:hi], self.weights[lo:hi]

    def score_units(self, term_ids: list[int], units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(BM25 scores of `units`, whether each holds a query term), summed in query order."""
        scores = np.zeros(len(units), dtype=np.float64)
        matched = np.zeros(len(units), dtype=bool)
        for t in term_ids:
            idx, w = self._postings(t)
            if not len(idx) or not len(units):
                continue
            pos = np.minimum(np.searchsorted(idx, units), len(idx) - 1)
            found = idx[pos] == units
            scores += np.where(found, w[pos], 0.0)
            matched |= found
        return scores, matched

    def top(self, term_ids: list[int], k: int) -> tuple[np.ndarray, np.ndarray]:
        """The `k` best units holding a query term, best first (ties: lower id), and their scores."""
        if self.use_kernel:
            ids, scores = _kernel.top_k(
                self.indptr, self.indices, self.weights, list(term_ids), k, self._acc, self._seen
            )
            return np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64)
        counts: dict[int, int] = {}
        for t in term_ids:
            counts[t] = counts.get(t, 0) + 1
        order = sorted(counts, key=lambda t: -self.bound[t] * counts[t])
        rest_bound = [0.0] * (len(order) + 1)
        for i in range(len(order) - 1, -1, -1):
            rest_bound[i] = rest_bound[i + 1] + float(self.bound[order[i]]) * counts[order[i]]
        acc, seen = self._acc, self._seen
        found: list[np.ndarray] = []
        n_found = 0
        keep = None
        try:
            for j, t in enumerate(order):
                idx, w = self._postings(t)
                acc[idx] += w * counts[t]
                new = idx[~seen[idx]]
                seen[new] = True
                found.append(new)
                n_found += len(new)
                if n_found < k and j + 1 < len(order):
                    continue
                union = np.concatenate(found) if len(found) > 1 else found[0]
                partial = acc[union]  # every unit's score so far: a lower bound of its score
                kth = np.partition(partial, max(0, n_found - k))[max(0, n_found - k)]
                if j + 1 == len(order):  # all terms added: partial scores are the scores
                    keep = union[partial >= kth]
                elif rest_bound[j + 1] < kth:  # no unit lacking these terms can reach the k-th
                    keep = union[partial + rest_bound[j + 1] >= kth]
                    break
        finally:
            for part in found:
                acc[part] = 0.0
                seen[part] = False
        if keep is None or not len(keep):
            return np.empty(0, np.int64), np.empty(0, np.float64)
        cand = keep.astype(np.int64)
        scores, _ = self.score_units(term_ids, cand)  # exact, summed in query order
        best = np.lexsort((cand, -scores))[:k]
        return cand[best], scores[best]

    def score(self, term_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(every unit holding a query term, ascending, and its score): exhaustive, for checks."""
        acc = self._acc
        touched = []
        for t in term_ids:
            idx, w = self._postings(t)
            acc[idx] += w  # a term's postings hold each unit once
            touched.append(idx)
        if not touched:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        ids = np.unique(np.concatenate(touched)).astype(np.int64)
        scores = acc[ids].copy()
        acc[ids] = 0.0
        return ids, scores


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
    ):
        self.indptr = indptr
        self.indices = indices
        self.tf = tf
        self.unit_len = unit_len
        self.idf = idf
        self.n_units = len(unit_len)
        self.avgdl = float(unit_len.sum()) / max(1, len(unit_len))
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
