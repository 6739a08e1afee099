"""Answers, sources and help as cards: pure functions that keep within Discord's limits.

A `Card` is what an embed says (title, description, fields, footer). `to_embed` turns it into a
`discord.Embed`; `to_text` prints it for the console. With `markdown=True` (Discord) document
text is escaped so it cannot change the formatting; the words themselves are never altered.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import discord

from index import Answer, BuildReport, Document, Passage

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
MESSAGE_LIMIT = 2000

ELLIPSIS = "…"
MIN_QUOTE = 240  # a passage shorter than this says too little: show fewer passages instead
URL_LIMIT = 400  # longer source links are shown as the document id instead
SOURCES_PER_PAGE = 10
SOURCE_LINE_LIMIT = 360
COLOUR = 0x5865F2

# A link is left as written (stars and underscores included) up to a backtick, a bar or `~~`, which
# real links do not hold: those are escaped like any other text, so a link cannot open a code span
# or a spoiler that a later one closes.
_URL = re.compile(r"https?://(?:[^\s`|~]|~(?!~))+")
_SPECIAL = re.compile(r"[\\*_~|`\[\]<]")
# Control characters (a NUL or an escape sequence in a question) and halves of UTF-16 pairs (no
# JSON or terminal takes them) are shown as �; embeddings, overrides and isolates, which would
# reorder the rest of the line, are dropped. Words are kept.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LINE_MARK = re.compile(r"^(\s*)([>#+\-])|^(\s*\d+)(\.\s)", re.MULTILINE)


@dataclass(frozen=True)
class Field:
    """One named block of a card: a passage, or a page of sources."""

    name: str
    value: str


@dataclass(frozen=True)
class Card:
    """What one embed says; every part already within Discord's limits."""

    title: str
    description: str = ""
    fields: tuple[Field, ...] = ()
    footer: str = ""


def size(text: str) -> int:
    """Length as Discord may count it: UTF-16 code units (never less than characters)."""
    return len(text.encode("utf-16-le")) // 2


def card_size(card: Card) -> int:
    """The total Discord counts against EMBED_TOTAL_LIMIT."""
    parts = [card.title, card.description, card.footer]
    parts += [f.name for f in card.fields] + [f.value for f in card.fields]
    return sum(size(p) for p in parts)


def escape(text: str, line_start: bool = True) -> str:
    """`text` with Discord markdown, mentions and link syntax shown as written (URLs untouched).

    `line_start` says whether `text` begins a line, where `>`, `#`, `-` and `1.` mean something.
    """
    text = visible(text)
    out, last = [], 0
    for url in _URL.finditer(text):
        out.append(_escape_plain(text[last : url.start()], line_start and last == 0))
        out.append(url.group())
        last = url.end()
    out.append(_escape_plain(text[last:], line_start and last == 0))
    return "".join(out)


def visible(text: str) -> str:
    """`text` without what would act on the display instead of being shown (see _CONTROL)."""
    return _BIDI.sub("", _CONTROL.sub("\ufffd", text))


def _escape_plain(text: str, line_start: bool) -> str:
    text = _SPECIAL.sub(lambda m: "\\" + m.group(), text)

    def mark(m: re.Match[str]) -> str:
        if m.start() == 0 and not line_start:
            return m.group()
        if m.group(2):
            return f"{m.group(1)}\\{m.group(2)}"
        return f"{m.group(3)}\\{m.group(4)}"

    return _LINE_MARK.sub(mark, text)


def shorten(text: str, limit: int, markdown: bool = True, block: bool = False) -> str:
    """`text` on one line (escaped if `markdown`) within `limit`, cut at a word with an ellipsis.

    `block` says the text starts a line of a description, where `#` or `1.` would format it.
    """
    cut = len(text) > 8 * limit  # a longer text cannot fit: don't split all of it
    text = " ".join(visible(text[: 8 * limit] if cut else text).split())
    n = len(text) + cut  # when cut, the end always gets an ellipsis

    def fmt(lo: int, hi: int) -> str:
        body = escape(text[lo:hi], block and lo == 0) if markdown else text[lo:hi]
        return _ellipses(body, lo, hi, n)

    return _fit(text, (0, 0), limit, fmt)


def quote(passage: Passage, limit: int, markdown: bool = True) -> str:
    """The passage as a block quote within `limit`, its answer in bold, cut around the answer."""
    text = passage.text
    keep = _answer_span(passage)

    def fmt(lo: int, hi: int) -> str:
        a0, a1 = (min(max(keep[0], lo), hi), min(max(keep[1], lo), hi)) if keep else (hi, hi)
        parts = []
        for a, b, bold in ((lo, a0, False), (a0, a1, True), (a1, hi, False)):
            if a < b:
                piece = escape(text[a:b], a == 0 or text[a - 1] == "\n") if markdown else text[a:b]
                parts.append(_bold(piece) if bold else piece)
        body = _ellipses("".join(parts), lo, hi, len(text))
        return "\n".join("> " + line for line in body.split("\n"))

    return _fit(text, keep or (0, 0), limit, fmt)


def _ellipses(body: str, lo: int, hi: int, n: int) -> str:
    return ("" if lo == 0 else ELLIPSIS) + body + ("" if hi == n else ELLIPSIS)


def _answer_span(passage: Passage) -> tuple[int, int] | None:
    """The answer's offsets within the passage text, trimmed of spaces; None if there is none."""
    if passage.answer_start is None or passage.answer_end is None:
        return None
    a0, a1 = passage.answer_start - passage.start, passage.answer_end - passage.start
    if not 0 <= a0 < a1 <= len(passage.text):
        return None
    while a0 < a1 and passage.text[a0].isspace():
        a0 += 1
    while a1 > a0 and passage.text[a1 - 1].isspace():
        a1 -= 1
    return (a0, a1) if a0 < a1 else None


def _bold(text: str) -> str:
    """Bold each line of `text` separately (bold cannot cross lines), spaces outside the stars."""
    lines = []
    for line in text.split("\n"):
        core = line.strip()
        if core:
            lead = line[: len(line) - len(line.lstrip())]
            trail = line[len(line.rstrip()) :]
            line = f"{lead}**{core}**{trail}"
        lines.append(line)
    return "\n".join(lines)


def _fit(text: str, keep: tuple[int, int], limit: int, fmt: Callable[[int, int], str]) -> str:
    """The widest window of `text` around `keep` whose `fmt(lo, hi)` fits in `limit`.

    Formatting adds characters (it drops only direction marks), so a window twice the limit wide
    does not fit: starting there keeps a megabyte sentence from being escaped whole on the loop.
    """
    width = min(len(text), 2 * limit)
    while width > 0:
        out = fmt(*_window(text, keep, width))
        if size(out) <= limit:
            return out
        width = min(width - 1, width * limit // size(out))
    return ELLIPSIS[:limit]


def _window(text: str, keep: tuple[int, int], width: int) -> tuple[int, int]:
    """A span of at most `width` characters around `keep`, snapped to whole words when possible."""
    n = len(text)
    a0, a1 = keep
    if width >= n:
        lo, hi = 0, n
    elif a1 - a0 >= width:
        lo, hi = a0, a0 + width  # the answer alone is too long: keep its beginning
    else:
        extra = width - (a1 - a0)
        lo = max(0, a0 - extra // 2)
        hi = min(n, lo + width if lo == 0 else a1 + extra - (a0 - lo))
        lo = max(0, min(lo, hi - width))
    # Snap inward to word boundaries, never into the answer, unless the answer is cut anyway.
    lo_cap, hi_cap = (a0, a1) if a1 > a0 else (hi, lo)
    if a1 - a0 > hi - lo:  # the answer alone is too long: end at a word within it
        hi_cap = lo
    snap_lo = lo
    while 0 < snap_lo < min(lo_cap, hi) and not text[snap_lo - 1].isspace():
        snap_lo += 1
    snap_hi = hi
    while max(hi_cap, snap_lo) < snap_hi < n and not text[snap_hi].isspace():
        snap_hi -= 1
    mid_word = (0 < snap_lo < n and not text[snap_lo - 1].isspace()) or (
        0 < snap_hi < n and not text[snap_hi].isspace()
    )
    if snap_lo < snap_hi and not mid_word:
        lo, hi = snap_lo, snap_hi
    while lo < min(lo_cap, hi) and text[lo].isspace():
        lo += 1
    while max(hi_cap, lo) < hi and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def _source_line(passage: Passage, markdown: bool) -> str:
    """Where the quote is, under it: `handbook.pdf · p. 12 · Returns › Refunds`, then the outlet
    and the link's host (`CNN · ctninfo.com`); the link opens the document at the passage."""
    for keep in ((True, True, True), (False, True, True), (False, False, True), (False,) * 3):
        line = _citation(passage, markdown, *keep)
        if size(line) <= SOURCE_LINE_LIMIT:
            return line
    return shorten(line, SOURCE_LINE_LIMIT, markdown=False)


def _citation(passage: Passage, markdown: bool, section: bool, outlet: bool, linked: bool) -> str:
    url = _safe_url(passage.link or passage.source) if linked else None

    def text(value: str, limit: int) -> str:
        value = shorten(value, limit, markdown=False)
        return escape(value, False) if markdown else value

    own = url is not None and passage.source is not None  # the document's own web address
    name = text(passage.document, 120)
    if url is not None and not own and markdown:
        name = f"[{name}]({url})"
    parts = [name]
    if passage.page is not None:
        parts.append(f"p. {text(passage.page_label or str(passage.page), 20)}")
    if passage.section and section:
        parts.append(text(passage.section, 160))
    if passage.outlet and outlet:
        parts.append(text(passage.outlet, 60))
    if url is not None and (own or not markdown):
        host = urlsplit(url).hostname or "link"
        parts.append(f"[{escape(host)}]({url})" if markdown else url)
    if passage.also_in:
        n = len(passage.also_in)
        parts.append(f"also in {n} other document{'s' * (n != 1)}")
    return " · ".join(parts)


def code_block(passage: Passage, limit: int, markdown: bool = True) -> str:
    """A code passage as a code block within `limit`, cut at a line with an ellipsis; a run of
    three backticks in it is broken by a zero-width space so it cannot close the block."""
    body = visible(passage.text).replace("\t", "    ")
    if markdown:
        body = body.replace("```", "``\u200b`")
    fence = ("```\n", "\n```") if markdown else ("", "")
    room = limit - size(fence[0]) - size(fence[1]) - 2
    if size(body) > room:
        body = body[: max(0, room)]
        while size(body) > room - 2 and body:
            body = body[: len(body) - max(1, (size(body) - room) // 2)]
        cut = body.rfind("\n")
        body = (body[:cut] if cut > 0 else body).rstrip("`") + "\n…"
    if not markdown:
        return "\n".join("    " + line for line in body.split("\n"))
    return fence[0] + body + fence[1]


def _safe_url(url: str | None) -> str | None:
    """An http(s) link that cannot break a markdown link, or None."""
    if not url or len(url) > URL_LIMIT or any(c.isspace() for c in url):
        return None
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")


def answer_card(answer: Answer, *, first: int = 1, markdown: bool = True) -> Card:
    """The answer as a card: the question as title, one field per passage, a footer.

    `first` numbers the passages (the "More" page starts after the first answer's passages).
    """
    if not answer.found:
        return not_found_card(answer, markdown=markdown)
    title = shorten(answer.question, TITLE_LIMIT, markdown)
    description = _corrections_line(answer, markdown)
    passages = list(answer.passages[:FIELD_COUNT_LIMIT])
    names = [
        f"{first + i}. " + shorten(p.title, FIELD_NAME_LIMIT - 8, markdown)
        for i, p in enumerate(passages)
    ]
    sources = [_source_line(p, markdown) for p in passages]

    def footer(shown: int) -> str:
        last = first + shown - 1
        span = f"passage {first}" if shown == 1 else f"passages {first}–{last}"
        line = f"{span} · {answer.elapsed_ms:.0f} ms"
        if shown < len(answer.passages):
            line += f" · {len(answer.passages) - shown} more not shown"
        return line

    # Show as many passages as can each keep MIN_QUOTE characters in the total size.
    shown = len(passages)
    while True:
        fixed = size(title) + size(description) + size(footer(shown))
        fixed += sum(
            size(n) + size(s) + 1 for n, s in list(zip(names, sources, strict=True))[:shown]
        )
        each = (EMBED_TOTAL_LIMIT - fixed) // shown
        if each >= MIN_QUOTE or shown == 1:
            break
        shown -= 1
    fields = []
    for passage, name, source in zip(passages[:shown], names, sources, strict=False):
        budget = min(FIELD_VALUE_LIMIT - size(source) - 1, each)
        shown_text = (code_block if passage.code else quote)(passage, budget, markdown)
        fields.append(Field(name, f"{shown_text}\n{source}"))
    return Card(title, description, tuple(fields), footer(shown))


def _corrections_line(answer: Answer, markdown: bool) -> str:
    lines = []
    if answer.following is not None:  # a follow-up: say what it was read with
        lines.append(shorten(f"following: {answer.following}", 300, markdown, block=True))
    if answer.corrections:
        pairs = ", ".join(f"{new} (not {old})" for old, new in answer.corrections.items())
        text = f"Searched with corrected spelling: {pairs}"
        lines.append(shorten(text, 500, markdown, block=True))
    return "\n".join(lines)


def not_found_card(answer: Answer, *, markdown: bool = True) -> Card:
    """Nothing answers: say so plainly, with corrected spellings and the closest documents."""
    lines = ["Nothing in the documents answers that question. Try other words."]
    if answer.following is not None:
        lines.append(f"following: {answer.following}")
    if answer.corrections:
        lines.append(
            "Searched with corrected spelling: "
            + ", ".join(f"{new} (not {old})" for old, new in answer.corrections.items())
        )
    if answer.suggestions:
        lines.append("Closest documents: " + "; ".join(answer.suggestions[:5]))
    description = "\n".join(shorten(line, 900, markdown, block=True) for line in lines)
    return Card(
        shorten(answer.question, TITLE_LIMIT, markdown),
        description,
        (),
        f"no passage found · {answer.elapsed_ms:.0f} ms",
    )


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
    url = _safe_url(document.source)
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


def to_embed(card: Card) -> discord.Embed:
    """The card as a discord.Embed."""
    embed = discord.Embed(title=card.title, description=card.description or None, colour=COLOUR)
    for field in card.fields:
        embed.add_field(name=field.name, value=field.value, inline=False)
    if card.footer:
        embed.set_footer(text=card.footer)
    return embed


def to_text(card: Card) -> str:
    """The card as plain text, read as the embed would be."""
    blocks = [card.title]
    if card.description:
        blocks.append(card.description)
    blocks += [f"{f.name}\n{f.value}" for f in card.fields]
    if card.footer:
        blocks.append(f"({card.footer})")
    return visible("\n\n".join(blocks))  # a terminal must not run escape sequences


def report_text(report: BuildReport, warnings: int = 3) -> str:
    """The build summary and its first warnings (such as "serving from memory"), on one line."""
    shown = list(report.warnings[:warnings])
    if len(report.warnings) > warnings:
        shown.append(f"{len(report.warnings) - warnings} more warnings")
    return " ".join([report.summary(), *(f"Warning: {w}." for w in shown)])


def message(text: str) -> str:
    """A short plain message within MESSAGE_LIMIT."""
    return shorten(text, MESSAGE_LIMIT, markdown=False) if size(text) > MESSAGE_LIMIT else text
