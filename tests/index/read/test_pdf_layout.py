"""The PDF reader reads a page as a reader sees it: a manual made with fpdf2 the way TeX and
Texinfo print one (`makedocs.manual_pdf`), and the real ReportLab user guide from Debian."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from makedocs import manual_pdf, reference_pdf

from index.read.documents import read_document
from index.read.extract import sentences

USERGUIDE = Path(__file__).resolve().parents[1] / "pdfs" / "reportlab-userguide.pdf"


@pytest.fixture(scope="module")
def manual(tmp_path_factory):
    path = manual_pdf(tmp_path_factory.mktemp("pdf") / "manual.pdf")
    doc, note = read_document("manual.pdf", path)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    return doc, note, said


def test_contents_lines_and_axis_labels_are_structure_never_sentences(manual):
    doc, _, said = manual
    assert not [s for s in said if "…" in s or ". . ." in s or s.rstrip().endswith(" 2")]
    assert "0.0 0.2 0.4 0.6 0.8 1.0" not in said
    skipped = [doc.text[s:e] for s, e in doc.skip]
    assert "1.1 The do-until Statement … 2" in skipped  # still in the text, as structure
    assert "0.0 0.2 0.4 0.6 0.8 1.0" in skipped


def test_headings_are_units_of_their_own_and_start_sections(manual):
    doc, _, said = manual
    headings = [doc.text[s:e] for s, e in doc.headings]
    assert headings == [
        "1 Statements",
        "1.1 The do-until Statement",
        "2 Arrays",
        "2.1 Resizing Arrays",
    ]
    assert "1.1 The do-until Statement" in said
    answer = "The do-until statement repeats a body until a condition becomes true, so the body "
    assert any(s.startswith(answer) for s in said)  # not glued to the heading above it
    starts = {path: start for start, path, _ in doc.sections}
    assert doc.text[starts["1 Statements › 1.1 The do-until Statement"] :].startswith("1.1 The do")
    where = doc.text.index("no memory is released")
    path = max((s, p) for s, p, _ in doc.sections if s <= where)[1]
    assert path == "2 Arrays › 2.1 Resizing Arrays"  # the heading above, not a running header


def test_running_header_of_a_short_chapter_goes_and_its_sentence_runs_on(manual):
    doc, _, said = manual
    assert "Chapter 2" not in doc.text
    assert (
        "When an array is resized to fewer elements, the length is updated and no memory is "
        "released, so growing it again later is cheap." in said
    )


def test_font_changes_add_no_spaces_overprinted_glyphs_count_once_accents_compose(manual):
    _, _, said = manual
    assert "A copy of an Array<T> object shares its data." in said
    assert "The result of int32 (5) ./ int32 (8) is 1." in said  # its period is no table cell
    assert "Bindings exist for C++, Fortran and Python." in said
    assert "Read the warning printed by the Universität library before you start." in said


def test_hyphens_at_line_ends_rejoined_and_real_compounds_kept(manual):
    _, _, said = manual
    assert "Results are compared term-by-term, and every program is checked." in said
    assert "Each program runs with a well-known set of well-known options." in said
    assert "Handles keep their values persistently." in said  # its parts only here
    assert "Strings in double-quotes are quoted; run it with --force-biarch." in said


def test_a_definition_term_leads_its_description_and_code_is_a_code_unit(manual):
    doc, _, said = manual
    assert (
        "collapsedelimiters which may take the value of true (the default) or false; when false, "
        "an empty field is kept between two delimiters." in said
    )
    assert [doc.text[s:e] for s, e in doc.code] == ["x = 1;\ndo\nx++;\nuntil (x == 10)"]


def test_intentionally_blank_and_empty_pages_are_not_counted_as_scans(manual):
    doc, note, said = manual
    assert note is None  # a scanned page still is: see test_formats' handbook
    assert len(doc.pages) == 6
    assert not [s for s in said if "intentionally" in s]


def test_real_manual_contents_pages_are_structure_and_headings_start_sections():
    doc, _ = read_document("reportlab-userguide.pdf", USERGUIDE)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert not [s for s in said if re.search(r"(?:…|\. \. \.)\s*\d+$", s)]  # contents lines
    assert len(doc.headings) >= 50
    heads = {doc.text[s:e] for s, e in doc.headings}
    starts = {s for s, _, _ in doc.sections}
    assert all(s in starts for s, _ in doc.headings)
    assert "1.1 About this document" in heads and not [h for h in heads if len(h) > 120]


def test_a_footnote_mark_is_not_glued_to_its_word(tmp_path):
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for size, vpos, text in (
        (11, "LINE", "Octave was first written by John Eaton"),
        (7, "SUP", "1"),
        (11, "LINE", " in 1988 and it has grown since into a large system used around the world."),
    ):
        pdf.set_font("Helvetica", size=size)
        pdf.char_vpos = vpos
        pdf.write(6, text)
    pdf.output(str(tmp_path / "notes.pdf"))
    doc, _ = read_document("notes.pdf", tmp_path / "notes.pdf")
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert said == [
        "Octave was first written by John Eaton in 1988 and it has grown since into a large "
        "system used around the world."
    ]


def test_a_definitions_signatures_are_a_heading_and_its_description_is_prose(tmp_path):
    """Texinfo's @deftypefn: the signatures (several lines, one call, or one with its category
    set flush right) are a heading of their own, a section named by the first, never glued to the
    description or read as a table; an option's one-line term starts its description; list
    items and table rows stay what they are."""
    path = reference_pdf(tmp_path / "reference.pdf")
    doc, _ = read_document("reference.pdf", path)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    heads = [doc.text[s:e] for s, e in doc.headings]
    assert heads == [
        "4 Strings",
        "c = splitstr (s)\nc = splitstr (s, sep)\nc = splitstr (. . .)",
        "n = countstr (s, pat)",
        "void resize (int n) [Method]",
        "T& xelem (int n) [Method]",  # printed as the one above, with no description
    ]
    assert (
        "Split the string s at each separator and return the pieces in a cell array of strings."
        in said
    )
    assert "Change the size of the array to n elements; no memory is released." in said
    assert "Count how many times the pattern pat occurs in the string s." in said
    paths = [path for _, path, _ in doc.sections]
    assert paths[:2] == ["4 Strings", "4 Strings › c = splitstr (s)"]
    assert "--quiet Do not print the greeting and the version message at startup." in said
    assert "- A widget is a reusable shape that draws itself on a page" in said
    assert "B7 | Toaster | 4 slots" in said
    assert "Sizes are given for the largest model of each range." in said


TEXINFO = Path(__file__).resolve().parents[1] / "pdfs" / "texinfo-glyphs.pdf"


def test_texinfo_glyphs_from_tex_math_fonts_read_as_printed():
    """texi2pdf (texinfo.tex 2021, pdfTeX; tests/index/pdfs/texinfo-glyphs.texi, remade with
    `texi2pdf --batch texinfo-glyphs.texi`) prints @print{}, @expansion{}, @point{}, @copyright{}
    and math's \\neq from TeX's math fonts without a ToUnicode map: PDFium reads the glyphs it
    cannot name as their codes ("a hello", "7→", "?", "\\rc", "6="). They read as printed, and an
    example's output line stays in its code block."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(TEXINFO))
    try:
        raw = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert "\na hello" in raw and "7→" in raw and "foo ?bar" in raw  # what PDFium names them
    doc, _ = read_document("texinfo-glyphs.pdf", TEXINFO)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert [doc.text[s:e] for s, e in doc.code][:3] == [
        'disp ("hello")\n⊣ hello',
        "sqrt (4)\n⇒ 2",
        "(inc x)\n→ (setq x (1+ x))",
    ]
    assert "Evaluating an expression gives its value." in said  # not glued to "a hello"
    assert "The point is where the cursor stands: foo ⋆bar." in said
    assert "A function’s output reads ‘ ⊣ ’ in the text, and its value ‘⇒’." in said
    assert "Two values that differ are written x ≠ y in a formula." in said
    assert "This sample is copyright © 2026 the Verbatim authors." in said
    assert "≡" in doc.text and "rot90 (a, 3)" in said  # glyphs PDFium names stay as they are


def test_a_reference_cards_rows_stay_rows_and_a_note_under_them_is_its_own(tmp_path):
    """A reference card (Octave's refcard, TeX): commands in one size, their descriptions in a
    smaller one from a fixed column, so a long command leaves only a word space before its
    description; a description wraps under its column, and a note follows at the left edge."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    y = 20.0

    def row(command: str, *description: str) -> None:
        nonlocal y
        pdf.set_font("Courier", size=8)
        pdf.text(20, y, command)
        pdf.set_font("Helvetica", size=7)
        for k, part in enumerate(description):
            pdf.text(62 + (2 if k else 0), y, part)
            y += 3.5

    pdf.set_font("Helvetica", "B", size=10)
    pdf.text(20, y, "Miscellaneous Functions")
    y += 5
    row("eval (str)", "evaluate str as a command")
    row("error (message)", "print message and return to top level")
    row("warning (message)", "print a warning message")
    row("clear pattern", "clear variables matching pattern")
    row("exist (str)", "check existence of variable or function")
    row(
        "feval (func, arg1, ...)", "evaluate a function handle or string,", "passing the other args"
    )
    pdf.set_font("Helvetica", size=7)
    pdf.text(20, y, "Anonymous function handles take a copy of the variables in the")
    pdf.text(20, y + 3.5, "current workspace.")
    pdf.output(str(tmp_path / "refcard.pdf"))
    doc, _ = read_document("refcard.pdf", tmp_path / "refcard.pdf")
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert "error (message) | print message and return to top level" in said
    assert "warning (message) | print a warning message" in said
    assert "clear pattern | clear variables matching pattern" in said
    assert (
        "feval (func, arg1, ...) | evaluate a function handle or string, passing the other args"
        in said
    )
    assert (
        "Anonymous function handles take a copy of the variables in the current workspace." in said
    )
    assert not [s for s in said if "args Anonymous" in s or "level warning" in s]


def test_a_reference_cards_headings_start_sections_in_every_column(tmp_path):
    """A reference card printed in three columns (Octave's refcard): each column's bold titles
    start at that column's left edge, not the page's, and are headings all the same; the rows
    under a title in the third column are in its section, not the last one of the first column."""
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.add_page()
    columns = {
        10.0: ("Starting Octave", "Stopping Octave"),
        108.0: ("Killing and Yanking", "Shell Commands"),
        206.0: ("Function Handles", "Miscellaneous Functions"),
    }
    for x, titles in columns.items():
        y = 20.0
        for title in titles:
            pdf.set_font("Helvetica", "B", size=10)
            pdf.text(x, y, title)
            y += 5
            for k in range(12):
                pdf.set_font("Courier", size=8)
                pdf.text(x, y, f"cmd{k} (arg)")
                pdf.set_font("Helvetica", size=7)
                pdf.text(x + 30, y, f"describe what command number {k} does here")
                y += 3.5
            pdf.set_font("Helvetica", size=7)
            pdf.text(x, y, f"A note under {title.lower()} says more than one row of it does.")
            y += 8
    pdf.output(str(tmp_path / "card.pdf"))
    doc, _ = read_document("card.pdf", tmp_path / "card.pdf")
    heads = [doc.text[s:e] for s, e in doc.headings]
    assert heads == [t for titles in columns.values() for t in titles]
    where = doc.text.index("A note under function handles")
    assert max((s, p) for s, p, _ in doc.sections if s <= where)[1] == "Function Handles"


def test_a_line_of_prose_with_code_at_both_ends_is_prose(tmp_path):
    """A sentence whose line starts and ends with inline code (Texinfo's @code, @var) is prose,
    not a code block that cuts it in three."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    for font, text in (
        ("Helvetica", "When the window runs past the data, the first value is computed as\n"),
        ("Courier", "fcn ([NaN, x(1:2)])"),
        ("Helvetica", ", and the last one, which is much alike, as "),
        ("Courier", "fcn ([x(end-1:end),\nNaN])"),
        ("Helvetica", ". The missing elements are replaced by NaN before the call."),
    ):
        pdf.set_font(font, size=11)
        pdf.write(6, text)
    pdf.output(str(tmp_path / "window.pdf"))
    doc, _ = read_document("window.pdf", tmp_path / "window.pdf")
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert not doc.code
    assert said[0].startswith("When the window runs past the data") and said[0].endswith("NaN]).")


LATEX = Path(__file__).resolve().parents[1] / "pdfs" / "latex-sample.pdf"


def test_a_latex_article_reads_as_printed():
    """pdflatex (TeX Live 2022, Computer Modern; tests/index/pdfs/latex-sample.tex, remade with
    `pdflatex latex-sample.tex`): PDFium names TeX's negation slash but leaves it before its
    relation ("x ̸= y"); it reads "x ≠ y". A description list's terms lead their items, a
    tabular's rows are rows, a verbatim block is one code unit."""
    doc, _ = read_document("latex-sample.pdf", LATEX)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert any("values satisfy x ≠ y and a ≤ b, so p ⇒ q." in s for s in said)
    assert "--quiet Do not print the greeting." in said
    assert "The first item of a list explains one thing." in said
    assert "x | the input value" in said
    assert "x = compute (y);\nprint (x)" in said
    assert "This document is © 2026 the authors, see §3 for the terms." in said


AMSSYMB = Path(__file__).resolve().parents[1] / "pdfs" / "latex-amssymb.pdf"


def test_ams_symbols_read_as_control_characters_are_named_and_keep_lines_whole():
    """pdflatex (TeX Live 2022, amssymb; tests/index/pdfs/latex-amssymb.tex, remade with
    `pdflatex latex-amssymb.tex`) without ToUnicode maps: PDFium reads the msam and msbm glyphs
    it cannot name as their codes, a line feed inside a line among them ("A \\n B" for
    \\rightleftharpoons), which once split a line's text from its characters' positions and
    stopped the whole file. Each reads as printed; no control character is left."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(AMSSYMB))
    try:
        raw = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert "as in A \n B," in raw and "\r\n\x08 in the figure" in raw  # what PDFium reads
    doc, _ = read_document("latex-amssymb.pdf", AMSSYMB)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", doc.text)
    harpoons = "A reversible reaction is written with harpoons, as in A ⇌ B, and the reverse "
    assert any(s.startswith(harpoons + "direction as B ⇋ A when the products") for s in said)
    assert any(s.startswith("A rotation is drawn as ⟳ in the figure") for s in said)
    assert "The bound a ⩽̸ b fails and c ⩾̸ d fails too, so the proof goes on." in said
    assert "The text after the symbols reads as prose, one sentence after another." in said


GHOSTSCRIPT = Path(__file__).resolve().parents[1] / "pdfs" / "dvips-weights.pdf"


def test_tex_fonts_are_bold_by_their_names_not_pdfiums_weight():
    """latex, dvips, then Ghostscript's ps2pdf (tests/index/pdfs/dvips-weights.tex, as TeX Live's
    dvips.pdf is made): PDFium estimates CMR10's weight at 605 (744 in dvips.pdf), so body lines
    read as bold, short ones as headings, and a sentence was cut where its line ended."""
    doc, _ = read_document("dvips-weights.pdf", GHOSTSCRIPT)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert (
        "The origin of the page is shifted by the given pair of dimensions, which is usually best"
        " specified in the configuration file of the printer." in said
    )
    assert [doc.text[s:e] for s, e, *_ in doc.headings] == ["1 Output options"]


TOPICS = Path(__file__).resolve().parents[1] / "pdfs" / "running-topics.pdf"


def test_a_header_naming_each_pages_topic_and_number_goes():
    """pdflatex with fancyhdr (tests/index/pdfs/running-topics.tex): the topic at the left and
    the page's number at the right, as R's refman.pdf prints them. The header recurs nowhere,
    and the wide gap made its line a row ("binom.test | 1459": 2,350 such units in refman.pdf)."""
    doc, _ = read_document("running-topics.pdf", TOPICS)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert said[0] == "alpha.test"
    assert not [s for s in said if re.search(r"\d$", s)]
    assert "beta.fit" in said and "gamma.plot" in said


FOOTNOTES = Path(__file__).resolve().parents[1] / "pdfs" / "footnote-marks.pdf"


def test_footnote_marks_inside_a_line_go_and_exponents_stay():
    """pdflatex (tests/index/pdfs/footnote-marks.tex): a footnote's mark inside a line, printed
    small and raised after a word ("like Calibre1, or", as Sphinx's PDFs mark every link), is no
    part of the word; an exponent after a letter of TeX's math fonts, or a digit printed as large
    as the word's letters, is."""
    doc, _ = read_document("footnote-marks.pdf", FOOTNOTES)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert (
        "You can open the book with an EPUB viewer, like Calibre, or preview it in a web browser,"
        " which most people have installed already." in said
    )
    assert "Themes such as Alabaster and Furo change how the pages look." in said
    math = next(s for s in said if s.startswith("The error of the fit"))
    assert "(1 − mt2)" in math and "xy2 + 3" in math and "utf8" in math and "x2 are" in math
    # a footnote of two lines is one paragraph (measured from its raised mark, the gap after its
    # first line read as a paragraph's), and each footnote one of its own
    note = next(s for s in said if "readers should note" in s)
    assert note.endswith("opened with the viewer instead.")
    assert "1https://calibre-ebook.com/" in said


LISTING = Path(__file__).resolve().parents[1] / "pdfs" / "listing-numbers.pdf"


def test_a_numbered_listing_is_one_code_unit_without_its_numbers_or_made_up_spaces():
    """pdflatex with the listings package, lines numbered in the margin (tests/index/pdfs/
    listing-numbers.tex): each line read as a table row ("1 | \\ documentclass [ a4paper ]{
    article }"), its number a cell and PDFium's spaces between glyphs set one by one on a grid."""
    doc, _ = read_document("listing-numbers.pdf", LISTING)
    (start, end), *_ = doc.code
    code = doc.text[start:end]
    assert code.startswith("\\documentclass[a4paper]{article}\n\\usepackage[utf8x]{inputenc}\n")
    assert code.endswith("\\noindent{\\bf QCM \\hfill TEST}\n\\end{document}")
    assert not re.search(r"^\d", code, re.M) and " | " not in doc.text


BULLETS = Path(__file__).resolve().parents[1] / "pdfs" / "list-bullets.pdf"


def test_a_list_item_is_a_unit_of_its_own_with_its_bullet_even_unnamed():
    """pdflatex without cm-super (tests/index/pdfs/list-bullets.tex): itemize's bullets are TS1's
    "•" in a bitmap Type 3 font PDFium cannot name (it reads code 0x88, a control character), as
    in gnuplot's manual. Each item stands apart, its bullet saying so (and then left out, as a
    web page's list marks are): items without a full stop ran into one sentence with the lead-in before them ("In brief skip N tells ... input
    file binary indicates ..."), and the prose after the list into the last item."""
    doc, _ = read_document("list-bullets.pdf", BULLETS)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert "skip N tells the program to ignore N lines at the start of the input file" in said
    assert "binary indicates that the file contains binary data rather than text" in said
    assert "The file names come from the command line." in said
    assert (
        "index selects which data sets in a multi-data-set file are to be plotted, counting the"
        " data sets of the file from zero" in said  # an item's second line stays in it
    )
    assert "every specifies which points within a single data set are to be plotted" in said
    assert "In brief" in said and "The other modifiers are" in said
    assert "•" not in doc.text and "\x88" not in doc.text


T1_BITMAP = Path(__file__).resolve().parents[1] / "pdfs" / "t1-bitmap.pdf"


def test_t1_ligatures_quotes_and_dashes_of_bitmap_fonts_read_as_printed():
    """pdflatex with T1 encoding and no cm-super (tests/index/pdfs/t1-bitmap.tex): the EC fonts
    are bitmap Type 3 fonts without a name, and PDFium reads their ligatures, quotes and dashes
    as control characters, which went as spaces: "The rst eld of the le is the o set"."""
    doc, _ = read_document("t1-bitmap.pdf", T1_BITMAP)
    said = [doc.text[s:e] for s, e, _ in sentences(doc)]
    assert said == [
        "The first field of the file is the offset, and the final field is its flag.",
        "Suffixes such as “ffi” and “ffl” are ligatures too — so is “ff” in “off”.",
        "Pages 10–20 hold the figures.",
    ]
