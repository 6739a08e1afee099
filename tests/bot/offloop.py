"""A structural check that the bot never asks, loads or builds an index on its event loop's thread.

`guard_the_loop` wraps `Index.ask`, `open_index` (wherever the bot's modules look it up), the
refreshes that keep an index current, `disk.load`, the save (`disk.write_segment`,
`disk.commit`) and the build: a call from a thread where an asyncio loop is running
raises and is recorded, and the test fails at teardown even if the bot caught the error. Timing
cannot prove this (one ask on the test documents takes a few milliseconds); this can.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import threading

import pytest

# (module, attribute): `open_index` is imported by name into the bot's modules, so it is wrapped
# where each looks it up; `disk.load`, the save and the build are what any open_index runs.
GUARDED = (
    ("index.search.searcher", "Index.ask"),
    ("index.search.opening", "open_index"),
    ("index.search.opening", "load_saved"),
    ("index.store.update", "build_segment"),
    ("index.store.update", "refresh"),
    ("index.store.live", "refresh"),
    ("index.store.live", "follow"),
    ("index", "open_index"),
    ("index.store.disk", "load"),
    ("index.store.disk", "write_segment"),
    ("index.store.disk", "commit"),
    ("bot.client", "open_index"),
    ("bot.cli", "open_index"),
    ("bot.console", "open_index"),
)


def on_loop_thread() -> bool:
    """Whether an asyncio event loop is running in the calling thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class OnTheLoop(RuntimeError):
    """Index work was started on the event loop's thread."""


def guard_the_loop(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Wrap every GUARDED callable; return the list that records each call made on a loop."""
    found: list[str] = []

    def guarded(name: str, real):
        @functools.wraps(real)
        def wrapper(*args, **kwargs):
            if on_loop_thread():
                found.append(f"{name} ran on the event loop ({threading.current_thread().name})")
                raise OnTheLoop(found[-1])
            return real(*args, **kwargs)

        return wrapper

    for module_name, attribute in GUARDED:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        real = getattr(owner, name, None)
        if real is not None:  # the build may move; the promise is checked where it is
            monkeypatch.setattr(owner, name, guarded(f"{module_name}.{attribute}", real))
    return found


@pytest.fixture(autouse=True)
def off_the_loop(monkeypatch: pytest.MonkeyPatch):
    """Fail the test if the index was asked, loaded or built on the event loop's thread."""
    found = guard_the_loop(monkeypatch)
    yield found
    if found:
        pytest.fail("index work on the event loop:\n" + "\n".join(dict.fromkeys(found)))
