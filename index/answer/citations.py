"""Where a passage is: page, printed page label, section and a link that opens there.

Each document's citation info (`extract.doc_info`: pages, sections, outlet, code units) is a
small JSON blob stored per document and read when an answer cites it; a passage's page and
section are found from its offset by bisecting the sorted starts, never stored per sentence.
"""

from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass
from urllib.parse import quote, urlsplit


@dataclass(frozen=True)
class DocInfo:
    """A document's citation info, parsed once."""

    kind: str = "text"
    outlet: str | None = None
    page_starts: tuple[int, ...] = ()
    page_labels: tuple[str | None, ...] = ()
    section_starts: tuple[int, ...] = ()
    sections: tuple[tuple[str, str | None], ...] = ()  # (heading path, anchor)
    code: tuple[tuple[int, int], ...] = ()

    def page(self, offset: int) -> tuple[int | None, str | None]:
        """(1-based page, printed label or None) holding `offset`; (None, None) if no pages."""
        at = bisect.bisect_right(self.page_starts, offset) - 1
        if not self.page_starts:
            return None, None
        at = max(at, 0)
        return at + 1, self.page_labels[at]

    def section(self, offset: int) -> tuple[str | None, str | None]:
        """(heading path, anchor) of the section holding `offset`, or (None, None)."""
        at = bisect.bisect_right(self.section_starts, offset) - 1
        return self.sections[at] if at >= 0 else (None, None)

    def is_code(self, offset: int) -> bool:
        """Whether `offset` is inside a code block."""
        at = bisect.bisect_right(self.code, (offset, math.inf)) - 1  # the last starting by offset
        return at >= 0 and offset < self.code[at][1]


def stored(arrays, d: int) -> bytes:
    """Document d's blob from an index's (or a segment's) `docinfo` and `docinfo_offsets`;
    empty when the index has none (an index built before them)."""
    if "docinfo" not in arrays:
        return b""
    lo, hi = int(arrays["docinfo_offsets"][d]), int(arrays["docinfo_offsets"][d + 1])
    return arrays["docinfo"][lo:hi].tobytes() if hi > lo else b""


def parse(blob: bytes) -> DocInfo:
    """The DocInfo of a stored blob; an empty or unreadable blob gives an empty DocInfo."""
    if not blob:
        return DocInfo()
    try:
        raw = json.loads(blob.decode("utf-8"))
        pages = raw.get("pages") or []
        sections = raw.get("sections") or []
        return DocInfo(
            kind=str(raw.get("kind") or "text"),
            outlet=raw.get("outlet"),
            page_starts=tuple(int(p[0]) for p in pages),
            page_labels=tuple(p[1] for p in pages),
            section_starts=tuple(int(s[0]) for s in sections),
            sections=tuple((s[1], s[2]) for s in sections),
            code=tuple((int(a), int(b)) for a, b in raw.get("code") or []),
        )
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return DocInfo()


def base_url(value: str | None) -> str | None:
    """The folder's public address as a prefix ending in `/`, or None when not an http(s) URL."""
    value = (value or "").strip()
    if not value or urlsplit(value).scheme not in ("http", "https"):
        return None
    return value if value.endswith("/") else value + "/"


def link(
    document: str,
    source: str | None,
    info: DocInfo,
    docs_url: str | None,
    page: int | None,
    anchor: str | None,
) -> str | None:
    """The document's own source link, else `docs_url` + its path; opened at the page
    (`#page=N`, PDF) or at the heading's anchor (Markdown slug, HTML id) when the link points
    at the file itself."""
    if source:
        url, own = source, True
    elif docs_url:
        url, own = docs_url + quote(document, safe="/"), False
    else:
        return None
    if info.kind == "pdf" and page is not None:
        return url.split("#", 1)[0] + f"#page={page}"
    if anchor and "#" not in url and (not own or info.kind == "html"):
        return url + "#" + quote(anchor, safe="")
    return url
