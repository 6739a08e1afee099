"""/stats and /collection list as cards: pure functions within Discord's limits (see render.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.collections import Spec
from bot.db import Stats
from bot.render import DESCRIPTION_LIMIT, Card, _safe_url, escape, shorten

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
        url = _safe_url(spec.url)
        if url:
            line += f" · {url}"
        if spec.name == here:
            line += " ← answers here"
        lines.append(line)
    description = "\n".join(lines) if lines else "No collection is open to this server."
    footer = "Managers: /collection use NAME" if markdown else "/collection NAME switches"
    return Card("Collections", description[:DESCRIPTION_LIMIT], (), footer)
