"""BM25Okapi scoring (rank-bm25's definition) over a term-major sparse matrix, and rank-bm25 itself.

The fast engine precomputes each posting's BM25 weight exactly as rank-bm25 computes it, so a query
only sums the postings of its terms: work follows the postings touched, not the corpus size.
"""

from __future__ import annotations

import math

import numpy as np

K1 = 1.5
B = 0.75
EPSILON = 0.25


def idf_okapi(df: np.ndarray, n_units: int) -> np.ndarray:
    """rank-bm25's BM25Okapi IDF: log((N - df + .5) / (df + .5)), negatives floored at 0.25 × mean."""
    idf = np.array(
        [math.log(n_units - f + 0.5) - math.log(f + 0.5) for f in df.tolist()], dtype=np.float64
    )
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


class SparseBM25:
    """BM25 over one level (sentences, paragraphs or documents) stored as CSC postings.

    A query adds its terms' postings into a dense accumulator and reads back only the units it
    touched, so the work follows the postings touched, not the number of units. Not thread-safe.
    """

    def __init__(self, indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, n_units: int):
        self.indptr = indptr
        self.indices = indices
        self.weights = weights
        self.n_units = n_units
        self._acc = np.zeros(n_units, dtype=np.float64)
        self._seen = np.zeros(n_units, dtype=bool)

    def dense(self, term_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(scores of every unit, ids of the units touched, with repeats); then call `clear`."""
        acc = self._acc
        touched = []
        for t in term_ids:
            lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
            idx = self.indices[lo:hi]
            acc[idx] += self.weights[lo:hi]  # a term's postings hold each unit once
            touched.append(idx)
        return acc, (np.concatenate(touched) if touched else np.empty(0, np.int32))

    def clear(self, touched: np.ndarray) -> None:
        """Reset the accumulator where a query wrote to it."""
        self._acc[touched] = 0.0

    def distinct(self, ids: np.ndarray) -> np.ndarray:
        """`ids` without repeats, in first-seen order, in time linear in len(ids)."""
        seen = self._seen
        out = []
        for chunk in np.split(ids, np.flatnonzero(np.diff(ids) <= 0) + 1) if len(ids) else ():
            # Each term's postings strictly ascend: cut where that breaks, keep only unseen ids.
            new = chunk[~seen[chunk]]
            seen[new] = True
            out.append(new)
        result = np.concatenate(out) if out else np.empty(0, np.int64)
        seen[result] = False
        return result.astype(np.int64)

    def score(self, term_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(unit ids that contain a query term, ascending, and their scores)."""
        acc, touched = self.dense(term_ids)
        ids = np.sort(self.distinct(touched))
        scores = acc[ids].copy()
        self.clear(touched)
        return ids, scores


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
        self._fast = SparseBM25(indptr, indices, np.zeros(len(indices)), n_units)  # for `distinct`

    def dense(self, term_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(rank-bm25's scores of every unit, ids of the units holding a query term, with repeats)."""
        touched = [self.indices[self.indptr[t] : self.indptr[t + 1]] for t in term_ids]
        if not term_ids or self.model is None:
            return np.zeros(self.n_units), np.empty(0, np.int32)
        return self.model.get_scores([str(t) for t in term_ids]), np.concatenate(touched)

    def clear(self, touched: np.ndarray) -> None:
        """Nothing to reset: rank-bm25 returns a new vector each time."""

    def distinct(self, ids: np.ndarray) -> np.ndarray:
        """`ids` without repeats."""
        return self._fast.distinct(ids)

    def score(self, term_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(unit ids that contain a query term, ascending, and their scores)."""
        full, touched = self.dense(term_ids)
        ids = np.sort(self.distinct(touched))
        return ids, full[ids]
