"""Term windows: each sentence's terms with its neighbours' in the same document, read at once.

The ranker's features count the question's words in a candidate and in the passage around it
(`index/search/features.py`); this reads what they count. The terms are stored per segment in
`sent_terms` (read from disk by slices, never mapped: see disk.READ_ON_DEMAND), so windows a few
pages apart are read with one system call. The compiled kernel (`term_windows` in _kernel.c) does
it in one call; the numpy code is its fallback and the tests' reference.
"""

from __future__ import annotations

import numpy as np

from index.analysis import flags
from index.search.bm25 import _kernel
from index.store import disk

READ_GAP = 4096  # windows fewer terms apart (16 KiB) are read in one system call


def read(segs, sent_doc, n_sent: int, sids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int32 term ids, the windows one after another in the order of `sids`; int64 rows of
    (window start, sentence start, sentence end, window end) in them). `segs`: the index's
    Segments; `sent_doc`: each sentence's document number; `n_sent`: the sentence count."""
    sids = np.asarray(sids, dtype=np.int64)
    if _kernel is None or not len(sids):
        return read_numpy(segs, sent_doc, n_sent, sids)
    parts = []
    for s, pick, local in segs.by_segment(sids):
        a = segs.gen.segments[s].arrays
        stored = a["sent_terms"]
        on_disk = isinstance(stored, disk.OnDisk)
        got, rows = _kernel.term_windows(
            np.ascontiguousarray(local, dtype=np.int64),
            np.ascontiguousarray(a["sent_doc"], dtype=np.int32),
            np.ascontiguousarray(a["sent_term_start"], dtype=np.int64),
            None if on_disk else np.ascontiguousarray(stored, dtype=np.int32),
            stored.fileno() if on_disk else -1,
            stored.offset if on_disk else 0,
            len(stored),
            READ_GAP,
        )
        terms = np.frombuffer(got, dtype=np.int32)
        rows = np.frombuffer(rows, dtype=np.int64).reshape(-1, 4)
        if s:
            terms = segs.to_global[s][terms].astype(np.int32)
        if len(pick) == len(sids):  # one segment: already in the order of sids
            return terms, rows
        parts.append((pick, terms, rows))
    sizes = np.empty(len(sids), dtype=np.int64)
    for pick, _, rows in parts:
        sizes[pick] = rows[:, 3] - rows[:, 0]
    offset = np.concatenate(([0], np.cumsum(sizes)))
    out = np.empty(int(offset[-1]), dtype=np.int32)
    all_rows = np.empty((len(sids), 4), dtype=np.int64)
    for pick, terms, rows in parts:
        all_rows[pick] = rows - rows[:, :1] + offset[pick][:, None]
        for (w0, _, _, w1), i in zip(rows.tolist(), pick.tolist(), strict=True):
            out[offset[i] : offset[i + 1]] = terms[w0:w1]
    return out, all_rows


def read_numpy(segs, sent_doc, n_sent: int, sids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`read` without the compiled kernel: the same windows, the same rows."""
    sids = np.asarray(sids, dtype=np.int64)
    n = len(sids)
    if not n:
        return np.empty(0, np.int32), np.empty((0, 4), np.int64)
    docs = np.asarray(sent_doc[sids], dtype=np.int64)
    lo, hi = sids.copy(), sids.copy()
    prev = np.flatnonzero(sids > 0)
    same = np.asarray(sent_doc[sids[prev] - 1], dtype=np.int64) == docs[prev]
    lo[prev[same]] -= 1
    after = np.flatnonzero(sids + 1 < n_sent)
    same = np.asarray(sent_doc[sids[after] + 1], dtype=np.int64) == docs[after]
    hi[after[same]] += 1
    bounds = np.empty((n, 4), dtype=np.int64)  # in the segment's sent_terms, then shifted
    reads: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
    for s, pick, local in segs.by_segment(sids):
        a = segs.gen.segments[s].arrays
        start, shift = a["sent_term_start"], segs.offsets["sent"][s]
        bounds[pick] = np.stack(
            [
                start[lo[pick] - shift],
                start[local],
                start[local + 1],
                start[hi[pick] - shift + 1],
            ],
            axis=1,
        )
        # Windows a few pages apart are read together: a read costs a system call (5-7 µs
        # here), reading a few KiB more costs far less.
        w0, w1 = bounds[pick, 0], bounds[pick, 3]
        order = np.argsort(w0, kind="stable")
        run_end = np.maximum.accumulate(w1[order])
        cut = np.flatnonzero(w0[order][1:] > run_end[:-1] + READ_GAP) + 1
        first = np.concatenate(([0], cut))
        last = np.concatenate((cut - 1, [len(order) - 1]))
        r0, r1 = w0[order][first], run_end[last]
        buffer = np.concatenate(
            [a["sent_terms"][x:y] for x, y in zip(r0.tolist(), r1.tolist(), strict=True)]
        )
        if s:
            buffer = segs.to_global[s][buffer].astype(np.int32)
        run = np.empty(len(order), dtype=np.int64)
        run[order] = np.repeat(np.arange(len(first)), last - first + 1)
        at = np.concatenate(([0], np.cumsum(r1 - r0)))[run] + w0 - r0[run]  # in buffer
        reads.append((pick, at, w1 - w0, buffer))
    sizes = bounds[:, 3] - bounds[:, 0]
    offset = np.concatenate(([0], np.cumsum(sizes)))
    terms = np.empty(int(offset[-1]), dtype=np.int32)
    for pick, at, size, buffer in reads:
        within = np.arange(int(size.sum())) - np.repeat(np.cumsum(size) - size, size)
        terms[np.repeat(offset[pick], size) + within] = buffer[np.repeat(at, size) + within]
    rows = bounds - bounds[:, :1] + offset[:-1, None]
    return terms, rows


def heading_runs(sent_flags: np.ndarray, sent_doc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each sentence, the first and last sentence of the heading run above it in its
    document (-1 for none, and for heading sentences): what Index.section_headings reads."""
    n = len(sent_flags)
    at = np.arange(n, dtype=np.int32)
    head = (np.asarray(sent_flags) & flags.HEADING) != 0
    doc = np.asarray(sent_doc)
    new_doc = np.ones(n, dtype=bool)
    new_doc[1:] = doc[1:] != doc[:-1]
    run_start = head & (new_doc | ~np.concatenate(([False], head[:-1])))
    last = np.maximum.accumulate(np.where(head, at, -1))
    start = np.maximum.accumulate(np.where(run_start, at, -1))
    first = np.where(last >= 0, start[np.maximum(last, 0)], -1)
    ok = (last >= 0) & ~head
    ok[ok] = doc[last[ok]] == doc[ok]
    return np.where(ok, first, -1).astype(np.int32), np.where(ok, last, -1).astype(np.int32)


# A prose unit a code block cuts off ("Writing" before a listing, "which avoids the loop entirely."
# after one) is part of a sentence a reader takes in with the code: alone it says little.
FRAGMENT_SHARE = 0.5
_FRAGMENT_WORDS = 3
_LEAD_IN_WORDS = 12  # a lead-in this short says little but that an example follows
# Words a sentence cannot end on: one that stops on them before a code unit goes on in it ("...
# is given in the following example, where the C++ wrapper is" over the listing).
_GOES_ON = frozenset(
    """
    a an the of to in on at by for from with into as than is are was were be been being am
    and or but nor where which whom whose that when while if whereas because since so
    """.split()
)


def code_fragments(idx, sids: np.ndarray) -> np.ndarray:
    """Whether each sentence is prose cut by a code unit of its document: it follows one and starts
    in lowercase (the sentence goes on after the code), or a code unit follows and it is a few
    words without a final stop or colon, or ends on a word no sentence ends on ("where the C++
    wrapper is": the sentence goes on in the code), or is a lead-in of `_LEAD_IN_WORDS` words or
    fewer ending in a colon ("This places the key at the default location:": its example says
    what it does)."""
    sids = np.asarray(sids, dtype=np.int64)
    n = idx.sentence_count
    before, after = np.clip(sids - 1, 0, n - 1), np.clip(sids + 1, 0, n - 1)
    docs = idx.documents_of(np.concatenate([sids, before, after])).reshape(3, -1)
    bits = idx.sentence_flags(np.concatenate([sids, before, after])).reshape(3, -1)
    code = (bits & flags.CODE) != 0
    code_before = code[1] & (docs[1] == docs[0]) & (sids > 0)
    code_after = code[2] & (docs[2] == docs[0]) & (sids < n - 1)
    prose = (bits[0] & (flags.CODE | flags.HEADING)) == 0
    out = np.zeros(len(sids), dtype=bool)
    for i in np.flatnonzero(prose & (code_before | code_after)).tolist():
        text = idx.sentence_text(int(sids[i])).strip()
        if not text:
            continue
        cut_after = code_before[i] and text[0].islower()
        last = text.split()
        cut_before = (
            code_after[i]
            and text[-1] not in ".:!?;"
            and (len(last) <= _FRAGMENT_WORDS or last[-1].lower() in _GOES_ON)
        )
        lead_in = code_after[i] and text[-1] == ":" and len(last) <= _LEAD_IN_WORDS
        out[i] = cut_after or cut_before or lead_in
    return out
