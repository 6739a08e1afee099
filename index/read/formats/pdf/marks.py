"""Footnote marks on a PDF page: a mark is no part of the word it follows ("John Eaton1 in 1988"
reads "John Eaton in 1988"), and a footnote's first line is measured past its mark. Told by their
looks: printed smaller than the text and raised; the caller (`page`) gives PDFium's calls and
its probe (the font cache and ctypes out-parameters)."""

from __future__ import annotations

import re

from index.read.formats.pdf import glyphs

MARKS = frozenset("0123456789*†‡§")  # what a footnote's mark is made of
# ... after a word or a stop: seven characters at most, looked for in a line's last seven (a
# search from its start tries three letters at every character)
AT_END = re.compile(r"(?:[^\W\d_]{3}|[.,;:)])[0-9*†‡§]{1,4}$")
# ... inside a line ("like Calibre29, or"; what comes before is checked apart, so that C scans)
INSIDE = re.compile(r"[0-9*†‡§]{1,4}(?=[\s.,;:)])")


def drop_at_end(font_size, box, tp, line, z: int, p) -> None:
    """A footnote's mark printed small and raised at the end of a line (PDFium breaks the line
    after it) is taken off the line: "John Eaton1 in 1988" reads "John Eaton in 1988"."""
    k = 0
    while k < 4 and line.text[-1 - k] in MARKS and font_size(tp, z - k) < 0.8 * line.size:
        box(tp, z - k, p.ref_l, p.ref_r, p.ref_b, p.ref_t)
        if p.b.value < line.base + 0.15 * line.size:
            break  # small but not raised: a subscript, or small print
        k += 1
    if k and k < len(line.text):
        line.text = line.text[:-k].rstrip()


def inside(pdfium_c, tp, text: str, a: int, first: float, p, fix: list | None, math_letter):
    """`fix` with the footnote marks inside a line (from character a) dropped: smaller than the
    letter before and raised ("like Calibre29, or": Sphinx's PDFs mark every link so). A digit as
    large is a word's ("utf8"); one raised after TeX's math letters an exponent ("1 − mt²")."""
    font_size, box = pdfium_c.FPDFText_GetFontSize, pdfium_c.FPDFText_GetCharBox
    for m in INSIDE.finditer(text, 2):
        k = m.start()
        if not (text[k - 2 : k].isalpha() or text[k - 1] in ".,;:"):
            continue
        small = font_size(tp, a + k)
        if small >= 0.8 * first:  # as large as the line's first letter: most are
            continue
        size = font_size(tp, a + k - 1)
        if small >= 0.8 * size:
            continue
        if math_letter(pdfium_c, tp, a + k - 1, p):
            continue
        box(tp, a + k - 1, p.ref_l, p.ref_r, p.ref_b, p.ref_t)
        floor = p.b.value
        box(tp, a + k, p.ref_l, p.ref_r, p.ref_b, p.ref_t)
        if p.b.value < floor + 0.15 * size:
            continue  # small but not raised: a subscript
        fix = (fix or []) + [(j, glyphs.DROP) for j in range(k, m.end())]
    return fix


def past_mark(pdfium_c, tp, line, a: int, p, math_letter) -> None:
    """A line led by a small raised mark before a word ("¹ Be aware that…") is a footnote's
    first line: its baseline and size are the text's after the mark (measured from the mark, the
    gap to the next line read as a new paragraph's, and the footnote was cut after its first
    line), and a footnote starts there. An exponent before a math letter is no mark."""
    j = next((k for k, ch in enumerate(line.text[:6]) if ch not in MARKS and ch != " "), 0)
    if not j or not line.text[j].isalpha():
        return
    size = pdfium_c.FPDFText_GetFontSize(tp, a + j)
    if line.size >= 0.8 * size:
        return
    pdfium_c.FPDFText_GetCharOrigin(tp, a + j, p.ref_x, p.ref_y)
    if line.base < p.y.value + 0.15 * size or math_letter(pdfium_c, tp, a + j, p):
        return  # not raised above the text, or an exponent
    line.base = line.end = p.y.value
    line.size = size
    line.note = True
