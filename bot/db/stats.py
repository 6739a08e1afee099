"""What /stats and `python -m bot stats` read back: questions asked, found and voted in the last
7 and 30 days, what found nothing, and the passages voted down."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from bot.db.store import DAY, Store


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


class Reports(Store):
    """The statistics over the question log and the votes."""

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
