"""Every command the program names in a message works from a fresh clone: `scripts/run` for the
bot (its options included), `scripts/setup EXTRA` for an extra, never a bare `pip install` (it
would install outside the project's .venv)."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from bot.cli import create_parser

ROOT = Path(__file__).resolve().parents[1]


def messages() -> list[tuple[str, str]]:
    """(where, text) of every string literal in bot/ and index/ that is not a docstring or an
    argparse `prog` (f-strings: their literal parts joined)."""
    out = []
    for path in sorted([*ROOT.glob("bot/**/*.py"), *ROOT.glob("index/**/*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
                skip.add(id(body[0].value))  # a docstring
            if isinstance(node, ast.keyword) and node.arg == "prog":
                skip.add(id(node.value))
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.JoinedStr):
                for part in node.values:
                    skip.add(id(part))
                text = "".join(
                    p.value for p in node.values if isinstance(p, ast.Constant) and p.value
                )
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            else:
                continue
            out.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return out


MESSAGES = messages()
EXTRAS = set(
    tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
)
BOT_OPTIONS = {o for a in create_parser()._actions for o in a.option_strings}


def test_the_scan_sees_the_hints_that_name_commands():
    texts = [t for _, t in MESSAGES]
    assert any("scripts/run --console" in t for t in texts)  # DISCORD_TOKEN is not set
    assert any("scripts/setup train" in t for t in texts)  # python -m index train
    assert any("scripts/setup bench" in t for t in texts)  # tantivy for the bench


@pytest.mark.parametrize("where,text", [m for m in MESSAGES if "scripts/" in m[1]])
def test_a_named_script_exists_with_its_extra_or_option(where, text):
    for name, rest in re.findall(r"scripts/(\w+)((?: [-\w]+)*)", text):
        assert (ROOT / "scripts" / name).is_file(), f"{where}: no scripts/{name}"
        words = rest.split()
        if name == "setup":
            assert words and all(w in EXTRAS for w in words), f"{where}: {text!r}"
        if name == "run":
            options = [w for w in words if w.startswith("-")]
            assert all(o in BOT_OPTIONS for o in options), f"{where}: {text!r}"


def test_no_message_names_a_command_that_needs_the_venv_active():
    wrong = [
        (where, text)
        for where, text in MESSAGES
        if "pip install" in text or re.search(r"python -m bot\b", text)
    ]
    assert wrong == []
