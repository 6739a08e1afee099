"""Markdown: front matter, headings as sections with GitHub-style anchors, code blocks as units."""

from __future__ import annotations

import re
import unicodedata

from index.read.formats import SourceDoc, front_matter, link, metadata_lines, name_title, title

HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*$", re.MULTILINE)
SEPARATOR = " › "


def slug(heading: str, seen: dict[str, int]) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces made `-`, and
    `-1`, `-2` … added to repeats (`seen` counts them across one document)."""
    text = re.sub(r"[*_`~]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM").replace(
        " ", "-"
    )
    n = seen.get(text, 0)
    seen[text] = n + 1
    return text if n == 0 else f"{text}-{n}"


def fences(text: str, start: int = 0) -> list[tuple[int, int, int, int]]:
    """(block start, code start, code end, block end) of each fenced code block; an unclosed
    fence runs to the end, as CommonMark reads it."""
    out = []
    pos = start
    while True:
        m = FENCE.search(text, pos)
        if m is None:
            return out
        mark = m.group(1)
        closing = re.compile(rf"^[ \t]{{0,3}}{mark[0]}{{{len(mark)},}}[ \t]*$", re.MULTILINE)
        body = min(m.end() + 1, len(text))
        c = closing.search(text, body)
        code_end = c.start() if c else len(text)
        block_end = c.end() if c else len(text)
        out.append((m.start(), body, code_end, block_end))
        pos = block_end if block_end > m.start() else m.end()
        if c is None:
            return out


def sections_of(headings: list[tuple[int, int, str]], anchor: bool) -> list:
    """(start, "A › B", slug) for headings given as (offset, level, text)."""
    path: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    out = []
    for start, level, name in headings:
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, name))
        anchor_id = slug(name, seen) if anchor else None
        out.append((start, SEPARATOR.join(n for _, n in path), anchor_id))
    return out


def read(doc_id: str, text: str) -> SourceDoc:
    """A Markdown file as a document."""
    meta, end = front_matter(text)
    blocks = fences(text, end)
    spans, url, outlet = metadata_lines(text, end, [(b[0], b[3]) for b in blocks])
    units, fence_lines = [], []
    for b_start, c_start, c_end, b_end in blocks:
        fence_lines += [(b_start, c_start), (c_end, b_end)]
        if text[c_start:c_end].strip():
            units.append((c_start, c_end))

    def in_code(pos: int) -> bool:
        return any(b <= pos < e for b, _, _, e in blocks)

    found = [m for m in HEADING.finditer(text, end) if not in_code(m.start())]
    headings = [(m.start(), len(m.group(1)), title(m.group(2))) for m in found]
    skip = sorted(([(0, end)] if end else []) + spans + [f for f in fence_lines if f[0] < f[1]])
    name = title(meta.get("title") or "") or (headings[0][2] if headings else "")
    name = name or name_title(doc_id, text, tuple(skip))
    source = meta.get("url") or meta.get("source") or url
    return SourceDoc(
        doc_id,
        name,
        link(source),
        text,
        tuple(skip),
        outlet=outlet,
        units=tuple(units),
        sections=tuple(sections_of(headings, anchor=True)),
        kind="markdown",
        code=tuple(units),
        headings=tuple((m.start(), m.end()) for m in found),
    )
