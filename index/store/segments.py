"""An index made of several segments, some of whose documents are deleted, read as one.

Sentences, paragraphs and documents are numbered by concatenating the segments (a sentence's
number is its segment's offset plus its number there), so the searcher indexes them as one
array. What must be global to equal a build from scratch is computed here at load: each term's
document frequency over live units, N and the average length of each level, the IDF; and the
order ties break in: a fresh build numbers sentences by document name, then position, and so
does `order_key`, whatever segment a document lives in.
"""

from __future__ import annotations

import bisect

import numpy as np

from index.search.bm25 import LookupBM25, RankBM25, SparseBM25, idf_okapi
from index.store.boilerplate import boilerplate_sentences
from index.store.build import LEVELS, IndexData, term_list
from index.store.disk import Generation

_KEY_SHIFT = 32  # order key: document rank, then sentence position within the document


class Concat:
    """Per-segment arrays read as one: `a[i]` and `a[array_of_i]`, values shifted per segment."""

    def __init__(self, parts: list, offsets: np.ndarray, shifts: list[int] | None = None):
        self.parts = parts
        self.offsets = offsets  # offsets[s] = first number of segment s; offsets[-1] = total
        self.shifts = shifts or [0] * len(parts)
        # The first segment is the big one (later ones hold updates): looked up without a search.
        self._first_end = int(offsets[1])
        self._first_shift = self.shifts[0]

    def __len__(self) -> int:
        return int(self.offsets[-1])

    def __getitem__(self, where):
        if isinstance(where, (int, np.integer)):
            if 0 <= where < self._first_end:
                return self.parts[0][where] + self._first_shift
            s = int(np.searchsorted(self.offsets, where, side="right")) - 1
            return self.parts[s][int(where) - int(self.offsets[s])] + self.shifts[s]
        where = np.asarray(where, dtype=np.int64)
        if len(where) and where.min() >= 0 and where.max() < self._first_end:
            return np.asarray(self.parts[0][where], dtype=np.int64) + self._first_shift
        seg = np.searchsorted(self.offsets, where, side="right") - 1
        out = np.empty(len(where), dtype=np.int64)
        for s in np.unique(seg).tolist():
            pick = seg == s
            out[pick] = np.asarray(self.parts[s][where[pick] - self.offsets[s]]) + self.shifts[s]
        return out


def _one_or_concat(parts: list, offsets: np.ndarray, shifts: list[int]):
    """The array itself when there is one segment (no cost per access), else a Concat."""
    if len(parts) == 1 and shifts[0] == 0:
        return parts[0]
    return Concat(parts, offsets, shifts)


class Segments:
    """The segments of one generation, with global statistics over their live documents."""

    def __init__(self, gen: Generation, engine: str = "bm25"):
        self.gen = gen
        datas = gen.segments
        files = gen.commit.get("files", {})
        # Live documents: those the file table names in this segment.
        self.live_docs: list[np.ndarray] = []
        for s, data in enumerate(datas):
            live = np.zeros(len(data.meta["doc_ids"]), dtype=bool)
            for entry in files.values():
                if entry[2] == s and 0 <= entry[3] < len(live):
                    live[entry[3]] = True
            self.live_docs.append(live)
        self.counts = {
            "sent": [len(d.arrays["sent_doc"]) for d in datas],
            "para": [len(d.arrays["para_doc"]) for d in datas],
            "doc": [len(d.meta["doc_ids"]) for d in datas],
        }
        self.offsets = {
            level: np.concatenate(([0], np.cumsum(n))).astype(np.int64)
            for level, n in self.counts.items()
        }
        self._starts = {level: o.tolist() for level, o in self.offsets.items()}  # for bisect
        self.live = {level: [] for level in LEVELS}  # per segment: bool mask of live units
        for data, live_doc in zip(datas, self.live_docs, strict=True):
            a = data.arrays
            self.live["doc"].append(live_doc)
            self.live["para"].append(live_doc[np.asarray(a["para_doc"], dtype=np.int64)])
            self.live["sent"].append(live_doc[np.asarray(a["sent_doc"], dtype=np.int64)])
        # Sentences of paragraphs repeated on most HTML pages: never shortlisted (boilerplate.py).
        self.boilerplate = boilerplate_sentences(
            [np.asarray(d.arrays["para_hash"], dtype=np.int64) for d in datas],
            self.live["para"],
            [np.asarray(d.arrays["para_doc"], dtype=np.int64) for d in datas],
            [np.asarray(d.arrays["sent_para"], dtype=np.int64) for d in datas],
            self.offsets["doc"],
        )
        self._global_terms(datas)
        self._statistics(datas)
        self._order(datas)
        self.engine = engine
        self._levels = self._scorers(datas, engine)

    # -- vocabulary and statistics ----------------------------------------------------------------

    def _global_terms(self, datas: list[IndexData]) -> None:
        """One numbering of the terms of every segment: the first segment's, then new ones."""
        self.terms: dict[str, int] = {}
        self.to_global: list[np.ndarray] = []
        for data in datas:
            local = term_list(data.arrays)
            if not self.terms:
                self.terms = _numbered(local)
                self.to_global.append(np.arange(len(local), dtype=np.int64))
                continue
            ids = np.empty(len(local), dtype=np.int64)
            for i, term in enumerate(local):
                gid = self.terms.get(term)
                if gid is None:
                    gid = self.terms[term] = len(self.terms)
                ids[i] = gid
            self.to_global.append(ids)
        self.n_terms = len(self.terms)
        # Per segment, global id -> its row there (a dict; the first segment's rows are the ids).
        self.to_local: list[dict[int, int] | None] = [None] + [
            {int(g): r for r, g in enumerate(ids.tolist())} for ids in self.to_global[1:]
        ]

    def rows(self, s: int, term_ids: list[int]) -> tuple[list[int], list[int]]:
        """(positions in `term_ids`, rows in segment s) of the query terms segment s holds."""
        first = len(self.to_global[0]) if s == 0 else 0
        where, rows = [], []
        for q, t in enumerate(term_ids):
            r = (t if t < first else None) if s == 0 else self.to_local[s].get(t)
            if r is not None:
                where.append(q)
                rows.append(r)
        return where, rows

    def _statistics(self, datas: list[IndexData]) -> None:
        """Document frequency, N and average length of each level over live units only."""
        self.df: dict[str, np.ndarray] = {}
        self.n_units: dict[str, int] = {}
        self.avgdl: dict[str, float] = {}
        self.idf: dict[str, np.ndarray] = {}
        dead = [_dead_df(data, live) for data, live in zip(datas, self.live_docs, strict=True)]
        for level in LEVELS:
            df = np.zeros(self.n_terms, dtype=np.int64)
            total = count = 0
            for s, data in enumerate(datas):
                a = data.arrays
                ptr = np.asarray(a[f"{level}_indptr"], dtype=np.int64)
                live = self.live[level][s]
                local_df = np.diff(ptr)
                if dead[s] is not None:  # deleted documents' units no longer count
                    local_df = local_df - np.bincount(dead[s][level], minlength=len(local_df))
                if s == 0:
                    df[: len(local_df)] += local_df
                else:
                    np.add.at(df, self.to_global[s], local_df)
                lengths = np.asarray(a[f"{level}_len"], dtype=np.int64)
                total += int(lengths[live].sum())
                count += int(np.count_nonzero(live))
            self.df[level] = df
            self.n_units[level] = count
            self.avgdl[level] = total / count if count else 0.0
            self.idf[level] = idf_okapi(df, count)

    def _order(self, datas: list[IndexData]) -> None:
        """Each document's rank by name among live documents: how a fresh build would order it."""
        names, where = [], []
        for s, data in enumerate(datas):
            for d in np.flatnonzero(self.live_docs[s]).tolist():
                names.append(data.meta["doc_ids"][d])
                where.append(int(self.offsets["doc"][s]) + d)
        order = sorted(range(len(names)), key=names.__getitem__)
        self.doc_rank = np.full(int(self.offsets["doc"][-1]), -1, dtype=np.int64)
        self.doc_rank[np.array(where, dtype=np.int64)[order]] = np.arange(len(order))
        self.live_doc_order = [where[i] for i in order]  # global doc numbers, by name
        self.first_sent = []  # per segment: each document's first sentence (local numbers)
        for data in datas:
            sent_doc = np.asarray(data.arrays["sent_doc"], dtype=np.int64)
            self.first_sent.append(np.searchsorted(sent_doc, np.arange(len(data.meta["doc_ids"]))))

    def order_key(self, sids: np.ndarray) -> np.ndarray:
        """Sort keys of sentences that equal a fresh build's sentence order (ties break by these)."""
        sids = np.asarray(sids, dtype=np.int64)
        if len(self.gen.segments) == 1 and self.live_docs[0].all():
            return sids
        seg = np.searchsorted(self.offsets["sent"], sids, side="right") - 1
        keys = np.empty(len(sids), dtype=np.int64)
        for s in np.unique(seg).tolist():
            pick = seg == s
            local = sids[pick] - self.offsets["sent"][s]
            doc = np.asarray(self.gen.segments[s].arrays["sent_doc"][local], dtype=np.int64)
            rank = self.doc_rank[doc + self.offsets["doc"][s]]
            keys[pick] = (rank << _KEY_SHIFT) + (local - self.first_sent[s][doc])
        return keys

    def segment_of(self, level: str, unit: int) -> tuple[int, int]:
        """(segment, number within it) of a unit of a level."""
        starts = self._starts[level]
        s = bisect.bisect_right(starts, unit) - 1
        return s, unit - starts[s]

    def by_segment(self, sids: np.ndarray):
        """(segment, positions in `sids`, local sentence numbers) for each segment `sids` touch."""
        sids = np.asarray(sids, dtype=np.int64)
        if len(self.gen.segments) == 1:
            yield 0, np.arange(len(sids)), sids
            return
        seg = np.searchsorted(self.offsets["sent"], sids, side="right") - 1
        for s in np.unique(seg).tolist():
            pick = np.flatnonzero(seg == s)
            yield s, pick, sids[pick] - self.offsets["sent"][s]

    def sentence_terms(self, sid: int) -> list[int]:
        """A sentence's terms in order (stopwords left out), as global term ids."""
        s, local = self.segment_of("sent", sid)
        a = self.gen.segments[s].arrays
        lo, hi = a["sent_term_start"][local], a["sent_term_start"][local + 1]
        ids = a["sent_terms"][lo:hi]
        return (ids if s == 0 else self.to_global[s][ids]).tolist()

    def unit_key(self, level: str, unit: int) -> tuple[str, int]:
        """(document id, number of the unit within its document) of a unit of a level."""
        s, local = self.segment_of(level, unit)
        a, m = self.gen.segments[s].arrays, self.gen.segments[s].meta
        if level == "doc":
            return m["doc_ids"][local], 0
        doc = int((a["sent_doc"] if level == "sent" else a["para_doc"])[local])
        if level == "sent":
            return m["doc_ids"][doc], local - int(self.first_sent[s][doc])
        first_para = int(a["sent_para"][int(self.first_sent[s][doc])])
        return m["doc_ids"][doc], local - first_para

    # -- scoring ---------------------------------------------------------------------------------

    def _scorers(self, datas: list[IndexData], engine: str) -> dict:
        if engine == "rank-bm25":
            return {level: _Reference(self, level) for level in LEVELS}
        out: dict[str, list] = {level: [] for level in LEVELS}
        for s, data in enumerate(datas):
            a = data.arrays
            live = self.live["sent"][s]
            if self.boilerplate is not None:
                live = live & ~self.boilerplate[s]
            live = None if live.all() else live
            ptr, idx, tf, length = (a[f"sent_{x}"] for x in ("indptr", "indices", "tf", "len"))
            dl = a.get("sent_dl")
            out["sent"].append(SparseBM25(ptr, idx, tf, length, self.avgdl["sent"], live, dl))
            for level in ("para", "doc"):
                idf = self.idf[level][self.to_global[s]] if s else self.idf[level]
                ptr, idx, tf, length = (
                    a[f"{level}_{x}"] for x in ("indptr", "indices", "tf", "len")
                )
                rows = np.ascontiguousarray(idf[: len(ptr) - 1])
                out[level].append(LookupBM25(ptr, idx, tf, length, rows, self.avgdl[level]))
        return out

    def top(self, term_ids: list[int], k: int, weights: list[float] | None = None):
        """The `k` best live sentences holding a query term: (sentence numbers, scores), best first,
        ties broken as a fresh build breaks them. `weights` scale each query term's IDF."""
        if self.engine == "rank-bm25":
            return self._levels["sent"].top(term_ids, k, self.boilerplate)
        idf = self.idf["sent"]
        found_ids, found_scores = [], []
        for s, scorer in enumerate(self._levels["sent"]):
            where, rows = self.rows(s, term_ids)
            if not rows:
                continue
            idfs = [
                float(idf[term_ids[q]]) * (1.0 if weights is None else weights[q]) for q in where
            ]
            ids, scores = scorer.top(rows, idfs, k)
            found_ids.append(ids + self.offsets["sent"][s])
            found_scores.append(scores)
        if not found_ids:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        if len(found_ids) == 1 and len(self.gen.segments) == 1:
            return found_ids[0], found_scores[0]
        ids, scores = np.concatenate(found_ids), np.concatenate(found_scores)
        best = np.lexsort((self.order_key(ids), -scores))[:k]
        return ids[best], scores[best]

    def score_units(self, level: str, term_ids: list[int], units: np.ndarray):
        """(BM25 scores of `units` of a level (global numbers), whether each holds a query term)."""
        if self.engine == "rank-bm25":
            return self._levels[level].score_units(term_ids, units)
        # In ascending order (a repeat is looked up again at no cost): the lookups then walk the
        # postings forward. Sorting costs less than finding the distinct units (np.unique).
        units = np.asarray(units, dtype=np.int64)
        back = np.argsort(units, kind="stable")
        units = units[back]
        scores = np.zeros(len(units), dtype=np.float64)
        matched = np.zeros(len(units), dtype=bool)
        offsets = self.offsets[level]
        if len(self.gen.segments) == 1:
            parts = [(0, slice(None))]
        else:
            seg = np.searchsorted(offsets, units, side="right") - 1
            parts = [(s, seg == s) for s in np.unique(seg).tolist()]
        for s, pick in parts:
            where, rows = self.rows(s, term_ids)
            if not rows:
                continue
            local = units[pick] - offsets[s]
            if level == "sent":
                idf = self.idf["sent"]
                sc, m = self._levels[level][s].score_units(
                    rows, [float(idf[term_ids[q]]) for q in where], local
                )
            else:
                sc, m = self._levels[level][s].score_units(rows, local)
            scores[pick], matched[pick] = sc, m
        out, held = np.empty_like(scores), np.empty_like(matched)
        out[back], held[back] = scores, matched
        return out, held

    def score_all(self, level: str, term_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """(every live unit of a level holding a query term, ascending, its score): for checks."""
        parts = []
        for s, data in enumerate(self.gen.segments):
            _, rows = self.rows(s, term_ids)
            a = data.arrays
            for r in rows:
                idx = np.asarray(
                    a[f"{level}_indices"][a[f"{level}_indptr"][r] : a[f"{level}_indptr"][r + 1]]
                )
                idx = idx[self.live[level][s][idx]]
                parts.append(idx.astype(np.int64) + self.offsets[level][s])
        if not parts:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        ids = np.unique(np.concatenate(parts))
        return ids, self.score_units(level, term_ids, ids)[0]


class _Reference:
    """One level scored by rank-bm25 itself over the live units of every segment (for checks)."""

    def __init__(self, segs: Segments, level: str):
        self.segs, self.level = segs, level
        units = []
        for s in range(len(segs.gen.segments)):
            live = np.flatnonzero(segs.live[level][s])
            units.append(live + segs.offsets[level][s])
        self.units = np.concatenate(units) if units else np.empty(0, np.int64)
        if self.level == "sent":  # corpus order = a fresh build's sentence order
            self.units = self.units[np.argsort(segs.order_key(self.units), kind="stable")]
        position = {int(u): i for i, u in enumerate(self.units.tolist())}
        indptr_parts, indices_parts, tf_parts = [], [], []
        # Term-major postings over global term ids and reference unit positions.
        postings: list[list[tuple[int, int]]] = [[] for _ in range(segs.n_terms)]
        for s, data in enumerate(segs.gen.segments):
            a = data.arrays
            ptr, idx, tf = (np.asarray(a[f"{level}_{x}"]) for x in ("indptr", "indices", "tf"))
            glob = segs.to_global[s]
            for r in range(len(ptr) - 1):
                for p in range(int(ptr[r]), int(ptr[r + 1])):
                    u = position.get(int(idx[p]) + int(segs.offsets[level][s]))
                    if u is not None:
                        postings[int(glob[r])].append((u, int(tf[p])))
        for plist in postings:
            plist.sort()
            indptr_parts.append(len(plist))
            indices_parts.extend(u for u, _ in plist)
            tf_parts.extend(f for _, f in plist)
        indptr = np.concatenate(([0], np.cumsum(indptr_parts))).astype(np.int64)
        self.ref = RankBM25(
            indptr,
            np.array(indices_parts, dtype=np.int64),
            np.array(tf_parts, dtype=np.int64),
            len(self.units),
        )
        self.position = position

    def top(self, term_ids: list[int], k: int, boilerplate: list[np.ndarray] | None = None):
        if boilerplate is None:
            ids, scores = self.ref.top(term_ids, k)
            return self.units[ids], scores
        hidden = np.concatenate(boilerplate)[self.units]  # never shortlisted, as the kernel does
        ids, scores = self.ref.top(term_ids, k + int(hidden.sum()))
        keep = ~hidden[ids]
        return self.units[ids][keep][:k], scores[keep][:k]

    def score_units(self, term_ids: list[int], units: np.ndarray):
        pos = np.array([self.position.get(int(u), -1) for u in units], dtype=np.int64)
        scores, matched = self.ref.score_units(term_ids, np.maximum(pos, 0))
        return np.where(pos >= 0, scores, 0.0), matched & (pos >= 0)


def _dead_df(data: IndexData, live_doc: np.ndarray) -> dict[str, np.ndarray] | None:
    """For each level, the term of every (unit, term) posting of a segment's deleted documents:
    what to take off the segment's document frequencies. None when none is deleted.

    Read from the deleted documents' own terms (a few), never by scanning every posting: a pass
    over a million sentences' postings would hold the GIL beside a bot's event loop.
    """
    dead_docs = np.flatnonzero(~live_doc)
    if not len(dead_docs):
        return None
    a = data.arrays
    first = doc_first_sentences(data)
    term_start = a["sent_term_start"]
    out: dict[str, list[np.ndarray]] = {level: [] for level in LEVELS}
    for d in dead_docs.tolist():
        s0, s1 = int(first[d]), int(first[d + 1])
        starts = np.asarray(term_start[s0 : s1 + 1], dtype=np.int64)
        terms = np.asarray(a["sent_terms"][int(starts[0]) : int(starts[-1])], dtype=np.int64)
        if not len(terms):
            continue
        sent = np.repeat(np.arange(s0, s1), np.diff(starts))
        para = np.asarray(a["sent_para"][s0:s1], dtype=np.int64)[sent - s0]
        width = int(terms.max()) + 1
        for level, unit in (("sent", sent), ("para", para), ("doc", np.zeros_like(sent))):
            out[level].append(np.unique(unit * width + terms) % width)
    return {
        level: np.concatenate(parts) if parts else np.zeros(0, np.int64)
        for level, parts in out.items()
    }


def _numbered(terms: list[str], step: int = 20_000) -> dict[str, int]:
    """{term: position}, built a slice at a time: one call over 300k terms would hold the GIL for
    long enough to stall a bot's event loop during a reload."""
    out: dict[str, int] = {}
    for lo in range(0, len(terms), step):
        chunk = terms[lo : lo + step]
        out.update(zip(chunk, range(lo, lo + len(chunk)), strict=True))
    return out


def doc_first_sentences(data: IndexData) -> np.ndarray:
    """Each document's first sentence number in a segment, and the total at the end."""
    sent_doc = np.asarray(data.arrays["sent_doc"], dtype=np.int64)
    return np.searchsorted(sent_doc, np.arange(len(data.meta["doc_ids"]) + 1))


def language_counts(gen) -> tuple[tuple[str, int], ...]:
    """How many live documents of each language a generation holds, most first."""
    counts: dict[str, int] = {}
    for entry in gen.commit["files"].values():
        lang = gen.segments[entry[2]].meta["languages"][entry[3]]
        counts[lang] = counts.get(lang, 0) + 1
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
