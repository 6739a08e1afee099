"""A PDF's lines as one text: words hyphenated at a line end rejoined, detached accents composed,
lines of a paragraph joined by a space, paragraphs by a blank line, a page that ends mid-sentence
joined to the next; headings, a definition's signatures, code blocks, table rows and terms are
paragraphs of their own.

Everything here works on the line texts before they are joined, so the offsets computed while
joining are the final ones: the stored text is exactly what the spans slice.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter

from index.read.formats import clean
from index.read.formats.pdf import calls
from index.read.formats.pdf.page import Line

PARAGRAPH_GAP = 1.45  # baselines further apart than this many usual line pitches (TeX's 1.2
# font sizes: 1.45 sizes): a new paragraph
INDENT = 0.8  # a line starting this many font sizes right of the one before starts a paragraph
STEM = 5  # a hyphenated word's second part longer than this is a word when a word of the
# document starts with its first STEM letters ("quotes": "quoted"; "tently" has none)
_STEM = "\x00"  # marks those beginnings in the vocabulary
OUTDENT = 4.0  # a line starting this many font sizes left of the one before starts one too: a
# paragraph's lines share a left edge but for its first line's indent or a list's hanging one
# (1-3), so this is a note under a table's indented description, not its next line
_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LEADER = re.compile(r"(?:[ \t]\.|\.)(?:[ \t]?\.){4,}")  # (five "[ \t]?\." in a row; spelled so
# that the scan looks for a character of a set first: twice as fast)
_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_TAIL = re.compile(r"(?<![^\W\d_-])[^\W\d_]+(?:-[^\W\d_]+)*$")  # the word before a mark
_HEAD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")  # the word after it
# Spacing accents TeX and others print as a glyph of their own, and the mark each one stands for.
_ACCENTS = {
    "\u00a8": "\u0308", "\u00b4": "\u0301", "\u02c6": "\u0302", "\u02dc": "\u0303",
    "\u00af": "\u0304", "\u02d8": "\u0306", "\u02d9": "\u0307", "\u02da": "\u030a",
    "\u02dd": "\u030b", "\u02c7": "\u030c", "\u00b8": "\u0327", "\u02db": "\u0328",
}  # fmt: skip
_DETACHED = re.compile(
    "[ ]?(["
    + "".join(_ACCENTS)
    + "\u0300-\u036f])[ ]?([^\\W\\d_])|([^\\W\\d_])[ ]([\u0300-\u036f])"
)
_PUNCTUATION = "\"'()[]{}<>.,;:!?`“”‘’«»*_/\\|#$%&+=~^@"
_SPACES = re.compile(" {2,}")
_NEGATED = re.compile("\u0338 ?([^\\s])")
_ENDS = frozenset(".!?:;\"'”’)]")
_BULLETS = frozenset("•◦▪‣")  # a line starting with one and a space is a list's item
_ACCENT = re.compile("[" + "".join(_ACCENTS) + "\u0300-\u036f]")
_SEPARATE = {
    "head",
    "def",
    "code",
    "row",
    "term",
    "ref",
    "num",
}  # kinds that are paragraphs of their own


def normalize(pages: list[list[Line]]) -> None:
    """Each line's text with hyphenated words rejoined, accents composed, ligatures split (NFKC)
    and controls removed; a table row's cells joined by " | ". A page at a time: one regex pass
    per page, not per line; the document's words are counted only when a hyphen needs them."""
    texts = ["\n".join([x.text for x in lines]) for lines in pages]
    vocabulary: Counter[str] | None = None
    if any("\ufffe" in page for page in texts):
        vocabulary = _vocabulary([t for t, lines in zip(texts, pages, strict=True) if lines])
    for lines, page in zip(pages, texts, strict=True):
        if not lines:
            continue
        page = page.replace("\ufffe", "\x02")
        if vocabulary is not None and "\x02" in page:
            page = _rejoin_hyphens(page, vocabulary)
        if not page.isascii():
            if _ACCENT.search(page):
                page = _DETACHED.sub(_compose, page)
            if "\u0338" in page:  # TeX's negation slash, printed before its relation: "̸="
                page = _NEGATED.sub(_negate, page)
            page = unicodedata.normalize("NFKC", page)
            page = clean(page)[0]  # (bidi controls; an ASCII page has no control character:
            # the lines have none but tabs, and the hyphen marks are gone)
        if ". . ." in page or "....." in page:
            page = _LEADER.sub(" … ", page)  # a contents line's dot leaders are layout
        if "  " in page:  # NFKC made other spaces plain ones
            page = _SPACES.sub(" ", page)
        if "\t" not in page:
            for line, text in zip(lines, page.split("\n"), strict=True):
                line.text = text.strip()
            continue
        for line, text in zip(lines, page.split("\n"), strict=True):
            if "\t" in text:
                cells = [c.strip() for c in text.split("\t") if c.strip()]
                text = (" | " if line.kind == "row" else " ").join(cells)
            line.text = text.strip()


def _vocabulary(pages: list[str]) -> Counter[str]:
    """How often each word (lower case) that a hyphen mark needs occurs in the document (its
    pages' texts, lines parted by newlines): the parts around each mark, joined and hyphenated.
    Counted over whitespace tokens with their punctuation stripped (a mark splits words)."""
    text = "\n".join(pages)  # (lower case per token below: fewer characters than the text)
    needed: set[str] = set()
    parts: Counter[str] = Counter()  # the halves at the marks, each counted once below
    stems: set[str] = set()
    pieces = text.split("\ufffe")
    for left, right in itertools.pairwise(pieces):
        before, after = _TAIL.search(left[-80:]), _HEAD.match(right)
        if before and after:
            a, b = before.group().lower(), after.group().lower()
            needed.update((a, b, a + b, f"{a}-{b}"))
            parts.update((a, b, _STEM + b[:STEM]))
            stems.add(b[:STEM])
    if calls._measure:  # (the same in C: the tokens counted, then each distinct one's words)
        counted = calls._measure.words(
            calls._measure.tokens(text), needed, stems, _PUNCTUATION, _STEM, STEM
        )
        out = Counter(counted)
        out.subtract(parts)
        return +out
    out: Counter[str] = Counter()
    for token, n in Counter(text.split()).items():  # (each distinct token looked at once)
        for piece in token.split("\ufffe") if "\ufffe" in token else (token,):  # (a mark
            # splits words; few tokens hold one, so the text is not copied to split them)
            word = piece.strip(_PUNCTUATION).lower()
            if word in needed:
                out[word] += n
            if word[:STEM] in stems:
                out[_STEM + word[:STEM]] += n
    out.subtract(parts)  # "persis" and "tently" are words of the document only if seen apart
    return +out  # (positive counts only)


def _negate(m: re.Match[str]) -> str:
    """A relation with the negation slash TeX prints over it, as one character ("≠") when
    Unicode has it."""
    joined = unicodedata.normalize("NFC", m.group(1) + "\u0338")
    return joined if len(joined) == 1 else m.group(0)


def _compose(m: re.Match[str]) -> str:
    """An accent printed apart from its letter, put on it when they make one letter (NFC)."""
    if m.group(1):
        mark, letter = _ACCENTS.get(m.group(1), m.group(1)), m.group(2)
    else:
        letter, mark = m.group(3), m.group(4)
    joined = unicodedata.normalize("NFC", letter + mark)
    return joined if len(joined) == 1 else m.group(0)


def _rejoin_hyphens(text: str, vocabulary: Counter[str]) -> str:
    """Words PDFium marked as hyphenated at a line end (`ex\\x02ample`): kept hyphenated when a
    part is itself hyphenated (`term-by-\\x02term`, `--force-\\x02biarch`) or the hyphenated form
    occurs elsewhere in the document; else joined when the joined word occurs elsewhere; else
    kept hyphenated when the second part is a word of the document seen apart from this mark
    (`well-\\x02known`), joined when it is not (`persis-\\x02tently`). Each mark is looked at in
    its own few dozen characters (a regex over the page backtracks on every word)."""
    pieces = text.split("\x02")
    out = [pieces[0]]
    for piece in pieces[1:]:
        before = _TAIL.search(out[-1][-80:])
        after = _HEAD.match(piece)
        if before is None or after is None:
            out.append("-" + piece)
            continue
        a, b = before.group(), after.group()
        out[-1] = out[-1][: len(out[-1]) - len(a)]
        dashed = out[-1].endswith("-")  # "--force-" + "biarch"
        out.append(_joined(a, b, vocabulary, dashed) + piece[len(b) :])
    return "".join(out)


def _joined(a: str, b: str, vocabulary: Counter[str], dashed: bool = False) -> str:
    if dashed or "-" in a or "-" in b or vocabulary[f"{a}-{b}".lower()]:
        return f"{a}-{b}"
    if vocabulary[(a + b).lower()]:
        return a + b
    second = b.lower()
    if (
        len(a) > 2
        and len(b) > 2
        and (vocabulary[second] or (len(b) > STEM and vocabulary[_STEM + second[:STEM]]))
    ):
        return f"{a}-{b}"  # a compound's second part is a word ("narrowly-defined"), or starts
        # as one does ("double-quotes": "quote"); what TeX breaks off a word seldom is
        # ("persis-tently", "Real-ization", "prompt-ing")
    return a + b


class Joined:
    """The text being built: its parts, their total length, and the spans found on the way."""

    def __init__(self):
        self.parts: list[str] = []
        self.size = 0
        self.units: list[tuple[int, int]] = []
        self.code: list[tuple[int, int]] = []
        self.skip: list[tuple[int, int]] = []
        self.heads: list[tuple[int, int, int, Line]] = []  # (start, end, page, first line)

    def add(self, piece: str) -> None:
        self.parts.append(piece)
        self.size += len(piece)


def join(pages: list[list[Line]]) -> tuple[Joined, list[int]]:
    """All pages as one text (see the module's docstring); (the text's parts and spans, the
    offset where each page starts)."""
    out = Joined()
    parts = out.parts
    size = 0
    starts: list[int] = []
    prev: Line | None = None
    block = None  # (kind, start, page, first line) of the paragraph being built
    gap = PARAGRAPH_GAP * max(1.0, _usual_pitch(pages) / 1.2)
    sep = "\n\n"
    for i, lines in enumerate(pages):
        kept = [x for x in lines if x.kind not in ("run", "blank") and x.text]
        right = max((x.x1 for x in kept if not x.kind), default=0.0)
        start = None
        for line in kept:
            if prev is not None:
                sep = _separator(prev, line, right, start is None, gap, block and block[3])
                if sep == "\n\n" and block is not None:
                    out.size = size
                    _close(out, block)
                    block = None
                parts.append(sep)
                size += len(sep)
            if start is None:
                start = size
            if block is None:
                block = (line.kind, size, i, line)
            text = line.text
            if text[0] in _BULLETS and text[1:2] == " " and len(text) > 2 and sep != " ":
                text = text[2:]  # a list's item: its mark said so (`_separator`), it is no word
            parts.append(text)
            size += len(text)
            prev = line
        starts.append(size if start is None else start)
    out.size = size
    if block is not None:
        _close(out, block)
    out.add("\n")
    return out, starts


def _close(out: Joined, block) -> None:
    kind, start, page, first = block
    end = out.size
    if kind in ("ref", "num"):
        out.skip.append((start, end))
    elif kind in ("head", "def", "row", "code"):
        out.units.append((start, end))
        if kind == "code":
            out.code.append((start, end))
        elif kind in ("head", "def"):
            out.heads.append((start, end, page, first))


def _usual_pitch(pages: list[list[Line]]) -> float:
    """The distance between two lines of a paragraph, in font sizes, the document's most common
    (1.2 in TeX; word processors set more): a paragraph break is a wider gap than this one."""
    pitches: Counter[float] = Counter()
    for lines in pages[:: max(1, len(pages) // 200)]:
        for a, b in itertools.pairwise(lines):
            if not a.kind and not b.kind and a.size == b.size and a.size > 0:
                ratio = round((a.end - b.base) / a.size, 1)
                if 0.8 <= ratio <= 3:
                    pitches[ratio] += 1
    return pitches.most_common(1)[0][0] if pitches else 1.2


def _separator(
    prev: Line, line: Line, right: float, new_page: bool, gap: float, first: Line | None = None
) -> str:
    """What goes between two lines: a space within a paragraph, a newline within a code block,
    a blank line between paragraphs (`first`: the paragraph's first line)."""
    if prev.kind == "term" and not line.kind:
        return " "  # a description goes on from its term
    if prev.kind == "row" and not line.kind and prev.col and line.x0 > prev.col - 2:
        pitch = prev.end - line.base
        if 0 < pitch < gap * max(prev.size, line.size, 1.0):
            return " "  # a row's last cell wrapped under its column
    if prev.kind != line.kind or line.kind in ("row", "term", "ref", "num") or line.note:
        return "\n\n"  # (a footnote starts a paragraph)
    pitch = prev.end - line.base
    size = max(prev.size, line.size, 1.0)
    if line.kind == "code":
        return "\n" if 0 < pitch < gap * 1.5 * size else "\n\n"
    if line.kind == "def":  # a function's signatures, one a line, are one heading
        return "\n" if 0 < pitch < 1.6 * size else "\n\n"
    if line.kind == "head":
        same = abs(prev.size - line.size) < 0.5 and 0 < pitch < 1.6 * size
        return " " if same else "\n\n"
    if line.text[0] in _BULLETS and line.text[1:2] == " ":
        return "\n\n"  # a list's item: its own paragraph, not the sentence before's tail
    if first and first.text[0] in _BULLETS and line.x0 < first.x0 - 0.5 * size and not new_page:
        return "\n\n"  # left of an item's bullet: the list has ended
    ends = prev.text[-1] in _ENDS and bool(_END.search(prev.text))
    if new_page or pitch <= 0 or pitch > 4 * size:  # a new page or column
        return "\n\n" if ends else " "
    if pitch > gap * size or line.x0 < prev.x0 - OUTDENT * size:
        return "\n\n"
    if ends and (line.x0 - prev.x0 > INDENT * size or prev.x1 < right - 3 * size):
        # a sentence's end, then a first-line indent or a short line before
        return "\n\n"
    return " "
