"""`python -m bot`: the console end to end, and one-line errors for settings and tokens.

A rejected token is tested against a local HTTP server that answers like Discord does (401), so
discord.py's real login path runs; nothing reaches Discord.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import discord
import pytest

from bot.cli import create_parser, main

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "MTIz.fake-token-for-tests.never-shown"
VARS = ("DISCORD_TOKEN", "VERBATIM_DOCS", "VERBATIM_INDEX", "VERBATIM_PASSAGES", "VERBATIM_PREFIX")


@pytest.fixture
def env(monkeypatch, tmp_path, docs):
    """A clean working folder (no .env) and environment, answering from the test documents."""
    monkeypatch.chdir(tmp_path)
    for name in VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VERBATIM_DOCS", str(docs))
    monkeypatch.setenv("VERBATIM_INDEX", str(tmp_path / "index"))
    return monkeypatch


class FakeDiscord(BaseHTTPRequestHandler):
    """Answers every request as Discord answers a bad token."""

    seen: ClassVar[list[tuple[str, str | None]]] = []

    def _reject(self) -> None:
        FakeDiscord.seen.append((self.path, self.headers.get("Authorization")))
        body = json.dumps({"message": "401: Unauthorized", "code": 0}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _reject

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def discord_rejects(monkeypatch):
    """Point discord.py's REST calls at a local server that rejects every token."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeDiscord)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeDiscord.seen = []
    monkeypatch.setattr(
        discord.http.Route, "BASE", f"http://127.0.0.1:{server.server_port}/api/v10"
    )
    yield FakeDiscord.seen
    server.shutdown()
    server.server_close()


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    return lines[0]


def test_missing_token_is_one_line_and_exit_2(env, capsys):
    assert main([]) == 2
    out, err = capsys.readouterr()
    line = one_line(err)
    assert line.startswith("error: DISCORD_TOKEN is not set")
    assert ".env.example" in line and "--console" in line and out == ""


def test_invalid_setting_is_one_line_and_exit_2(env, capsys):
    env.setenv("VERBATIM_PASSAGES", "many")
    assert main(["--console"]) == 2
    assert one_line(capsys.readouterr().err).startswith("error: VERBATIM_PASSAGES must be")


def test_missing_documents_is_one_line_and_exit_1(env, capsys, tmp_path):
    assert main(["--console", "--docs", str(tmp_path / "nowhere")]) == 1
    line = one_line(capsys.readouterr().err)
    assert line.startswith("error: documents folder") and "nowhere" in line


def test_rejected_token_is_one_line_without_traceback(env, capsys, caplog, discord_rejects):
    env.setenv("DISCORD_TOKEN", TOKEN)
    assert main([]) == 1
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: Discord rejected DISCORD_TOKEN")
    assert "Traceback" not in err
    assert lines[0].startswith(("Built index", "Loaded index"))  # the index came first
    assert discord_rejects == [("/api/v10/users/@me", f"Bot {TOKEN}")]
    assert TOKEN not in out + err + caplog.text


def test_token_from_dotenv_file(env, capsys, discord_rejects, tmp_path):
    (tmp_path / ".env").write_text(f"DISCORD_TOKEN={TOKEN}\n")
    assert main(["sync", "--guild", "123"]) == 1  # it was read, and (fake) Discord rejected it
    assert discord_rejects[0][1] == f"Bot {TOKEN}"
    assert TOKEN not in capsys.readouterr().err


def test_sync_needs_a_token(env, capsys):
    assert main(["sync"]) == 2
    assert "DISCORD_TOKEN" in one_line(capsys.readouterr().err)


def test_sync_arguments():
    args = create_parser().parse_args(["sync", "--guild", "123"])
    assert (args.command, args.guild) == ("sync", 123)
    assert create_parser().parse_args([]).command is None
    with pytest.raises(SystemExit):
        create_parser().parse_args(["sync", "--guild", "general"])


def test_console_through_main(env, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("how many troops will Mexico train?\n\n/help\n"))
    assert main(["--console"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("how many troops will Mexico train?\n\n1. ")
    assert "**700**" in out and "Verbatim: answers quoted from the documents" in out
    assert one_line(err).startswith(("Built index of 3 documents", "Loaded index of 3 documents"))


def test_console_end_to_end_in_a_subprocess(tmp_path, docs):
    lines = [
        "how many troops will Mexico train?",
        "/more",
        "/ask who do I ping when the first frost comes?",
        "/sources",
        "/ask    ",
        "zebra quantum xylophone",
        "/frobnicate",
        "/help",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "VERBATIM"))}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "--console",
            "--docs",
            str(docs),
            "--index",
            str(tmp_path / "index"),
        ],
        input="\n".join(lines),  # no newline at the end: the last line still counts
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    in_order(
        done.stdout,
        "how many troops will Mexico train?\n\n1. ",
        "**700**",
        "CNN · https://ctninfo.com/?p=35770&preview=true",
        "(passages 1–3 · ",
        "\n4. ",
        "(passages 4–6 · ",
        "<@123> and <@&456> and @everyone",  # shown as written in a terminal
        "Sources\n\n1. ",
        "Garden *notes* for @everyone",
        "3 documents",
        "empty",  # the blank /ask: the core says what to do
        "zebra quantum xylophone\n\nNothing in the documents answers",
        "Unknown command /frobnicate",
        "Verbatim: answers quoted from the documents",
    )
    assert "Traceback" not in done.stderr


def in_order(text: str, *parts: str) -> None:
    """Each part occurs in `text` after the one before it."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} not found after position {at} in:\n{text}"
        at = found + len(part)
