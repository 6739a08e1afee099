"""PDF and Word files made by fpdf2 and python-docx, a real PDF from Debian, hostile files; titles,
sections, code blocks, citations and copies shown once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from makedocs import (
    HEADER,
    handbook_pdf,
    labelled_pdf,
    rules_docx,
    warranty_pdf,
    zip_bomb_docx,
)

from index import open_index
from index.read.documents import read_document
from index.read.extract import sentences
from index.tools.cli import main

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "seeds" / "000_44c18b5492aa5800.txt"
USERGUIDE = Path(__file__).parents[1] / "pdfs" / "reportlab-userguide.pdf"


def page_of(doc, offset: int) -> int:
    return max(i for i, (start, _) in enumerate(doc.pages) if start <= offset) + 1


def sentence_texts(doc) -> list[str]:
    return [doc.text[s:e] for s, e, _ in sentences(doc)]


def test_pdf_pages_header_footer_hyphen_table_columns_and_a_scan(tmp_path):
    doc, note = read_document("handbook.pdf", handbook_pdf(tmp_path / "handbook.pdf"))
    assert doc.title == "ACME Handbook"
    assert len(doc.pages) == 5
    assert note == "1 page without text: OCR it first"
    said = sentence_texts(doc)
    assert not [s for s in said if HEADER in s or "Page " in s or "of 5" in s]
    assert "Every customer receives a printed example of the contract." in said
    assert "The rules are a well-known part of the well-known contract." in said
    across = "Refunds are paid to the card that was used for the purchase, and never in cash"
    sentence = next(s for s in said if s.startswith(across))
    assert page_of(doc, doc.text.index(sentence)) == 1  # the page where it starts
    assert page_of(doc, doc.text.index("The warranty lasts 36 months")) == 2
    assert "Kettle K2 | 49 EUR" in said and "Model | Price" in said  # a row is one unit
    left = doc.text.index("The left column explains how apples")
    right = doc.text.index("The right column explains how lemons")
    assert page_of(doc, left) == page_of(doc, right) == 3 and left < right
    assert "The left column explains how apples are stored in the cold room at night." in said
    assert page_of(doc, doc.text.index("Questions about the handbook")) == 5


def test_pdf_without_title_metadata_is_named_after_its_file(tmp_path):
    path = handbook_pdf(tmp_path / "kettle_guide.pdf", title=None)
    doc, _ = read_document("kettle_guide.pdf", path)
    assert doc.title == "kettle guide"


def test_real_pdf_from_debian_reads_known_sentences_on_their_pages():
    doc, note = read_document("reportlab-userguide.pdf", USERGUIDE)
    assert note is None
    assert doc.title == "ReportLab PDF Generation User Guide"
    assert len(doc.pages) == 134
    known = {
        "This document is an introduction to the ReportLab PDF library.": 6,
        "We believe that RML is the fastest and easiest way to develop rich PDF workflows.": 7,
        "It is often useful to join several bezier curves to form a single smooth curve.": 41,
    }
    said = sentence_texts(doc)
    for sentence, page in known.items():
        assert any(sentence in s for s in said)  # a heading line may lead the sentence
        assert page_of(doc, doc.text.index(sentence)) == page
    assert not [s for s in said if s.startswith("User Guide Chapter") or "Page 6 " in s]


def test_broken_pdfs_and_word_files_are_skipped_with_one_line_reasons(tmp_path):
    good = handbook_pdf(tmp_path / "good.pdf").read_bytes()
    (tmp_path / "truncated.pdf").write_bytes(good[:300])
    (tmp_path / "random.pdf").write_bytes(bytes((i * 7919) % 251 for i in range(20000)))
    (tmp_path / "empty.pdf").write_bytes(b"")
    handbook_pdf(tmp_path / "locked.pdf", encrypt=True)
    zip_bomb_docx(tmp_path / "bomb.docx")
    (tmp_path / "notes.docx").write_bytes(b"just text, not a zip")
    expected = {
        "truncated.pdf": "not a readable PDF",
        "random.pdf": "not a readable PDF",
        "empty.pdf": "empty",
        "locked.pdf": "encrypted PDF",
        "bomb.docx": "zip bomb",
        "notes.docx": "not a Word file",
    }
    for name, reason in expected.items():
        doc, why = read_document(name, tmp_path / name)
        assert doc is None and reason in why and "\n" not in why, (name, why)


def test_word_headings_lists_tables_tracked_insertions_and_content_controls(tmp_path):
    doc, note = read_document("rules.docx", rules_docx(tmp_path / "rules.docx"))
    assert note is None and doc.title == "Shop Rules"
    said = sentence_texts(doc)
    assert "Refunds are paid within five working days." in said  # a tracked insertion
    assert "The shop opens at 9 o'clock on weekdays." in said  # a content control
    assert "Bring the receipt" in said and "Bring the card" in said  # list items, one each
    assert "Kettle | 14" in said
    at = doc.text.index("Refunds are paid")
    section = [path for start, path, _ in doc.sections if start <= at][-1]
    assert section == "Returns › Refunds"


def test_markdown_and_html_sections_anchors_and_code_blocks(tmp_path):
    (tmp_path / "guide.md").write_text(
        "# Setup\n\nInstall it first.\n\n## Run it!\n\nStart the server. Then wait.\n\n"
        "```python\nserve(port=8080)  # Mr. Smith. Dr. Who.\nprint('done')\n```\n"
    )
    doc, _ = read_document("guide.md", tmp_path / "guide.md")
    code = "serve(port=8080)  # Mr. Smith. Dr. Who.\nprint('done')"
    assert code in sentence_texts(doc)  # one unit, never split
    assert doc.sections[-1][1:] == ("Setup › Run it!", "run-it")
    # The heading lines, for the ranker (never quoted alone when the text under them answers).
    assert [doc.text[a:b] for a, b in doc.headings] == ["# Setup", "## Run it!"]
    (tmp_path / "page.html").write_text(
        "<html><body><h1 id='top'>Guide</h1><p>Intro text here.</p><h2 id='use'>Use</h2>"
        "<p>Call it like this.</p><pre>  x = 1\n  y = 2. z = 3.</pre></body></html>"
    )
    doc, _ = read_document("page.html", tmp_path / "page.html")
    assert "  x = 1\n  y = 2. z = 3." in sentence_texts(doc)
    at = doc.text.index("Call it")
    assert [s[1:] for s in doc.sections if s[0] <= at][-1] == ("Guide › Use", "use")
    assert [doc.text[a:b] for a, b in doc.headings] == ["Guide", "Use"]


def test_a_headline_is_a_heading_never_an_answer_alone(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "descaling.txt").write_text(
        "Descaling the kettle\n\nDescale the kettle every four weeks in hard-water areas. "
        "Fill it halfway with white vinegar and leave it overnight.\n"
    )
    doc, _ = read_document("descaling.txt", docs / "descaling.txt")
    assert doc.title == "Descaling the kettle"
    assert [doc.text[a:b] for a, b in doc.headings] == ["Descaling the kettle"]
    passages = open_index(docs, tmp_path / "index").ask("how often to descale the kettle").passages
    assert passages[0].text.startswith("Descale the kettle every four weeks")
    # a first paragraph in a script whose words are not spaced, or ending with its full stop, is
    # prose (XQuAD's Chinese paragraphs were taken for headlines and never quoted)
    for name, text in (
        ("zh.txt", "黑豹队的防守只丢了 308分，在联赛中排名第六。\n\n另外还有防守端锋科尼·伊利。\n"),
        (
            "long.txt",
            "黑豹队的防守只丢了分在联赛中排名第六同时也以次拦截领先国家橄榄球联盟" * 4
            + "\n\n更多\n",
        ),
    ):
        (docs / name).write_text(text, encoding="utf-8")
        doc, _ = read_document(name, docs / name)
        assert doc.headings == (), name


def test_titles_read_well(tmp_path):
    (tmp_path / "company_handbook.txt").write_text("We sell kettles. We also sell toasters.\n")
    (tmp_path / "news.txt").write_text("Kettle prices fall\n\nKettles cost less this year.\n")
    doc, _ = read_document("company_handbook.txt", tmp_path / "company_handbook.txt")
    assert doc.title == "company handbook"
    doc, _ = read_document("news.txt", tmp_path / "news.txt")
    assert doc.title == "Kettle prices fall"
    doc, _ = read_document(SEED.name, SEED)
    assert doc.title == "A first group of 150 Haitian soldiers departed…"
    assert doc.outlet == "CNN"
    # a `source:` line inside a listing names no outlet (Node.js's `source: <string|buffer>,`)
    (tmp_path / "api.html").write_text(
        "<title>API</title><p>Pass the options.</p><pre>{\n  source: data,\n}</pre>"
    )
    (tmp_path / "api.md").write_text("# API\n\nPass them.\n\n```js\nsource: data,\n```\n")
    # nor a reference's line outside one: it is text, not metadata
    (tmp_path / "ref.txt").write_text("Options\n\nsources: <string[]>\n\nThe files to read.\n")
    for name in ("api.html", "api.md", "ref.txt"):
        doc, _ = read_document(name, tmp_path / name)
        assert doc.outlet is None, name
        assert "source: data," in doc.text or "sources: <string[]>" in doc.text, name
    assert read_document("ref.txt", tmp_path / "ref.txt")[0].skip == ()
    # a page without <title> (DocBook writes each part as a fragment) is named by its first heading
    (tmp_path / "Backups.part.html").write_text(
        "<section class='article'><div class='titlepage'><h2 class='title'>Backups</h2></div>"
        "<section class='section'><h2 class='title'>Copias de respaldo</h2><p>FreedomBox incluye "
        "la posibilidad de copiar y restaurar datos.</p></section></section>"
    )
    doc, _ = read_document("Backups.part.html", tmp_path / "Backups.part.html")
    assert doc.title == "Backups"


def ask_json(capsys, *args) -> dict:
    assert main(["ask", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_warranty_question_cites_page_two_and_marks_the_answer(tmp_path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    warranty_pdf(docs / "manual.pdf")
    answer = ask_json(
        capsys,
        "how long does the warranty last?",
        "--docs",
        str(docs),
        "--index",
        str(tmp_path / "i"),
    )
    first = answer["passages"][0]
    assert first["page"] == 2 and first["answer"] == "36 months"
    assert first["link"] is None
    idx = open_index(docs, tmp_path / "i", docs_url="https://example.org/manuals")
    text = idx.text_of("manual.pdf")
    assert "Kettle Manual" not in text and "Page " not in text
    passage = idx.ask("how long does the warranty last?").passages[0]
    assert passage.link == "https://example.org/manuals/manual.pdf#page=2"


def test_copies_are_shown_once_and_more_never_repeats(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("story.txt", "story (copy).txt", "mirror_site.txt"):
        shutil.copy(SEED, docs / name)
    idx = open_index(docs, tmp_path / "i")
    answer = idx.ask("how many troops will Mexico train?", k=3)
    texts = [p.text for p in answer.passages]
    assert len(texts) == 3 == len(set(texts))
    assert len(answer.passages[0].also_in) == 2
    assert {c.document for c in answer.passages[0].also_in} | {answer.passages[0].document} == {
        "story.txt",
        "story (copy).txt",
        "mirror_site.txt",
    }
    more = idx.ask("how many troops will Mexico train?", k=6).passages
    assert [p.text for p in more[:3]] == texts
    assert len({p.text for p in more}) == len(more)


def test_pdfium_is_never_loaded_in_the_building_process(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    warranty_pdf(docs / "manual.pdf")
    rules_docx(docs / "rules.docx")
    script = (
        "import sys; from pathlib import Path; from index.store.build import build_segment\n"
        "from index.read.documents import list_files\n"
        f"data = build_segment(list_files(Path({str(docs)!r})))\n"
        "assert data.meta['doc_ids'] == ['manual.pdf', 'rules.docx'], data.meta\n"
        "assert 'pypdfium2' not in sys.modules and 'docx2python' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr


def test_a_file_over_the_time_limit_costs_only_itself(tmp_path):
    from index.read.extract import _analyzed

    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(USERGUIDE, docs / "a.pdf")  # 134 pages: far longer than no time at all
    (docs / "b.txt").write_text("Kettles boil water quickly.\n")
    files = [("a.pdf", docs / "a.pdf"), ("b.txt", docs / "b.txt")]
    # 134 pages take about a second to read here; a few words, a millisecond. The limit scales
    # with the pages: 0.05 s per 100 pages; the text file gets 100 times that (5 s), so a busy
    # machine starting its fresh worker does not make it time out too.
    patience = {"b.txt": 100.0}
    results = [r for chunk in _analyzed(files, None, 0.05, patience) for r in chunk.results]
    assert [doc_id for doc_id, _, _ in results] == ["a.pdf", "b.txt"]
    (_, a, why), (_, b, _) = results
    assert a is None and why == "took longer than 0.067 s to read"
    assert b is not None and b"Kettles boil water" in b.text


@pytest.mark.parametrize("k", [1])
def test_cli_text_shows_page_and_wraps_quotes_once(tmp_path, capsys, k):
    docs = tmp_path / "docs"
    docs.mkdir()
    warranty_pdf(docs / "manual.pdf")
    (docs / "said.txt").write_text("“The kettle boils in 90 seconds,” the engineer said.\n")
    assert (
        main(
            [
                "ask",
                "how long does the warranty last?",
                "--docs",
                str(docs),
                "--index",
                str(tmp_path / "i"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "(manual.pdf · p. 2)" in out
    assert (
        main(
            [
                "ask",
                "how fast does the kettle boil?",
                "-k",
                str(k),
                "--docs",
                str(docs),
                "--index",
                str(tmp_path / "i"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith(
        "1. “The kettle boils in **90 seconds**,” the engineer said."
    ) or out.startswith("1. “The kettle boils in 90 seconds,” the engineer said.")


def test_bench_pdf_folder_and_its_figures(tmp_path):
    from index.tools import bench, pdfbench

    docs = tmp_path / "pdfs"
    assert pdfbench.make(docs, count=2, pages=3, sentences=None) == 6
    doc, _ = read_document("report_001.pdf", docs / "report_001.pdf")
    assert doc.title == "Annual report 001" and len(doc.pages) == 3
    assert "Annual report 001 - internal" not in doc.text and "Page 2" not in doc.text
    figures = bench.pdf_figures(docs, {"wall_s": 2.0, "cpu_s": 1.0})
    assert figures["pdfs"] == 2 and figures["pages"] == 6 and figures["pages_per_s"] == 3.0
    assert figures["build_over_pdfium"] == round(2.0 / figures["seconds"], 2)
    reader = figures["reader"]  # the reader alone against plain text, on the largest PDF
    assert reader["pages"] == 3 and Path(reader["pdf"]).parent == docs
    assert reader["reader_s"] > 0 and reader["pdfium_plain_s"] > 0 and reader["reader_over_pdfium"]
    from index.tools.bench_report import pdf_rows

    row = pdf_rows({"pdf": figures})[-1]
    assert row[0].startswith("PDF reader / plain text") and row[1:3] == (
        f"{reader['reader_over_pdfium']:.2f}×",
        "≤ 1.5×",
    )


def test_a_file_over_the_memory_cap_costs_only_itself(tmp_path):
    from index.read.extract import _supervised

    shutil.copy(USERGUIDE, tmp_path / "a.pdf")
    (tmp_path / "b.txt").write_text("Kettles boil water quickly.\n")
    chunks = [[("a.pdf", str(tmp_path / "a.pdf"))], [("b.txt", str(tmp_path / "b.txt"))]]
    # 64 MiB beyond what a worker starts with: PDFium cannot even set up its allocator.
    (a,), (b,) = (c.results for c in _supervised(chunks, 1, 30.0, 64 * 2**20))
    assert a[1] is None and ("more memory" in a[2] or "crashed" in a[2])
    assert b[1] is not None and b"Kettles boil water" in b[1].text


def test_printed_page_labels_and_bookmarks_are_cited(tmp_path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    labelled_pdf(docs / "manual.pdf")
    idx = open_index(docs, tmp_path / "i", docs_url="https://example.org/files/")
    passage = idx.ask("how many days until refunds are paid?").passages[0]
    assert passage.text.startswith("Refunds are paid to the original card")
    assert (passage.page, passage.page_label) == (2, "T-1")
    assert passage.section == "Returns › Refunds"
    assert passage.link == "https://example.org/files/manual.pdf#page=2"
    preface = idx.ask("how is the kettle manual organised?").passages[0]
    assert (preface.page, preface.page_label, preface.section) == (1, "i", "Preface")
    argv = ["ask", "how many days until refunds are paid?", "-k", "1"]
    assert main([*argv, "--docs", str(docs), "--index", str(tmp_path / "i")]) == 0
    assert "(manual.pdf · p. T-1 · Returns › Refunds)" in capsys.readouterr().out


def test_markdown_and_html_links_open_at_the_heading(tmp_path):
    docs = tmp_path / "docs"
    (docs / "guides").mkdir(parents=True)
    (docs / "guides" / "kettle care.md").write_text(
        "# Kettle care\n\nKeep it clean.\n\n## Descaling, monthly\n\n"
        "Descale the kettle with vinegar once a month.\n\n"
        "```sh\nkettle --descale --vinegar\n```\n"
    )
    (docs / "toaster.html").write_text(
        "<html><head><link rel=canonical href='https://shop.example/toaster'></head><body>"
        "<h1>Toaster</h1><h2 id='crumbs'>Crumbs</h2><p>Empty the crumb tray every week.</p>"
        "</body></html>"
    )
    idx = open_index(docs, tmp_path / "i", docs_url="https://example.org/docs")
    care = idx.ask("how often should the kettle be descaled with vinegar?").passages[0]
    assert care.section == "Kettle care › Descaling, monthly"
    assert care.link == "https://example.org/docs/guides/kettle%20care.md#descaling-monthly"
    code = idx.ask("kettle descale vinegar command").passages
    shown = [p for p in code if p.code]
    assert shown and shown[0].text == "kettle --descale --vinegar"
    crumbs = idx.ask("how often is the crumb tray emptied?").passages[0]
    assert (crumbs.section, crumbs.link) == (
        "Toaster › Crumbs",
        "https://shop.example/toaster#crumbs",
    )


def test_a_quote_that_runs_over_a_page_break_is_cited_on_both_pages(tmp_path, capsys):
    """A paragraph that starts at the foot of page 1 and ends on page 2, quoted whole: cited
    "pp. 1–2" (its best sentence's page stays `page`, where the link opens)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Arrays hold elements of one type in a single block of memory.")
    pdf.set_y(258)
    pdf.multi_cell(
        0,
        6,
        "Resizing an array changes the number of its elements. All the elements that were "
        "there stay as they were, except that when the array grows and a fill value is "
        "given, the new elements are set to that value; otherwise they are left as they "
        "come. When an array shrinks, its length is updated but no memory is given back "
        "to the system until the array is destroyed.",
    )
    docs = tmp_path / "docs"
    docs.mkdir()
    pdf.output(str(docs / "arrays.pdf"))
    idx = open_index(docs, tmp_path / "i")
    passage = idx.ask("what does resizing an array change?").passages[0]
    assert passage.text.startswith("Resizing an array changes the number of its elements.")
    assert passage.text.endswith("until the array is destroyed.")
    assert passage.page == 1 and passage.pages == (1, 2) and passage.pages_label == "1–2"
    assert passage.to_json()["pages"] == [1, 2]
    argv = ["ask", "what does resizing an array change?", "-k", "1"]
    assert main([*argv, "--docs", str(docs), "--index", str(tmp_path / "i")]) == 0
    assert "(arrays.pdf · pp. 1–2)" in capsys.readouterr().out
