"""HTML: the page's main content, read by a linear-time scanner; headings as sections (their
anchor is the heading's id, its permalink's target, or its section's id: Sphinx puts the id on
`<section>`, MkDocs and Docusaurus on the heading), never with their "¶"; `<pre>` blocks as
units kept as written; title and canonical link from the head.

Documentation sites surround each page's text with navigation: header bars, sidebars repeating
the table of contents, "Previous topic", search boxes, footers. The scanner records the page's
elements as it goes (their range of text, class, id, role) and decides afterwards:

1. the main container, by the marks generators put on it: `role="main"`, `<main>`, `<article>`,
   `itemprop="articleBody"`, Sphinx's `div.body`, Material for MkDocs' `md-content`; else the
   parent of Sphinx's outermost `<section>` / `div.section`; else the whole body;
2. what is dropped inside it: `<nav>`, `<aside>`, `<footer>`, navigation roles, elements whose
   class or id names navigation (`sidebar`, `breadcrumb`, `related`, `headerlink`, ...), and lists,
   tables and blocks that are mostly link text (a table of contents, a "next | previous" bar);
3. whether the page is a generated page and not a document: an index of terms or modules, a
   search page, a module's source code rendered by Sphinx's viewcode (the mark must be in the
   main content: MkDocs' theme has a search-results box on every page);
4. a page whose first heading says "404" or "page not found" is an error page, not a document.

A line break outside `<pre>` is a space on the page, and so in the text: a paragraph is one line
however its source was wrapped (offsets still index the text the reader produced).

Chosen on measurements (README, "Documentation sites"): against trafilatura and readability-lxml
on Django's 692 pages it kept every answer of the dev set (they lost 2 and 4), dropped as much
repeated navigation, and read the site in 3.8 s of CPU where they took 18 s and 12 s.
"""

from __future__ import annotations

import re

from index.read.formats import (
    FormatError,
    SourceDoc,
    clean,
    link,
    metadata_lines,
    name_title,
    title,
)
from index.read.formats.html.content import LINK_DENSE, LINK_PAGE, content
from index.read.formats.html.scan import CELL, MARK, PRIVATE, ROW, ROW_END, SOFT, Page
from index.read.formats.markdown import SEPARATOR

_NOT_FOUND = re.compile(r"(?i)(404\b|page not found|not found)")
_ROW = re.compile(f"{ROW}([^{ROW}{ROW_END}]*){ROW_END}")
_ROW_MARKS = re.compile(f"[{ROW}{ROW_END}{CELL}{SOFT}]")
# A row longer than this is a layout table's (a page laid out in cells), read as paragraphs.
MAX_ROW_CHARS = 1000


def _row(m: re.Match) -> str:
    """A table row as one unit, its cells joined by " | " (as the PDF, Word and reST readers
    do): a cell alone ("Specifying an invalid string for fill…") loses what it belongs to (its
    version, its option). A row of one cell, holding a heading or a listing, or too long to be a
    row of data is read as paragraphs, as before."""
    inner = m.group(1)
    cells = [" ".join(c.replace(SOFT, " ").split()) for c in inner.split(CELL)]
    cells = [c for c in cells if c]
    row = " | ".join(cells)
    if len(cells) < 2 or len(row) > MAX_ROW_CHARS or "\ue000" in inner:
        return _ROW_MARKS.sub("\n\n", inner)
    return f"\n\n\ue000U0\ue001{row}\ue000U1\ue001\n\n"


def read(doc_id: str, page: str) -> SourceDoc:
    """An HTML page as a document: its main content (FormatError for a generated page)."""
    parser = Page()
    parser.feed(page)
    keep, share = content(parser)
    kept = "".join(p for p, k in zip(parser.parts, keep, strict=True) if k)
    raw, _ = clean(kept)  # character references can spell control characters
    raw = _ROW_MARKS.sub("\n\n", _ROW.sub(_row, raw))
    # Collapse runs of spaces within lines and of blank lines, so offsets index readable text.
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.split("\n")]
    marked = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    out: list[str] = []
    pos = size = 0
    heads: list[tuple[int, int, str, str | None]] = []
    units: list[tuple[int, int]] = []
    code: list[tuple[int, int]] = []
    rows: list[tuple[int, int]] = []
    row_start = 0
    for m in MARK.finditer(marked):
        out.append(marked[pos : m.start()])
        size += m.start() - pos
        pos = m.end()
        n = int(m.group(2))
        if m.group(1) == "U":
            if n == 0:
                row_start = size
            else:
                units.append((row_start, size))
                rows.append(units[-1])
            continue
        if m.group(1) == "H":
            while pos < len(marked) and marked[pos] in " \t":  # the heading's line starts here
                pos += 1
            level, anchor, first, last, section = parser.headings[n]
            words = "".join(
                p
                for p, k in zip(parser.parts[first + 1 : last], keep[first + 1 : last], strict=True)
                if k
            )
            name = title(PRIVATE.sub("", MARK.sub("", words)))
            if name:
                heads.append((size, level, name, anchor or section))
            continue
        listing = clean(parser.pre[n].strip("\n"))[0].rstrip()
        if listing.strip():
            if out and not "".join(out[-1:]).endswith("\n"):
                out.append("\n\n")
                size += 2
            units.append((size, size + len(listing)))
            code.append(units[-1])
            out.append(listing)
            size += len(listing)
    out.append(marked[pos:])
    text = "".join(out)
    if heads and _NOT_FOUND.match(heads[0][2]):
        raise FormatError('a "page not found" page, not indexed')
    if share >= LINK_PAGE or (share >= LINK_DENSE and not text.strip()):
        raise FormatError("a page of links (an index or table of contents), not indexed")
    spans, url, outlet = metadata_lines(text, units=units)
    path: list[tuple[int, str]] = []
    sections = []
    headings = []
    for start, level, name, anchor in heads:
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, name))
        sections.append((start, SEPARATOR.join(n for _, n in path), anchor))
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if text[start:end].strip() and (not headings or headings[-1][1] <= start):
            headings.append((start, end))
    # No <title> (a fragment such as DocBook's `X.part.html`): its first heading names it.
    first_heading = heads[0][2] if heads else ""
    name = title(clean(parser.title)[0]) or first_heading or name_title(doc_id, text, tuple(spans))
    source = next((x for x in parser.links if x), None) or url
    return SourceDoc(
        doc_id,
        name,
        link(source),
        text,
        tuple(spans),
        outlet=outlet,
        units=tuple(units),
        sections=tuple(sections),
        kind="html",
        code=tuple(code),
        headings=tuple(headings),
        rows=tuple(rows),
    )
