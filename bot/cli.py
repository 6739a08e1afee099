"""`python -m bot`: one parser for running the bot, the console, and registering commands."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import io
import logging
import os
import sys
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import aiohttp
import discord

from bot.settings import Settings, SettingsError, load_settings
from index import VerbatimError, open_index
from index.read import extract, workers

log = logging.getLogger("bot")

REJECTED_TOKEN = (
    "Discord rejected DISCORD_TOKEN: copy the token again from the Developer Portal "
    "(your application → Bot → Reset Token) into .env"
)
INTENT_MISSING = (
    "VERBATIM_MESSAGE_CONTENT is on but the Message Content intent is not enabled: enable it in "
    "the Developer Portal (your application → Bot → Privileged Gateway Intents), or turn the "
    "setting off"
)


def create_parser() -> argparse.ArgumentParser:
    """The command line: run the bot (default), `--console`, or `sync`."""
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Verbatim: answer questions about a folder of documents by quoting them.",
    )
    parser.add_argument(
        "--console",
        action="store_true",
        help="answer lines from standard input in the terminal, without Discord",
    )
    parser.add_argument("--docs", metavar="DIR", help="documents folder (default VERBATIM_DOCS)")
    parser.add_argument("--index", metavar="DIR", help="index folder (default VERBATIM_INDEX)")
    commands = parser.add_subparsers(dest="command", metavar="{sync,stats,feedback}")
    sync = commands.add_parser(
        "sync", help="register the slash commands with Discord (once, and after they change)"
    )
    sync.add_argument(
        "--guild",
        metavar="ID",
        type=int,
        help="register in this server only (instant; for development) instead of globally",
    )
    stats = commands.add_parser(
        "stats", help="questions asked, share answered, unanswered and voted-down (the log)"
    )
    stats.add_argument("--guild", metavar="ID", type=int, help="one server only (default: all)")
    feedback = commands.add_parser("feedback", help="the 👍/👎 votes")
    feedback.add_argument(
        "--export",
        metavar="FILE",
        required=True,
        help="write every vote as JSON lines (- : stdout)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run what the arguments ask; errors are one line on stderr and a non-zero exit."""
    args = create_parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        return _fail(error, 2)
    if args.docs:
        settings = dataclasses.replace(settings, docs=Path(args.docs))
    if args.index:
        settings = dataclasses.replace(settings, index_dir=Path(args.index))
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("watchfiles").setLevel(logging.WARNING)  # one line per change otherwise
    extract.set_time_limit(settings.read_timeout)
    try:
        if args.command == "sync":
            return _discord(_sync(settings, settings.require_token(), args.guild))
        if args.command in ("stats", "feedback"):
            return _state(settings, args)
        if args.console:
            return _console(settings)
        return _run(settings)
    except SettingsError as error:
        return _fail(error, 2)
    except VerbatimError as error:
        return _fail(error, 1)


def _fail(error: Exception | str, code: int) -> int:
    print(f"error: {error}", file=sys.stderr)
    return code


def _open(settings: Settings):
    index = open_index(
        settings.docs,
        settings.index_dir,
        progress=sys.stderr.isatty(),
        docs_url=settings.docs_url,
        language=settings.language,
    )
    print(index.report.summary(), file=sys.stderr)
    for warning in index.report.warnings:  # "serving from memory" among them
        print(f"warning: {warning}", file=sys.stderr)
    return index


def _database(settings: Settings):
    from bot.db import Database

    return Database(settings.db_target(), retention_days=settings.log_days)


def _state(settings: Settings, args: argparse.Namespace) -> int:
    """`stats` and `feedback --export`: read the database."""
    from bot.db import Unavailable
    from bot.render import stats_cards, to_text

    db = _database(settings)
    try:
        if args.command == "stats":
            cards = stats_cards(db.stats(args.guild), settings.log_days, markdown=False)
            print("\n\n".join(to_text(c) for c in cards))
            return 0
        if args.export == "-":
            count = db.export_votes(sys.stdout)
        else:
            try:
                with open(args.export, "w", encoding="utf-8") as out:
                    count = db.export_votes(out)
            except OSError as error:
                return _fail(f"cannot write {args.export}: {error.strerror or error}", 1)
        print(f"Exported {count} votes.", file=sys.stderr)
        return 0
    except Unavailable as error:
        return _fail(error, 1)
    finally:
        db.close()


def _console(settings: Settings) -> int:
    from bot import collections
    from bot.console import Console, run_console

    if settings.watch:  # a file dropped in is read by a worker that is already up
        workers.warm()

    registry = collections.from_settings(settings)
    index = _open(settings) if settings.collections is None else None
    console = Console(index, settings, registry=registry, db=_database(settings))
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")  # a stray byte is a �, not a traceback
    stop = threading.Event()
    if settings.watch:  # new, changed and removed documents are answered from as they land
        threading.Thread(
            target=registry.watch,
            args=(stop, lambda line: print(f"verbatim: {line}", file=sys.stderr, flush=True)),
            name="verbatim-watch",
            daemon=True,
        ).start()
    try:
        return run_console(console, sys.stdin, sys.stdout)
    except BrokenPipeError:  # the reader went away (`... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        stop.set()


def _run(settings: Settings) -> int:
    from bot.client import create_bot, freeze_startup_objects

    token = settings.require_token()  # before the index: a missing token should fail fast
    if settings.watch:  # a file dropped in is read by a worker that is already up
        workers.warm()
    freeze_startup_objects()
    # Without a collections file the one collection is opened now, as before; with one, each
    # collection is opened when first asked.
    bot = create_bot(settings, _open(settings) if settings.collections is None else None)
    return _discord(_start(bot, token))


async def _start(bot, token: str) -> None:
    async with bot:
        bot.start_watching()
        await bot.start(token)


async def _sync(settings: Settings, token: str, guild_id: int | None) -> None:
    from bot.client import VerbatimBot

    bot = VerbatimBot(settings, None)  # registering commands needs no documents
    async with bot:
        await bot.login(token)
        if guild_id is None:
            synced = await bot.tree.sync()
            where = "globally (they can take a few minutes to appear)"
        else:
            guild = discord.Object(guild_id)
            bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
            where = f"in server {guild_id}"
    names = ", ".join(f"/{c.name}" for c in synced)
    print(f"Registered {len(synced)} slash commands {where}: {names}")


def _discord(work: Coroutine[Any, Any, None]) -> int:
    """Run `work`, turning Discord's refusals into one line instead of a traceback."""
    try:
        asyncio.run(work)
    except discord.LoginFailure:
        return _fail(REJECTED_TOKEN, 1)
    except discord.PrivilegedIntentsRequired:
        return _fail(INTENT_MISSING, 1)
    except (aiohttp.ClientConnectionError, TimeoutError) as error:
        return _fail(f"cannot reach Discord ({error.__class__.__name__}); check the network", 1)
    except KeyboardInterrupt:
        pass
    return 0
