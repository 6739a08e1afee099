"""Paragraphs: blank lines, URL-only lines, headings and list items end them; hard-wrapped text is
told per file from its lines, and its lines joined into paragraphs (spans only: the text is never
changed)."""

from __future__ import annotations

import itertools
import re

URL_ONLY = re.compile(r"^[ \t]*<?(?:https?://|www\.)\S+>?[ \t]*$")
LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+\S")
HEADING_LINE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S")
HEADING_MARK = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+")


MAX_WRAP = 100  # hard-wrapped text is cut at a fixed width; wider lines are whole paragraphs
MIN_WRAP = 40  # narrower "widths" are lists or verse, not wrapped prose
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*$")


def _wrap_width(lines: list[str]) -> int | None:
    """The width a file's lines were wrapped at, or None when its lines are not hard-wrapped.

    Greedy wrapping breaks a line only where the next word would not fit, so in wrapped prose most
    breaks between two non-blank lines are "full" (the line plus the next line's first word is
    wider than the widest line) or fall mid-sentence. Lines one paragraph each are of any length,
    end a sentence and are rarely full.
    """
    sizes = [len(line.rstrip()) for line in lines]
    narrow = [n for n in sizes if 0 < n <= MAX_WRAP]
    if len(narrow) < 3 or len(narrow) < 0.95 * sum(1 for n in sizes if n):
        return None
    width = max(narrow)
    if width < MIN_WRAP:
        return None
    breaks = wrapped = 0
    for a, b in itertools.pairwise(lines):
        if a.strip() and b.strip():
            breaks += 1
            wrapped += _wrapped(a.rstrip(), b, width)
    return width if breaks >= 2 and wrapped >= 0.5 * breaks else None


def _full(a: str, b: str, width: int) -> bool:
    """Whether line `a` (right-stripped) was cut because `b`'s first word did not fit in `width`."""
    return 2 * len(a) >= width and len(a) + 1 + len(b.split(None, 1)[0]) > width


def _wrapped(a: str, b: str, width: int) -> bool:
    """Whether the break after line `a` (right-stripped) is a wrap inside a paragraph.

    Full lines are; so are lines that stop mid-sentence before a lowercase word, or long ones
    that stop mid-sentence (text wrapped in a proportional font is ragged).
    """
    if _full(a, b, width):
        return True
    if _ENDS_SENTENCE.search(a) or a.endswith(":"):
        return False
    return b.lstrip()[:1].islower() or 4 * len(a) >= 3 * width


def _continues(a: str, b: str, width: int | None, in_list: bool) -> bool | None:
    """Whether line `b` continues the paragraph of line `a` (right-stripped) inside one block.

    None when only the file's layout can tell: joined under blank-line paragraphs, else cut.
    """
    if a.endswith(":"):  # a lead-in: its list lines follow, unless the colon fell at a wrap
        return width is not None and _full(a, b, width) and 2 * len(b.rstrip()) >= width
    if in_list:  # after a lead-in, each line is an item unless wrapped prose resumes
        return width is not None and (
            _full(a, b, width) or (4 * len(a) >= 3 * width and not _ENDS_SENTENCE.search(a))
        )
    if width is not None and _wrapped(a, b, width):
        return True
    return None


def blocks(text: str, skip: tuple[tuple[int, int], ...] = ()) -> list[tuple[int, int]]:
    """Spans of paragraphs: runs of lines ended by blank lines, URL-only lines, headings, list items.

    A line ending in ":" is a lead-in: it and each line after it in its block are paragraphs of
    their own. A document with no blank line at all is taken to have one paragraph per line,
    unless its lines are hard-wrapped (`_wrap_width`): then a line joins the next when it was cut
    for width or ends mid-sentence before a lowercase start. The text is never changed; a joined
    paragraph's span crosses the newline.
    """
    one_per_line = "\n\n" not in text.strip() and not re.search(r"\n[ \t]+\n", text)
    lines = text.split("\n")
    width: int | None = -1  # measured when two non-blank lines first meet (often never)
    spans: list[tuple[int, int]] = []
    start = None
    end = 0
    pos = 0
    prev = ""
    in_list = False
    skip_iter = iter(sorted(skip))
    next_skip = next(skip_iter, None)
    for line in lines:
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        while next_skip is not None and next_skip[1] <= line_start:
            next_skip = next(skip_iter, None)
        skipped = next_skip is not None and next_skip[0] < line_end and next_skip[1] > line_start
        if skipped or not line.strip() or URL_ONLY.match(line):
            if start is not None:
                spans.append((start, end))
                start = None
            in_list = False
            continue
        if start is not None:
            prev = prev.rstrip()
            if width == -1:
                width = _wrap_width(lines)
            joins = _continues(prev, line, width, in_list)
            if joins is None:
                joins = not one_per_line
            item = LIST_ITEM.match(line)
            if joins:  # a wrapped line: prose, not a list
                in_list = False
            if not joins or item or HEADING_LINE.match(line):
                # Unmarked lines after a lead-in are items; marked items keep their wrapped lines.
                in_list = (in_list or prev.endswith(":")) and not item
                spans.append((start, end))
                start = None
        if start is None:
            heading = HEADING_MARK.match(line)
            start = line_start + (heading.end() if heading else 0)
        end = line_end
        prev = line
        if HEADING_LINE.match(line):  # a heading is a paragraph of its own
            spans.append((start, end))
            start = None
    if start is not None:
        spans.append((start, end))
    return spans
