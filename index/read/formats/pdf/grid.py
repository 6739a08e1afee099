"""Text set on a grid: a code listing set one character at a time (LaTeX's listings package),
where PDFium makes up a space wherever two glyphs stand a little apart ("\\ documentclass [
a4paper ]"), asked only of a listing's numbered lines (elsewhere in typewriter text a space
after a comma can be as narrow: Texinfo's tables, "logit, probit"); and a two-column table whose
first cells are long (`align_rows`)."""

from __future__ import annotations

from collections import Counter

from index.read.formats.pdf import glyphs


def spaces(pdfium_c, tp, text: str, a: int, p) -> list:
    """Spaces PDFium made up inside a monospaced line whose characters are set one by one on a
    grid (LaTeX's listings: "\\ documentclass [ a4paper ]"): the glyphs around them start one
    grid step apart (0.6 em), where a space would put them one and a half or two apart (a
    typewriter space: 1.05 em; a text space after a typewriter letter: 0.86 em). A space printed
    as a character stays."""
    out, origin = [], pdfium_c.FPDFText_GetCharOrigin
    for k in (k for k, ch in enumerate(text) if ch == " " and 0 < k < len(text) - 1):
        if text[k + 1] != " " and pdfium_c.FPDFText_IsGenerated(tp, a + k) == 1:
            origin(tp, a + k - 1, p.ref_x, p.ref_y)
            before = p.x.value
            origin(tp, a + k + 1, p.ref_x, p.ref_y)
            if p.x.value - before < 0.75 * pdfium_c.FPDFText_GetFontSize(tp, a + k - 1):
                out.append((k, glyphs.DROP))
    return out


def align_rows(pdfium_c, tp, lines: list, firsts: list[int], ends, rows, p) -> None:
    """Rows of a two-column table whose first cell is long, so that a word space is all that
    parts it from the second (a reference card's "error (message) print message and return to
    top level"): a line at the left edge where two or more of the page's rows start, with a word
    starting where their second cells start, printed in another size from there on."""
    cols: Counter[tuple[int, int]] = Counter((round(x.x0), round(x.col)) for x in rows if x.col)
    edges = [(x0, col) for (x0, col), n in cols.items() if n >= 2]
    if edges:  # not a label set flush right (a signature's "[Function]"): a column of text
        widest = max(x.x1 for x in rows)
        edges = [(x0, col) for x0, col in edges if col - x0 < 0.6 * (widest - x0)]
    if not edges:
        return
    box, size_of = pdfium_c.FPDFText_GetCharBox, pdfium_c.FPDFText_GetFontSize
    for line, a, z in zip(lines, firsts, ends, strict=True):
        if line.cells or " " not in line.text:
            continue
        for x0, col in edges:
            size = max(line.size, 1.0)
            if abs(line.x0 - x0) > 1.5 or not line.x0 + 2 * size < col < line.x1 - size:
                continue
            if abs(size_of(tp, a) - size_of(tp, z)) < 0.3:
                break  # (its second cell runs to its end, in the other size)
            k = pdfium_c.FPDFText_GetCharIndexAtPos(tp, col + 1.0, line.base + 0.3 * size, 1.0, 1.0)
            at = k - a
            if not 0 < at < len(line.text) or line.text[at - 1] != " ":
                continue
            box(tp, k, p.ref_l, p.ref_r, p.ref_b, p.ref_t)
            if abs(p.l.value - col) > 1.5 or abs(size_of(tp, a) - size_of(tp, k)) < 0.3:
                continue  # (a font change alone is a word in code or italics in a sentence)
            line.text = line.text[: at - 1] + "\t" + line.text[at:]
            line.cells, line.col = True, p.l.value
            break
