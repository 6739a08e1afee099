"""Votes on answers, appended as JSON lines; users are stored only as a hash of their id."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from index import Passage


def user_hash(user_id: int) -> str:
    """The sha256 of a Discord user id, so votes can be grouped without storing who voted."""
    return hashlib.sha256(str(user_id).encode()).hexdigest()


class FeedbackLog:
    """An append-only JSON-lines file of 👍/👎 votes; safe to call from several threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def record(
        self,
        question: str,
        passages: Sequence[Passage],
        vote: str,
        user_id: int,
        when: datetime | None = None,
    ) -> dict:
        """Append one vote ("up" or "down") and return the record written."""
        if vote not in ("up", "down"):
            raise ValueError(f"vote must be 'up' or 'down', not {vote!r}")
        entry = {
            "time": (when or datetime.now(UTC)).isoformat(timespec="seconds"),
            "question": question,
            "passages": [{"document": p.document, "start": p.start} for p in passages],
            "vote": vote,
            "user": user_hash(user_id),
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)
        return entry
