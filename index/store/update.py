"""Bring a saved index up to date with its folder: read only what was added or changed.

The commit's file table records each document file's size and modification time and where its
sentences live. A refresh compares the folder with it: added and changed files are read, split
and tokenized into one new small segment; removed and changed files' old documents are left out
of the new file table, which deletes them. Unchanged files are never read again. When small
segments pile up they are merged from what they already hold (nothing read again), and when many
of the big segment's documents are deleted, everything is merged into one.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.errors import DocumentsError
from index.read.documents import Skipped, walk
from index.store import disk
from index.store.build import (
    FORMAT_VERSION,
    IndexData,
    assemble,
    build_segment,
    segment_chunks,
    term_list,
)
from index.store.segments import doc_first_sentences

MAX_SEGMENTS = 8  # more small segments than this are merged into one
MERGE_DEAD_SHARE = 0.25  # more deleted sentences than this share of the index: merge everything
MERGE_SMALL_SHARE = 0.5  # small segments holding this share of the big one's sentences: merge all


@dataclass(frozen=True)
class Changes:
    """What a refresh found: document ids added, changed and removed, and files left for later."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unsettled: tuple[str, ...] = ()  # still being written: taken when they settle

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self, seconds: float | None = None) -> str:
        """ "+3 added · ~1 changed · −2 removed · 0.8 s" """
        parts = [f"+{len(self.added)} added", f"~{len(self.changed)} changed"]
        parts.append(f"−{len(self.removed)} removed")
        if seconds is not None:
            parts.append(f"{seconds:.1f} s")
        return " · ".join(parts)


@dataclass(frozen=True)
class Plan:
    """The difference between a folder and a commit."""

    read: list[tuple[str, Path, tuple[int, int]]]  # files to read: (id, path, (size, mtime))
    keep: dict[str, list]  # file table entries that stay
    keep_skipped: dict[str, list]  # skipped files that did not change
    changes: Changes
    refused: list[Skipped]


def plan(folder: Path, commit: dict | None, settle: float = 0.0) -> Plan:
    """Compare the folder with a commit's file table (None: nothing saved yet).

    A file modified less than `settle` seconds ago is still being written: it is left as it was
    (its old version stays, a new file waits) and reported as unsettled.
    """
    found, refused = walk(folder)
    files = dict(commit.get("files", {})) if commit else {}
    skipped = dict(commit.get("skipped", {})) if commit else {}
    now_ns = time.time_ns()
    read, keep, keep_skipped = [], {}, {}
    added, changed, unsettled = [], [], []
    for doc_id, path, (size, mtime) in found:
        old = files.get(doc_id)
        old_skip = skipped.get(doc_id)
        if old is not None and (old[0], old[1]) == (size, mtime):
            keep[doc_id] = old
            continue
        if old_skip is not None and (old_skip[0], old_skip[1]) == (size, mtime):
            keep_skipped[doc_id] = old_skip
            continue
        if settle > 0 and now_ns - mtime < settle * 1e9:
            unsettled.append(doc_id)
            if old is not None:
                keep[doc_id] = old
            continue
        read.append((doc_id, Path(path), (size, mtime)))
        (changed if old is not None or old_skip is not None else added).append(doc_id)
    present = {doc_id for doc_id, _, _ in found}
    removed = sorted(d for d in files if d not in present)
    changes = Changes(tuple(added), tuple(changed), tuple(removed), tuple(unsettled))
    return Plan(read, keep, keep_skipped, changes, refused)


def _settled(expected: dict[str, tuple[Path, tuple[int, int]]]):
    """A check that a file read is still the one planned (same size and time): else it changed
    while being read, and is taken again when it settles."""

    def accept(doc_id: str) -> bool:
        path, (size, mtime) = expected[doc_id]
        try:
            st = os.stat(path, follow_symlinks=False)
        except OSError:
            return False
        return (st.st_size, st.st_mtime_ns) == (size, mtime)

    return accept


def apply(
    target: Path,
    generation: disk.Generation | None,
    todo: Plan,
    progress: bool = False,
    language: str = "auto",
) -> tuple[list[IndexData], list[str], dict, list[tuple[str, str]]]:
    """Read what changed into a new segment; return (segments, names or "" for new, commit, warnings).

    Nothing is written here: the caller saves new segments and commits.
    """
    segments = list(generation.segments) if generation else []
    names = list(generation.segment_names) if generation else []
    expected = {doc_id: (path, stat) for doc_id, path, stat in todo.read}
    files = dict(todo.keep)
    skipped = dict(todo.keep_skipped)
    warnings: list[tuple[str, str]] = []
    if todo.read:
        data = build_segment(
            [(doc_id, path) for doc_id, path, _ in todo.read],
            progress,
            _settled(expected),
            language,
        )
        for doc_id, reason in data.meta["skipped"]:
            skipped[doc_id] = [*expected[doc_id][1], reason]
        for doc_id in data.meta["deferred"]:  # changed while read: the old version stays
            old = (generation.commit["files"] if generation else {}).get(doc_id)
            if old is not None:
                files[doc_id] = old
        warnings = [tuple(w) for w in data.meta["warnings"]]
        if data.meta["doc_ids"]:
            s = len(segments)
            segments.append(data)
            names.append("")
            for d, doc_id in enumerate(data.meta["doc_ids"]):
                files[doc_id] = [*expected[doc_id][1], s, d]
    segments, names, files = _merge_if_needed(segments, names, files)
    # Segments no document lives in any more are dropped from the commit.
    used = sorted({entry[2] for entry in files.values()})
    renumber = {old: new for new, old in enumerate(used)}
    files = {doc: [e[0], e[1], renumber[e[2]], e[3]] for doc, e in files.items()}
    segments = [segments[s] for s in used]
    names = [names[s] for s in used]
    commit = {
        "files": dict(sorted(files.items())),
        "skipped": dict(sorted(skipped.items())),
        "refused": [[r.id, r.reason] for r in todo.refused],
        "language": language,
    }
    return segments, names, commit, warnings


def _live_counts(segments: list[IndexData], files: dict) -> list[tuple[int, int]]:
    """(live sentences, all sentences) of each segment."""
    out = []
    for s, data in enumerate(segments):
        sent_doc = np.asarray(data.arrays["sent_doc"], dtype=np.int64)
        per_doc = np.bincount(sent_doc, minlength=len(data.meta["doc_ids"]))
        live = [e[3] for e in files.values() if e[2] == s]
        out.append((int(per_doc[live].sum()) if live else 0, int(per_doc.sum())))
    return out


def _merge_if_needed(segments: list[IndexData], names: list[str], files: dict):
    """Merge small segments when there are too many, everything when much is deleted."""
    if len(segments) <= 1:
        return segments, names, files
    counts = _live_counts(segments, files)
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
    merged = merge(
        [segments[s] for s in chosen],
        {doc: [e[0], e[1], chosen.index(e[2]), e[3]] for doc, e in files.items() if e[2] in chosen},
    )
    kept = [s for s in range(len(segments)) if s not in chosen]
    new_segments = [segments[s] for s in kept] + [merged]
    new_names = [names[s] for s in kept] + [""]
    new_files = {}
    for doc, e in files.items():
        if e[2] in kept:
            new_files[doc] = [e[0], e[1], kept.index(e[2]), e[3]]
    for d, doc in enumerate(merged.meta["doc_ids"]):
        e = files[doc]
        new_files[doc] = [e[0], e[1], len(kept), d]
    return new_segments, new_names, new_files


def merge(segments: list[IndexData], files: dict) -> IndexData:
    """One segment holding the live documents of `segments`, in name order, from their arrays."""
    chosen = sorted((doc, e[2], e[3]) for doc, e in files.items())
    vocabs = [term_list(data.arrays) for data in segments]
    firsts = [doc_first_sentences(data) for data in segments]

    def chunks():
        for _, s, d in chosen:
            yield from segment_chunks(segments[s], [d], vocabs[s], firsts[s])

    return assemble(chunks())


def summary_of(segments: list[IndexData], files: dict) -> tuple[int, int]:
    """(live documents, live sentences) of a commit."""
    counts = _live_counts(segments, files)
    return len(files), sum(live for live, _ in counts)


def _load_quietly(target: Path, say: bool = True) -> disk.Generation | None:
    """The saved generation, or None; a damaged or old one is reported on one line (if `say`)."""
    try:
        return disk.load(target)
    except disk.StaleIndex as why:
        if say and str(why) != "no index yet":
            print(f"verbatim: the index in {target} {why}; rebuilding it", file=sys.stderr)
        return None


@dataclass
class Refreshed:
    """The generation to serve and what bringing it up to date did."""

    generation: disk.Generation
    changes: Changes
    built: bool  # read everything (no usable saved index, or --rebuild)
    refused: list[Skipped]
    warnings: list[str]  # documents' notes (new reads only) and "serving from memory"


def refresh(
    folder: Path,
    target: Path,
    *,
    rebuild: bool = False,
    progress: bool = False,
    settle: float = 0.0,
    language: str = "auto",
) -> Refreshed:
    """The up-to-date generation of `folder`'s index in `target`, updating and saving what changed.

    Without changes nothing is written and no lock is taken. Otherwise the writer holds the lock:
    a second process waits, then finds the index current. If `target` cannot be written, the
    index is built in memory and served from there (the warnings say so).
    """
    generation = None if rebuild else _load_quietly(target)
    if generation is not None and generation.commit.get("language", "auto") != language:
        said = generation.commit.get("language", "auto")
        print(
            f"verbatim: the index in {target} was read with language {said}, not {language};"
            " rebuilding it",
            file=sys.stderr,
        )
        generation = None
    todo = plan(folder, generation.commit if generation else None, settle)
    if generation is not None and not todo.changes:
        return Refreshed(generation, todo.changes, False, todo.refused, [])
    try:
        with disk.locked(target):
            seen = generation.name if generation else None
            if not rebuild and disk.current_name(target) != seen:  # another process wrote
                latest = _load_quietly(target, say=False)
                if latest is not None and latest.commit.get("language", "auto") != language:
                    latest = None
                if latest is not None and (generation is None or latest.name != generation.name):
                    generation = latest
                    todo = plan(folder, generation.commit, settle)
                    if not todo.changes:
                        return Refreshed(generation, todo.changes, False, todo.refused, [])
            segments, names, commit, notes = apply(target, generation, todo, progress, language)
            _check_not_empty(folder, commit)
            written: list[str] = []
            try:
                for i, data in enumerate(segments):
                    if not names[i]:
                        names[i] = disk.write_segment(data, target)
                        written.append(names[i])
                commit = dict(commit, segments=names, format=FORMAT_VERSION)
                gen_name = disk.commit(target, commit, written)
            except BaseException:
                for name in written:
                    shutil.rmtree(target / name, ignore_errors=True)
                raise
            # Serve what was just saved: new segments mapped from disk, the others as they were.
            old = (
                dict(zip(generation.segment_names, generation.segments, strict=True))
                if generation
                else {}
            )
            loaded = [old[n] if n in old else disk.load_segment(target / n) for n in names]
            saved = disk.Generation(gen_name, commit, loaded, names)
    except OSError as exc:
        if "segments" not in locals():  # could not even take the lock: build it all in memory
            todo = plan(folder, None, settle)
            segments, names, commit, notes = apply(target, None, todo, progress, language)
            _check_not_empty(folder, commit)
        memory = disk.Generation(
            None, dict(commit, segments=[""] * len(segments)), segments, names
        )
        warning = (
            f"could not save the index to {target} ({exc.strerror or exc}); serving from memory"
        )
        return Refreshed(memory, todo.changes, generation is None, todo.refused,
                         [warning, *(f"{d}: {r}" for d, r in notes)])  # fmt: skip
    return Refreshed(saved, todo.changes, generation is None, todo.refused,
                     [f"{d}: {r}" for d, r in notes])  # fmt: skip


def _check_not_empty(folder: Path, commit: dict) -> None:
    if commit["files"]:
        return
    if not commit["skipped"]:
        raise DocumentsError(
            f"no documents in {folder}: add .txt, .md, .html, .pdf or .docx files, or pass --docs DIR"
        )
    reasons = "; ".join(f"{d}: {e[2]}" for d, e in list(commit["skipped"].items())[:3])
    raise DocumentsError(f"no readable document in {folder} ({reasons})")
