"""Learned word associations: IBM Model 1's t(question word | sentence word), from squad-train.

A question is often worded otherwise than the sentence that answers it ("center" for "centre",
"buy" for "purchase", "death" for "die"). IBM Model 1, fitted by EM on squad-train's
question/answer-sentence pairs (their index terms: stems, stopwords left out; `python -m index
train` fits it, `index/tools/train.py`), says how likely each sentence word is to be asked about
with each question word. The ranker's `associations` feature is the question's mean
log-likelihood given a candidate sentence S:

    mean over question words q of log(MIX * P(q | S) + (1 - MIX) * background(q)),
    P(q | S) = (t(q | NULL) + sum over the words s of S of t(q | s)) / (|S| + 1)

where background(q) is q's share of all question words. The table (`associations.json`, plain
JSON, 3.3 MB) keeps t >= 0.02 of sentence words seen in at least 3 pairs, by question word: its
sentence words and their t x 10,000 as two space-separated strings, t(q | NULL) and the
background. A row is parsed, and its words looked up in the index, the first time a question
uses it (kept per index), so loading the table takes about 35 ms.
"""

from __future__ import annotations

import json
import weakref
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.search.bm25 import _kernel

TABLE_PATH = Path(__file__).with_name("associations.json")
FORMAT = 1
MIX = 0.8  # weight of the sentence's likelihood against the background's
FLOOR = 1e-6  # the background of a question word no training question holds
SCALE = 10_000  # t is stored as an integer number of 1/SCALE

_override: list[str] = []


def use(path: str | Path | None) -> None:
    """Read the table from `path` from now on (None: the shipped one). Training uses it to give
    each question a table fitted without its own article (cross-fitting)."""
    _override[:] = [str(path)] if path else []


def table() -> dict[str, list]:
    """The table in use: {question word: [sentence words, their t x SCALE, t(q | NULL),
    background]}; empty when the file is missing or damaged (the feature is then 0)."""
    return _read(_override[0] if _override else str(TABLE_PATH))


@lru_cache(maxsize=4)
def _read(path: str) -> dict[str, list]:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT or not isinstance(raw.get("rows"), dict):
            raise ValueError("not an associations table")
        return raw["rows"]
    except (OSError, ValueError, AttributeError):
        return {}


# Per index: each question word's row in the index's term ids (an index's terms never change).
_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_IDS_MAX = 200_000


def _row(idx, q: str, rows: dict) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(term ids of the sentence words that explain q, their t, t(q | NULL), background)."""
    key = (_override[0] if _override else "", q)
    cache = _IDS.get(idx)
    if cache is None:
        cache = _IDS.setdefault(idx, {})
    got = cache.get(key)
    if got is None:
        words, ts, null, bg = rows.get(q) or ("", "", 0.0, 0.0)
        ids = idx.term_ids(words.split())  # one call for the row's ~45 words
        keep = np.flatnonzero(ids >= 0)
        ids = ids[keep]
        # t x SCALE are integers written in decimal: read exactly by the C parser
        t = np.fromstring(ts, dtype=np.float64, sep=" ")[keep] / SCALE if len(keep) else np.zeros(0)
        order = np.argsort(ids, kind="stable")
        got = (ids[order], t[order], float(null), max(float(bg), FLOOR))
        if len(cache) < _IDS_MAX:
            cache[key] = got
    return got


def log_likelihood(idx, qterms: list[str], terms: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each candidate's mean log-likelihood of the question's words `qterms` (stems).

    `terms`, `bounds`: `term_windows`' windows and rows of (window start, sentence start, sentence
    end, window end): only the sentence's own terms count. Zeros without a table."""
    n = len(bounds)
    rows = table()
    qs = list(dict.fromkeys(qterms))
    if not n or not qs or not rows:
        return np.zeros(n)
    parts = [_row(idx, q, rows) for q in qs]
    ids = np.concatenate([p[0] for p in parts])
    ts = np.concatenate([p[1] for p in parts])
    starts = np.cumsum([0] + [len(p[0]) for p in parts], dtype=np.int64)
    null = np.array([p[2] for p in parts])
    background = np.array([p[3] for p in parts])
    return scores(terms, bounds, ids, ts, starts, null, background)


def scores(terms, bounds, ids, ts, starts, null, background) -> np.ndarray:
    """The feature of each candidate from the question words' rows laid end to end (`ids`
    ascending within each word's block, `starts` where each block starts): the compiled
    `association_scores`, with this numpy code as its fallback and reference (the same sums in
    the same order; the logs and the mean within 1e-12)."""
    n = len(bounds)
    out = np.zeros(n)
    if not n:
        return out
    if _kernel is not None:
        _kernel.association_scores(
            np.ascontiguousarray(terms, dtype=np.int32),
            np.ascontiguousarray(bounds, dtype=np.int64),
            np.ascontiguousarray(ids, dtype=np.int64),
            np.ascontiguousarray(ts, dtype=np.float64),
            np.ascontiguousarray(starts, dtype=np.int64),
            np.ascontiguousarray(null, dtype=np.float64),
            np.ascontiguousarray(background, dtype=np.float64),
            MIX,
            out,
        )
        return out
    nq = len(starts) - 1
    owner = np.repeat(np.arange(n), bounds[:, 3] - bounds[:, 0])
    at = np.arange(len(terms))
    mine = (at >= bounds[owner, 1]) & (at < bounds[owner, 2])
    own, owner = np.asarray(terms, dtype=np.int64)[mine], owner[mine]
    lengths = (bounds[:, 2] - bounds[:, 1]).astype(np.float64) + 1.0
    for q in range(nq):
        block, t = ids[starts[q] : starts[q + 1]], ts[starts[q] : starts[q + 1]]
        acc = np.zeros(n)
        if len(block) and len(own):
            pos = np.minimum(np.searchsorted(block, own), len(block) - 1)
            hit = block[pos] == own
            acc = np.bincount(owner[hit], weights=t[pos[hit]], minlength=n)
        out += np.log(MIX * ((acc + null[q]) / lengths) + (1 - MIX) * background[q])
    return out / nq
