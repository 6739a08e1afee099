"""An answer as a card: each passage quoted with its answer in bold (or as a code block), under
its citation, as many passages as keep a readable quote within Discord's limits."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.locale import ENGLISH, Words
from bot.render.cards import Card, Field
from bot.render.text import (
    EMBED_TOTAL_LIMIT,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    SOURCE_LINE_LIMIT,
    TITLE_LIMIT,
    ellipses,
    escape,
    fit,
    safe_url,
    shorten,
    size,
    visible,
)
from index import Answer, Passage

MIN_QUOTE = 240  # a passage shorter than this says too little: show fewer passages instead


# A line break inside a paragraph, unless the next line starts a list item, a quote or a heading.
_WRAP = re.compile(r"(?<!\n)\n(?!\n|[ \t]*(?:[-*•>#+]|\d{1,3}[.)])[ \t])")


def reflowed(text: str) -> str:
    """`text` with a paragraph's hard line breaks (a file wrapped at 80 columns, a PDF's lines)
    shown as spaces; the same length, so offsets into the passage still hold."""
    return _WRAP.sub(" ", text)


def quote(passage: Passage, limit: int, markdown: bool = True) -> str:
    """The passage as a block quote within `limit`, its answer in bold, cut around the answer;
    its hard line breaks shown as spaces (`reflowed`)."""
    text = reflowed(passage.text)
    keep = _answer_span(passage)

    def fmt(lo: int, hi: int) -> str:
        a0, a1 = (min(max(keep[0], lo), hi), min(max(keep[1], lo), hi)) if keep else (hi, hi)
        parts = []
        for a, b, bold in ((lo, a0, False), (a0, a1, True), (a1, hi, False)):
            if a < b:
                piece = escape(text[a:b], a == 0 or text[a - 1] == "\n") if markdown else text[a:b]
                parts.append(_bold(piece) if bold else piece)
        body = ellipses("".join(parts), lo, hi, len(text))
        return "\n".join("> " + line for line in body.split("\n"))

    return fit(text, keep or (0, 0), limit, fmt)


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


def _source_line(passage: Passage, markdown: bool, words: Words = ENGLISH) -> str:
    """Where the quote is, under it: `handbook.pdf · p. 12 · Returns › Refunds`, then the outlet
    and the link's host (`CNN · ctninfo.com`); the link opens the document at the passage."""
    for keep in ((True, True, True), (False, True, True), (False, False, True), (False,) * 3):
        line = _citation(passage, markdown, words, *keep)
        if size(line) <= SOURCE_LINE_LIMIT:
            return line
    return shorten(line, SOURCE_LINE_LIMIT, markdown=False)


def _citation(
    passage: Passage, markdown: bool, words: Words, section: bool, outlet: bool, linked: bool
) -> str:
    url = safe_url(passage.link or passage.source) if linked else None

    def text(value: str, limit: int) -> str:
        value = shorten(value, limit, markdown=False)
        return escape(value, False) if markdown else value

    own = url is not None and passage.source is not None  # the document's own web address
    name = text(passage.document, 120)
    if url is not None and not own and markdown:
        name = f"[{name}]({url})"
    parts = [name]
    if passage.pages_label:  # a quote that runs over a page break
        parts.append(words("pp. {pages}", pages=text(passage.pages_label, 40)))
    elif passage.page is not None:
        page = text(passage.page_label or str(passage.page), 20)
        parts.append(words("p. {page}", page=page))
    if passage.section and section:
        parts.append(text(passage.section, 160))
    if passage.outlet and outlet:
        parts.append(text(passage.outlet, 60))
    if url is not None and (own or not markdown):
        host = urlsplit(url).hostname or "link"
        parts.append(f"[{escape(host)}]({url})" if markdown else url)
    if passage.also_in:
        n = len(passage.also_in)
        parts.append(words.plural("also in {n} other document", "also in {n} other documents", n))
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


def answer_card(
    answer: Answer, *, first: int = 1, markdown: bool = True, words: Words = ENGLISH
) -> Card:
    """The answer as a card: the question as title, one field per passage, a footer.

    `first` numbers the passages (the "More" page starts after the first answer's passages).
    The bot's own words are in `words`' language; quotes and titles stay as written.
    """
    if not answer.found:
        return not_found_card(answer, markdown=markdown, words=words)
    title = shorten(answer.question, TITLE_LIMIT, markdown)
    description = _corrections_line(answer, markdown, words)
    passages = list(answer.passages[:FIELD_COUNT_LIMIT])
    names = [
        f"{first + i}. " + shorten(p.title, FIELD_NAME_LIMIT - 8, markdown)
        for i, p in enumerate(passages)
    ]
    sources = [_source_line(p, markdown, words) for p in passages]
    ms = words("{ms} ms", ms=round(answer.elapsed_ms))

    def footer(shown: int) -> str:
        last = first + shown - 1
        if shown == 1:
            span = words("passage {first}", first=first)
        else:
            span = words("passages {first}–{last}", first=first, last=last)
        line = f"{span} · {ms}"
        if shown < len(answer.passages):
            hidden = len(answer.passages) - shown
            line += " · " + words.plural("{n} more not shown", "{n} more not shown", hidden)
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


def _following(answer: Answer, words: Words) -> str:
    return words("following: {question}", question=answer.following)


def _corrected(answer: Answer, words: Words) -> str:
    pairs = ", ".join(
        words("{new} (not {old})", new=new, old=old) for old, new in answer.corrections.items()
    )
    return words("Searched with corrected spelling: {pairs}", pairs=pairs)


def _corrections_line(answer: Answer, markdown: bool, words: Words = ENGLISH) -> str:
    lines = []
    if answer.following is not None:  # a follow-up: say what it was read with
        lines.append(shorten(_following(answer, words), 300, markdown, block=True))
    if answer.corrections:
        lines.append(shorten(_corrected(answer, words), 500, markdown, block=True))
    return "\n".join(lines)


def not_found_card(answer: Answer, *, markdown: bool = True, words: Words = ENGLISH) -> Card:
    """Nothing answers: say so plainly, with corrected spellings and the closest documents."""
    lines = [words("Nothing in the documents answers that question. Try other words.")]
    if answer.following is not None:
        lines.append(_following(answer, words))
    if answer.corrections:
        lines.append(_corrected(answer, words))
    if answer.suggestions:
        titles = "; ".join(answer.suggestions[:5])
        lines.append(words("Closest documents: {titles}", titles=titles))
    description = "\n".join(shorten(line, 900, markdown, block=True) for line in lines)
    ms = words("{ms} ms", ms=round(answer.elapsed_ms))
    return Card(
        shorten(answer.question, TITLE_LIMIT, markdown),
        description,
        (),
        words("no passage found") + f" · {ms}",
    )
