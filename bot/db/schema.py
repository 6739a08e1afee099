"""The bot's tables, as numbered migrations: the schema version is `PRAGMA user_version`."""

from __future__ import annotations

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
