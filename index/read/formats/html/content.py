"""The main content of a scanned page (see the package's docstring): which parts are kept."""

from __future__ import annotations

from bisect import bisect_left

from index.read.formats import FormatError
from index.read.formats.html.scan import MARK, Page

# Lists, tables and blocks at least this share link text are navigation (a table of contents).
LINK_DENSE = 0.7
# A page whose main content is at least this share link text is an index or contents page.
LINK_PAGE = 0.8
# An element holding more than this share of the page's text is never dropped by its name alone.
KEEP_SHARE = 0.8


class Weights:
    """Prefix sums of the characters of the parts (spaces around them aside; a `<pre>` block's
    marker counts its code), all and in links: any element's text and link share is two
    subtractions."""

    def __init__(self, page: Page, keep: list[bool]) -> None:
        total = [0]
        linked = [0]
        t = k = 0
        for part, in_link, kept in zip(page.parts, page.linked, keep, strict=True):
            n = len(part.strip()) if kept else 0
            if n and part[0] == "\ue000":  # a marker: a <pre> block's code counts as text
                m = MARK.match(part)
                n = len(page.pre[int(m.group(2))].strip()) if m and m.group(1) == "P" else 0
            t += n
            k += n if in_link else 0
            total.append(t)
            linked.append(k)
        self.total, self.linked = total, linked

    def text(self, start: int, end: int) -> int:
        return self.total[end] - self.total[start]

    def links(self, start: int, end: int) -> int:
        return self.linked[end] - self.linked[start]


def _dropped(keep: list[bool], ranges: list[tuple[int, int]]) -> list[bool]:
    """`keep` with every part in one of the ranges dropped: one sweep, however they nest."""
    if not ranges:
        return keep
    delta = [0] * (len(keep) + 1)
    for a, b in ranges:
        if a < b:
            delta[a] += 1
            delta[b] -= 1
    out, depth = [], 0
    for kept, d in zip(keep, delta, strict=False):
        depth += d
        out.append(kept and depth == 0)
    return out


def _main(page: Page, weights: Weights) -> tuple[int, int]:
    """The part range of the main content (see the package's docstring)."""
    marked = [e for e in page.elements if e.main and weights.text(e.start, e.end) > 0]
    if marked:
        best = max(marked, key=lambda e: weights.text(e.start, e.end))
        size = weights.text(best.start, best.end)
        # The smallest marked element inside it that still holds most of its text: `main` >
        # `article`, `role="main"` > `itemprop="articleBody"` (one pass, however deep they nest).
        inner = [
            e
            for e in marked
            if best.start <= e.start
            and e.end <= best.end
            and weights.text(e.start, e.end) >= 0.6 * size
        ]
        best = min(inner, key=lambda e: (weights.text(e.start, e.end), e.start))
        return best.start, best.end
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
    keep = _dropped([True] * len(page.parts), page.drops)
    weights = Weights(page, keep)
    start, end = _main(page, weights)
    size = weights.text(start, end)
    heading_starts = [h[2] for h in page.headings]  # in page order
    cuts = [(0, start), (end, len(keep))]
    for e in page.elements:
        if e.end <= start or e.start >= end:
            continue
        holds_main = e.start <= start and end <= e.end
        if e.nav and not holds_main:
            cuts.append((e.start, e.end))
        elif e.named and not holds_main:
            at = bisect_left(heading_starts, e.start)
            if e.tag == "header" and at < len(heading_starts) and heading_starts[at] < e.end:
                continue  # an article's header holds its title
            if weights.text(e.start, e.end) <= KEEP_SHARE * size:
                cuts.append((e.start, e.end))
    keep = _dropped(keep, cuts)
    for at, reason in page.generated:
        if start <= at < end and keep[at]:
            raise FormatError(reason)
    weights = Weights(page, keep)
    n = weights.text(start, end)
    share = weights.links(start, end) / n if n else 1.0
    cuts = []
    for e in page.elements:  # lists, tables and blocks of links: contents, "next | previous"
        inside = e.start >= start and e.end <= end and (e.start, e.end) != (start, end)
        if e.tag in ("ul", "ol", "dl", "table", "div") and inside:
            n = weights.text(e.start, e.end)
            if n and weights.links(e.start, e.end) >= LINK_DENSE * n:
                cuts.append((e.start, e.end))
    return _dropped(keep, cuts), share
