"""PDF and Word files for the tests, made with fpdf2 and python-docx (test extras only)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

HEADER = "ACME Handbook - Internal"


def handbook_pdf(path: Path, *, encrypt: bool = False, title: str | None = "ACME Handbook") -> Path:
    """Five pages with a running header and a "Page N of 5" footer: a hyphenated line end, a
    sentence across the page break 1→2, the warranty on page 2, a table, two columns on page 3,
    a scanned page (an image, no text) on page 4, and the end on page 5."""
    from fpdf import FPDF
    from PIL import Image

    class Handbook(FPDF):
        def header(self):
            if self.page_no() != 4:  # page 4 is a scan: an image, no text at all
                self.set_font("Helvetica", size=9)
                self.cell(0, 8, HEADER, align="C")
                self.ln(12)

        def footer(self):
            if self.page_no() != 4:
                self.set_y(-15)
                self.set_font("Helvetica", size=9)
                self.cell(0, 8, f"Page {self.page_no()} of 5", align="C")

    pdf = Handbook()
    if title:
        pdf.set_title(title)
    if encrypt:
        pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Returns and refunds for every example customer are explained here.")
    pdf.ln(3)
    pdf.multi_cell(
        0,
        6,
        "Every customer receives a printed ex-\nample of the contract. The rules are a well-\n"
        "known part of the well-known contract.",
    )
    pdf.ln(3)
    pdf.multi_cell(0, 6, "Refunds are paid to the card that was used for the purchase, and")
    pdf.add_page()
    pdf.multi_cell(
        0, 6, "never in cash at the shop counter. The warranty lasts 36 months from delivery."
    )
    pdf.ln(3)
    with pdf.table() as table:
        for cells in (("Model", "Price"), ("Kettle K2", "49 EUR"), ("Toaster T9", "89 EUR")):
            row = table.row()
            for cell in cells:
                row.cell(cell)
    pdf.add_page()
    y = pdf.get_y()
    pdf.multi_cell(
        85, 6, "The left column explains how apples are stored in the cold room at night."
    )
    pdf.set_xy(110, y)
    pdf.multi_cell(85, 6, "The right column explains how lemons are packed in crates for shipping.")
    pdf.add_page()
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 200, 200)).save(buffer, format="PNG")
    pdf.image(io.BytesIO(buffer.getvalue()), x=20, y=20, w=100)
    pdf.add_page()
    pdf.multi_cell(0, 6, "Questions about the handbook go to the office manager.")
    pdf.output(str(path))
    return path


def warranty_pdf(path: Path) -> Path:
    """Three pages with a running header and footer; page 2 holds the warranty."""
    from fpdf import FPDF

    class Doc(FPDF):
        def header(self):
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, "Kettle Manual - Model K2", align="C")
            self.ln(12)

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", size=9)
            self.cell(0, 8, f"Page {self.page_no()}", align="C")

    pdf = Doc()
    pdf.set_font("Helvetica", size=12)
    for text in (
        "Fill the kettle with water up to the line. Switch it on with the button at the back.",
        "The warranty lasts 36 months from delivery. Keep the receipt as proof of purchase.",
        "Descale the kettle once a month with vinegar. Rinse it twice after descaling.",
    ):
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


def rules_docx(path: Path) -> Path:
    """A Word file with a title property, headings, a list, a table, a tracked insertion and a
    content control (the last two written as XML: python-docx cannot make them)."""
    import docx

    document = docx.Document()
    document.core_properties.title = "Shop Rules"
    document.add_heading("Returns", level=1)
    document.add_paragraph("Returns are accepted within 30 days of purchase.")
    document.add_heading("Refunds", level=2)
    document.add_paragraph("TRACKED_PARAGRAPH")
    document.add_paragraph("Bring the receipt", style="List Bullet")
    document.add_paragraph("Bring the card", style="List Bullet")
    table = document.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Item", (0, 1): "Days", (1, 0): "Kettle", (1, 1): "14"}.items():
        table.cell(r, c).text = text
    document.add_heading("Opening hours", level=1)
    document.add_paragraph("CONTROL_PARAGRAPH")
    buffer = io.BytesIO()
    document.save(buffer)
    tracked = (
        '<w:r><w:t xml:space="preserve">Refunds are paid within </w:t></w:r>'
        '<w:ins w:id="91" w:author="Editor" w:date="2024-01-01T00:00:00Z">'
        "<w:r><w:t>five</w:t></w:r></w:ins>"
        '<w:r><w:t xml:space="preserve"> working days.</w:t></w:r>'
    )
    control = (
        '<w:sdt><w:sdtPr><w:alias w:val="Hours"/></w:sdtPr><w:sdtContent>'
        "<w:r><w:t>The shop opens at 9 o'clock on weekdays.</w:t></w:r>"
        "</w:sdtContent></w:sdt>"
    )
    _rewrite(
        buffer.getvalue(),
        path,
        {
            "<w:r><w:t>TRACKED_PARAGRAPH</w:t></w:r>": tracked,
            "<w:r><w:t>CONTROL_PARAGRAPH</w:t></w:r>": control,
        },
    )
    return path


def _rewrite(data: bytes, path: Path, replace: dict[str, str]) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename == "word/document.xml":
                xml = body.decode("utf-8")
                for old, new in replace.items():
                    assert old in xml, old
                    xml = xml.replace(old, new)
                body = xml.encode("utf-8")
            out.writestr(item, body)


def zip_bomb_docx(path: Path, megabytes: int = 64) -> Path:
    """A zip named .docx whose document.xml inflates from ~64 KB to `megabytes` MB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        out.writestr("[Content_Types].xml", "<Types/>")
        out.writestr("word/document.xml", b"\0" * (megabytes * 2**20))
    return path


def labelled_pdf(path: Path) -> Path:
    """Two pages printed as "i" and "T-1", with bookmarks Preface, Returns and Returns › Refunds."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=12)

    def section(name: str, level: int = 0) -> None:
        pdf.start_section(name, level=level)
        pdf.set_x(pdf.l_margin)

    pdf.add_page()
    pdf.set_page_label("r")
    section("Preface")
    pdf.multi_cell(0, 6, "This preface explains how the kettle manual is organised.")
    pdf.add_page()
    pdf.set_page_label("D", label_prefix="T-", label_start=1)
    section("Returns")
    pdf.multi_cell(0, 6, "Returns are accepted within thirty days of delivery.")
    pdf.ln(6)
    section("Refunds", 1)
    pdf.multi_cell(0, 6, "Refunds are paid to the original card within five working days.")
    pdf.output(str(path))
    return path


def manual_pdf(path: Path) -> Path:
    """A small software manual as TeX and Texinfo print one, for the reader's layout rules.

    Page 1: a title and a contents page with dot leaders. Page 2: chapter and section headings
    (larger, bold, no bookmarks), prose mixing a proportional and a monospaced font on one line
    (`Array<T>`, a final period after code), an overprinted (fake-bold) word, an accent printed
    apart from its letter, words hyphenated at line ends, a code block. Page 3: "This page
    intentionally left blank". Page 4: empty. Pages 5-6: a two-page chapter whose running header
    carries the page number, a sentence across the page break, a figure's axis labels, and a
    definition list (a term, its description indented under it)."""
    from fpdf import FPDF

    class Manual(FPDF):
        def header(self):
            if self.page_no() in (5, 6):
                self.set_font("Helvetica", size=9)
                self.cell(0, 8, f"Chapter 2: Arrays {self.page_no()}", align="R")
                self.ln(16)

    pdf = Manual(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 22)
    pdf.cell(0, 12, "Widget Manual", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for entry, page in (
        ("1 Statements", 2),
        ("1.1 The do-until Statement", 2),
        ("1.2 Global Variables", 2),
        ("2 Arrays", 5),
        ("2.1 Resizing Arrays", 5),
    ):
        pdf.cell(
            0, 7, f"{entry} {'. ' * (40 - len(entry) // 2)}{page}", new_x="LMARGIN", new_y="NEXT"
        )
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "1 Statements", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, "1.1 The do-until Statement", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0,
        6,
        "The do-until statement repeats a body until a condition becomes true, so the "
        "body of the loop is always executed at least once.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for font, text in (
        ("Helvetica", "A copy of an "),
        ("Courier", "Array<T>"),
        ("Helvetica", " object shares its data. The result of "),
        ("Courier", "int32 (5) ./ int32 (8)"),
        ("Helvetica", " is "),
        ("Courier", "1"),
        ("Helvetica", ". Bindings exist for C++, Fortran and Python."),
    ):
        pdf.set_font(font, size=11)
        pdf.write(6, text)
    pdf.ln(9)
    y = pdf.get_y() + 4
    pdf.set_font("Helvetica", size=11)
    pdf.text(pdf.l_margin, y, "Read the")
    pdf.set_font("Helvetica", "B", 11)
    for dx in (0.0, 0.25):  # fake bold: the same word printed twice, a hair apart
        pdf.text(pdf.l_margin + 17 + dx, y, "warning")
    pdf.set_font("Helvetica", size=11)
    pdf.text(pdf.l_margin + 34, y, "printed by the Universit\u00a8at library before you start.")
    pdf.set_y(y + 4)
    pdf.multi_cell(
        0,
        6,
        "Results are compared term-by-\nterm, and every pro-\ngram is checked. Each "
        "program runs with a well-\nknown set of well-known options. Handles keep their "
        "values persis-\ntently. Strings in double-\nquotes are quoted; run it with --force-\n"
        "biarch.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("Courier", size=10)
    for code in ("x = 1;", "do", "  x++;", "until (x == 10)"):
        pdf.set_x(pdf.l_margin + 10)
        pdf.cell(0, 5, code, new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.set_font("Helvetica", "I", 11)
    pdf.set_y(140)
    pdf.cell(0, 8, "This page intentionally left blank.", align="C")
    pdf.add_page()  # an empty page between chapters
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, "2 Arrays", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, "2.1 Resizing Arrays", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.set_y(262)
    pdf.multi_cell(0, 6, "When an array is resized to fewer elements, the length is updated and")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(
        0,
        6,
        "no memory is released, so growing it again later is cheap.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)
    pdf.set_font("Helvetica", size=7)
    for k in range(6):
        pdf.text(pdf.l_margin + 10 + k * 28, pdf.get_y() + 40, f"{k * 0.2:.1f}")
    pdf.set_y(pdf.get_y() + 50)
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 6, "collapsedelimiters", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + 12)
    pdf.multi_cell(
        150,
        6,
        "which may take the value of true (the default) or false; when false, an "
        "empty field is kept between two delimiters.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.output(str(path))
    return path


def reference_pdf(path: Path) -> Path:
    """A reference page as Texinfo (@deftypefn, @table) and Sphinx's LaTeX print one: body text
    at the margin, each definition's signatures at the margin with its description indented
    under them. A function with three signatures (the first in a larger typewriter font, the last
    ending "(. . .)"), a function with one, a C++ method with its
    category set flush right ("[Method]") and one printed alike with no description, an option
    (one term, its description under it), a bulleted list whose items wrap with a hanging
    indent, and a table of three columns."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    left, width = pdf.l_margin, pdf.epw
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, "4 Strings", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    for text in (
        "Strings are split and joined with the functions below. Each of them takes a string or a "
        "cell array of strings, and returns what it found in the same shape.",
        "Options that change how strings are printed are listed after the functions, with the "
        "sizes of the examples in a table at the end of the chapter. Every function here also "
        "accepts the options of the chapter before, in any order, after its own arguments.",
    ):
        pdf.multi_cell(0, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    def signature(text: str, category: str | None = None) -> None:
        pdf.set_x(left)
        pdf.cell(width - 40 if category else 0, 5.5, text)
        if category:
            pdf.cell(40, 5.5, category, align="R")
        pdf.ln(5.5)

    def description(text: str) -> None:
        pdf.set_x(left + 10)
        pdf.multi_cell(width - 10, 5.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)

    pdf.set_font("Courier", size=12)  # Texinfo sets a command's form in its typewriter font
    signature("c = splitstr (s)")
    pdf.set_font("Helvetica", size=11)
    for text in ("c = splitstr (s, sep)", "c = splitstr (. . .)"):
        signature(text)
    description(
        "Split the string s at each separator and return the pieces in a cell array of strings."
    )
    description(
        "By default, separators that follow each other are collapsed into one, so no empty "
        "piece is returned between them."
    )
    signature("n = countstr (s, pat)")
    description("Count how many times the pattern pat occurs in the string s.")
    signature("void resize (int n)", "[Method]")
    description("Change the size of the array to n elements; no memory is released.")
    signature("T& xelem (int n)", "[Method]")
    pdf.ln(3)
    signature("--quiet")
    description("Do not print the greeting and the version message at startup.")
    pdf.set_x(left + 5)
    pdf.cell(
        0,
        5.5,
        "- A widget is a reusable shape that draws itself on a page",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_x(left + 5)
    pdf.cell(
        0,
        5.5,
        "- it has a demo method which returns an example of itself",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_x(left + 12)
    pdf.multi_cell(0, 5.5, "drawn in a small rectangle, shown in the documentation.")
    pdf.ln(4)
    for cells in (("Code", "Name", "Size"), ("A1", "Kettle", "2 l"), ("B7", "Toaster", "4 slots")):
        pdf.set_x(left)
        for cell in cells:
            pdf.cell(30, 5.5, cell)
        pdf.ln(5.5)
    pdf.set_x(left + 10)
    pdf.multi_cell(0, 5.5, "Sizes are given for the largest model of each range.")
    pdf.output(str(path))
    return path


def training_set(folder: Path) -> Path:
    """A tiny set to train the ranker on (`python -m index train FOLDER`): two documents and six
    questions with their answers' character spans, as squad-train is laid out."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "bridge": "The bridge opened in 1932. It is 503 metres long.\n\nIt was painted red in 1990.",
        "river": "The river is 300 km long. It flows into the sea.\n\nFish live in the river.",
    }
    questions = [
        ("How long is the bridge?", "bridge", "503 metres"),
        ("When did the bridge open?", "bridge", "1932"),
        ("What colour was the bridge painted?", "bridge", "red"),
        ("How long is the river?", "river", "300 km"),
        ("Where does the river flow?", "river", "into the sea"),
        ("What lives in the river?", "river", "Fish"),
    ]
    with open(folder / "documents.jsonl", "w", encoding="utf-8") as f:
        for doc_id, text in texts.items():
            f.write(json.dumps({"doc_id": doc_id, "title": doc_id, "text": text}) + "\n")
    with open(folder / "questions.jsonl", "w", encoding="utf-8") as f:
        for q, doc_id, answer in questions:
            start = texts[doc_id].index(answer)
            row = {"question": q, "doc_id": doc_id, "answer_spans": [[start, start + len(answer)]]}
            f.write(json.dumps(row) + "\n")
    return folder


def index_of(docs: dict[str, str], tmp_path: Path):
    """The real index of a folder holding `docs` ({file name: text}), built under `tmp_path`."""
    from index import open_index

    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")
    return open_index(folder, tmp_path / "index")
