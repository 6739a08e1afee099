"""Every quote is the file's own text: passages compared with the bytes on disk, for each format.

The documents hold what a reader could quietly "clean": "…", no-break spaces, the ligature "ﬁ",
double spaces, tabs and CRLF line ends. Plain text and Markdown passages must equal the file's
bytes decoded as UTF-8 (line ends as the reader stores them: LF) at the passage's offsets. An HTML
page's visible text is not its bytes: there each passage, whitespace collapsed, must be part of
the page's text as Python's own html.parser extracts it, whitespace collapsed too (str.split
counts no-break spaces as whitespace, but never "…" or "ﬁ").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from independent import collapsed, on_disk, visible_text

from index import open_index

NBSP = "\u00a0"
TXT = (
    "Harbour notes\r\n"
    "\r\n"
    f"The  harbour  master counts forty{NBSP}boats every morning.  "
    "The ﬁshermen mend their nets at noon…\r\n"
    "The ferry\tleaves the quay at dawn, and the gulls follow it.\r\n"
    "\r\n"
    "A lighthouse keeper writes the weather in a ledger: wind, rain, ﬁre on the cliffs… and fog.\r\n"
    f"The tide tables hang by the door;\tthey list{NBSP}high water to the minute.\r\n"
)
MD = (
    "# Garden notes\n"
    "\n"
    "The  greenhouse holds 120 clay pots… and a ﬁg tree.\n"
    "Tomatoes need water at dusk;\tbasil needs it at dawn.\n"
    "\n"
    "## Frost\n"
    "\n"
    "When the ﬁrst frost comes, cover the dahlias with straw.  "
    "The compost heap steams on cold mornings.\n"
    f"Seeds keep for three{NBSP}years in a dry tin.\n"
)
HTML = (
    "<!DOCTYPE html><html><head><title>Observatory</title>"
    "<style>p { color: red }</style></head><body>\n"
    "<h1>The observatory</h1>\n"
    "<p>The  ﬁeld telescope has a mirror of 40&nbsp;cm&hellip; and a brass tube.</p>\n"
    "<p>Astronomers log every comet… in a red book.\tThe dome turns on twelve wheels.</p>\n"
    '<script>var hidden = "the dome turns on secret rails";</script>\n'
    "<p>The &#xFB01;nest lens was ground in 1887 by a glassmaker from Jena.</p>\n"
    "<ul><li>The  ﬁlter wheel holds six\tcoloured glasses…</li></ul>\n"
    "</body></html>\n"
)
FILES = {"harbour.txt": TXT, "garden.md": MD, "observatory.html": HTML}
QUESTIONS = (
    "how many boats does the harbour master count",
    "when do the fishermen mend their nets",
    "when does the ferry leave the quay",
    "what does the lighthouse keeper write in the ledger",
    "where do the tide tables hang",
    "how many clay pots does the greenhouse hold",
    "when do tomatoes need water",
    "what covers the dahlias at the first frost",
    "does the compost heap steam",
    "how long do seeds keep",
    "how wide is the mirror of the field telescope",
    "where do astronomers log comets",
    "how many wheels does the dome turn on",
    "who ground the finest lens",
    "how many glasses does the filter wheel hold",
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    docs = tmp_path_factory.mktemp("verbatim") / "docs"
    docs.mkdir()
    for name, body in FILES.items():
        (docs / name).write_bytes(body.encode("utf-8"))  # bytes as written: CRLF stays CRLF
    return docs


def test_the_files_hold_what_a_reader_could_clean(folder):
    raw = b"".join((folder / name).read_bytes() for name in FILES)
    for marker in ("…", NBSP, "ﬁ", "  ", "\t", "\r\n"):
        assert marker.encode() in raw, marker


def test_every_passage_is_the_files_own_text(folder, tmp_path):
    idx = open_index(folder, tmp_path / "index")
    checked = {name: 0 for name in FILES}
    shown: dict[str, str] = {name: "" for name in FILES}
    for question in QUESTIONS:
        passages = idx.ask(question, k=5).passages
        assert passages, question  # each question is about one sentence of the files
        for p in passages:
            path = folder / p.document
            if p.document.endswith(".html"):
                assert collapsed(p.text) in visible_text(path), (question, p.text)
            else:
                text = on_disk(path)
                assert p.text == text[p.start : p.end], (question, p.text)
                assert p.start <= p.sentence_start < p.sentence_end <= p.end
                if p.answer is not None:
                    assert text[p.answer_start : p.answer_end] == p.answer
            checked[p.document] += 1
            shown[p.document] += p.text
    # (a headline such as "Harbour notes" is a heading, never quoted alone)
    assert sum(checked.values()) >= 18 and all(n >= 6 for n in checked.values()), checked
    # The passages checked hold the characters at stake, so a reader that changed them would fail.
    for name in ("harbour.txt", "garden.md"):
        for marker in ("…", NBSP, "ﬁ", "  ", "\t"):
            assert marker in shown[name], (name, marker)
    for marker in ("…", "ﬁ"):  # HTML's spaces are collapsed by design, its characters are not
        assert marker in shown["observatory.html"], marker


def test_a_whole_document_is_the_files_own_text(folder, tmp_path):
    idx = open_index(folder, tmp_path / "index")
    for name in ("harbour.txt", "garden.md"):
        assert idx.text_of(name) == on_disk(folder / name)
    assert collapsed(idx.text_of("observatory.html")) == visible_text(folder / "observatory.html")


# PDF and Word: the stored text is an extraction, not the bytes. Each passage must be found in an
# independent reading of the same page (PDF: pypdfium2's character-range API, not the bounded one
# the reader uses; Word: python-docx's paragraphs and table cells), compared without whitespace
# and hyphens (the reader joins lines, and rejoins words hyphenated at a line end), and without the
# " | " the reader puts between a table row's cells.
def _squeezed(text: str) -> str:
    return "".join(text.split()).replace("-", "").replace("\u00ad", "").replace("|", "")


def _pdf_pages(path: Path) -> list[str]:
    """Each page's text by pypdfium2's character range, without the running header and footer
    lines the test documents print (the test knows them; the reader must find them itself)."""
    import re

    import pypdfium2
    from makedocs import HEADER

    running = re.compile(
        rf"^(?:{re.escape(HEADER)}|Kettle Manual - Model K2|Page \d+(?: of \d+)?)$"
    )

    pdf = pypdfium2.PdfDocument(str(path))
    try:
        pages = []
        for i in range(len(pdf)):
            textpage = pdf[i].get_textpage()
            lines = textpage.get_text_range().replace("\ufffe", "").splitlines()
            pages.append("\n".join(x for x in lines if not running.match(x.strip())))
        return pages
    finally:
        pdf.close()


def _docx_text(path: Path) -> str:
    import docx

    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def test_pdf_and_word_passages_are_in_an_independent_reading_of_their_page(tmp_path):
    from makedocs import handbook_pdf, warranty_pdf

    docs = tmp_path / "docs"
    docs.mkdir()
    handbook_pdf(docs / "handbook.pdf")
    warranty_pdf(docs / "manual.pdf")
    import docx

    word = docx.Document()
    word.add_heading("Opening hours", level=1)
    word.add_paragraph("The shop opens at 9 and closes at 18 on weekdays; on Sundays it is shut.")
    word.add_paragraph("Deliveries arrive on Tuesdays; the driver waits ten minutes at the gate.")
    word.save(str(docs / "hours.docx"))
    idx = open_index(docs, tmp_path / "index")
    pages = {name: _pdf_pages(docs / name) for name in ("handbook.pdf", "manual.pdf")}
    word_text = _squeezed(_docx_text(docs / "hours.docx"))
    questions = [
        "how long does the warranty last?",
        "where are refunds paid?",
        "how are apples stored?",
        "when does the shop open?",
        "when do deliveries arrive?",
        "how often should the kettle be descaled?",
        "what does every customer receive?",
    ]
    checked = {"handbook.pdf": 0, "manual.pdf": 0, "hours.docx": 0}
    for question in questions:
        for p in idx.ask(question, k=5).passages:
            if p.document.endswith(".docx"):
                assert _squeezed(p.text) in word_text, p.text
            else:
                assert p.page is not None
                # A sentence may run over a page break: its page and the next one.
                both = "".join(pages[p.document][p.page - 1 : p.page + 1])
                assert _squeezed(p.text) in _squeezed(both), (p.document, p.page, p.text)
            checked[p.document] += 1
    assert all(n >= 2 for n in checked.values()), checked
