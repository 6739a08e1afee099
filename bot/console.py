"""The console: the bot's commands and rendering in a terminal, one line in, one answer out.

A console session has no threads or replies to say what a question continues, so a question
follows the conversation only when it leans on it (`Index.leans_on`: it says little, in words of
the documents that answered); otherwise it starts a new one. `/new` starts over too.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from typing import TextIO

from bot import collections
from bot.db import Database, Unavailable
from bot.render import (
    answer_card,
    collections_card,
    help_card,
    report_text,
    sources_cards,
    stats_cards,
    to_text,
)
from bot.settings import Settings
from index import Answer, Conversation, Index, VerbatimError

COMMANDS = (
    "/ask",
    "/more",
    "/new",
    "/sources",
    "/reload",
    "/collection",
    "/stats",
    "/help",
    "/quit",
)
QUIT = ("/quit", "/exit")
CONSOLE = 0  # the console's "server" and "channel" in the log (direct messages share it)


class Console:
    """Answers console lines as the bot would answer in Discord."""

    def __init__(
        self,
        index: Index | None,
        settings: Settings,
        load: Callable[[], Index] | None = None,
        *,
        registry: collections.Registry | None = None,
        db: Database | None = None,
    ):
        self.settings = settings
        self.collections = registry or collections.from_settings(settings, load)
        self.collection = self.collections.first
        if index is not None:
            self.collection.index = index
        self.db = db
        self.conversation = Conversation()
        self._following: int | None = None  # the log id of the last question
        self._last: tuple[str, int, Conversation | None] | None = None  # for /more

    @property
    def index(self) -> Index:
        """The index of the session's collection, opened on first use."""
        return self.collection.open()

    def swap(self, index: Index) -> None:
        """Serve a newer index (the watcher calls this from its thread)."""
        self.index = index

    def reply(self, line: str) -> str | None:
        """The text answering one line, or None for a blank line."""
        line = line.strip()
        if not line:
            return None
        command, _, rest = line.partition(" ") if line.startswith("/") else ("/ask", "", line)
        command = command.lower()
        try:
            if command == "/ask":
                return self._ask(rest.strip())
            if command == "/more":
                return self._more()
            if command == "/new":
                self.conversation, self._following, self._last = Conversation(), None, None
                return "A new conversation: the next question follows nothing."
            if command == "/sources":
                return self._sources(rest.strip())
            if command == "/reload":
                report = self.collection.reload()
                return f"Reloaded. {report_text(report)}"
            if command == "/collection":
                return self._collection(rest.strip())
            if command == "/stats":
                return self._stats()
            if command == "/help":
                return to_text(self._help())
        except VerbatimError as error:
            return str(error)
        return f"Unknown command {command}; the commands are {', '.join(COMMANDS)}."

    def _ask(self, question: str) -> str:
        index, context = self.index, self.conversation
        if not context.questions or not index.leans_on(question, context):
            context, self._following = Conversation(), None  # a question of its own
        following = context if context.questions else None
        answer = index.ask(question, self.settings.passages, context=following)
        self._last = (question, len(answer.passages), following) if answer.found else None
        self.conversation = context.after(answer)
        self._log(answer)
        return to_text(answer_card(answer, markdown=False))

    def _log(self, answer: Answer) -> None:
        if self.db is None:
            return
        with contextlib.suppress(Unavailable):  # said once in the log; the answer matters more
            self._following = self.db.log_question(
                guild_id=CONSOLE,
                channel_id=CONSOLE,
                collection=self.collection.spec.name,
                user_id=CONSOLE,
                question=answer.question,
                passages=answer.passages,
                following=self._following,
            )

    def _more(self) -> str:
        if self._last is None:
            return "Ask a question first; /more shows its next passages."
        question, shown, context = self._last
        answer = self.index.ask(question, shown + self.settings.passages, context=context)
        extra = answer.passages[shown:]
        if not extra:
            return "No more passages answer this question."
        self._last = (question, shown + len(extra), context)
        page: Answer = dataclasses.replace(answer, passages=extra)
        return to_text(answer_card(page, first=shown + 1, markdown=False))

    def _sources(self, page: str) -> str:
        """One page of the bot's /sources listing (its cards, 10 documents a page): `/sources N`
        turns to page N, as ◀ ▶ do under the bot's listing."""
        if page and not page.isdigit():
            return f"/sources takes a page number, not {page!r}: /sources 2 shows the second page."
        cards = sources_cards(self.index.documents, markdown=False)
        n = min(max(int(page or 1), 1), len(cards))
        text = to_text(cards[n - 1])
        return text if n == len(cards) else f"{text}\n/sources {n + 1} shows the next page."

    def _collection(self, name: str) -> str:
        everything = list(self.collections)  # the console is the operator: every collection
        if name:
            if name not in self.collections:
                names = ", ".join(c.spec.name for c in everything)
                return f"No collection {name}; there are: {names}."
            self.collection = self.collections.get(name)
            self.conversation, self._following, self._last = Conversation(), None, None
            return f"Now answering from {name} (a new conversation)."
        documents = {c.spec.name: len(c.index.documents) for c in everything if c.index}
        card = collections_card(
            [c.spec for c in everything], self.collection.spec.name, documents, markdown=False
        )
        return to_text(card)

    def _stats(self) -> str:
        try:
            if self.db is None:
                raise Unavailable("no database")
            stats = self.db.stats()
        except Unavailable:
            return "Statistics need the bot's database, which cannot be used (see the log)."
        cards = stats_cards(stats, self.settings.log_days, markdown=False)
        return "\n\n".join(to_text(c) for c in cards)

    def _help(self):
        return help_card(
            prefix=self.settings.prefix,
            message_commands=self.settings.message_content,
            passages=self.settings.passages,
            markdown=False,
        )


def run_console(console: Console, stdin: TextIO, stdout: TextIO) -> int:
    """Answer each line of `stdin` on `stdout` until end of input."""
    interactive = stdin.isatty()
    if interactive:
        print("Ask a question (or /help); end with /quit or Ctrl-D.", file=stdout)
    while True:
        if interactive:
            print("? ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip().lower() in QUIT:
            return 0
        text = console.reply(line)
        if text is not None:
            print(text + "\n", file=stdout, flush=True)
