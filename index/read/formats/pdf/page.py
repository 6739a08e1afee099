"""One PDF page as lines: PDFium's own text of the page (its reading order, its generated spaces and
line breaks, one call) and, for each line, what a reader sees of it: where it starts and ends on
the page, its baseline, its font size, whether it is bold or monospaced.

A few PDFium calls per line, never one per character or per text run: the per-run reading this
replaces called `get_text_bounded` once per rectangle, read overprinted (fake-bold) glyphs twice
and put spaces at every font change ("Array < T> T>"), at four times PDFium's own cost.
"""

from __future__ import annotations

import bisect
import ctypes
import re

from index.read.formats.pdf import glyphs, grid, marks
from index.read.formats.pdf.calls import Probe

CELL_GAP = 1.5  # a gap wider than this many font sizes between two words of a line splits cells
SPARSE = 1.1  # a line this many times wider than its characters need may hold table cells
MANY_PATHS = 20  # a page without text but with this many drawn paths holds outlined text
_MONO = re.compile(
    r"mono|courier|consol|typewriter|code|menlo|inconsolata|cmtt|cmsltt|cmitt|sftt|txtt|lmtt"
    r"|(?<![a-z])tt\d",
    re.I,
)
_BOLD = re.compile(r"bold|black|heavy|semibold|demi|cmbx|cmb\d|sfbx|(?<=[-,])b(?:$|[a-z]?$)", re.I)


# a word of prose: a line in code at both ends is looked into only when it has one
_LINE_NUMBER = re.compile(r"\d{1,5}\s+")  # "12  \documentclass": in a numbered listing
_PROSE = re.compile(
    r" (?:the|and|or|but|not|is|are|be|can|of|to|in|on|at|for|from|with|as|by|an?|that|which"
    r"|it|this|if|when|then) ",
    re.I,
)
_BULLETS = frozenset("•◦·−∗⋄–-")  # list marks TeX prints from its math fonts
# what a line is stripped of on a page with a glyph read as a control character: spaces, not
# the glyph ("\n" for amssymb's \rightleftharpoons)
_BLANK = "".join(c for c in map(chr, range(0x3001)) if c.isspace() and not glyphs.CONTROL.match(c))

# kind of a page without characters
TEXT, BLANK, SCAN = "text", "blank", "scan"


class Line:
    """One line of a page as PDFium reads it, with where and how it is printed."""

    __slots__ = (
        "base",
        "bold",
        "cells",
        "col",
        "end",
        "kind",
        "mono",
        "note",
        "size",
        "text",
        "x0",
        "x1",
    )

    def __init__(self, text, x0, x1, base, size, bold, mono):
        self.text = text  # no control character but the layout's tabs between cells
        self.x0 = x0  # left of its first character
        self.x1 = x1  # right of its last character
        self.base = base  # baseline of its first character (PDF units: up is larger)
        self.end = base  # baseline of its last one (lower when PDFium joined a hyphenated line)
        self.note = False  # led by a footnote's mark: a footnote starts here
        self.size = size  # font size of its first and last characters, the smaller
        self.bold = bold  # first and last characters bold
        self.mono = mono  # first and last characters monospaced
        self.kind = ""  # set by the layout: run, ref, num, head, code, row, term, blank
        self.cells = False  # its words are far apart: table cells joined by " | "
        self.col = 0.0  # where its second cell starts

    def __repr__(self) -> str:  # for debugging
        return f"Line({self.text!r}, {self.kind or '-'}, x={self.x0:.0f}-{self.x1:.0f}, y={self.base:.0f}, {self.size:.1f})"


class PageError(Exception):
    """PDFium could not load a page."""


def read_page(pdfium_c, doc, index: int, probe: Probe) -> tuple[str, list[Line]]:
    """(kind, lines) of page `index` of a raw PDFium document: kind is TEXT, or BLANK (nothing
    printed, or a few rules) or SCAN (images or outlined glyphs without a text layer: OCR
    needed). Raw handles, opened and closed here: no wrapper objects or finalizers per page."""
    page = pdfium_c.FPDF_LoadPage(doc, index)
    if not page:
        raise PageError(index)
    try:
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            raise PageError(index)
        try:
            n = pdfium_c.FPDFText_CountChars(textpage)
            if n <= 0:
                return _empty_kind(pdfium_c, page), []
            buffer = (ctypes.c_ushort * (n + 1))()
            got = pdfium_c.FPDFText_GetText(textpage, 0, n, buffer)
            text = bytes(buffer)[: 2 * max(got - 1, 0)].decode("utf-16-le", "replace")
            rect = pdfium_c.FS_RECTF()
            if not pdfium_c.FPDF_GetPageBoundingBox(page, rect):
                raise PageError(index)
            bbox = (rect.left, rect.bottom, rect.right, rect.top)
            return TEXT, _lines(pdfium_c, textpage, text, n, probe, bbox)
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)
    finally:
        pdfium_c.FPDF_ClosePage(page)


def _empty_kind(pdfium_c, page) -> str:
    images = paths = 0
    for j in range(pdfium_c.FPDFPage_CountObjects(page)):
        kind = pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(page, j))
        if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            images += 1
        elif kind == pdfium_c.FPDF_PAGEOBJ_PATH:
            paths += 1
    return SCAN if images or paths >= MANY_PATHS else BLANK


def _lines(pdfium_c, tp, text: str, n: int, p: Probe, bbox) -> list[Line]:
    """The page's lines with where and how each is printed: five PDFium calls a line (origin and
    font of its first character, box of its last), a few more for a heading's last character
    and a sparse line's gaps; the usual ones in one call from C (`calls.measure`). Written for
    speed: this runs for every line of every page."""
    exact = len(text) == n  # else surrogate pairs shift text indices: map them through PDFium
    origin, box, font_size = (
        pdfium_c.FPDFText_GetCharOrigin,
        pdfium_c.FPDFText_GetCharBox,
        pdfium_c.FPDFText_GetFontSize,
    )
    x, y, cl, cr, cb, ct = p.ref_x, p.ref_y, p.ref_l, p.ref_r, p.ref_b, p.ref_t  # (pointers)
    yv, rv = p.y, p.r  # (what the pointers fill)
    mark_chars, inside = marks.MARKS, marks.INSIDE.search
    left, bottom, right, top = bbox[0] - 1, bbox[1] - 1, bbox[2] + 1, bbox[3] + 1
    p.measure.page(ctypes.cast(tp, ctypes.c_void_p).value, left, bottom, right, top, exact)
    head, font_style = p.measure.head, p.measure.style
    out: list[Line] = []
    ends: list[int] = []
    firsts: list[int] = []
    offsets: list[int] = []  # where each line starts in the page's text (its first character's
    # index but on a page whose text and characters differ in count: see `exact`)
    fixes: dict[int, list[tuple[int, str]]] = {}  # glyphs PDFium could not name, by line
    unnamed = getattr(pdfium_c, "FPDFText_HasUnicodeMapError", None)  # (PDFium 2023 on)
    # a glyph PDFium could not name may read as a control character, even a line feed or tab:
    # kept while its font may name it, then a space (same length: offsets stay character indices)
    controls = p.measure.controls(text)  # (`glyphs.CONTROL` in it)
    blank = _BLANK if controls else None
    fast = getattr(p.measure, "lines", None) if exact and not controls else None
    for start, raw in _raw_lines(text, fast, out, ends, firsts, offsets):
        stripped = raw.strip(blank)
        if not stripped:
            continue
        a = start if raw[0] == stripped[0] else start + raw.find(stripped)  # (after its spaces)
        z = a + len(stripped) - 1
        offset = a
        if not exact:
            a = pdfium_c.FPDFText_GetCharIndexFromTextIndex(tp, a)
            z = pdfium_c.FPDFText_GetCharIndexFromTextIndex(tp, z)
            if a < 0 or z < 0:
                continue
        numbered = False  # a listing's line number in its margin: no part of the code
        if exact and stripped[0].isdigit() and (m := _LINE_NUMBER.match(stripped)):
            k = m.end()
            if (  # printed smaller than the code, not in its typewriter font (a table's cell is not)
                k < len(stripped)
                and font_size(tp, a) < 0.95 * font_size(tp, a + k)
                and _mono(pdfium_c, tp, a + k, p)
                and not _mono(pdfium_c, tp, a, p)
            ):
                a, offset, stripped, numbered = a + k, offset + k, stripped[k:], True
        got = head(a, z)
        if got is None:
            continue  # printed off the page: invisible
        x0, base, x1, size, style = got
        if size is None:  # runs off the page (its font not asked yet): keep what is printed on it
            z = _last_on_page(box, tp, a, z, right, p)
            stripped = text[a : z + 1].rstrip(blank)
            z = a + len(stripped) - 1
            box(tp, z, cl, cr, cb, ct)
            x1 = rv.value
            style, size = font_style(a), font_size(tp, a)
        if style is None:
            style = _style(pdfium_c, tp, a, p)
        line = Line(stripped, x0, x1 if x1 > x0 else x0, base, size, style[0], style[1])
        if stripped[0] in mark_chars and exact:  # a footnote's first line: past its raised mark
            marks.past_mark(pdfium_c, tp, line, a, p, _math_letter)
        fix = None
        if style[2] is not None:  # a line that starts with a symbol of TeX's math fonts
            if stripped[0] < "\x80" and unnamed and unnamed(tp, a):  # one PDFium could not
                # name, read as its code: "a error" for "⊣ error" ("•", "⇒" are named)
                fix = _fix(style[2], stripped, 0, fix)
            after = stripped.find(" ", 1, 4) + 1
            if 0 < after <= z - a and stripped[0] not in _BULLETS:  # "⊣ hello", "⇒ 2" in an
                # example: monospaced as what follows (a list item is not)
                line.mono = _mono(pdfium_c, tp, a + after, p)
                style = (style[0], line.mono, None)
        elif controls and stripped[1:2] == " " and glyphs.CONTROL.match(stripped):
            # a glyph without a name alone before the line's words, in a font of no table
            # (pdfTeX's bitmap TS1 "•", 0x88): a list's mark, not nothing
            fix = [(0, "•")] if unnamed and unnamed(tp, a) else fix
        if exact and not style[1] and inside(stripped, 2):
            fix = marks.inside(pdfium_c, tp, stripped, a, line.size, p, fix, _math_letter)
        if fix:
            fixes[len(out)] = fix
        if (style[0] or style[1]) and z != a:
            other = font_style(z) or _style(pdfium_c, tp, z, p)
            line.bold, line.mono = style[0] and other[0], style[1] and other[1]
            if line.mono and exact and _PROSE.search(stripped):
                line.mono = _mono_inside(pdfium_c, tp, stripped, a, p)
        if numbered and line.mono and " " in stripped:  # PDFium's spaces in a listing's words
            spaced = grid.spaces(pdfium_c, tp, stripped, a, p)
            if spaced:
                fixes[len(out)] = fixes.get(len(out), []) + spaced
        if "\ufffe" in stripped:  # PDFium joined the next line after a hyphen: where it ends
            origin(tp, z, x, y)
            line.end = yv.value
        out.append(line)
        ends.append(z)
        firsts.append(a)
        offsets.append(offset)
    if exact and unnamed and p.tex and out:  # glyphs of TeX's math fonts inside lines
        _odd_glyphs(pdfium_c, tp, text, controls, out, firsts, ends, fixes, p)
    if controls:
        if exact and unnamed:  # T1's ligatures, quotes and dashes in pdfTeX's bitmap fonts
            glyphs.nameless(pdfium_c, tp, out, firsts, fixes, p)
        for line in out:
            line.text = glyphs.CONTROL.sub(" ", line.text)
    rows: list[Line] = []
    if out:
        usual = sorted(x.size for x in out)[len(out) // 2]
        after, k = p.measure.after if fast else None, 0  # (the usual lines' steps from C)
        while k < len(out):
            if after and (k := after(out, firsts, ends, usual, k, rows, SPARSE, CELL_GAP)) < 0:
                break
            line, a, offset, z = out[k], firsts[k], offsets[k], ends[k]
            k += 1
            if line.size > 1.08 * usual:  # a heading, or only its first letter?
                line.size = min(line.size, font_size(tp, z))
            text = line.text
            if exact and text[-1] in mark_chars and marks.AT_END.search(text, len(text) - 7):
                marks.drop_at_end(font_size, box, tp, line, z, p)
                text = line.text
            if " " in text and (line.x1 - line.x0) > SPARSE * 0.5 * line.size * len(text):
                _split_cells(pdfium_c, tp, line, a, None if exact else offset, p)
                if line.cells:
                    rows.append(line)
        if exact and len(rows) >= 2:
            grid.align_rows(pdfium_c, tp, out, firsts, ends, rows, p)
        for k, fix in fixes.items():  # after the steps above, which index the characters
            out[k].text = glyphs.replace(out[k].text, fix) or out[k].text
        if controls:  # (a line that was only such glyphs is gone)
            for line in out:
                line.text = line.text.strip()
            out = [x for x in out if x.text]
    return _merge_raised(out)


def _raw_lines(text: str, fast, out, ends, firsts, offsets):
    """(start, raw text) of each line of a page's text (parted by "\\r\\n") that `_lines` reads
    itself; `fast` (`_measure.c`'s `Measure.lines`, when compiled) reads the usual ones between
    them into `out` and the lists beside it as `_lines` would."""
    pos = 0
    while True:
        if fast is not None:
            pos = fast(text, pos, Line, out, ends, firsts, offsets)
            if pos < 0:
                return
        end = text.find("\r\n", pos)
        if end < 0:
            yield pos, text[pos:]
            return
        yield pos, text[pos:end]
        pos = end + 2


def _mono_inside(pdfium_c, tp, text: str, a: int, p: Probe) -> bool:
    """Whether a line that starts and ends in a monospaced font is code all along: the words a
    third and two thirds of the way in are monospaced too (a sentence with code at both ends,
    "inv (p1) * A * inv (p2) is HPD, the conjugate gradient method is formally applied", is
    prose)."""
    for at in (len(text) // 3, 2 * len(text) // 3):
        k = text.rfind(" ", 0, at + 1) + 1
        if 0 < k < len(text) and not text[k].isspace() and not _mono(pdfium_c, tp, a + k, p):
            return False
    return True


def _mono(pdfium_c, tp, i: int, p: Probe) -> bool:
    """Whether character i is printed in a monospaced font."""
    return (p.measure.style(i) or _style(pdfium_c, tp, i, p))[1]


def _fix(encoding, text: str, k: int, fix: list | None) -> list | None:
    """`fix` with the character at offset k of a line read through a TeX math font's encoding."""
    code = ord(text[k]) if k < len(text) else 128
    if code >= 128:
        return fix
    return [*(fix or ()), (k, encoding[code])]


def _odd_glyphs(pdfium_c, tp, page: str, controls: bool, lines, firsts, ends, fixes, p) -> None:
    """`fixes` with the glyphs inside the lines of a page that PDFium could not name in TeX's
    math fonts (`glyphs.odd`: "Copyright \\rc", "7→", "‘ a ’"), by line."""
    for i in glyphs.odd(page, controls):
        k = bisect.bisect_right(firsts, i) - 1
        if k < 0 or i == firsts[k] or i > ends[k]:
            continue  # (a line's first character is looked at as the line is read)
        fixes[k] = _odd_glyph(pdfium_c, tp, i, i - firsts[k], lines[k].text, p, fixes.get(k))
        if not fixes[k]:
            del fixes[k]


def _odd_glyph(pdfium_c, tp, i: int, k: int, text: str, p: Probe, fix: list | None):
    """`fix` with character i of the page (offset k of its line) read through its font's
    encoding when it is a TeX math glyph PDFium could not name."""
    style = p.measure.style(i) or _style(pdfium_c, tp, i, p)
    if style[2] is None or not pdfium_c.FPDFText_HasUnicodeMapError(tp, i):
        return fix
    return _fix(style[2], text, k, fix)


def _math_letter(pdfium_c, tp, i: int, p: Probe) -> bool:
    """Whether character i is printed in one of TeX's math fonts."""
    style = p.measure.style(i) or _style(pdfium_c, tp, i, p)
    return style[2] is not None


def _last_on_page(box, tp, a: int, z: int, right: float, p: Probe) -> int:
    """The last character of a line from a to z that starts left of the page's right edge (a
    line's characters run left to right: bisected)."""
    lo, hi = a, z
    while lo < hi:
        mid = (lo + hi + 1) // 2
        box(tp, mid, p.ref_l, p.ref_r, p.ref_b, p.ref_t)
        if p.l.value <= right:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _style(pdfium_c, tp, i: int, p: Probe) -> tuple[bool, bool, tuple[str, ...] | None]:
    """(bold, monospaced, TeX math encoding) of the font of character i, whose name and flags
    are in the probe (just asked); remembered per font, the weight asked once."""
    key = (p.name.value, p.flags.value)
    name = key[0].decode("latin-1").split("+", 1)[-1]
    weight = pdfium_c.FPDFText_GetFontWeight(tp, i)
    mono = bool(key[1] & 1) or bool(_MONO.search(name))
    # PDFium estimates a weight from the font's stem width when the PDF names none; for TeX's
    # fonts, whose names say their weight (cmbx, lmroman10-bold), that estimate misleads: the
    # same CMR10 is 345 in one manual and 744 in another (dvips.pdf, made through Ghostscript),
    # where every line of body text read as bold, and short ones as headings.
    heavy = weight >= 600 and not glyphs.TEX_FONT.match(name)
    style = p.fonts[key] = (
        bool(_BOLD.search(name)) or heavy,
        mono,
        glyphs.table(name),
    )
    p.tex = p.tex or style[2] is not None or bool(glyphs.TEX_FONT.match(name))
    return style


def _split_cells(pdfium_c, textpage, line: Line, a: int, offset: int | None, p: Probe) -> None:
    """Mark the spaces of a sparse line that stand for a wide gap (table cells) with a tab: the
    layout turns them into " | " when the line is a row. `a` is the index of its first
    character; on a page whose text and characters differ in count (a character PDFium leaves
    out of its text, a surrogate pair), each is found from the line's `offset` in the text."""
    text = line.text
    gap = CELL_GAP * line.size
    if offset is None:  # (each space's neighbours asked from C: `calls.Measure.gaps`)
        found, col = p.measure.gaps(a, text, gap)
    else:
        box = pdfium_c.FPDFText_GetCharBox
        index = pdfium_c.FPDFText_GetCharIndexFromTextIndex
        found, col = [], None
        k = text.find(" ", 1)
        while k > 0:  # each space (found in C: a line is mostly letters)
            box(textpage, index(textpage, offset + k - 1), p.ref_l, p.ref_r, p.ref_b, p.ref_t)
            right = p.r.value
            box(textpage, index(textpage, offset + k + 1), p.ref_l, p.ref_r, p.ref_b, p.ref_t)
            if p.l.value - right > gap:
                found.append(k)
                col = p.l.value if col is None else col
            k = text.find(" ", k + 1)
    if found:
        chars = list(text)
        for k in found:
            chars[k] = "\t"
        line.text = "".join(chars)
        line.cells, line.col = True, col


def _merge_raised(lines: list[Line]) -> list[Line]:
    """Lines PDFium broke after a superscript or subscript, or after a hyphen mark, put back on
    one line."""
    out: list[Line] = lines[:1]
    for line in lines[1:]:
        last = out[-1]
        if last.text[-1] == "\ufffe":  # a word hyphenated at the line's end
            last.text += line.text
            last.x1, last.end = line.x1, line.end
            continue
        if (  # where it starts first: most lines start left of the line before's end
            last.x1 - 0.5 <= line.x0 < last.x1 + 2 * max(last.size, 1)
            and abs(line.base - last.end) < 0.45 * max(last.size, line.size, 1.0)
        ):
            last.text += ("" if line.text[0] in ",.;:)]" else " ") + line.text  # "Calibre2" ","
            last.x1, last.end = line.x1, line.end
            last.cells = last.cells or line.cells
            last.bold = last.bold and line.bold
            last.mono = last.mono and line.mono
            continue
        out.append(line)
    return out
