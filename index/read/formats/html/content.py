"""The main content of a scanned page (see the package's docstring): which parts are kept."""

from __future__ import annotations

from index.read.formats import FormatError
from index.read.formats.html.scan import Page

# Lists, tables and blocks at least this share link text are navigation (a table of contents).
LINK_DENSE = 0.7
# A page whose main content is at least this share link text is an index or contents page.
LINK_PAGE = 0.8
# An element holding more than this share of the page's text is never dropped by its name alone.
KEEP_SHARE = 0.8


class Weights:
    """Prefix sums of the characters of the parts (spaces around them and markers aside), all and
    in links, so any element's text and link share is two subtractions."""

    def __init__(self, page: Page, keep: list[bool]) -> None:
        total = [0]
        linked = [0]
        t = k = 0
        for part, in_link, kept in zip(page.parts, page.linked, keep, strict=True):
            n = len(part.strip()) if kept and part[:1] != "\ue000" else 0
            t += n
            k += n if in_link else 0
            total.append(t)
            linked.append(k)
        self.total, self.linked = total, linked

    def text(self, start: int, end: int) -> int:
        return self.total[end] - self.total[start]

    def links(self, start: int, end: int) -> int:
        return self.linked[end] - self.linked[start]


def _drop(keep: list[bool], start: int, end: int) -> None:
    keep[start:end] = [False] * (end - start)


def _main(page: Page, weights: Weights) -> tuple[int, int]:
    """The part range of the main content (see the module's docstring)."""
    marked = [e for e in page.elements if e.main and weights.text(e.start, e.end) > 0]
    if marked:
        best = max(marked, key=lambda e: weights.text(e.start, e.end))
        while True:  # a marked element inside holding most of it is closer to the text
            size = weights.text(best.start, best.end)
            inner = [
                e
                for e in marked
                if e is not best
                and best.start <= e.start
                and e.end <= best.end
                and weights.text(e.start, e.end) >= 0.6 * size
            ]
            if not inner:
                return best.start, best.end
            best = max(inner, key=lambda e: (weights.text(e.start, e.end), -e.start))
    for e in page.elements:
        if e.section and page.headings and e.heads < len(page.headings):
            outer = e
            while outer.parent is not None and outer.parent.section:
                outer = outer.parent
            if outer.parent is not None and outer.parent.tag != "body":
                return outer.parent.start, outer.parent.end
            break
    return 0, len(page.parts)


def content(page: Page) -> tuple[list[bool], float]:
    """Which parts are the page's main content, and the share of it that was link text.

    Raises FormatError when the main content is a generated page's (a mark inside it: a search
    box's results outside it are on every page of some sites)."""
    keep = [True] * len(page.parts)
    for start, end in page.drops:
        _drop(keep, start, end)
    weights = Weights(page, keep)
    start, end = _main(page, weights)
    _drop(keep, 0, start)
    _drop(keep, end, len(keep))
    size = weights.text(start, end)
    for e in page.elements:
        if e.end <= start or e.start >= end:
            continue
        holds_main = e.start <= start and end <= e.end
        if e.nav and not holds_main:
            _drop(keep, e.start, e.end)
        elif e.named and not holds_main:
            if e.tag == "header" and any(h[2] >= e.start and h[3] <= e.end for h in page.headings):
                continue
            if weights.text(e.start, e.end) <= KEEP_SHARE * size:
                _drop(keep, e.start, e.end)
    for at, reason in page.generated:
        if start <= at < end and keep[at]:
            raise FormatError(reason)
    weights = Weights(page, keep)
    n = weights.text(start, end)
    share = weights.links(start, end) / n if n else 1.0
    for e in page.elements:  # lists, tables and blocks of links: contents, "next | previous"
        inside = e.start >= start and e.end <= end and (e.start, e.end) != (start, end)
        if e.tag in ("ul", "ol", "dl", "table", "div") and inside:
            n = weights.text(e.start, e.end)
            if n and weights.links(e.start, e.end) >= LINK_DENSE * n:
                _drop(keep, e.start, e.end)
    return keep, share
