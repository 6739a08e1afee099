"""Votes: one person's 👍 or 👎 on the passages of an answer, the boosts they add once enough
people agree, and their export."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

from bot.db.store import Store, _text, question_key
from index import Passage

VOTERS_NEEDED = 3  # different people before votes move a passage for a question
EXCERPT = 300  # characters of a voted passage kept, for /stats


class Votes(Store):
    """The votes table."""

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
