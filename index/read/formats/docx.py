"""Word (.docx): paragraphs in order with docx2python, headings as sections, table rows and list
items as units, tracked insertions and content controls kept (python-docx drops both: see
../shared/NOTES.md). The zip is checked before anything is unpacked."""

from __future__ import annotations

import io
import re
import zipfile

from index.read.formats import FormatError, SourceDoc, clean, name_title, title
from index.read.formats.markdown import SEPARATOR

# A .docx of a few hundred pages unpacks to a few MB of XML; a zip that says it unpacks to more
# than this is refused before one byte is inflated (a zip bomb renamed .docx).
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # a member that claims to inflate more than this, beyond a few MB, is a bomb
_HEADING = re.compile(r"^heading\s*(\d)$", re.I)
_MARKUP = re.compile(r"</?a\b[^>]*>|-{4}(?:foot|end)note\d+-{4}|-{4}(?:comment)\d+-{4}", re.I)


def _check_zip(data: bytes) -> None:
    """Refuse what is not a Word file, or would unpack to too much, before unpacking it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise FormatError("encrypted Word file or old .doc format, not read") from None
        raise FormatError("not a Word file: damaged, truncated or renamed") from None
    with archive:
        infos = archive.infolist()
        total = sum(i.file_size for i in infos)
        if total > MAX_UNZIPPED_BYTES:
            raise FormatError(
                f"zip bomb? unpacks to {total // 2**20} MB, over the "
                f"{MAX_UNZIPPED_BYTES // 2**20} MB limit, not read"
            )
        for i in infos:
            if i.file_size > 4 * 2**20 and i.file_size > MAX_RATIO * max(1, i.compress_size):
                raise FormatError(
                    f"zip bomb? {i.filename} would inflate "
                    f"{i.file_size // max(1, i.compress_size)}-fold, not read"
                )
        if "word/document.xml" not in archive.namelist():
            raise FormatError("not a Word file: no word/document.xml")


def _par_text(par) -> str:
    text = "".join(getattr(par, "run_strings", None) or [])
    return " ".join(clean(_MARKUP.sub("", text))[0].split())


def read(doc_id: str, data: bytes) -> SourceDoc:
    """A Word file as a document: raises FormatError with the reason when it cannot be read."""
    _check_zip(data)
    from docx2python import docx2python

    try:
        with docx2python(io.BytesIO(data)) as content:
            body = content.body_pars
            props = content.core_properties or {}
    except Exception as exc:  # docx2python raises many kinds on damaged XML
        raise FormatError(f"not a readable Word file: {type(exc).__name__}") from None
    parts: list[str] = []
    size = 0
    units: list[tuple[int, int]] = []
    rows: list[tuple[int, int]] = []
    headings: list[tuple[int, int, str]] = []
    title_style = ""

    def add(text: str, unit: bool) -> None:
        nonlocal size
        if parts:
            parts.append("\n\n")
            size += 2
        if unit:
            units.append((size, size + len(text)))
        parts.append(text)
        size += len(text)

    for table in body:
        for row in table:
            cells = [" ".join(t for t in (_par_text(p) for p in cell) if t) for cell in row]
            pars = [p for cell in row for p in cell]
            in_table = any("tbl" in (getattr(p, "lineage", None) or ()) for p in pars)
            if in_table:
                line = " | ".join(c for c in cells if c)
                if line:
                    add(line, unit=True)
                    rows.append(units[-1])
                continue
            for par in pars:
                text = _par_text(par)
                if not text:
                    continue
                style = (getattr(par, "style", "") or "").replace(" ", "")
                m = _HEADING.match(re.sub(r"(?i)^heading", "heading ", style))
                if m:
                    headings.append((size + 2 * bool(parts), int(m.group(1)), title(text)))
                if style.lower() == "title" and not title_style:
                    title_style = text
                add(text, unit=style.lower().startswith("list"))
    text = "".join(parts) + "\n"
    if not text.strip():
        raise FormatError("no text: an empty or image-only Word file")
    path: list[tuple[int, str]] = []
    sections = []
    for start, level, name in headings:
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, name))
        sections.append((start, SEPARATOR.join(n for _, n in path), None))
    first_h1 = next((n for _, level, n in headings if level == 1), "")
    name = title(str(props.get("title") or "")) or title(title_style) or first_h1
    return SourceDoc(
        doc_id,
        name or name_title(doc_id, text),
        None,
        text,
        (),
        units=tuple(units),
        rows=tuple(rows),
        sections=tuple(sections),
        kind="docx",
    )
