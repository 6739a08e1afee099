"""Plain text: front matter, URL and `Source:` lines as metadata, a headline first line as title."""

from __future__ import annotations

import re

from index.read.formats import SourceDoc, front_matter, link, metadata_lines, name_title, title

HEADLINE_WORDS = 16  # a first line longer than this is prose, not a headline
HEADLINE_CHARS = 120  # nor one longer than this (Chinese or Thai words are not spaced)
# What ends a sentence or clause, in the scripts the splitter knows: a line ending so is prose.
_PROSE_END = ".,;:!?…\"'”’。！？；：，、．।॥؟؛።፧」』"


def headline(text: str, start: int = 0) -> tuple[str, int, int] | None:
    """The first line as (title, start, end) when it reads as a headline: short, no final full
    stop, and followed by more text; else None."""
    m = re.compile(r"[ \t]*\n*").match(text, start)
    pos = m.end() if m else start
    end = text.find("\n", pos)
    if end < 0:
        return None
    line = text[pos:end].strip()
    if not line or not text[end:].strip() or len(line.split()) > HEADLINE_WORDS:
        return None
    if len(line) > HEADLINE_CHARS or line[-1] in _PROSE_END or not re.search(r"[^\W\d_]", line):
        return None
    if re.match(r"(https?://|www\.)", line):
        return None
    return line, pos, end


def read(doc_id: str, text: str) -> SourceDoc:
    """A plain text file as a document."""
    meta, end = front_matter(text)
    spans, url, outlet = metadata_lines(text, end)
    skip = ([(0, end)] if end else []) + spans
    source = meta.get("url") or meta.get("source") or url
    name = title(meta.get("title") or "")
    headings: tuple[tuple[int, int], ...] = ()
    first = headline(text, end)
    if first is not None and not any(s <= first[1] < e for s, e in skip):
        # A headline is a heading: never an answer alone ("Descaling the kettle" was quoted first
        # for "how often should I descale"), the text under it is.
        headings = ((first[1], first[2]),)
        name = name or title(first[0])
    name = name or name_title(doc_id, text, tuple(skip))
    return SourceDoc(
        doc_id, name, link(source), text, tuple(skip), outlet=outlet, headings=headings
    )
