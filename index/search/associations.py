"""Learned word associations: IBM Model 1's t(question word | sentence word), from squad-train.

A question is often worded otherwise than the sentence that answers it ("center" for "centre",
"buy" for "purchase", "death" for "die"). IBM Model 1, fitted by EM on squad-train's
question/answer-sentence pairs (their index terms: stems, stopwords left out; `python -m index
train` fits it, `index/tools/train.py`), says how likely each sentence word is to be asked about
with each question word. The ranker's `associations` feature is the question's mean
log-likelihood given a candidate sentence S:

    mean over question words q of log(MIX * P(q | S) + (1 - MIX) * background(q)),
    P(q | S) = (t(q | NULL) + sum over the words s of S of t(q | s)) / (|S| + 1)

where background(q) is q's share of all question words. The table (`associations.json`, JSON,
3 MB) keeps t >= 0.02 of sentence words seen in at least 3 pairs. Its rows are laid end to end
so that reading one costs a slice, not a parse: `words` (the sentence words, space-separated),
`word_at` and `t` (base64 of little-endian uint32 numbers into `words`, and uint16 t x 10,000:
each row's run, one after another), and `rows` (question word -> [start, end, t(q | NULL),
background] of its run). Per index the sentence words are looked up once, the first time a
question needs a row (about 5 ms); a row is then a gather of its run (a few µs), where reading it
from text cost 50-140 µs.
"""

from __future__ import annotations

import base64
import binascii
import json
import weakref
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.search.bm25 import _kernel

TABLE_PATH = Path(__file__).with_name("associations.json")
FORMAT = 2
MIX = 0.8  # weight of the sentence's likelihood against the background's
FLOOR = 1e-6  # the background of a question word no training question holds
SCALE = 10_000  # t is stored as an integer number of 1/SCALE

_override: list[str] = []


@dataclass(frozen=True, eq=False)
class Table:
    """The table, read: rows[q] = (start, end, t(q | NULL), background) of q's run of `word_at`
    (numbers into `words`) and `t` (t x SCALE)."""

    words: list[str]
    rows: dict[str, list]
    word_at: np.ndarray
    t: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, q: str) -> tuple[list[str], list[int], float, float]:
        """q's row as written: its sentence words, their t x SCALE, t(q | NULL), background
        (empty when q has none)."""
        start, end, null, background = _span(self, q)
        return (
            [self.words[i] for i in self.word_at[start:end].tolist()],
            [int(x) for x in self.t[start:end].tolist()],
            null,
            background,
        )


EMPTY = Table([], {}, np.zeros(0, np.uint32), np.zeros(0))


def use(path: str | Path | None) -> None:
    """Read the table from `path` from now on (None: the shipped one). Training uses it to give
    each question a table fitted without its own article (cross-fitting)."""
    _override[:] = [str(path)] if path else []


def table() -> Table:
    """The table in use; empty when the file is missing or damaged (the feature is then 0)."""
    return _read(_override[0] if _override else str(TABLE_PATH))


@lru_cache(maxsize=4)
def _read(path: str) -> Table:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        if raw.get("format") != FORMAT or not isinstance(raw.get("rows"), dict):
            raise ValueError("not an associations table")
        words = raw["words"].split(" ") if raw["words"] else []
        word_at = np.frombuffer(base64.b64decode(raw["word_at"], validate=True), dtype="<u4")
        t = np.frombuffer(base64.b64decode(raw["t"], validate=True), dtype="<u2")
        if len(word_at) != len(t) or (len(word_at) and int(word_at.max()) >= len(words)):
            raise ValueError("its runs do not match its words")
        return Table(words, raw["rows"], word_at.astype(np.int64), t.astype(np.float64))
    except (OSError, ValueError, AttributeError, KeyError, TypeError, binascii.Error):
        return EMPTY


def pack(rows: dict[str, list]) -> dict:
    """Rows as `fit_associations` gives them ({q: [sentence words, their t x SCALE (both
    space-separated), t(q | NULL), background]}) laid out as the file keeps them."""
    number: dict[str, int] = {}
    word_at: list[int] = []
    ts: list[int] = []
    out = {}
    for q, (words, t, null, background) in rows.items():
        start = len(word_at)
        word_at += [number.setdefault(w, len(number)) for w in words.split()]
        ts += [int(x) for x in t.split()]
        if len(ts) != len(word_at) or any(x > 0xFFFF for x in ts[start:]):
            raise ValueError(f"the row of {q!r} does not fit the table")
        out[q] = [start, len(word_at), null, background]
    return {
        "words": " ".join(number),
        "rows": out,
        "word_at": base64.b64encode(np.array(word_at, dtype="<u4").tobytes()).decode("ascii"),
        "t": base64.b64encode(np.array(ts, dtype="<u2").tobytes()).decode("ascii"),
    }


def _span(tab: Table, q: str) -> tuple[int, int, float, float]:
    """q's run and numbers; a row that is missing or damaged reads as an empty one."""
    got = tab.rows.get(q)
    try:
        start, end, null, background = int(got[0]), int(got[1]), float(got[2]), float(got[3])
    except (TypeError, ValueError, IndexError, KeyError):
        return 0, 0, 0.0, 0.0
    if not 0 <= start <= end <= len(tab.word_at):
        return 0, 0, 0.0, 0.0
    return start, end, null, background


# Per index: the table's sentence words as the index's term ids, and the rows read so far (an
# index's terms never change).
_IDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_IDS_MAX = 200_000


def prepare(idx) -> None:
    """Look the table's sentence words up in `idx` now, not on its first question (some 10 ms)."""
    tab = table()
    if tab:
        _ids(idx, tab)


def _ids(idx, tab: Table) -> tuple:
    """(the table, its sentence words as `idx`'s term ids, the rows read so far) of `idx`."""
    got = _IDS.get(idx)
    if got is None or got[0] is not tab:
        got = _IDS[idx] = (tab, idx.term_ids(tab.words), {})
    return got


def _row(idx, q: str, tab: Table) -> tuple[np.ndarray, np.ndarray, float, float]:
    """(term ids of the sentence words that explain q, their t, t(q | NULL), background)."""
    _, ids_of, cache = _ids(idx, tab)
    row = cache.get(q)
    if row is None:
        start, end, null, background = _span(tab, q)
        ids = ids_of[tab.word_at[start:end]]
        keep = np.flatnonzero(ids >= 0)
        ids, t = ids[keep], tab.t[start:end][keep] / SCALE
        order = np.argsort(ids, kind="stable")
        row = (ids[order], t[order], null, max(background, FLOOR))
        if len(cache) < _IDS_MAX:
            cache[q] = row
    return row


def log_likelihood(idx, qterms: list[str], terms: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each candidate's mean log-likelihood of the question's words `qterms` (stems).

    `terms`, `bounds`: `term_windows`' windows and rows of (window start, sentence start, sentence
    end, window end): only the sentence's own terms count. Zeros without a table."""
    n = len(bounds)
    tab = table()
    qs = list(dict.fromkeys(qterms))
    if not n or not qs or not tab:
        return np.zeros(n)
    parts = [_row(idx, q, tab) for q in qs]
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
