"""Fixtures for the hostile tests: a tally of what was tried, and the bot's fake Discord network.

Every test adds what it tried to `tally` (documents, questions × paths, faults, load); the totals
are printed at the end of the run, so a report can quote them.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

BOT_TESTS = Path(__file__).resolve().parents[1] / "bot"
if str(BOT_TESTS) not in sys.path:
    sys.path.insert(0, str(BOT_TESTS))  # fakediscord: the fake network the bot's tests use

from offloop import off_the_loop  # noqa: E402, F401 - autouse: no index work on the event loop

_TALLY = pytest.StashKey[Counter]()


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_TALLY] = Counter()


@pytest.fixture
def tally(request: pytest.FixtureRequest) -> Counter:
    """Counts of hostile inputs tried, by kind; printed at the end of the run."""
    return request.config.stash[_TALLY]


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    counts = config.stash.get(_TALLY, Counter())
    if counts:
        terminalreporter.section("hostile inputs tried")
        for kind, n in sorted(counts.items()):
            value = f"{n:.1f}" if isinstance(n, float) else str(n)
            terminalreporter.write_line(f"{kind}: {value}")
