"""The connection under every table: opening (and migrating) the file, the lock, the one-line
reasons it cannot be used, the salted user hash, and what the retention deletes."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from bot.db.schema import MIGRATIONS, SCHEMA
from index.analysis.tokens import terms

log = logging.getLogger(__package__)  # "bot.db": the name its lines had before the split
T = TypeVar("T")

DAY = 86_400
PURGE_EVERY = 3600  # seconds between deletions of rows older than the retention


class Unavailable(RuntimeError):
    """The database cannot be used; the message says why in one line."""


def _text(value: str) -> str:
    """`value` as SQLite can store it: a lone UTF-16 surrogate (from a hostile client) becomes ?."""
    return value.encode("utf-8", "replace").decode("utf-8")


def question_key(question: str) -> str:
    """What makes two questions "the same" for votes: their stemmed words, sorted and unique."""
    return " ".join(sorted(set(terms(question))))


class Store:
    """The state file's connection; safe to call from several threads (one connection behind a
    lock). The tables' methods are in the classes `Database` is made of."""

    def __init__(self, target: str | Path, *, retention_days: int = 30, timeout: float = 2.0):
        self.target = str(target)
        self.retention_days = retention_days
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._salt = ""
        self._purged = 0.0
        self._told: set[str] = set()
        self.problem: str | None = None
        try:
            self._open(timeout)
        except (sqlite3.Error, OSError, Unavailable) as error:
            self.problem = self._why(error)
            log.error("%s", self.problem)
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    @property
    def available(self) -> bool:
        """Whether the database opened; calls may still fail later (a lock held elsewhere)."""
        return self._conn is not None

    def _open(self, timeout: float) -> None:
        uri = self.target.startswith("file:")
        if not uri:
            Path(self.target).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.target, timeout=timeout, uri=uri, check_same_thread=False, isolation_level=None
        )
        self._conn = conn
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA:
            raise Unavailable(
                f"is from a newer Verbatim (schema {version}; this one knows up to {SCHEMA})"
            )
        if version < SCHEMA or not uri:
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")  # WAL: safe against corruption, fast commits
        for number in range(version, SCHEMA):
            with self._transaction(conn):
                conn.executescript(f"BEGIN IMMEDIATE;{MIGRATIONS[number]}")
                if number == 0:
                    conn.execute("INSERT INTO meta VALUES ('salt', ?)", (secrets.token_hex(16),))
                conn.execute(f"PRAGMA user_version = {number + 1}")
        self._salt = conn.execute("SELECT value FROM meta WHERE key = 'salt'").fetchone()[0]

    @staticmethod
    def _transaction(conn: sqlite3.Connection):
        return _Transaction(conn)

    def _why(self, error: BaseException) -> str:
        text = str(error)
        if "locked" in text or "busy" in text:
            reason = "is locked by another program"
        elif "readonly" in text or "read-only" in text:
            reason = "is read-only"
        elif isinstance(error, Unavailable):
            reason = text
        else:
            reason = f"cannot be used ({text})"
        return (
            f"the database {self.target} {reason}: answering goes on, but collections choices, "
            "votes, follow-ups and /stats are unavailable (set VERBATIM_DB to another file)"
        )

    def user_hash(self, user_id: int) -> str:
        """The salted sha256 of a user id: groups one person's rows without storing who."""
        return hashlib.sha256(f"{self._salt}:{user_id}".encode()).hexdigest()

    def _call(self, work: Callable[[sqlite3.Connection], T], write: bool = False) -> T:
        if self._conn is None:
            raise Unavailable(self.problem or "the database is closed")
        with self._lock:
            try:
                if not write:
                    return work(self._conn)
                with self._transaction(self._conn):
                    self._conn.execute("BEGIN IMMEDIATE")
                    return work(self._conn)
            except sqlite3.Error as error:
                problem = self._why(error)
                if problem not in self._told:  # one line per kind of trouble, not one per call
                    self._told.add(problem)
                    log.error("%s", problem)
                raise Unavailable(problem) from error

    async def run(self, method: Callable[..., T], *args: Any) -> T:
        """Call one of this object's methods in a worker thread, off the event loop."""
        return await asyncio.to_thread(method, *args)

    def close(self) -> None:
        """Close the connection (later calls raise Unavailable)."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
                self.problem = "the database is closed"

    # -- privacy ----------------------------------------------------------------------------------

    def forget(self, user_id: int) -> int:
        """Delete everything logged about one person (questions, what they were shown, votes)."""
        user = self.user_hash(user_id)

        def work(c: sqlite3.Connection) -> int:
            asked = c.execute("DELETE FROM questions WHERE user_hash = ?", (user,)).rowcount
            return asked + c.execute("DELETE FROM votes WHERE user_hash = ?", (user,)).rowcount

        return self._call(work, write=True)

    def purge(self, now: float | None = None) -> int:
        """Delete questions and votes older than the retention; returns how many rows went."""
        cutoff = int((now if now is not None else time.time()) - self.retention_days * DAY)

        def work(c: sqlite3.Connection) -> int:
            asked = c.execute("DELETE FROM questions WHERE time < ?", (cutoff,)).rowcount
            return asked + c.execute("DELETE FROM votes WHERE time < ?", (cutoff,)).rowcount

        self._purged = time.monotonic()
        return self._call(work, write=True)

    def _purge_now_and_then(self) -> None:
        if time.monotonic() - self._purged > PURGE_EVERY or not self._purged:
            self.purge()


class _Transaction:
    """COMMIT when the block ends, ROLLBACK if it raises (the connection is in autocommit mode,
    so each write says BEGIN IMMEDIATE itself: it waits for the write lock up front)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, value, tb) -> None:
        if not self.conn.in_transaction:
            return
        if kind is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
