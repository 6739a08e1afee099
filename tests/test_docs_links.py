"""The README and docs/ hold together: every relative link resolves, every page is linked."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def prose(path: Path) -> str:
    """The page without its fenced code blocks, where brackets are not links."""
    return re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the page's headings: lowercased, punctuation dropped, spaces → '-'."""
    headings = re.findall(r"^#+ (.+)$", prose(path), re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def relative_links(path: Path) -> list[str]:
    return [t for t in LINK.findall(prose(path)) if not re.match(r"[a-z]+:", t)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page):
    for target in relative_links(page):
        file, _, anchor = target.partition("#")
        resolved = (page.parent / file).resolve() if file else page
        assert resolved.is_file(), f"{target} in {page.name}: no such file"
        if anchor:
            assert anchor in anchors(resolved), f"{target} in {page.name}: no such heading"


def test_every_docs_page_is_linked_from_the_readme():
    linked = {t.partition("#")[0] for t in relative_links(ROOT / "README.md")}
    pages = {p.relative_to(ROOT).as_posix() for p in PAGES[1:]}
    assert pages and pages <= linked


def test_the_anchor_rule_matches_githubs():
    page = ROOT / "README.md"
    assert "how-it-works" in anchors(page)
    assert "the-bots-command-line" in anchors(page)  # the apostrophe is dropped


def test_every_index_subcommand_is_in_the_readme():
    usage = subprocess.run(
        [sys.executable, "-m", "index", "--help"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    subcommands = re.search(r"\{([\w,-]+)\}", usage).group(1).split(",")
    assert {"build", "ask", "eval", "bench"} <= set(subcommands)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in subcommands:
        assert f"`python -m index {name} " in readme, name


def test_the_readme_is_a_product_page_of_at_most_300_lines():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 300, f"README.md has {lines} lines: move design notes to docs/"
