"""The bot's state in SQLite: channel bindings, the question log, votes. The only package with SQL.

Every method is blocking: the bot calls them through `Database.run` (a worker thread), never on
the event loop. User ids are stored only as a salted sha256 (the salt lives in the database, so
a copied log cannot be matched against known ids without it). If the file cannot be used
(locked, read-only, written by a newer Verbatim), the reason is logged once and every call
raises `Unavailable`: the bot goes on answering, without its state.

schema.py     the tables, as numbered migrations
store.py      the connection: opening and migrating, the lock, `Unavailable`, the retention
questions.py  channel bindings and the question log (what follow-ups read back)
votes.py      votes, the boosts they give, their export
stats.py      what /stats shows
"""

from bot.db.questions import QuestionLog, Turn
from bot.db.schema import MIGRATIONS, SCHEMA
from bot.db.stats import Downvoted, Reports, Stats, Unanswered, Window
from bot.db.store import DAY, PURGE_EVERY, Unavailable, question_key
from bot.db.votes import EXCERPT, VOTERS_NEEDED, Votes

__all__ = [
    "DAY",
    "EXCERPT",
    "MIGRATIONS",
    "PURGE_EVERY",
    "SCHEMA",
    "VOTERS_NEEDED",
    "Database",
    "Downvoted",
    "Stats",
    "Turn",
    "Unanswered",
    "Unavailable",
    "Window",
    "question_key",
]


class Database(QuestionLog, Votes, Reports):
    """The state file; safe to call from several threads (one connection behind a lock)."""
