"""PDF: text per page in reading order with pypdfium2 (PDFium), running headers and footers
dropped, hyphenated line ends rejoined, pages joined so a sentence may run over a page break.

Measured in ../shared/NOTES.md: PDFium reads ~680 pages/s with the fewest broken words of five
libraries. Its state is process-global, not thread-safe and not fork-safe: this module is only
imported in extraction worker processes (`index.read.extract`), never in the bot's or the CLI's.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from index.read.formats import FormatError, SourceDoc, clean, name_title, title
from index.read.formats.markdown import SEPARATOR

EDGE_LINES = 2  # running headers and footers sit in the first and last lines of a page
CELL_GAP = 1.5  # a gap wider than this many line heights between runs of one line splits cells
_WORDS = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LEADER = re.compile(r"(?:\s?\.){5,}")
_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
_PAGE_WORDS = re.compile(r"^(?:page|p\.|seite|página|pagina)?\s*[-–—]?\s*", re.I)


def read(doc_id: str, data: bytes) -> SourceDoc:
    """A PDF file as a document: raises FormatError with the reason when it cannot be read."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise FormatError("encrypted PDF, needs a password") from None
        raise FormatError("not a readable PDF: damaged, truncated or not a PDF") from None
    try:
        pages, labels, blank = [], [], 0
        for i in range(len(pdf)):
            page = pdf[i]
            lines = _page_lines(page)
            if not lines:
                blank += 1
            pages.append(lines)
            label = _label(pdf, i)
            labels.append(label if label and label != str(i + 1) else None)
        meta = _metadata(pdf)
        toc = _toc(pdf)
    except pdfium.PdfiumError:
        raise FormatError("not a readable PDF: a page could not be read") from None
    finally:
        pdf.close()
    pages = _normalized(_drop_running_lines(pages, labels))
    text, starts, units = _join(pages)
    notes = []
    if blank:
        them = "them" if blank != 1 else "it"
        notes.append(f"{blank} page{'s' * (blank != 1)} without text: OCR {them} first")
    if not text.strip():
        raise FormatError(f"no text layer in {len(pages)} pages, a scan? OCR it first")
    name = title(meta.get("Title", "")) or _first_line_title(pages) or name_title(doc_id, text)
    sections = _sections(text, starts, toc)
    return SourceDoc(
        doc_id,
        name,
        None,
        text,
        (),
        units=tuple(units),
        pages=tuple(zip(starts, labels, strict=True)),
        sections=tuple(sections),
        notes=tuple(notes),
        kind="pdf",
    )


def _label(pdf, i: int) -> str | None:
    try:
        return pdf.get_page_label(i) or None
    except Exception:  # a damaged label tree: the page number serves
        return None


def _metadata(pdf) -> dict[str, str]:
    try:
        return {k: str(v) for k, v in pdf.get_metadata_dict(skip_empty=True).items()}
    except Exception:
        return {}


def _toc(pdf) -> list[tuple[int, str]]:
    """(page index, "Part › Chapter") of each bookmark, in order."""
    out: list[tuple[int, str]] = []
    path: list[str] = []
    try:
        for item in pdf.get_toc(max_depth=6):
            if hasattr(item, "get_title"):  # pypdfium2 5
                dest = item.get_dest()
                raw, page = item.get_title(), dest.get_index() if dest is not None else None
            else:  # pypdfium2 4
                raw, page = item.title, item.page_index
            name = title(clean(raw or "")[0])
            del path[item.level :]
            path.append(name)
            if page is not None and name:
                out.append((page, SEPARATOR.join(p for p in path if p)))
    except Exception:  # a broken outline: no sections
        return []
    out.sort(key=lambda x: x[0])
    return out


def _sections(text: str, starts: list[int], toc: list[tuple[int, str]]) -> list:
    """(start, path, None) of each bookmark: where its title is printed on its page, else the
    page's start; kept in order of the text."""
    out = []
    floor = 0
    for page, path in toc:
        if page >= len(starts):
            continue
        lo = max(starts[page], floor)
        hi = starts[page + 1] if page + 1 < len(starts) else len(text)
        found = text.find(path.rsplit(SEPARATOR, 1)[-1], lo, hi)
        at = found if found >= 0 else lo
        out.append((at, path, None))
        floor = at
    return out


def _page_lines(page) -> list[str]:
    """The page's lines in reading order; the cells of a table row joined by " | "."""
    textpage = page.get_textpage()
    try:
        if textpage.count_chars() == 0:
            return []
        whole = textpage.get_text_bounded().replace("\r\n", "\n").replace("\r", "\n")
        lines = [line for line in whole.split("\n") if line.strip()]
        n = textpage.count_rects()
        if n > len(lines):  # some line is made of runs apart, maybe table cells
            lines = _lines_from_runs(textpage, n) or lines
        return _hyphen_joined(lines)
    finally:
        textpage.close()


def _hyphen_joined(lines: list[str]) -> list[str]:
    """Lines with a line that ends in PDFium's hyphen mark joined to the next, mark kept."""
    out: list[str] = []
    for line in lines:
        if out and out[-1].endswith("\x02"):
            out[-1] += line.lstrip()
        else:
            out.append(line)
    return out


def _lines_from_runs(textpage, n: int) -> list[str]:
    """Lines rebuilt from PDFium's text runs (in reading order): runs on one line far apart are
    table cells, joined by " | "; near ones are words of one line."""
    lines: list[str] = []
    last = None
    for r in range(n):
        box = textpage.get_rect(r)
        left, bottom, _, top = box
        piece = textpage.get_text_bounded(*box).replace("\r", " ").replace("\n", " ")
        if not piece.strip():
            continue
        height = max(top - bottom, 1.0)
        if last is not None:
            _, l_bottom, l_right, l_top = last
            same_line = min(top, l_top) - max(bottom, l_bottom) > 0.4 * height and left > l_right
            if same_line:
                gap = left - l_right
                sep = " | " if gap > CELL_GAP * height else " "
                lines[-1] = lines[-1].rstrip() + sep + piece.strip()
                last = box
                continue
        lines.append(piece.strip())
        last = box
    return lines


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()).lower())


def _is_page_number(line: str, number: int, label: str | None) -> bool:
    """Whether a line says only which page this is ("7", "- 7 -", "Page 7 of 20", "iv")."""
    rest = _PAGE_WORDS.sub("", line.strip(), count=1)
    for value in {str(number), label or str(number)}:
        if re.fullmatch(rf"{re.escape(value)}\s*[-–—]?\s*(?:(?:of|/|von|de)\s*\d+)?", rest, re.I):
            return True
    return False


def _drop_running_lines(pages: list[list[str]], labels: list[str | None]) -> list[list[str]]:
    """Pages without their running headers, footers and page numbers: a line among the first or
    last EDGE_LINES of a page that recurs (digits aside) on max(3, 10%) of the pages, or that
    carries the page's number."""
    seen: Counter[str] = Counter()
    for lines in pages:
        edge = lines[:EDGE_LINES] + lines[-EDGE_LINES:]
        seen.update({_key(x) for x in edge})
    need = max(3, len(pages) // 10)
    out = []
    for i, lines in enumerate(pages):
        keep = list(lines)
        for side in (0, -1):
            for _ in range(EDGE_LINES):
                if not keep:
                    break
                line = keep[side]
                if seen[_key(line)] >= need or _is_page_number(line, i + 1, labels[i]):
                    keep.pop(side)
                else:
                    break
        out.append(keep)
    return out


def _join(pages: list[list[str]]) -> tuple[str, list[int], list[tuple[int, int]]]:
    """All pages as one text: lines of a paragraph joined by a space, paragraphs by a blank line
    (a short line ending a sentence ends its paragraph; a table row is its own), and a page that
    ends mid-sentence joined to the next by a space. Returns (text, page starts, table rows)."""
    parts: list[str] = []
    size = 0
    starts: list[int] = []
    rows: list[tuple[int, int]] = []
    prev, prev_row, prev_full = "", False, 0
    for lines in pages:
        widths = sorted(len(x) for x in lines if " | " not in x)
        full = widths[len(widths) * 3 // 4] if widths else 0
        start = None
        for line in lines:
            row = " | " in line
            if parts:
                ends = _END.search(prev) and len(prev) < 0.85 * prev_full
                sep = "\n\n" if row or prev_row or ends else " "
                parts.append(sep)
                size += len(sep)
            if start is None:
                start = size
            if row:
                rows.append((size, size + len(line)))
            parts.append(line)
            size += len(line)
            prev, prev_row, prev_full = line, row, full
        starts.append(size if start is None else start)
    return "".join(parts) + "\n", starts, rows


def _normalized(pages: list[list[str]]) -> list[list[str]]:
    """Lines with hyphenated words rejoined, ligatures split (NFKC) and controls removed: done
    before the pages are joined, so the offsets computed then hold. A page at a time: one regex
    pass per page, not per line; the document's words are counted only when a hyphen needs them."""
    vocabulary: Counter[str] | None = None
    if any("\x02" in line for lines in pages for line in lines):
        text = "\n".join("\n".join(lines) for lines in pages)
        vocabulary = Counter(w.lower() for w in _WORDS.findall(text))
    out = []
    for lines in pages:
        page = "\n".join(lines)
        if vocabulary is not None and "\x02" in page:
            page = _rejoin_hyphens(page, vocabulary)
        if not page.isascii():
            page = unicodedata.normalize("NFKC", page)
        page = _LEADER.sub(" … ", clean(page)[0])  # a contents page's dot leaders are layout
        out.append([" ".join(line.split()) for line in page.split("\n") if line.strip()])
    return out


def _rejoin_hyphens(text: str, vocabulary: Counter[str]) -> str:
    """Words PDFium marked as hyphenated at a line end (`ex\\x02ample`), joined when the joined
    word occurs elsewhere in the document or a part is not a word of it; else kept hyphenated
    (`well-known`: both parts are words of the document)."""
    if "\x02" not in text:
        return text

    def fix(m: re.Match[str]) -> str:
        a, b = m.group(1), m.group(2)
        joined = (a + b).lower()
        if vocabulary[joined]:
            return a + b
        if vocabulary[f"{a}-{b}".lower()]:
            return f"{a}-{b}"
        if vocabulary[a.lower()] and vocabulary[b.lower()] and len(a) > 2 and len(b) > 2:
            return f"{a}-{b}"
        return a + b

    return re.sub(r"([^\W\d_]+)\x02\s*([^\W\d_]+)", fix, text).replace("\x02", "-")


def _first_line_title(pages: list[list[str]]) -> str:
    """The first line of page 1 when it reads as a title: short, with letters, no final full
    stop, and not continued by the next line (which would start in lower case)."""
    lines = pages[0] if pages else []
    if not lines:
        return ""
    line, after = lines[0].strip(), (lines[1].strip() if len(lines) > 1 else "")
    short = 2 <= len(line) <= 120 and len(line.split()) <= 14
    if not short or not re.search(r"[^\W\d_]{2}", line) or _END.search(line) or " | " in line:
        return ""
    if line[-1] in ",;-" or after[:1].islower():
        return ""
    return title(line)
