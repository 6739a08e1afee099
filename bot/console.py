"""The console: the bot's commands and rendering in a terminal, one line in, one answer out."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TextIO

from bot.render import answer_card, help_card, report_text, sources_cards, to_text
from bot.settings import Settings
from index import Answer, Index, VerbatimError, open_index

COMMANDS = ("/ask", "/more", "/sources", "/reload", "/help")


class Console:
    """Answers console lines as the bot would answer in Discord."""

    def __init__(self, index: Index, settings: Settings, load: Callable[[], Index] | None = None):
        self.index = index
        self.settings = settings
        self._load = load or (
            lambda: open_index(settings.docs, settings.index_dir, docs_url=settings.docs_url)
        )
        self._last: tuple[str, int] | None = None  # the last question and how many it showed

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
            if command == "/sources":
                return "\n\n".join(
                    to_text(c) for c in sources_cards(self.index.documents, markdown=False)
                )
            if command == "/reload":
                self.index = self._load()
                return f"Reloaded. {report_text(self.index.report)}"
            if command == "/help":
                return to_text(self._help())
        except VerbatimError as error:
            return str(error)
        return f"Unknown command {command}; the commands are {', '.join(COMMANDS)}."

    def _ask(self, question: str) -> str:
        answer = self.index.ask(question, self.settings.passages)
        self._last = (question, len(answer.passages)) if answer.found else None
        return to_text(answer_card(answer, markdown=False))

    def _more(self) -> str:
        if self._last is None:
            return "Ask a question first; /more shows its next passages."
        question, shown = self._last
        answer = self.index.ask(question, shown + self.settings.passages)
        extra = answer.passages[shown:]
        if not extra:
            return "No more passages answer this question."
        self._last = (question, shown + len(extra))
        page: Answer = dataclasses.replace(answer, passages=extra)
        return to_text(answer_card(page, first=shown + 1, markdown=False))

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
        print("Ask a question (or /help); end with Ctrl-D.", file=stdout)
    while True:
        if interactive:
            print("? ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            return 0
        text = console.reply(line)
        if text is not None:
            print(text + "\n", file=stdout, flush=True)
