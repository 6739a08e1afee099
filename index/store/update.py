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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.answer.copies import plainest
from index.errors import DocumentsError
from index.read import extract
from index.read.documents import Skipped, digest, walk
from index.store import disk
from index.store.build import FORMAT_VERSION, IndexData, build_segment
from index.store.merging import MAX_SEGMENTS, merge_if_needed, summary_of  # noqa: F401 - public

# A file that timed out (or killed its reader) is tried again after RETRY_FIRST seconds, then
# twice as long after each failure (at most RETRY_MOST), each time with twice the time limit
# (at most 8 times).
RETRY_FIRST = 30.0
RETRY_MOST = 3600.0


@dataclass(frozen=True)
class Changes:
    """What a refresh found: document ids added, changed and removed, and files left for later."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unsettled: tuple[str, ...] = ()  # still being written: taken when they settle
    retried: tuple[str, ...] = ()  # skipped for a passing reason (a time limit): read again now
    skipped: tuple[tuple[str, str], ...] = ()  # read by this refresh but not indexed, and why

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.retried or self.skipped)

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
    tries: dict[str, int]  # files read again after timing out: how often they did
    paths: dict[str, Path] = field(default_factory=dict)  # every file found, by id


def plan(folder: Path, commit: dict | None, settle: float = 0.0) -> Plan:
    """Compare the folder with a commit's file table (None: nothing saved yet).

    A file modified less than `settle` seconds ago is still being written: it is left as it was
    (its old version stays, a new file waits) and reported as unsettled. A file skipped for a
    passing reason is read again once its retry time has come.
    """
    found, refused = walk(folder)
    files = dict(commit.get("files", {})) if commit else {}
    skipped = dict(commit.get("skipped", {})) if commit else {}
    now_ns = time.time_ns()
    read, keep, keep_skipped = [], {}, {}
    added, changed, unsettled, retried = [], [], [], []
    tries: dict[str, int] = {}
    for doc_id, path, (size, mtime) in found:
        old = files.get(doc_id)
        old_skip = skipped.get(doc_id)
        if old is not None and (old[0], old[1]) == (size, mtime):
            keep[doc_id] = old
            continue
        if old_skip is not None and (old_skip[0], old_skip[1]) == (size, mtime):
            if retry_at(old_skip) > time.time():
                keep_skipped[doc_id] = old_skip
                continue
            read.append((doc_id, Path(path), (size, mtime)))
            retried.append(doc_id)
            tries[doc_id] = old_skip[3]
            continue
        if settle > 0 and now_ns - mtime < settle * 1e9:
            unsettled.append(doc_id)
            if old is not None:
                keep[doc_id] = old
            continue
        read.append((doc_id, Path(path), (size, mtime)))
        (changed if old is not None else added).append(doc_id)
    present = {doc_id for doc_id, _, _ in found}
    removed = sorted(d for d in files if d not in present)
    changes = Changes(
        tuple(added), tuple(changed), tuple(removed), tuple(unsettled), tuple(retried)
    )
    paths = {doc_id: Path(path) for doc_id, path, _ in found}
    return Plan(read, keep, keep_skipped, changes, refused, tries, paths)


def retry_at(entry: list) -> float:
    """When a skipped file (its file-table entry) is read again: a time (Unix seconds), or
    infinity for a file skipped for good (until it changes)."""
    return float(entry[4]) if len(entry) > 4 else float("inf")


def next_retry(commit: dict | None) -> float:
    """The earliest retry time of a commit's skipped files (infinity: none)."""
    return min((retry_at(e) for e in (commit or {}).get("skipped", {}).values()), default=np.inf)


def _skip_entry(stat: tuple[int, int], reason: str, tried: int) -> list:
    """A skipped file's entry: [size, mtime, reason], plus [tries, retry time] when the reason
    may pass (a time limit, a killed reader)."""
    if not extract.retryable(reason):
        return [*stat, reason]
    wait = min(RETRY_MOST, RETRY_FIRST * 2**tried)
    return [*stat, f"{reason}; tried again later", tried + 1, round(time.time() + wait, 3)]


def outcome(todo: Plan, commit: dict) -> Changes:
    """What a refresh did, from what it planned and the commit it made: a file counts as added or
    changed only if it is in the index now; one read but not indexed is skipped, with why."""
    files, skipped = commit["files"], commit["skipped"]
    read = [doc_id for doc_id, _, _ in todo.read]
    landed = {d for d, _, stat in todo.read if d in files and tuple(files[d][:2]) == tuple(stat)}
    planned = todo.changes
    known = landed | set(skipped)  # sets, built once: per file read, they made this quadratic
    was_there = set(planned.changed)
    return Changes(
        added=tuple(d for d in read if d in landed and d not in was_there),
        changed=tuple(d for d in planned.changed if d in landed),
        removed=planned.removed,
        # changed while being read: the old version (if any) stays, the new one is taken later
        unsettled=planned.unsettled + tuple(d for d in read if d not in known),
        skipped=tuple((d, skipped[d][2]) for d in read if d in skipped),
    )


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
    to_read, hashes, joins = _copies(generation, todo)
    for doc_id in to_read:  # a kept file read again: it now names the copies it stands for
        if doc_id not in expected:
            expected[doc_id] = (todo.paths[doc_id], tuple(todo.keep[doc_id][:2]))
    if to_read:
        patience = {d: 2.0 ** min(t, 3) for d, t in todo.tries.items()}
        files_read = [(doc_id, expected[doc_id][0]) for doc_id in to_read]
        data = build_segment(files_read, progress, _settled(expected), patience, language)
        for doc_id, reason in data.meta["skipped"]:
            skipped[doc_id] = _skip_entry(expected[doc_id][1], reason, todo.tries.get(doc_id, 0))
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
                files[doc_id] = [*expected[doc_id][1], s, d, *hashes.get(doc_id, ())]
        for doc_id in to_read:  # a kept file read again but not indexed keeps its old entry
            if doc_id in todo.keep and doc_id not in files:
                files[doc_id] = todo.keep[doc_id]
                skipped.pop(doc_id, None)
    for doc_id, first in joins.items():  # a copy lives where the file it copies lives
        stat = expected[doc_id][1] if doc_id in expected else tuple(todo.keep[doc_id][:2])
        if first in files:
            files[doc_id] = [*stat, files[first][2], files[first][3], *hashes[doc_id]]
        elif first in skipped and doc_id not in todo.keep:
            skipped[doc_id] = [*stat, *skipped[first][2:]]
    segments, names, files = merge_if_needed(segments, names, files)
    # Segments no document lives in any more are dropped from the commit.
    used = sorted({entry[2] for entry in files.values()})
    renumber = {old: new for new, old in enumerate(used)}
    files = {doc: [e[0], e[1], renumber[e[2]], *e[3:]] for doc, e in files.items()}
    segments = [segments[s] for s in used]
    names = [names[s] for s in used]
    commit = {
        "files": dict(sorted(files.items())),
        "skipped": dict(sorted(skipped.items())),
        "refused": [[r.id, r.reason] for r in todo.refused],
        "language": language,
    }
    return segments, names, commit, warnings


def _copies(
    generation: disk.Generation | None, todo: Plan
) -> tuple[list[str], dict[str, list[str]], dict[str, str]]:
    """Byte-identical files are stored once, under the plainest name (copies.plainest): which
    files to read, the digest of each file read or joined (as a one-item list, for its entry),
    and each copy's file that stands for it.

    A kept document stays where it is when it still stands under the plainest name of the files
    holding its bytes; otherwise (a plainer copy came, or the file it was named after went or
    changed) the plainest file is read again and the others point to it.
    """
    stored = generation.segments if generation else []
    hashes = {doc_id: digest(path) for doc_id, path, _ in todo.read}
    groups: dict[str, list[str]] = {}
    for doc_id, entry in todo.keep.items():
        if len(entry) > 4 and entry[4]:
            groups.setdefault(entry[4], []).append(doc_id)
    for doc_id, h in hashes.items():
        if h is not None:
            groups.setdefault(h, []).append(doc_id)
    to_read = [doc_id for doc_id, h in hashes.items() if h is None]
    joins: dict[str, str] = {}
    for members in groups.values():
        first = plainest(members)
        entry = todo.keep.get(first)
        in_place = entry is not None and stored[entry[2]].meta["doc_ids"][entry[3]] == first
        if not in_place:
            to_read.append(first)
        for doc_id in members:
            old = todo.keep.get(doc_id)
            if doc_id != first and not (in_place and old and old[2:4] == entry[2:4]):
                joins[doc_id] = first
    digests = {d: [h] for d, h in hashes.items() if h is not None}
    digests |= {d: [e[4]] for d, e in todo.keep.items() if len(e) > 4 and e[4]}
    return sorted(to_read), digests, joins


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
        memory = disk.Generation(None, dict(commit, segments=[""] * len(segments)), segments, names)
        warning = (
            f"could not save the index to {target} ({exc.strerror or exc}); serving from memory"
        )
        return Refreshed(memory, outcome(todo, commit), generation is None, todo.refused,
                         [warning, *(f"{d}: {r}" for d, r in notes)])  # fmt: skip
    return Refreshed(saved, outcome(todo, commit), generation is None, todo.refused,
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
