"""Fixtures for the bot's tests: a real index over real documents, a real bot, a fake network."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio
from fakediscord import Recorder, make_bot, write_docs
from offloop import off_the_loop  # noqa: F401 - autouse: no index work on the event loop

from bot.settings import Settings
from index import Index, open_index


@pytest.fixture(scope="session")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article, a markdown file full of markup and mentions, and a short text."""
    return write_docs(tmp_path_factory.mktemp("docs"))


@pytest.fixture(scope="session")
def index(docs: Path, tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The real index over `docs`, built once: tests only read it."""
    return open_index(docs, tmp_path_factory.mktemp("index"))


@pytest.fixture
def settings(docs: Path, tmp_path: Path) -> Settings:
    return Settings(
        docs=docs,
        index_dir=tmp_path / "index",
        cooldown_seconds=0,
    )


@pytest_asyncio.fixture
async def bot(settings: Settings, index: Index):
    """The real bot around the real index, set up as after login, with no network."""
    bot = await make_bot(settings, index)
    yield bot
    await bot.close()


@pytest.fixture
def recorder() -> Recorder:
    """Where interaction responses and follow-ups go instead of Discord."""
    return Recorder()
