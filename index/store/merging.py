"""When segments pile up, merge them from what they already hold (nothing is read again): the
small ones when there are too many, everything when much of the index is deleted."""

from __future__ import annotations

import numpy as np

from index.store.build import IndexData, assemble, segment_chunks, term_list
from index.store.segments import doc_first_sentences

MAX_SEGMENTS = 8  # more small segments than this are merged into one
MERGE_DEAD_SHARE = 0.25  # more deleted sentences than this share of the index: merge everything
MERGE_SMALL_SHARE = 0.5  # small segments holding this share of the big one's sentences: merge all


def live_counts(segments: list[IndexData], files: dict) -> list[tuple[int, int]]:
    """(live sentences, all sentences) of each segment (a document copies share counts once)."""
    out = []
    for s, data in enumerate(segments):
        sent_doc = np.asarray(data.arrays["sent_doc"], dtype=np.int64)
        per_doc = np.bincount(sent_doc, minlength=len(data.meta["doc_ids"]))
        live = sorted({e[3] for e in files.values() if e[2] == s})
        out.append((int(per_doc[live].sum()) if live else 0, int(per_doc.sum())))
    return out


def merge_if_needed(segments: list[IndexData], names: list[str], files: dict):
    """Merge small segments when there are too many, everything when much is deleted."""
    if len(segments) <= 1:
        return segments, names, files
    counts = live_counts(segments, files)
    big = max(range(len(segments)), key=lambda s: counts[s][1])
    dead = sum(total - live for live, total in counts)
    total = sum(t for _, t in counts)
    small = [s for s in range(len(segments)) if s != big]
    small_live = sum(counts[s][0] for s in small)
    if dead > MERGE_DEAD_SHARE * max(1, total) or small_live > MERGE_SMALL_SHARE * max(
        1, counts[big][0]
    ):
        chosen = list(range(len(segments)))
    elif len(segments) > MAX_SEGMENTS:
        chosen = small
    else:
        return segments, names, files
    merged, where = merge(
        [segments[s] for s in chosen],
        {
            doc: [e[0], e[1], chosen.index(e[2]), *e[3:]]
            for doc, e in files.items()
            if e[2] in chosen
        },
    )
    kept = [s for s in range(len(segments)) if s not in chosen]
    new_segments = [segments[s] for s in kept] + [merged]
    new_names = [names[s] for s in kept] + [""]
    new_files = {}
    for doc, e in files.items():
        if e[2] in kept:
            new_files[doc] = [e[0], e[1], kept.index(e[2]), *e[3:]]
        else:
            new_files[doc] = [e[0], e[1], len(kept), where[(chosen.index(e[2]), e[3])], *e[4:]]
    return new_segments, new_names, new_files


def merge(segments: list[IndexData], files: dict) -> tuple[IndexData, dict[tuple[int, int], int]]:
    """One segment holding the live documents of `segments`, in name order, from their arrays
    (a document copies share is taken once); and where each (segment, document) went in it."""
    stored = {(e[2], e[3]) for e in files.values()}
    chosen = sorted((segments[s].meta["doc_ids"][d], s, d) for s, d in stored)
    vocabs = [term_list(data.arrays) for data in segments]
    firsts = [doc_first_sentences(data) for data in segments]

    def chunks():
        for _, s, d in chosen:
            yield from segment_chunks(segments[s], [d], vocabs[s], firsts[s])

    return assemble(chunks()), {(s, d): n for n, (_, s, d) in enumerate(chosen)}


def summary_of(segments: list[IndexData], files: dict) -> tuple[int, int]:
    """(live documents, live sentences) of a commit: copies of a document count once."""
    counts = live_counts(segments, files)
    return len({(e[2], e[3]) for e in files.values()}), sum(live for live, _ in counts)
