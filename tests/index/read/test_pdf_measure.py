"""The PDF reader's per-line PDFium calls made from C (`pdf/_measure.c`) and in Python
(`calls.Measure`, the fallback without a compiler) give the same document, to the last offset,
on real PDFs made by real tools: pdflatex, texi2pdf, latex + dvips + Ghostscript, ReportLab."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.read.formats import pdf as reader
from index.read.formats.pdf import calls

PDFS = sorted((Path(__file__).resolve().parents[1] / "pdfs").glob("*.pdf"))


def test_the_test_pdfs_are_there():
    assert len(PDFS) >= 8


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_compiled_and_python_calls_read_the_same_document(path, monkeypatch):
    if calls._measure is None:
        pytest.skip("the per-line calls are not compiled here (no C compiler at install)")
    data = path.read_bytes()
    compiled = reader.read(path.name, data)
    monkeypatch.setattr(calls, "_measure", None)
    python = reader.read(path.name, data)
    assert python.text == compiled.text
    assert python == compiled  # pages, sections, units, headings, code spans too
    assert compiled.text.strip() and compiled.pages  # (not every test PDF has headings)


def test_the_python_calls_leave_the_probe_as_the_compiled_ones_do(monkeypatch):
    """Each call writes into the probe's out-parameters, which later calls read: after a page,
    the compiled and the Python measure leave the same values there."""
    if calls._measure is None:
        pytest.skip("the per-line calls are not compiled here (no C compiler at install)")
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    pdf = pdfium.PdfDocument(PDFS[0].read_bytes())
    bare = calls.bare(pdfium_c)
    seen = []
    for compiled in (True, False):
        if not compiled:
            monkeypatch.setattr(calls, "_measure", None)
        probe = calls.Probe()
        measure = calls.measure(bare, probe)
        page = pdfium_c.FPDF_LoadPage(pdf.raw, 0)
        textpage = pdfium_c.FPDFText_LoadPage(page)
        n = pdfium_c.FPDFText_CountChars(textpage)
        measure.page(ctypes.cast(textpage, ctypes.c_void_p).value, -1e9, -1e9, 1e9, 1e9, True)
        heads = [measure.head(i, n - 1 - i) for i in range(0, n, 7)]
        styles = [measure.style(i) for i in range(0, n, 5)]
        words = "".join(chr(ord("a") + i % 26) + " " * (i % 3 == 0) for i in range(n - 2))
        gaps = [measure.gaps(1, words, gap) for gap in (-1.0, 0.0, 2.0, 20.0)]
        measure.style(n - 1)
        probe.fonts[(probe.name.value, probe.flags.value)] = (True, False, None)
        again = measure.style(n - 1)
        outs = (probe.x, probe.y, probe.l, probe.r, probe.b, probe.t, probe.name, probe.flags)
        seen.append((heads, styles, again, gaps, [x.value for x in outs]))
        pdfium_c.FPDFText_ClosePage(textpage)
        pdfium_c.FPDF_ClosePage(page)
    pdf.close()
    assert seen[0] == seen[1]
    assert seen[0][2] == (True, False, None)  # the probe's own font cache is the one looked up
    assert all(h is not None and h[3] > 0 for h in seen[0][0])
    assert seen[0][3][0][0] and seen[0][3][0][1] is not None  # every space is a gap wider than -1


def test_the_compiled_calls_read_most_lines_themselves(monkeypatch):
    """`Measure.lines` reads a page's usual lines in C and leaves the others to `page._lines`
    (a font not seen yet, a digit or a mark first, a mark inside): on ReportLab's 5,683 lines,
    most never reach the Python loop, so the comparison above compares the two ways of reading
    them (the small TeX PDFs' lines are mostly the others)."""
    if calls._measure is None:
        pytest.skip("the per-line calls are not compiled here (no C compiler at install)")
    from index.read.formats.pdf import page

    in_python = []
    raw_lines = page._raw_lines

    def counted(text, fast, *lists):
        for start, raw in raw_lines(text, fast, *lists):
            in_python.append(raw)
            yield start, raw

    monkeypatch.setattr(page, "_raw_lines", counted)
    for name in ("reportlab-userguide.pdf",):
        data = (PDFS[0].parent / name).read_bytes()
        in_python.clear()
        reader.read(name, data)
        compiled = len(in_python)
        with monkeypatch.context() as m:
            m.setattr(calls, "_measure", None)
            in_python.clear()
            reader.read(name, data)
        assert 0 < compiled < 0.5 * len(in_python), (name, compiled, len(in_python))


def test_compiled_controls_are_the_pattern():
    """`Measure.controls` finds what `glyphs.CONTROL` does: any control character but the
    "\\r\\n" that ends a line (a lone "\\r" or "\\n" is one, as is C1's "\\x85")."""
    if calls._measure is None:
        pytest.skip("the per-line calls are not compiled here (no C compiler at install)")
    import pypdfium2.raw as pdfium_c

    from index.read.formats.pdf import glyphs

    compiled = calls.measure(calls.bare(pdfium_c), calls.Probe())
    texts = ["", "a\r\nb\r\n", "\r\r\n", "a\nb", "a\rb", "a\r", "\n\r", "x\x07y", "é\x85", "ab\x7f",
             "\x9f", "\xa0é€\r\n", "\t", "a\r\n\n"]  # fmt: skip
    for text in texts:
        assert compiled.controls(text) == (glyphs.CONTROL.search(text) is not None), repr(text)


def test_compiled_token_counts_are_the_counter():
    """`_measure.tokens` counts a text's whitespace tokens as `Counter(text.split())` does, in
    the same order (Unicode's spaces too), on a real manual's text and on edge cases."""
    if calls._measure is None:
        pytest.skip("the per-line calls are not compiled here (no C compiler at install)")
    from collections import Counter

    manual = reader.read("r.pdf", (PDFS[0].parent / "reportlab-userguide.pdf").read_bytes()).text
    texts = [manual, "", "  ", "a b a", "é\x1cb é", "x\u2028y  x\t\nz\u3000y", "中文 中文", "𝔸 𝔸 a"]
    for text in texts:
        counted = calls._measure.tokens(text)
        assert counted == Counter(text.split())
        assert list(counted) == list(Counter(text.split()))


def test_compiled_hyphen_vocabulary_is_the_python_one(monkeypatch):
    """The hyphen vocabulary counted in C (`_measure.tokens`, then `_measure.words`) is the
    Python loop's, to the order of its words: on ReportLab's pages (words PDFium marks as
    hyphenated at a line's end) and on pages of tokens in capitals, with punctuation, accents,
    a mark inside, Unicode spaces."""
    if calls._measure is None:
        pytest.skip("the per-line calls are not compiled here (no C compiler at install)")
    import sys

    join = sys.modules["index.read.formats.pdf.join"]
    seen = []
    vocabulary = join._vocabulary
    monkeypatch.setattr(join, "_vocabulary", lambda pages: seen.append(pages) or vocabulary(pages))
    reader.read("r.pdf", (PDFS[0].parent / "reportlab-userguide.pdf").read_bytes())
    made = ["persis\ufffetently PERSIStent (well-\ufffeknown) Well-known, “known” known\nDouble-",
            "quo\ufffetes quotes. QUOTED\u2003quoted; naïve na\ufffeïve Naïve—x ex\ufffeample"]  # fmt: skip
    assert seen and any(vocabulary(pages) for pages in seen)
    for pages in [*seen, made]:
        compiled = vocabulary(pages)
        with monkeypatch.context() as m:
            m.setattr(calls, "_measure", None)
            python = vocabulary(pages)
        assert compiled == python and list(compiled) == list(python)
    assert vocabulary(made) == {"quotes": 1, "naïve": 1}  # (the parts at the marks not counted)
