"""One reader per format, each turning a file into one `SourceDoc`; shared helpers they all use.

Text formats (`text`, `markdown`, `html`) read decoded text; `pdf` and `docx` read bytes and are
only ever imported in the build's extraction worker processes (see `index.read.extract`).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

MAX_TITLE_CHARS = 300
OPENING_WORDS = 8  # a title made of the text's first words holds this many

# C0 and C1 control characters but tab and newline: replaced by a space (same length).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Embeddings, overrides and isolates: they change the order text is shown in, not its words.
BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
URL_LINE = re.compile(r"^[ \t]*<?((?:https?://|www\.)[^\s<>]+)>?[ \t]*$", re.MULTILINE)
FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*$\r?\n?", re.DOTALL | re.MULTILINE
)
META_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
# "Source: CNN", "Via: The Associated Press", "Source: https://…": a name or a link, not a line of
# a reference ("source: <string> | <Buffer>", "sources: <string[]>", "source: data,").
SOURCE_LINE = re.compile(
    r"^[ \t]*(?:source|sources|via|credit|credits)[ \t]*:[ \t]*"
    r"((?:https?://|www\.)\S{1,80}|[^\W_][\w .&'’/-]{0,79}?)[ \t]*\.?[ \t]*$",
    re.I,
)

Span = tuple[int, int]
Section = tuple[int, str, "str | None"]  # (start offset, "Returns › Refunds", anchor or None)


@dataclass(frozen=True)
class SourceDoc:
    """A read document: its text, the spans that are metadata (not sentences), and its labels.

    `units` are spans shown and indexed whole, never split into sentences (code blocks, table
    rows); `pages` are (start offset, printed label or None) per page of a PDF; `sections` are
    (start offset, heading path, anchor or None) in order; `notes` are warnings for the summary.
    `headings` are the spans of the heading lines themselves: each is a unit of its own (never
    glued to the sentence after it) and starts a section; the ranker never quotes a heading alone
    when the text under it answers.
    """

    id: str
    title: str
    source: str | None
    text: str
    skip: tuple[Span, ...]  # character spans that are metadata, not prose
    outlet: str | None = None  # "CNN" from a `Source: CNN` line
    units: tuple[Span, ...] = ()
    pages: tuple[tuple[int, str | None], ...] = ()
    sections: tuple[Section, ...] = ()
    notes: tuple[str, ...] = ()
    kind: str = "text"  # text, markdown, html, pdf or docx: how links to it are made
    code: tuple[Span, ...] = ()  # the units that are code (shown as code)
    headings: tuple[Span, ...] = ()  # the heading lines (see above); readers fill it as they can
    rows: tuple[Span, ...] = ()  # the units that are table rows (HTML, reST, Word)


class FormatError(Exception):
    """The file cannot be read as its format; the message is the one-line reason."""


def clean(text: str) -> tuple[str, int]:
    """Text with control characters made spaces and bidi overrides removed; (text, how many)."""
    text, controls = CONTROL.subn(" ", text)
    text, overrides = BIDI_CONTROL.subn("", text)
    return text, controls + overrides


def title(text: str) -> str:
    """A title on one line, at most MAX_TITLE_CHARS long."""
    text = " ".join(text[: MAX_TITLE_CHARS * 4].split())
    return text if len(text) <= MAX_TITLE_CHARS else text[: MAX_TITLE_CHARS - 1] + "…"


def _stem(doc_id: str) -> str:
    return doc_id.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def readable_name(doc_id: str) -> str:
    """A title made from a file name: `war_and-peace.txt` → `war and peace`."""
    return title(re.sub(r"[_\-\s]+", " ", _stem(doc_id))) or doc_id


def hash_like(doc_id: str) -> bool:
    """Whether a file name says nothing to a reader (`000_44c18b5492aa5800`): no word in it."""
    parts = re.split(r"[_\-\s.]+", _stem(doc_id))
    return not any(re.fullmatch(r"[^\W\d_]{3,}", p) for p in parts)


def opening_words(text: str, skip: tuple[Span, ...] = ()) -> str:
    """The first OPENING_WORDS words of the prose (metadata spans left out), with an ellipsis."""
    pos = 0
    for s, e in sorted(skip):
        if s > pos and text[pos:s].strip():
            break
        pos = max(pos, e)
    found = re.findall(r"\S+", text[pos : pos + 2000])
    if not found:
        return ""
    words = found[:OPENING_WORDS]
    if len(found) > OPENING_WORDS:
        return title(" ".join(words).rstrip(",;:.") + "…")
    return title(" ".join(words))


def name_title(doc_id: str, text: str, skip: tuple[Span, ...] = ()) -> str:
    """The readable file name, or the text's opening words when the name is a hash or number."""
    if hash_like(doc_id):
        return opening_words(text, skip) or readable_name(doc_id)
    return readable_name(doc_id)


def metadata_lines(
    text: str, start: int = 0, units: tuple[Span, ...] | list[Span] = ()
) -> tuple[list[Span], str | None, str | None]:
    """Spans of URL-only and `Source:` lines, the first URL on such a line, and the outlet named.
    Lines inside `units` (code blocks: `source: data,` in a listing) are none of them."""
    spans: list[Span] = []
    url = outlet = None

    ordered = sorted(units)
    starts = [a for a, _ in ordered]

    def in_unit(pos: int) -> bool:  # units do not overlap: the one starting last before pos
        at = bisect.bisect_right(starts, pos) - 1
        return at >= 0 and pos < ordered[at][1]

    for m in URL_LINE.finditer(text, start):
        if not in_unit(m.start()):
            spans.append((m.start(), m.end()))
            url = url or m.group(1)
    for m in re.finditer(r"^.*$", text[start:], re.MULTILINE):
        sm = SOURCE_LINE.match(m.group())
        if sm and not in_unit(start + m.start()):
            spans.append((start + m.start(), start + m.end()))
            value = sm.group(1).strip()
            if outlet is None and not re.match(r"(https?://|www\.)", value):
                outlet = title(value)
    spans.sort()
    return spans, url, outlet


def front_matter(text: str) -> tuple[dict[str, str], int]:
    """Simple `key: value` front matter between `---` lines; invalid YAML is read line by line."""
    m = FRONT_MATTER.match(text)
    if not m:
        return {}, 0
    meta: dict[str, str] = {}
    for line in m.group(1).splitlines():
        km = META_KEY.match(line)
        if km:
            meta.setdefault(km.group(1).lower(), km.group(2).strip().strip("'\""))
    return meta, m.end()


def link(value: str | None) -> str | None:
    """`value` as an http(s) link, or None when it is not one."""
    if value and re.match(r"^(https?://|www\.)\S+$", value):
        return value if value.startswith("http") else "https://" + value
    return None
