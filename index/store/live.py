"""Keep a served index current: apply the folder's changes, and follow generations other
processes save.

The bot and the console hold one `Index` and replace it when it changes; these functions make the
replacement, off the event loop, and say what changed. Watching uses watchfiles (a Rust watcher:
inotify on Linux) only as a trigger: what changed is always found by comparing the folder with
the saved file table, so a missed or merged event can never make the index wrong.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from index.answer.model import BuildReport
from index.search.opening import load_saved, open_index
from index.search.searcher import Index
from index.store import disk, update
from index.store.paths import docs_folder, index_folder

# A write is "settled" once the file has not changed for this long; watchfiles reports a batch
# of changes after WATCH_QUIET_MS without new ones (at most WATCH_MAX_MS after the first).
SETTLE_SECONDS = 0.4
WATCH_QUIET_MS = 500
WATCH_MAX_MS = 1600
FOLLOW_SECONDS = 1.0  # how often a server looks for a generation another process saved


def refresh(
    current: Index | None,
    docs: str | Path | None,
    index_dir: str | Path | None,
    settle: float = SETTLE_SECONDS,
) -> tuple[Index | None, bool]:
    """(The index brought up to date with its folder, or None when nothing changed; whether some
    file is still being written and needs another look soon)."""
    folder = docs_folder(docs)
    if current is not None and current.generation is not None:
        todo = update.plan(folder, current.commit, settle)
        saved = disk.current_name(index_folder(folder, index_dir))
        if not todo.changes and saved == current.generation:
            return None, bool(todo.changes.unsettled)
    fresh = open_index(
        docs,
        index_dir,
        settle=settle,
        docs_url=current.docs_url if current else None,
        language=current.language_setting if current else None,
    )
    return fresh, fresh.report.unsettled > 0


def follow(current: Index, docs: str | Path | None, index_dir: str | Path | None) -> Index | None:
    """The generation another process saved since `current` was loaded, or None (no folder scan)."""
    target = index_folder(docs_folder(docs), index_dir)
    name = disk.current_name(target)
    if name is None or current.generation is None or name == current.generation:
        return None
    return load_saved(target, current.engine, current.docs_url)


def retry_due(current: Index) -> bool:
    """Whether a file skipped for a passing reason (a time limit) is due to be read again."""
    return update.next_retry(current.commit) <= time.time()


def saved_generation(docs: str | Path | None, index_dir: str | Path | None) -> str | None:
    """The name of the generation `current` points at now (one readlink: cheap on any thread)."""
    return disk.current_name(index_folder(docs_folder(docs), index_dir))


def changes(folders: list[Path], stop: threading.Event) -> Iterator[set]:
    """Batches of file changes under `folders`, and an empty batch every FOLLOW_SECONDS, until
    `stop` is set (for a thread; the bot uses watchfiles.awatch with the same settings)."""
    import watchfiles

    if not folders:
        return
    yield from watchfiles.watch(
        *folders,
        debounce=WATCH_MAX_MS,
        step=WATCH_QUIET_MS,
        stop_event=stop,
        rust_timeout=int(FOLLOW_SECONDS * 1000),
        yield_on_timeout=True,
        raise_interrupt=False,
    )


def describe(report: BuildReport) -> str:
    """One line for a log or a terminal: what an automatic refresh did."""
    if report.updated:
        return f"documents updated: {report.changes()} · {report.seconds:.1f} s"
    return report.summary()


def keep_current(
    get: Callable[[], Index],
    put: Callable[[Index], None],
    docs: str | Path | None,
    index_dir: str | Path | None,
    stop: threading.Event,
    say: Callable[[str], None],
) -> None:
    """Watch the folder and the saved generations; swap in each newer index (for a thread)."""
    folder = docs_folder(docs)
    pending = False  # a file was still being written: look again at the next tick
    for batch in changes([folder], stop):
        try:
            if batch or pending or retry_due(get()):
                newer, pending = refresh(get(), docs, index_dir)
            else:
                newer = follow(get(), docs, index_dir)
        except Exception as error:  # a bad moment (a full disk, a bad file) must not stop it
            say(f"could not update the index: {error}")
            continue
        if newer is not None:
            put(newer)
            say(describe(newer.report))
