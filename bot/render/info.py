"""Every card but an answer: the /sources pages, /help, /reload's report, /collection list and
the /stats pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.collections import Spec
from bot.db import Stats
from bot.render.cards import Card
from bot.render.text import DESCRIPTION_LIMIT, SOURCE_LINE_LIMIT, escape, safe_url, shorten, size
from index import BuildReport, Document

SOURCES_PER_PAGE = 10


def sources_cards(documents: Sequence[Document], *, markdown: bool = True) -> list[Card]:
    """The documents as pages of at most SOURCES_PER_PAGE lines each."""
    lines = [_document_line(i, d, markdown) for i, d in enumerate(documents, 1)]
    pages: list[list[str]] = []
    for line in lines:
        page = pages[-1] if pages else None
        if (
            page is None
            or len(page) == SOURCES_PER_PAGE
            or size("\n".join([*page, line])) > DESCRIPTION_LIMIT
        ):
            pages.append([line])
        else:
            page.append(line)
    sentences = sum(d.sentences for d in documents)
    total = f"{len(documents)} document{'s' * (len(documents) != 1)} · {sentences} sentences"
    if not pages:
        return [Card("Sources", "No documents are indexed.", (), total)]
    return [
        Card("Sources", "\n".join(page), (), f"page {n}/{len(pages)} · {total}")
        for n, page in enumerate(pages, 1)
    ]


def _document_line(number: int, document: Document, markdown: bool) -> str:
    count = f"{document.sentences} sentence{'s' * (document.sentences != 1)}"
    url = safe_url(document.source)
    link = "" if url is None else (f" · [link]({url})" if markdown else f" · {url}")
    head = f"**{number}.** " if markdown else f"{number}. "
    title = shorten(document.title, SOURCE_LINE_LIMIT - len(head) - len(count) - 3, markdown)
    return f"{head}{title} · {count}{link}"


def help_card(*, prefix: str, message_commands: bool, passages: int, markdown: bool = True) -> Card:
    """What the bot does and how to ask it."""
    ask_other = (
        f"You can also mention me with a question, or type `{prefix}ask <question>`."
        if message_commands
        else "Mentions and prefix commands are turned off on this server; use /ask."
    )
    description = "\n".join(
        [
            "I answer questions about this server's documents by quoting them word for word: "
            "each answer is a passage with the exact answer in **bold** and a link to its source.",
            "",
            f"**/ask** `question` — the {passages} best passages; add `private: True` to see them "
            "alone. Under an answer, **More** shows the next passages and 👍/👎 tell us whether it "
            "helped.",
            "**/sources** — the documents I know.",
            "**/reload** — re-read the documents (Manage Server only).",
            "**/collection list** — the document collections here; **/collection use** picks "
            "this channel's (Manage Server only).",
            "**/forget** — delete the questions and votes logged from you.",
            "In a thread where I answered, a question follows the earlier ones.",
            "**/help** — this message.",
            "",
            ask_other,
            "Ask in plain words, like: *how many troops will Mexico train?*",
        ]
    )
    if not markdown:
        description = description.replace("**", "").replace("`", "").replace("*", "")
    return Card("Verbatim: answers quoted from the documents", description)


def report_text(report: BuildReport, warnings: int = 3) -> str:
    """The build summary and its first warnings (such as "serving from memory"), on one line."""
    shown = list(report.warnings[:warnings])
    if len(report.warnings) > warnings:
        shown.append(f"{len(report.warnings) - warnings} more warnings")
    return " ".join([report.summary(), *(f"Warning: {w}." for w in shown)])


LINES_PER_PAGE = 10
LINE_LIMIT = 300


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def stats_cards(stats: Stats, log_days: int, *, markdown: bool = True) -> list[Card]:
    """The statistics as pages: the figures first, then what found nothing, then what was voted
    down; each list LINES_PER_PAGE lines a page."""
    rows = []
    for w in stats.windows:
        rows.append(
            f"Last {w.days} days: {w.asked} question{'s' * (w.asked != 1)}, "
            f"{_share(w.found, w.asked)} answered, {_share(w.voted_up, w.asked)} voted 👍, "
            f"{_share(w.voted_down, w.asked)} voted 👎"
        )
    rows.append(f"Questions and votes are kept {log_days} days.")
    summary = "\n".join(rows)
    unanswered = [
        shorten(f"{u.times}× {u.question}", LINE_LIMIT, markdown) for u in stats.unanswered
    ]
    downvoted = [
        shorten(f"{d.voters}× 👎 {d.title} ({d.collection}): {d.excerpt}", LINE_LIMIT, markdown)
        for d in stats.downvoted
    ]
    pages: list[tuple[str, list[str]]] = []
    for title, lines in (
        ("Asked most, found nothing (what the documents should say)", unanswered),
        ("Passages voted down most", downvoted),
    ):
        if not lines:
            lines = ["None in the last 30 days."]
        for lo in range(0, len(lines), LINES_PER_PAGE):
            pages.append((title, lines[lo : lo + LINES_PER_PAGE]))
    cards = []
    for n, (title, lines) in enumerate(pages, 1):
        head = f"**{title}**" if markdown else title
        body = "\n".join([head, *(f"• {line}" for line in lines)])
        if n == 1:  # the figures first, then the first list
            body = f"{summary}\n\n{body}"
        cards.append(Card("Statistics", body[:DESCRIPTION_LIMIT], (), f"page {n}/{len(pages)}"))
    return cards


def collections_card(
    specs: Sequence[Spec],
    here: str | None,
    documents: Mapping[str, int],
    *,
    markdown: bool = True,
) -> Card:
    """The collections a server can use, which one answers here, and how many documents each
    open one holds."""
    lines = []
    for spec in specs:
        name = escape(spec.name) if markdown else spec.name
        line = f"**{name}**" if markdown else name
        if spec.name in documents:
            count = documents[spec.name]
            line += f" · {count} document{'s' * (count != 1)}"
        else:
            line += " · not opened yet"
        url = safe_url(spec.url)
        if url:
            line += f" · {url}"
        if spec.name == here:
            line += " ← answers here"
        lines.append(line)
    description = "\n".join(lines) if lines else "No collection is open to this server."
    footer = "Managers: /collection use NAME" if markdown else "/collection NAME switches"
    return Card("Collections", description[:DESCRIPTION_LIMIT], (), footer)
