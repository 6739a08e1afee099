"""Settings: read at run time from the environment, then `.env`; one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_with_nothing_set(tmp_path):
    assert load_settings({}, dotenv=tmp_path / ".env") == Settings()


def test_every_setting_is_read():
    s = load_settings(
        {
            "DISCORD_TOKEN": " secret ",
            "VERBATIM_DOCS": "/data/docs",
            "VERBATIM_INDEX": "/data/index",
            "VERBATIM_PREFIX": "?",
            "VERBATIM_MESSAGE_CONTENT": "yes",
            "VERBATIM_COLLECTIONS": "/data/collections.toml",
            "VERBATIM_DB": "/data/verbatim.db",
            "VERBATIM_LOG_DAYS": "7",
            "VERBATIM_COOLDOWN_SECONDS": "2.5",
            "VERBATIM_ALLOWED_CHANNELS": "1, 2,3",
            "VERBATIM_OWNER_IDS": "42",
            "VERBATIM_PASSAGES": "5",
            "VERBATIM_BUTTON_TIMEOUT": "60",
            "VERBATIM_LOG_LEVEL": "debug",
            "VERBATIM_WATCH": "off",
            "VERBATIM_SHARDS": "0-3/8",
        },
        dotenv=None,
    )
    assert s == Settings(
        token="secret",
        docs=Path("/data/docs"),
        index_dir=Path("/data/index"),
        prefix="?",
        message_content=True,
        collections=Path("/data/collections.toml"),
        db=Path("/data/verbatim.db"),
        log_days=7,
        cooldown_seconds=2.5,
        allowed_channels=frozenset({1, 2, 3}),
        owner_ids=frozenset({42}),
        passages=5,
        button_timeout=60,
        log_level="DEBUG",
        watch=False,
        shards=((0, 1, 2, 3), 8),
    )


def test_environment_wins_over_dotenv(tmp_path):
    env = tmp_path / ".env"
    env.write_text("DISCORD_TOKEN=from-file\nVERBATIM_PASSAGES=4\nVERBATIM_PREFIX=?\n")
    s = load_settings({"VERBATIM_PASSAGES": "2"}, dotenv=env)
    assert (s.token, s.passages, s.prefix) == ("from-file", 2, "?")


def test_env_example_loads_as_the_defaults():
    assert load_settings({}, dotenv=ROOT / ".env.example") == Settings()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("VERBATIM_PASSAGES", "0", "whole number from 1 to 10"),
        ("VERBATIM_PASSAGES", "2.5", "whole number from 1 to 10"),
        ("VERBATIM_COOLDOWN_SECONDS", "-1", "number from 0 to 3600"),
        ("VERBATIM_COOLDOWN_SECONDS", "soon", "number from 0 to 3600"),
        ("VERBATIM_BUTTON_TIMEOUT", "3600", "number from 10 to 840"),
        ("VERBATIM_MESSAGE_CONTENT", "maybe", "true or false"),
        ("VERBATIM_ALLOWED_CHANNELS", "#general", "ids (numbers) separated by commas"),
        ("VERBATIM_OWNER_IDS", "me", "ids (numbers) separated by commas"),
        ("VERBATIM_PREFIX", "a b", "1 to 5 characters"),
        ("VERBATIM_PREFIX", "toolong", "1 to 5 characters"),
        ("VERBATIM_LOG_LEVEL", "loud", "DEBUG, INFO, WARNING, ERROR"),
        ("VERBATIM_WATCH", "sometimes", "true or false"),
        ("VERBATIM_SHARDS", "4", "SHARDS/COUNT like 0-3/8"),
        ("VERBATIM_SHARDS", "0-9/8", "shard ids must be from 0 to 7"),
        ("VERBATIM_SHARDS", "3-1/8", "shard ids must be from 0 to 7"),
    ],
)
def test_invalid_values_are_one_line_naming_the_setting(name, value, says):
    with pytest.raises(SettingsError) as error:
        load_settings({name: value}, dotenv=None)
    message = str(error.value)
    assert message.startswith(name) and says in message and "\n" not in message
    assert repr(value) in message


def test_missing_token_says_where_to_set_it():
    with pytest.raises(SettingsError) as error:
        Settings().require_token()
    assert "DISCORD_TOKEN" in str(error.value) and ".env.example" in str(error.value)
    assert "--console" in str(error.value)


def test_the_token_is_not_in_the_repr():
    assert "hunter2" not in repr(Settings(token="hunter2"))


def test_nothing_is_read_at_import():
    env = {**os.environ, "VERBATIM_PASSAGES": "not a number", "DISCORD_TOKEN": ""}
    code = (
        "import bot.answering, bot.cli, bot.client, bot.commands, bot.console, bot.render, "
        "bot.settings"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
