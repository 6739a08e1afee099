"""The packages pyproject.toml lists are every package of the source tree: a regular (not
editable) install copies only those, and one left out is missing from it (the PDF reader and its
compiled calls, the search's question and order stages were)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_of_the_tree_is_listed_for_the_install():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("bot", "index")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert "index.read.formats.pdf" in found
    assert listed == found
