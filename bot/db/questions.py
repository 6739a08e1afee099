"""Channel bindings and the question log: where each collection answers, what was asked and
shown, and the conversations follow-ups continue."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.db.store import Store, _text, question_key
from index import Passage


@dataclass(frozen=True)
class Turn:
    """One earlier question of a conversation: its log id, its words, and the (document, best
    sentence start) of the first passage it was answered with, if any."""

    id: int
    question: str
    top: tuple[str, int] | None


class QuestionLog(Store):
    """The bindings and question log tables."""

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
