"""Read a folder of documents: walk it, read each file's bytes safely, decode, and hand them to
the reader of its format (`index.read.formats`: text, markdown, rst, html, pdf, docx) via
`read_document`. A documentation site's page sources and theme files are left out by name
(`index.read.site`).

The folder is the boundary. Inside it symbolic links (to files or folders) are never followed,
hidden entries (`.env`, `.git/`, `.ssh/`) are never opened, and only regular files are read, so
nothing outside the folder and nothing left in it by mistake can be quoted. `scan` says what it
refused and why. One file contributes at most MAX_FILE_BYTES (the rest is never read), control
characters and bidirectional overrides are removed from the text (they could rewrite a terminal
or make a quote read differently from what it says), and HTML is read by a linear-time scanner.
PDF and Word files are read whole (up to MAX_BINARY_BYTES) and only in worker processes.
"""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.read.formats import BIDI_CONTROL, CONTROL, FormatError, SourceDoc, clean, readable_name
from index.read.site import site_copies

__all__ = ["BIDI_CONTROL", "CONTROL", "SourceDoc", "clean", "read_document", "readable_name"]

TEXT_EXTENSIONS = (".txt", ".md", ".markdown", ".rst", ".html", ".htm")
BINARY_EXTENSIONS = (
    ".pdf",
    ".docx",
)  # read by index.read.formats.pdf and .docx, in worker processes
EXTENSIONS = TEXT_EXTENSIONS + BINARY_EXTENSIONS
# One file may contribute at most this much: 16 MiB of prose is about 2.5 million words and builds
# in about 12 s with a peak of about 340 MiB here; more would let one file dominate time and memory.
MAX_FILE_BYTES = 16 * 1024 * 1024
# A PDF or Word file may be larger: its text is what is capped (at MAX_FILE_BYTES of characters).
MAX_BINARY_BYTES = 256 * 1024 * 1024
SAMPLE_BYTES = 8192  # read first, to refuse a binary file without reading the rest
LEGACY_ENCODING = "cp1252"  # what most non-UTF-8 text in the wild is; decodes every byte
OS_LITTER = re.compile(r"^(\.DS_Store|\._.*)$")  # hidden files the OS leaves: skipped unreported

_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", 4),
    (b"\x00\x00\xfe\xff", "utf-32-be", 4),
    (b"\xff\xfe", "utf-16-le", 2),
    (b"\xfe\xff", "utf-16-be", 2),
)


@dataclass(frozen=True)
class Skipped:
    """An entry of the folder that was not read, and why."""

    id: str
    reason: str


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(name: str) -> str:
    """`name` safe to print and to store as JSON: bad bytes, controls and overrides escaped."""
    if name.isascii() and name.isprintable():  # nearly every name: nothing to escape
        return name
    raw = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", raw)


def _name_refusal(name: str, is_dir: bool) -> str | None:
    """Why a file or folder name is refused before looking at the entry, or None."""
    kind = "folder" if is_dir else "file"
    if name.startswith("."):
        return f"hidden {kind}, not read"
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return f"{kind} name is not valid UTF-8"
    if _UNPRINTABLE.search(name):
        return f"{kind} name has control characters"
    return None


def walk(folder: Path) -> tuple[list[tuple[str, str, tuple[int, int]]], list[Skipped]]:
    """Document files (as `scan` gives them) and the entries refused unread, with why, in one pass.

    `folder` itself may be a symbolic link: it is the root the user chose. Inside it no link is
    followed, hidden entries are refused, and only regular files are kept. Files of other types
    (images, spreadsheets) are not documents and are left out silently, as is hidden OS litter.
    """
    found: list[tuple[str, str, tuple[int, int]]] = []
    refused: list[Skipped] = []
    stack = [(str(folder), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            refused.append(Skipped(printable(prefix or "./"), f"unreadable: {exc.strerror or exc}"))
            continue
        for entry in entries:
            name, rel = entry.name, printable(prefix + entry.name)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
            except OSError:
                is_dir = is_link = False
            is_document = name.lower().endswith(EXTENSIONS)
            reason = _name_refusal(name, is_dir)
            if reason is not None:
                if is_dir or is_document or (name.startswith(".") and not OS_LITTER.match(name)):
                    refused.append(Skipped(rel + "/" * is_dir, reason))
            elif is_link:
                to_dir = entry.is_dir()  # stats the target, never opens it
                if is_document or to_dir:
                    refused.append(Skipped(rel + "/" * to_dir, "symbolic link, not followed"))
            elif is_dir:
                stack.append((entry.path, prefix + name + "/"))
            elif is_document:
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    refused.append(Skipped(rel, f"unreadable: {exc.strerror or exc}"))
                    continue
                if stat.S_ISREG(st.st_mode):
                    found.append((prefix + name, entry.path, (st.st_size, st.st_mtime_ns)))
                else:
                    refused.append(Skipped(rel, "not a regular file"))
    found.sort(key=lambda item: item[0])
    copies = site_copies([doc_id for doc_id, _, _ in found])
    if copies:  # a site's page sources and theme files: see index.read.site
        found = [f for f in found if f[0] not in copies]
        refused += [Skipped(d, reason) for d, reason in copies.items()]
    refused.sort(key=lambda s: s.id)
    return found, refused


def scan(folder: Path) -> list[tuple[str, str, tuple[int, int]]]:
    """(id, path, (size, mtime_ns)) of every document file, sorted by id, in one pass of scandir."""
    return walk(folder)[0]


def list_files(folder: Path) -> list[tuple[str, Path]]:
    """Every document file under `folder`, sorted by id; see `walk` for what is left out."""
    return [(doc_id, Path(path)) for doc_id, path, _ in scan(folder)]


def refused(folder: Path) -> list[tuple[str, str]]:
    """(id, reason) of every entry left unread on purpose (hidden, links, not files): for the summary."""
    return [(s.id, s.reason) for s in walk(folder)[1]]


def _decode_tail_safe(data: bytes, codec: str) -> tuple[str, bool]:
    """Decode strictly, dropping a character cut off at the very end: (text, whether cut)."""
    try:
        return data.decode(codec), False
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 4:
            return data[: exc.start].decode(codec), True
        raise


def decode(data: bytes, capped: bool = False) -> tuple[str | None, str | None]:
    """Decode file bytes to text: (text, warning) or (None, reason to skip).

    `capped` says the bytes were cut at MAX_FILE_BYTES, so a character cut in half at the end is
    expected rather than a sign of a truncated file.
    """
    if not data.strip():
        return None, "empty"
    for bom, codec, unit in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            body = body[: len(body) - len(body) % unit]  # the cap may split a code unit
            try:
                text, cut = _decode_tail_safe(body, codec)
            except UnicodeDecodeError:
                return None, f"invalid {codec[:6].upper()}"
            return text, ("truncated, last character dropped" if cut and not capped else None)
    sample = data[:SAMPLE_BYTES]
    if b"\x00" in data or _control_ratio(sample) > 0.1:
        return None, "binary"
    try:
        text, cut = _decode_tail_safe(data, "utf-8-sig")
        return text, ("truncated UTF-8, last character dropped" if cut and not capped else None)
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8-sig", errors="replace")
    bad = replaced.count("\ufffd") - data.count("\ufffd".encode())
    if len(_UTF8_SEQUENCE.findall(data)) > bad:  # UTF-8 with a few bad bytes, not a legacy file
        return replaced, f"{bad} invalid UTF-8 byte{'s' * (bad != 1)} replaced"
    return data.decode(LEGACY_ENCODING, errors="replace"), f"not UTF-8, read as {LEGACY_ENCODING}"


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _control_ratio(sample: bytes) -> float:
    kept = sample.translate(None, delete=bytes(set(range(256)) - set(_CONTROL_BYTES)))
    return len(kept) / max(1, len(sample))


def _is_hidden(doc_id: str) -> bool:
    return any(part.startswith(".") and part not in (".", "..") for part in doc_id.split("/"))


def _read_bytes(path: Path, binary: bool = False) -> tuple[bytes | None, bool, str | None]:
    """(up to MAX_FILE_BYTES of the file, whether it was longer, None) or (None, False, reason).

    The last component is opened without following a link and without blocking (a named pipe
    must not stall the build), and must be a regular file. A `binary` file (PDF, Word) is read
    whole up to MAX_BINARY_BYTES, and refused when larger: half a PDF cannot be read.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP or (exc.errno == errno.EMLINK and os.path.islink(path)):
            return None, False, "symbolic link, not followed"
        return None, False, f"unreadable: {exc.strerror or exc}"
    with open(fd, "rb", closefd=True) as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None, False, "not a regular file"
        try:
            if binary:
                data = f.read(MAX_BINARY_BYTES + 1)
                if len(data) > MAX_BINARY_BYTES:
                    return None, False, f"larger than {MAX_BINARY_BYTES // 2**20} MB, not read"
                return data, False, None
            head = f.read(SAMPLE_BYTES)
            if b"\x00" in head and not head.startswith(tuple(b for b, _, _ in _BOMS)):
                return None, False, "binary"
            data = head + f.read(MAX_FILE_BYTES + 1 - len(head))
        except OSError as exc:
            return None, False, f"unreadable: {exc.strerror or exc}"
    if len(data) > MAX_FILE_BYTES:
        return data[:MAX_FILE_BYTES], True, None
    return data, False, None


def digest(path: Path) -> str | None:
    """A hash of the file's bytes (opened as `_read_bytes` opens it), or None when it cannot be
    read or is larger than any file that is read: files with the same digest are copies."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    with open(fd, "rb", closefd=True) as f:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode) or os.fstat(fd).st_size > MAX_BINARY_BYTES:
                return None
            return hashlib.file_digest(f, "sha256").hexdigest()
        except OSError:
            return None


def _cut_at_space(text: str) -> str:
    """`text` cut after its last line break or space near the end, so no word is cut in half."""
    window = max(0, len(text) - 65536)
    for sep in ("\n", " "):
        at = text.rfind(sep, window)
        if at > 0:
            return text[: at + 1]
    return text


def read_document(doc_id: str, path: Path) -> tuple[SourceDoc | None, str | None]:
    """Read one file: (document, warning) or (None, reason it was skipped).

    PDF and Word files are read by `index.read.formats.pdf` and `.docx`, which load PDFium and
    docx2python: call this for them only in a worker process (see `index.read.extract`).
    """
    if _is_hidden(doc_id):
        return None, "hidden file, not read"
    lower = doc_id.lower()
    if lower.endswith(BINARY_EXTENSIONS):
        return _read_binary(doc_id, path)
    data, capped, reason = _read_bytes(path)
    if data is None:
        return None, reason
    notes = []
    if capped:
        notes.append(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, only the start indexed")
    text, note = decode(data, capped)
    if text is None:
        return None, note
    if note:
        notes.append(note)
    if capped:
        text = _cut_at_space(text)
    text, removed = clean(text.replace("\r\n", "\n").replace("\r", "\n"))
    if removed:
        notes.append(f"{removed} control character{'s' * (removed != 1)} removed")
    if lower.endswith((".html", ".htm")):
        from index.read.formats import html as reader
    elif lower.endswith((".md", ".markdown")):
        from index.read.formats import markdown as reader
    elif lower.endswith((".rst", ".rst.txt")):  # .rst.txt: a Sphinx source without its page
        from index.read.formats import rst as reader
    else:
        from index.read.formats import text as reader
    try:
        doc = reader.read(doc_id, text)
    except FormatError as exc:  # a generated page (an index, a search page), not a document
        return None, str(exc)
    if not doc.text.strip():
        return None, "no text"
    return doc, "; ".join(notes) or None


def _read_binary(doc_id: str, path: Path) -> tuple[SourceDoc | None, str | None]:
    """A PDF or Word file read by its reader: (document, warning) or (None, reason)."""
    data, _, reason = _read_bytes(path, binary=True)
    if data is None:
        return None, reason
    if not data.strip():
        return None, "empty"
    if doc_id.lower().endswith(".pdf"):
        from index.read.formats import pdf as reader
    else:
        from index.read.formats import docx as reader
    try:
        doc = reader.read(doc_id, data)
    except FormatError as exc:
        return None, str(exc)
    if len(doc.text) > MAX_FILE_BYTES:  # the cap on text, whatever the file's size
        cut = _cut_at_space(doc.text[:MAX_FILE_BYTES])
        doc = _cut(doc, len(cut))
        doc = dataclasses.replace(
            doc,
            notes=(
                *doc.notes,
                f"more than {MAX_FILE_BYTES // 2**20} MB of text, only the start indexed",
            ),
        )
    if not doc.text.strip():
        return None, "no text"
    return doc, "; ".join(doc.notes) or None


def _cut(doc: SourceDoc, n: int) -> SourceDoc:
    """`doc` with its text cut at `n` characters and every span kept within it."""

    def spans(items):
        return tuple((s, min(e, n)) for s, e in items if s < n)

    return dataclasses.replace(
        doc,
        text=doc.text[:n],
        skip=spans(doc.skip),
        units=spans(doc.units),
        code=spans(doc.code),
        pages=tuple(p for p in doc.pages if p[0] < n),
        sections=tuple(x for x in doc.sections if x[0] < n),
    )


def iter_documents(folder: Path) -> Iterator[tuple[str, SourceDoc | None, str | None]]:
    """(id, document or None, warning or skip reason) for every file under `folder`."""
    for doc_id, path in list_files(folder):
        doc, note = read_document(doc_id, path)
        yield doc_id, doc, note
