"""Who may ask where, how much and how often: the channel allow-list, the question's length and
the per-user cooldown."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

from bot.locale import ENGLISH, Words
from index import MAX_QUESTION_CHARS

QUESTION_LIMIT = min(MAX_QUESTION_CHARS, 6000)  # Discord allows string options up to 6000


class Cooldowns:
    """One question per user every `seconds`; `clock` is injectable for tests."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._next: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """0 if the user may ask now (and start their cooldown), else the seconds to wait."""
        if self.seconds <= 0:
            return 0.0
        now = self._clock()
        wait = self._next.get(user_id, now) - now
        if wait > 0:
            return wait
        if len(self._next) > 10_000:  # forget users whose cooldown is over
            self._next = {u: t for u, t in self._next.items() if t > now}
        self._next[user_id] = now + self.seconds
        return 0.0


def channel_ids(channel: Any, channel_id: int | None = None) -> tuple[int | None, ...]:
    """The channel's id and, for a thread, its parent's (a thread of an allowed channel is ok)."""
    return (channel_id or getattr(channel, "id", None), getattr(channel, "parent_id", None))


def channel_refusal(
    channel_ids: Collection[int | None], allowed: Collection[int], words: Words = ENGLISH
) -> str | None:
    """Why the bot will not answer here, or None if it will.

    `channel_ids` are the channel's id and, for a thread, its parent's: a thread of an allowed
    channel is allowed.
    """
    if not allowed or any(c in allowed for c in channel_ids):
        return None
    listed = ", ".join(f"<#{c}>" for c in sorted(allowed)[:5])
    return words("I only answer in these channels: {channels}.", channels=listed)


def cooldown_refusal(wait: float, words: Words = ENGLISH) -> str | None:
    """The polite reply to a user asking again too soon, or None."""
    if wait <= 0:
        return None
    if wait < 1:
        return words("Please wait a moment before asking again.")
    seconds = round(wait)
    return words("Please wait {seconds} s before asking again.", seconds=seconds)
