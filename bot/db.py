"""The bot's state in SQLite: channel bindings, the question log, votes. The only module with SQL.

Every method is blocking: the bot calls them through `Database.run` (a worker thread), never on
the event loop. User ids are stored only as a salted sha256 (the salt lives in the database, so
a copied log cannot be matched against known ids without it). If the file cannot be used
(locked, read-only, written by a newer Verbatim), the reason is logged once and every call
raises `Unavailable`: the bot goes on answering, without its state.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from index import Passage
from index.analysis.tokens import terms

log = logging.getLogger(__name__)
T = TypeVar("T")

DAY = 86_400
VOTERS_NEEDED = 3  # different people before votes move a passage for a question
PURGE_EVERY = 3600  # seconds between deletions of rows older than the retention
EXCERPT = 300  # characters of a voted passage kept, for /stats

# Each migration takes the schema from its position to the next; never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE bindings (
        guild_id INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,  -- 0: the server's own choice
        collection TEXT NOT NULL,
        PRIMARY KEY (guild_id, channel_id)
    );
    CREATE TABLE questions (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        guild_id INTEGER NOT NULL,  -- 0: a direct message or the console
        channel_id INTEGER NOT NULL,
        message_id INTEGER,  -- the answer's message, to follow a reply to it
        collection TEXT NOT NULL,
        user_hash TEXT NOT NULL,
        question TEXT NOT NULL,
        key TEXT NOT NULL,  -- the question's stemmed words, sorted and unique
        found INTEGER NOT NULL,
        public INTEGER NOT NULL,  -- 0: the answer was shown to the asker alone
        following INTEGER REFERENCES questions(id) ON DELETE SET NULL
    );
    CREATE INDEX questions_time ON questions(time);
    CREATE INDEX questions_user ON questions(user_hash);
    CREATE INDEX questions_channel ON questions(channel_id, id);
    CREATE INDEX questions_message ON questions(message_id);
    CREATE TABLE shown (
        question_id INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        rank INTEGER NOT NULL,
        document TEXT NOT NULL,
        sentence_start INTEGER NOT NULL,
        PRIMARY KEY (question_id, rank)
    );
    CREATE TABLE votes (
        id INTEGER PRIMARY KEY,
        time INTEGER NOT NULL,
        guild_id INTEGER NOT NULL,
        collection TEXT NOT NULL,
        key TEXT NOT NULL,
        question TEXT NOT NULL,
        document TEXT NOT NULL,
        sentence_start INTEGER NOT NULL,
        title TEXT NOT NULL,
        excerpt TEXT NOT NULL,
        vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
        user_hash TEXT NOT NULL,
        question_id INTEGER REFERENCES questions(id) ON DELETE SET NULL,
        UNIQUE (guild_id, collection, key, document, sentence_start, user_hash)
    );
    CREATE INDEX votes_key ON votes(guild_id, collection, key);
    CREATE INDEX votes_time ON votes(time);
    CREATE INDEX votes_user ON votes(user_hash);
    """,
)
SCHEMA = len(MIGRATIONS)


class Unavailable(RuntimeError):
    """The database cannot be used; the message says why in one line."""


def _text(value: str) -> str:
    """`value` as SQLite can store it: a lone UTF-16 surrogate (from a hostile client) becomes ?."""
    return value.encode("utf-8", "replace").decode("utf-8")


def question_key(question: str) -> str:
    """What makes two questions "the same" for votes: their stemmed words, sorted and unique."""
    return " ".join(sorted(set(terms(question))))


@dataclass(frozen=True)
class Window:
    """Questions asked in the last `days`: how many, and how many found, got a 👍, got a 👎."""

    days: int
    asked: int
    found: int
    voted_up: int
    voted_down: int


@dataclass(frozen=True)
class Unanswered:
    """A question (its latest wording) asked `times` times, with the same words, that found
    nothing."""

    question: str
    times: int


@dataclass(frozen=True)
class Downvoted:
    """A passage voted down by `voters` people, in `collection`."""

    collection: str
    document: str
    title: str
    excerpt: str
    voters: int


@dataclass(frozen=True)
class Stats:
    """What /stats shows."""

    windows: tuple[Window, ...]
    unanswered: tuple[Unanswered, ...]
    downvoted: tuple[Downvoted, ...]


@dataclass(frozen=True)
class Turn:
    """One earlier question of a conversation: its log id, its words, and the (document, best
    sentence start) of the first passage it was answered with, if any."""

    id: int
    question: str
    top: tuple[str, int] | None


class Database:
    """The state file; safe to call from several threads (one connection behind a lock)."""

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

    # -- bindings ---------------------------------------------------------------------------------

    def bindings(self, guild_id: int) -> dict[int, str]:
        """{channel id (0: the whole server): collection name} chosen in a server."""
        rows = self._call(
            lambda c: c.execute(
                "SELECT channel_id, collection FROM bindings WHERE guild_id = ?", (guild_id,)
            ).fetchall()
        )
        return dict(rows)

    def bind(self, guild_id: int, channel_id: int, collection: str) -> bool:
        """Answer in `channel_id` (0: the whole server) from `collection`."""
        self._call(
            lambda c: c.execute(
                "INSERT INTO bindings VALUES (?, ?, ?) ON CONFLICT (guild_id, channel_id) "
                "DO UPDATE SET collection = excluded.collection",
                (guild_id, channel_id, collection),
            ),
            write=True,
        )
        return True

    # -- the question log -------------------------------------------------------------------------

    def log_question(
        self,
        *,
        guild_id: int,
        channel_id: int,
        collection: str,
        user_id: int,
        question: str,
        passages: Sequence[Passage],
        following: int | None = None,
        public: bool = True,
        when: float | None = None,
    ) -> int:
        """Record a question and the passages shown; returns its log id. A question whose answer
        only the asker saw (`public` False) never becomes part of a conversation for others."""
        now = int(when if when is not None else time.time())
        row = (
            now,
            guild_id,
            channel_id,
            collection,
            self.user_hash(user_id),
            _text(question),
            _text(question_key(question)),
            int(bool(passages)),
            int(public),
            following,
        )

        def work(c: sqlite3.Connection) -> int:
            cursor = c.execute(
                "INSERT INTO questions (time, guild_id, channel_id, collection, user_hash, "
                "question, key, found, public, following) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            qid = int(cursor.lastrowid or 0)
            c.executemany(
                "INSERT INTO shown VALUES (?, ?, ?, ?)",
                [(qid, r, _text(p.document), p.sentence_start) for r, p in enumerate(passages)],
            )
            return qid

        qid = self._call(work, write=True)
        self._purge_now_and_then()
        return qid

    def set_message(self, question_id: int, message_id: int) -> None:
        """Remember the message that answered a logged question (replies to it follow it)."""
        self._call(
            lambda c: c.execute(
                "UPDATE questions SET message_id = ? WHERE id = ?", (message_id, question_id)
            ),
            write=True,
        )

    def recent_turns(self, channel_id: int, collection: str, limit: int = 3) -> list[Turn]:
        """The last `limit` questions answered publicly in a channel (a thread) of a collection,
        oldest first."""
        return self._turns(
            "SELECT id FROM questions WHERE channel_id = ? AND collection = ? AND public = 1 "
            "AND found = 1 ORDER BY id DESC LIMIT ?",
            (channel_id, collection, limit),
        )

    def turns_before(self, message_id: int, limit: int = 3) -> tuple[str, list[Turn]] | None:
        """(collection, the conversation up to the answer `message_id`, oldest first), or None
        when that message is not a logged answer."""

        def work(c: sqlite3.Connection) -> tuple[str, list[int]] | None:
            row = c.execute(
                "SELECT id, collection FROM questions WHERE message_id = ?", (message_id,)
            ).fetchone()
            if row is None:
                return None
            ids, qid = [], row[0]
            while qid is not None and len(ids) < limit:
                ids.append(qid)
                parent = c.execute("SELECT following FROM questions WHERE id = ?", (qid,))
                qid = (parent.fetchone() or (None,))[0]
            return row[1], ids

        found = self._call(work)
        if found is None:
            return None
        collection, ids = found
        marks = ",".join("?" * len(ids))
        select = f"SELECT id FROM questions WHERE id IN ({marks}) AND public = 1"
        return collection, self._turns(select, ids)

    def _turns(self, select: str, params: Iterable[Any]) -> list[Turn]:
        def work(c: sqlite3.Connection) -> list[Turn]:
            ids = sorted(r[0] for r in c.execute(select, tuple(params)))
            out = []
            for qid in ids:
                (question,) = c.execute("SELECT question FROM questions WHERE id = ?", (qid,))
                top = c.execute(
                    "SELECT document, sentence_start FROM shown WHERE question_id = ? AND rank = 0",
                    (qid,),
                ).fetchone()
                out.append(Turn(qid, question[0], tuple(top) if top else None))
            return out

        return self._call(work)

    # -- votes ------------------------------------------------------------------------------------

    def vote(
        self,
        *,
        guild_id: int,
        collection: str,
        user_id: int,
        question: str,
        passages: Sequence[Passage],
        vote: str,
        question_id: int | None = None,
        when: float | None = None,
    ) -> int:
        """Record one person's 👍 ("up") or 👎 ("down") on each passage of an answer (a second
        vote by the same person on the same passage for the same question replaces the first)."""
        if vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        now = int(when if when is not None else time.time())
        key, user = _text(question_key(question)), self.user_hash(user_id)
        rows = [
            (now, guild_id, collection, key, _text(question), _text(p.document), p.sentence_start,
             _text(p.title), _text(p.text[:EXCERPT]), 1 if vote == "up" else -1, user, question_id)
            for p in passages
        ]  # fmt: skip
        return self._call(
            lambda c: (
                c.executemany(
                    "INSERT INTO votes (time, guild_id, collection, key, question, document, "
                    "sentence_start, title, excerpt, vote, user_hash, question_id) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (guild_id, collection, key, document, sentence_start, user_hash) "
                    "DO UPDATE SET vote = excluded.vote, time = excluded.time",
                    rows,
                ).rowcount
            ),
            write=True,
        )

    def boosts(
        self, guild_id: int, collection: str, question: str, step: float
    ) -> dict[tuple[str, int], float]:
        """{(document, sentence start): ±step} for passages that VOTERS_NEEDED different people
        voted the same way for this question (same stemmed words) in this server."""
        rows = self._call(
            lambda c: c.execute(
                "SELECT document, sentence_start, vote FROM votes "
                "WHERE guild_id = ? AND collection = ? AND key = ? "
                "GROUP BY document, sentence_start, vote HAVING COUNT(DISTINCT user_hash) >= ?",
                (guild_id, collection, _text(question_key(question)), VOTERS_NEEDED),
            ).fetchall()
        )
        out: dict[tuple[str, int], float] = {}
        for document, start, vote in rows:
            out[(document, start)] = out.get((document, start), 0.0) + step * vote
        return out

    def clear_votes(self, guild_id: int, collection: str) -> int:
        """Delete a server's votes on a collection; returns how many rows went."""
        return self._call(
            lambda c: (
                c.execute(
                    "DELETE FROM votes WHERE guild_id = ? AND collection = ?",
                    (guild_id, collection),
                ).rowcount
            ),
            write=True,
        )

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

    # -- reading it back --------------------------------------------------------------------------

    def stats(self, guild_id: int | None = None, now: float | None = None, top: int = 25) -> Stats:
        """Questions of the last 7 and 30 days, the unanswered asked most, the passages voted
        down most; for one server, or all (`guild_id` None)."""
        now = int(now if now is not None else time.time())
        where, args = ("guild_id = ?", (guild_id,)) if guild_id is not None else ("1", ())

        def work(c: sqlite3.Connection) -> Stats:
            windows = []
            for days in (7, 30):
                since = now - days * DAY
                asked, found = c.execute(
                    f"SELECT COUNT(*), COALESCE(SUM(found), 0) FROM questions "
                    f"WHERE {where} AND time >= ?",
                    (*args, since),
                ).fetchone()
                up, down = (
                    c.execute(
                        f"SELECT COUNT(DISTINCT question_id) "
                        f"FROM votes WHERE {where} AND time >= ? AND vote = ?",
                        (*args, since, vote),
                    ).fetchone()[0]
                    for vote in (1, -1)
                )
                windows.append(Window(days, asked, found, up, down))
            since = now - 30 * DAY
            # SQLite takes a bare column from the MAX(id) row: the latest wording of each
            unanswered = [
                Unanswered(q, n)
                for q, _, n in c.execute(
                    f"SELECT question, MAX(id), COUNT(*) AS n FROM questions "
                    f"WHERE {where} AND time >= ? AND found = 0 "
                    f"GROUP BY key ORDER BY n DESC, MAX(id) DESC LIMIT ?",
                    (*args, since, top),
                )
            ]
            downvoted = [
                Downvoted(*row)
                for row in c.execute(
                    f"SELECT collection, document, MIN(title), MIN(excerpt), "
                    f"COUNT(DISTINCT user_hash) AS n FROM votes "
                    f"WHERE {where} AND time >= ? AND vote = -1 "
                    f"GROUP BY collection, document, sentence_start "
                    f"ORDER BY n DESC, document LIMIT ?",
                    (*args, since, top),
                )
            ]
            return Stats(tuple(windows), tuple(unanswered), tuple(downvoted))

        return self._call(work)

    def export_votes(self, out: Any) -> int:
        """Write every vote as a JSON line to the text file `out`; returns how many."""
        rows = self._call(
            lambda c: c.execute(
                "SELECT time, guild_id, collection, question, document, sentence_start, vote, "
                "user_hash FROM votes ORDER BY id"
            ).fetchall()
        )
        for when, guild, collection, question, document, start, vote, user in rows:
            entry = {
                "time": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(when)),
                "server": guild,
                "collection": collection,
                "question": question,
                "passage": {"document": document, "sentence_start": start},
                "vote": "up" if vote > 0 else "down",
                "user": user,
            }
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        return len(rows)


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
