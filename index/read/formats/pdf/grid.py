"""A code listing set one character at a time on a grid (LaTeX's listings package): PDFium
makes up a space wherever two glyphs stand a little apart ("\\ documentclass [ a4paper ]").
Asked only of a listing's numbered lines: elsewhere in typewriter text a space after a comma
can be as narrow (Texinfo's tables: "logit, probit")."""

from __future__ import annotations

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
