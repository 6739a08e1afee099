"""Contracts with the docs: the slash commands, settings and CLI are what the README says."""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import create_parser
from bot.client import VerbatimBot
from bot.gate import QUESTION_LIMIT
from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
OPTION_TYPES = {3: "text", 4: "int", 5: "bool", 10: "number"}


def readme() -> str:
    """The README, where the bot's commands, settings and command line are documented."""
    return (ROOT / "README.md").read_text(encoding="utf-8")


def registered_commands() -> list[dict]:
    """The slash-command payload `python -m bot sync` sends to Discord."""

    async def build() -> list[dict]:
        bot = VerbatimBot(Settings(), None)
        await bot.setup_hook()
        payload = [c.to_dict(bot.tree) for c in bot.tree.get_commands()]
        await bot.close()
        return payload

    return asyncio.run(build())


def documented_commands() -> dict[str, list[tuple[str, str, bool]]]:
    """From the README's commands table: name (with its subcommand) → [(option, type, required)]."""
    found = {}
    table = r"^\| `/(\w+(?: [a-z-]+)?)((?: \[?\w+:<\w+>\]?)*)` \|"
    for name, options in re.findall(table, readme(), re.M):
        found[name] = [
            (opt, kind, not optional)
            for optional, opt, kind in re.findall(r"(\[?)(\w+):<(\w+)>", options)
        ]
    return found


def flattened(commands: list[dict]) -> list[dict]:
    """Commands with a group's subcommands (option type 1) as commands named "group sub"."""
    out = []
    for c in commands:
        subs = [o for o in c["options"] if o["type"] == 1]
        out += [
            {**o, "name": f"{c['name']} {o['name']}", "options": o.get("options", [])} for o in subs
        ]
        if not subs:
            out.append(c)
    return out


def test_slash_commands_are_as_documented():
    payload = flattened(registered_commands())
    actual = {
        c["name"]: [(o["name"], OPTION_TYPES[o["type"]], o["required"]) for o in c["options"]]
        for c in payload
    }
    assert actual == documented_commands()
    assert actual["ask"] == [("question", "text", True), ("private", "bool", False)]


def test_slash_commands_fit_discords_rules():
    for command in registered_commands():
        assert re.fullmatch(r"[a-z0-9_-]{1,32}", command["name"])
        assert 1 <= len(command["description"]) <= 100
        for option in command["options"]:
            assert re.fullmatch(r"[a-z0-9_-]{1,32}", option["name"])
            assert 1 <= len(option["description"]) <= 100
    ask = next(c for c in registered_commands() if c["name"] == "ask")
    assert ask["options"][0]["max_length"] == QUESTION_LIMIT <= 6000
    reload = next(c for c in registered_commands() if c["name"] == "reload")
    assert reload["default_member_permissions"] == 32  # Manage Server


def setting_names() -> set[str]:
    source = (ROOT / "bot" / "settings.py").read_text(encoding="utf-8")
    return set(re.findall(r'"(DISCORD_TOKEN|VERBATIM_[A-Z_]+)"', source))


def test_every_setting_is_in_env_example_and_readme():
    names = setting_names()
    assert {"DISCORD_TOKEN", "VERBATIM_DOCS", "VERBATIM_WATCH"} <= names  # the pattern finds them
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert set(re.findall(r"^([A-Z_]+)=", example, re.M)) == names
    for name in names:
        # a comment explains each one, on the lines just above it
        assert re.search(rf"^# .+\n(?:#.*\n)*{name}=", example, re.M), name
    documented = set(re.findall(r"^\| `((?:DISCORD|VERBATIM)_[A-Z_]+)` \|", readme(), re.M))
    assert documented == names


@pytest.mark.parametrize("flag", ["--console", "--docs", "--index", "sync", "--guild"])
def test_every_cli_word_is_in_the_readme(flag):
    parser = create_parser()
    words = {s for a in parser._actions for s in a.option_strings}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            words |= set(action.choices)
            for sub in action.choices.values():
                words |= {s for a in sub._actions for s in a.option_strings}
    assert flag in words - {"-h", "--help"}
    assert flag in readme()


def test_the_core_does_not_import_discord():
    code = "import sys, index; sys.exit('discord' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
