"""PDF figures for `python -m index bench`: a folder of generated PDFs, and pypdfium2 alone
extracting their text (the floor a build of PDFs is compared to, measured in the same run).

    python -m index.tools.pdfbench make OUT [--count 200] [--pages 50] [--sentences FILE]
    python -m index.tools.pdfbench pdfium DOCS      (JSON: pdfs, pages, seconds; used by the bench)
    python -m index.tools.pdfbench reader FILE.pdf [--rounds 3]
                                  (JSON: the project's PDF reader against pypdfium2's plain text
                                  of every page, in one process, CPU seconds and their ratio)

`make` needs fpdf2 (the `test` extra).
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import lzma
import sys
import time
from pathlib import Path

SENTENCES = Path(__file__).resolve().parents[2].parent / "shared" / "bench" / "sentences.txt.xz"
FALLBACK = (
    "The committee reviewed the annual budget and approved the new plan for the library. "
    "Visitors may borrow up to twelve books at a time from the main hall."
)


def _sentences(path: Path | None):
    """An endless supply of sentences from an .xz or text file (or a fixed pair)."""
    if path is not None and path.is_file():
        opener = lzma.open if path.suffix == ".xz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            lines = [line.strip() for _, line in zip(range(200_000), f, strict=False)]
        lines = [x.encode("latin-1", "replace").decode("latin-1") for x in lines if x]
        if lines:
            return itertools.cycle(lines)
    return itertools.cycle(FALLBACK.split(". "))


def make(out: Path, count: int = 200, pages: int = 50, sentences: Path | None = None) -> int:
    """Write `count` PDFs of `pages` pages each (running header and page-number footer); return
    the number of pages written."""
    from fpdf import FPDF

    out.mkdir(parents=True, exist_ok=True)
    supply = _sentences(sentences)
    for n in range(count):

        class Report(FPDF):
            def header(self, n=n):
                self.set_font("Helvetica", size=8)
                self.cell(0, 6, f"Annual report {n:03d} - internal", align="C")
                self.ln(8)

            def footer(self):
                self.set_y(-12)
                self.set_font("Helvetica", size=8)
                self.cell(0, 6, f"Page {self.page_no()}", align="C")

        pdf = Report()
        pdf.set_title(f"Annual report {n:03d}")
        pdf.set_font("Helvetica", size=10)
        for _ in range(pages):
            pdf.add_page()
            for _ in range(6):  # six paragraphs of four sentences fill a page
                pdf.multi_cell(0, 5, " ".join(next(supply) for _ in range(4)))
                pdf.ln(2)
        pdf.output(str(out / f"report_{n:03d}.pdf"))
    return count * pages


def pdfium_alone(docs: Path) -> dict:
    """pypdfium2 extracting every page's text of the PDFs under `docs`, one process, in order."""
    import pypdfium2 as pdfium

    files = sorted(p for p in docs.rglob("*") if p.suffix.lower() == ".pdf" and p.is_file())
    started, cpu = time.perf_counter(), time.process_time()
    pages = chars = 0
    for path in files:
        try:
            pdf = pdfium.PdfDocument(path.read_bytes())
        except pdfium.PdfiumError:
            continue
        for i in range(len(pdf)):
            textpage = pdf[i].get_textpage()
            chars += len(textpage.get_text_bounded())
            textpage.close()
            pages += 1
        pdf.close()
    return {
        "pdfs": len(files),
        "pages": pages,
        "chars": chars,
        "seconds": round(time.perf_counter() - started, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
    }


def reader_vs_pdfium(path: Path, rounds: int = 3) -> dict:
    """CPU seconds of the project's PDF reader (`index.read.formats.pdf.read`: text, layout, units,
    sections) and of pypdfium2's plain `get_text_bounded` on every page of one PDF, in one
    process, alternated `rounds` times; the best of each and their ratio (the issue's target:
    the reader within 1.5x of the plain text on a 2,400-page manual)."""
    import pypdfium2 as pdfium

    from index.read.formats import pdf as reader

    data = path.read_bytes()
    plain, ours, pages = [], [], 0
    for _ in range(rounds):
        cpu = time.process_time()
        pdf = pdfium.PdfDocument(data)
        pages = len(pdf)
        for i in range(pages):
            textpage = pdf[i].get_textpage()
            textpage.get_text_bounded()
            textpage.close()
        pdf.close()
        plain.append(time.process_time() - cpu)
        cpu = time.process_time()
        reader.read(path.name, data)
        ours.append(time.process_time() - cpu)
    return {
        "pdf": str(path),
        "pages": pages,
        "pdfium_plain_s": round(min(plain), 3),
        "reader_s": round(min(ours), 3),
        "reader_over_pdfium": round(min(ours) / max(min(plain), 1e-9), 2),
    }


def main(argv: list[str] | None = None) -> int:
    """`make` a folder of PDFs, or time `pdfium` alone on one (JSON on stdout)."""
    parser = argparse.ArgumentParser(prog="python -m index.tools.pdfbench")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("make", help="write a folder of generated PDFs")
    p.add_argument("out")
    p.add_argument("--count", type=int, default=200)
    p.add_argument("--pages", type=int, default=50)
    p.add_argument("--sentences", default=str(SENTENCES), help="text or .xz file, one a line")
    p = sub.add_parser("pdfium", help="time pypdfium2 alone extracting the text of a folder")
    p.add_argument("docs")
    p = sub.add_parser("reader", help="time the PDF reader against pypdfium2's plain text")
    p.add_argument("pdf")
    p.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    if args.command == "reader":
        print(json.dumps(reader_vs_pdfium(Path(args.pdf), args.rounds)))
    elif args.command == "make":
        if importlib.util.find_spec("fpdf") is None:
            print("error: make needs fpdf2, in the test extra: scripts/setup test", file=sys.stderr)
            return 2
        pages = make(Path(args.out), args.count, args.pages, Path(args.sentences))
        print(f"wrote {args.count} PDFs, {pages} pages, to {args.out}")
    else:
        print(json.dumps(pdfium_alone(Path(args.docs))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
