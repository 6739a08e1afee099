"""PDF: text as a reader sees the page, with pypdfium2 (PDFium).

Each page is PDFium's own text (its reading order and spaces) with what a reader sees of each
line: position, font size, weight, monospace (`page`). Over the document (`layout`), running
headers and footers go, contents and index pages and number-only lines are kept as structure,
never answers, and headings, code, table rows and definition terms are told apart from prose.
The lines are then joined into one text (`join`): headings, code blocks, rows and terms are units
of their own, headings start the sections (placed by the PDF's bookmarks when it has them).

Measured in ../shared/NOTES.md: PDFium reads ~680 pages/s with the fewest broken words of five
libraries. Its state is process-global, not thread-safe and not fork-safe: this package is only
imported in extraction worker processes (`index.read.extract`), never in the bot's or the CLI's.
"""

from __future__ import annotations

import bisect
import ctypes
import gc
import re

from index.read.formats import FormatError, SourceDoc, clean, name_title, title
from index.read.formats.markdown import SEPARATOR
from index.read.formats.pdf import calls, layout
from index.read.formats.pdf.join import join, normalize
from index.read.formats.pdf.page import SCAN, TEXT, Line, PageError, Probe, read_page

_END = re.compile(r"[.!?:;][\"'”’)\]]*$")


def read(doc_id: str, data: bytes) -> SourceDoc:
    """A PDF file as a document: raises FormatError with the reason when it cannot be read.

    The cycle collector waits meanwhile: a manual's tens of thousands of lines (none in a cycle,
    all freed by their counts) made its passes 3-8% of the reading (octave.pdf, R's refman)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _read(doc_id, data)
    finally:
        if collecting:
            gc.enable()


def _read(doc_id: str, data: bytes) -> SourceDoc:
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise FormatError("encrypted PDF, needs a password") from None
        raise FormatError("not a readable PDF: damaged, truncated or not a PDF") from None
    try:
        pages, labels, scans = [], [], 0
        probe, bare = Probe(), calls.bare(pdfium_c)
        probe.measure = calls.measure(bare, probe)
        room = ctypes.create_string_buffer(64)  # a page label's, reused
        for i in range(len(pdf)):
            kind, lines = read_page(bare, pdf.raw, i, probe)
            scans += kind == SCAN
            pages.append(lines if kind == TEXT else [])
            label = _label(pdfium_c, pdf.raw, i, room)
            labels.append(label if label and label != str(i + 1) else None)
        meta = _metadata(pdf)
        toc = _toc(pdf)
    except (pdfium.PdfiumError, PageError):
        raise FormatError("not a readable PDF: a page could not be read") from None
    finally:
        pdf.close()
    layout.mark_running(pages, labels)
    for lines in pages:
        if layout.blank_page(lines):
            for line in lines:
                line.kind = "blank"
    body = layout.body_style(pages)
    layout.mark_structure(pages, body, _toc_lines(pages, toc))
    normalize(pages)
    joined, starts = join(pages)
    text = "".join(joined.parts)
    notes = []
    if scans:
        them = "them" if scans != 1 else "it"
        notes.append(f"{scans} page{'s' * (scans != 1)} without text: OCR {them} first")
    if not text.strip():
        raise FormatError(f"no text layer in {len(pages)} pages, a scan? OCR it first")
    name = title(meta.get("Title", "")) or _first_line_title(pages) or name_title(doc_id, text)
    sections = _sections(text, starts, toc, joined.heads)
    return SourceDoc(
        doc_id,
        name,
        None,
        text,
        tuple(joined.skip),
        units=tuple(joined.units),
        pages=tuple(zip(starts, labels, strict=True)),
        sections=tuple(sections),
        notes=tuple(notes),
        kind="pdf",
        code=tuple(joined.code),
        headings=tuple((s, e) for s, e, _, _ in joined.heads),
    )


def _label(pdfium_c, doc, i: int, room) -> str | None:
    """Page i's printed label ("iv", "A-3"), or None: asked once when it fits in `room`
    (pypdfium2's get_page_label asks PDFium twice, for the length and then the text)."""
    try:
        size = pdfium_c.FPDF_GetPageLabel(doc, i, room, len(room))
        if size > len(room):
            room = ctypes.create_string_buffer(size)
            pdfium_c.FPDF_GetPageLabel(doc, i, room, size)
        return room.raw[: max(size - 2, 0)].decode("utf-16-le") or None
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


def _toc_lines(pages: list[list[Line]], toc: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """(page, normalized line) of the lines that print a bookmark's title on its page, a
    section number before it or not ("10.4 The do-until Statement" for "The do-until
    Statement"): these are headings whatever their font."""
    out: set[tuple[int, str]] = set()
    for page, path in toc:
        if page >= len(pages):
            continue
        name = layout.norm(path.rsplit(SEPARATOR, 1)[-1])
        if not name:
            continue
        last = name.rsplit(" ", 1)[-1]
        for line in pages[page]:
            if line.kind or last not in line.text.lower():
                continue
            norm = layout.norm(line.text)
            if norm == name or (norm.endswith(" " + name) and _numbered(norm[: -len(name)])):
                out.add((page, norm))
                break
    return out


def _numbered(prefix: str) -> bool:
    """A section number before a heading's title: "10 4 ", "a 1 ", "chapter 3 ", "appendix b "."""
    return bool(
        re.fullmatch(r"(?:(?:chapter|appendix|part|section)\s+)?(?:\w{1,3}\s+){1,5}", prefix)
    )


def _sections(text: str, starts: list[int], toc: list[tuple[int, str]], heads) -> list:
    """(start, path, None) of each section: a bookmark at the heading that prints its title on
    its page (else at the page's start); headings without a bookmark under the bookmark before
    them; without bookmarks, headings nested by font size."""
    out: list[tuple[int, str, None]] = []
    placed: dict[int, str] = {}
    by_page: dict[int, list[tuple[int, int, Line]]] = {}
    for s, e, page, line in heads:
        by_page.setdefault(page, []).append((s, e, line))
    floor = 0
    for page, path in toc:
        if page >= len(starts):
            continue
        name = layout.norm(path.rsplit(SEPARATOR, 1)[-1])
        at = None
        for s, e, _ in by_page.get(page, ()):
            norm = layout.norm(text[s:e])
            if s >= floor and s not in placed and (norm == name or norm.endswith(" " + name)):
                at = s
                break
        if at is None:
            at = max(starts[page], floor)
        placed[at] = path
        out.append((at, path, None))
        floor = at
    if toc:
        paths = sorted(out)
        at_starts = [p[0] for p in paths]
        for s, e, _, line in heads:
            if s in placed:
                continue
            k = bisect.bisect_right(at_starts, s)  # the last bookmark at or before the heading
            parent = paths[k - 1][1] if k else ""
            name = _name(text, s, e, line)
            out.append((s, f"{parent}{SEPARATOR}{name}" if parent else name, None))
    else:
        stack: list[tuple[float, str]] = []
        for s, e, _, line in heads:
            size = round(line.size, 1)
            while stack and stack[-1][0] <= size:
                stack.pop()
            stack.append((size, _name(text, s, e, line)))
            out.append((s, SEPARATOR.join(n for _, n in stack), None))
    out.sort(key=lambda x: x[0])
    return out


def _name(text: str, s: int, e: int, line: Line) -> str:
    """A heading's name in a section path: its text, or a definition's first signature."""
    return title(line.text if line.kind == "def" else text[s:e])


def _first_line_title(pages: list[list[Line]]) -> str:
    """The first line of page 1 when it reads as a title: short, with letters, no final full
    stop, and not continued by the next line (which would start in lower case)."""
    lines = [x for x in pages[0] if x.kind not in ("run", "blank", "num")] if pages else []
    if not lines:
        return ""
    line, after = lines[0].text.strip(), (lines[1].text.strip() if len(lines) > 1 else "")
    short = 2 <= len(line) <= 120 and len(line.split()) <= 14
    if not short or not re.search(r"[^\W\d_]{2}", line) or _END.search(line) or " | " in line:
        return ""
    if line[-1] in ",;-" or after[:1].islower():
        return ""
    return title(line)
