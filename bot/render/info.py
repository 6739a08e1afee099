"""Every card but an answer: the /sources pages, /help, /reload's report, /collection list and
the /stats pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.collections import Spec
from bot.db import Stats
from bot.locale import ENGLISH, Words
from bot.render.cards import Card
from bot.render.text import DESCRIPTION_LIMIT, SOURCE_LINE_LIMIT, escape, safe_url, shorten, size
from index import BuildReport, Document

SOURCES_PER_PAGE = 10


def sources_cards(
    documents: Sequence[Document], *, markdown: bool = True, words: Words = ENGLISH
) -> list[Card]:
    """The documents as pages of at most SOURCES_PER_PAGE lines each."""
    lines = [_document_line(i, d, markdown, words) for i, d in enumerate(documents, 1)]
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
    total = " · ".join(
        [
            words.plural("{n} document", "{n} documents", len(documents)),
            words.plural("{n} sentence", "{n} sentences", sentences),
        ]
    )
    title = words("Sources")
    if not pages:
        return [Card(title, words("No documents are indexed."), (), total)]
    return [
        Card(title, "\n".join(page), (), f"{_page(words, n, len(pages))} · {total}")
        for n, page in enumerate(pages, 1)
    ]


def _page(words: Words, n: int, pages: int) -> str:
    return words("page {page}/{pages}", page=n, pages=pages)


def _document_line(number: int, document: Document, markdown: bool, words: Words) -> str:
    count = words.plural("{n} sentence", "{n} sentences", document.sentences)
    url, label = safe_url(document.source), words("link")
    link = "" if url is None else (f" · [{label}]({url})" if markdown else f" · {url}")
    head = f"**{number}.** " if markdown else f"{number}. "
    title = shorten(document.title, SOURCE_LINE_LIMIT - len(head) - len(count) - 3, markdown)
    return f"{head}{title} · {count}{link}"


def help_card(
    *,
    prefix: str,
    message_commands: bool,
    passages: int,
    markdown: bool = True,
    words: Words = ENGLISH,
) -> Card:
    """What the bot does and how to ask it. Command and option names stay English (Discord
    shows them so); the rest is in `words`' language."""
    ask_other = (
        words(
            "You can also mention me with a question, or type `{prefix}ask <question>`.",
            prefix=prefix,
        )
        if message_commands
        else words("Mentions and prefix commands are turned off on this server; use /ask.")
    )
    description = "\n".join(
        [
            words(
                "I answer questions about this server's documents by quoting them word for word: "
                "each answer is a passage with the exact answer in **bold** and a link to its "
                "source."
            ),
            "",
            words.plural(
                "**/ask** `question` — the best passage; add `private: True` to see it alone. "
                "Under an answer, **More** shows the next passages and 👍/👎 tell us whether it "
                "helped.",
                "**/ask** `question` — the {n} best passages; add `private: True` to see them "
                "alone. Under an answer, **More** shows the next passages and 👍/👎 tell us "
                "whether it helped.",
                passages,
            ),
            words("**/sources** — the documents I know."),
            words("**/reload** — re-read the documents (Manage Server only)."),
            words(
                "**/collection list** — the document collections here; **/collection use** picks "
                "this channel's (Manage Server only)."
            ),
            words("**/forget** — delete the questions and votes logged from you."),
            words("In a thread where I answered, a question follows the earlier ones."),
            words("**/help** — this message."),
            "",
            ask_other,
            words("Ask in plain words, like: *how many troops will Mexico train?*"),
        ]
    )
    if not markdown:
        description = description.replace("**", "").replace("`", "").replace("*", "")
    return Card(words("Verbatim: answers quoted from the documents"), description)


def report_text(report: BuildReport, warnings: int = 3, *, words: Words = ENGLISH) -> str:
    """The build summary and its first warnings (such as "serving from memory"), on one line.

    It says what `BuildReport.summary()` says, in `words`' language; the core's reasons (why a
    file was skipped, a warning) stay as the core gives them."""
    shown = list(report.warnings[:warnings])
    if len(report.warnings) > warnings:
        more = len(report.warnings) - warnings
        shown.append(words.plural("{n} more warning", "{n} more warnings", more))
    notes = (words("Warning: {warning}.", warning=w) for w in shown)
    return " ".join([_summary(report, words), *notes])


def _summary(report: BuildReport, words: Words) -> str:
    fields = {
        "documents": words.plural("{n} document", "{n} documents", report.documents),
        "sentences": words.plural("{n} sentence", "{n} sentences", report.sentences),
        "seconds": f"{report.seconds:.2f}",
        "path": report.index_path,
    }
    if report.built:
        line = words("Built index of {documents}, {sentences} in {seconds} s ({path})", **fields)
    elif report.updated:
        line = words("Updated index of {documents}, {sentences} in {seconds} s ({path})", **fields)
    else:
        line = words("Loaded index of {documents}, {sentences} in {seconds} s ({path})", **fields)
    if report.updated:
        changes = words(
            "+{added} added · ~{changed} changed · −{removed} removed",
            added=report.added,
            changed=report.changed,
            removed=report.removed,
        )
        line = f"{changes} · {report.seconds:.1f} s. {line}"
    if report.unsettled:
        line += "; " + words.plural(
            "{n} still being written, taken when they settle",
            "{n} still being written, taken when they settle",
            report.unsettled,
        )
    if report.skipped:
        items = report.skipped_items()
        files = ", ".join(items[:5])
        if len(items) > 5:
            more = len(items) - 5
            files += " " + words.plural("and {n} more", "and {n} more", more)
        line += "; " + words("skipped {n}: {files}", n=len(report.skipped), files=files)
    return line


LINES_PER_PAGE = 10
LINE_LIMIT = 300


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def stats_cards(
    stats: Stats, log_days: int, *, markdown: bool = True, words: Words = ENGLISH
) -> list[Card]:
    """The statistics as pages: the figures first, then what found nothing, then what was voted
    down; each list LINES_PER_PAGE lines a page."""
    rows = []
    for w in stats.windows:
        rows.append(
            words(
                "Last {days} days: {questions}, {answered} answered, {up} voted 👍, "
                "{down} voted 👎",
                days=w.days,
                questions=words.plural("{n} question", "{n} questions", w.asked),
                answered=_share(w.found, w.asked),
                up=_share(w.voted_up, w.asked),
                down=_share(w.voted_down, w.asked),
            )
        )
    rows.append(
        words.plural(
            "Questions and votes are kept {n} day.",
            "Questions and votes are kept {n} days.",
            log_days,
        )
    )
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
        (words("Asked most, found nothing (what the documents should say)"), unanswered),
        (words("Passages voted down most"), downvoted),
    ):
        if not lines:
            lines = [words("None in the last 30 days.")]
        for lo in range(0, len(lines), LINES_PER_PAGE):
            pages.append((title, lines[lo : lo + LINES_PER_PAGE]))
    cards = []
    for n, (title, lines) in enumerate(pages, 1):
        head = f"**{title}**" if markdown else title
        body = "\n".join([head, *(f"• {line}" for line in lines)])
        if n == 1:  # the figures first, then the first list
            body = f"{summary}\n\n{body}"
        footer = _page(words, n, len(pages))
        cards.append(Card(words("Statistics"), body[:DESCRIPTION_LIMIT], (), footer))
    return cards


def collections_card(
    specs: Sequence[Spec],
    here: str | None,
    documents: Mapping[str, int],
    *,
    markdown: bool = True,
    words: Words = ENGLISH,
) -> Card:
    """The collections a server can use, which one answers here, and how many documents each
    open one holds."""
    lines = []
    for spec in specs:
        name = escape(spec.name) if markdown else spec.name
        line = f"**{name}**" if markdown else name
        if spec.name in documents:
            line += " · " + words.plural("{n} document", "{n} documents", documents[spec.name])
        else:
            line += " · " + words("not opened yet")
        url = safe_url(spec.url)
        if url:
            line += f" · {url}"
        if spec.name == here:
            line += " ← " + words("answers here")
        lines.append(line)
    description = "\n".join(lines) if lines else words("No collection is open to this server.")
    if markdown:
        footer = words("Managers: /collection use NAME")
    else:
        footer = words("/collection NAME switches")
    return Card(words("Collections"), description[:DESCRIPTION_LIMIT], (), footer)
