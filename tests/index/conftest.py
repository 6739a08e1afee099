"""Fixtures for the retrieval core: a real folder of real documents and a real index over it."""

import shutil
from pathlib import Path

import pytest

from index import open_index

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "seeds" / "000_44c18b5492aa5800.txt"
CORPUS = Path(__file__).parent / "corpus"


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """The seed article plus a Markdown, an HTML and a nested text document."""
    folder = tmp_path / "docs"
    shutil.copytree(CORPUS, folder)
    shutil.copy(SEED, folder / SEED.name)
    return folder


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def idx(docs: Path, index_dir: Path):
    return open_index(docs, index_dir)
