"""Read a folder of documents: decode, extract visible text, title and source link."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
MAX_FILE_BYTES = 50 * 1024 * 1024  # one file may contribute at most this much text
LEGACY_ENCODING = "cp1252"  # what most non-UTF-8 text in the wild is; decodes every byte

URL_LINE = re.compile(r"^[ \t]*<?((?:https?://|www\.)[^\s<>]+)>?[ \t]*$", re.MULTILINE)
FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*$\r?\n?", re.DOTALL | re.MULTILINE
)
META_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
SOURCE_LINE = re.compile(
    r"^[ \t]*(?:source|sources|via|credit|credits)[ \t]*:[ \t]*\S.{0,80}$", re.I
)


@dataclass(frozen=True)
class SourceDoc:
    """A decoded document: its text, the spans that are metadata (not sentences), and its labels."""

    id: str
    title: str
    source: str | None
    text: str
    skip: tuple[tuple[int, int], ...]  # character spans that are metadata, not prose


@dataclass(frozen=True)
class Skipped:
    """A file that was not indexed, and why."""

    id: str
    reason: str


def list_files(folder: Path) -> list[tuple[str, Path]]:
    """Every document file under `folder`, sorted by id; hidden entries and symlinks are skipped."""
    return [(doc_id, Path(path)) for doc_id, path, _ in scan(folder)]


def scan(folder: Path) -> list[tuple[str, str, tuple[int, int]]]:
    """(id, path, (size, mtime_ns)) of every document file, sorted by id, in one pass of scandir."""
    found: list[tuple[str, str, tuple[int, int]]] = []
    stack = [(str(folder), "")]
    while stack:
        directory, prefix = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.is_symlink():
                continue  # hidden files and links out of the folder are never read
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, prefix + entry.name + "/"))
            elif entry.is_file(follow_symlinks=False) and entry.name.lower().endswith(EXTENSIONS):
                try:
                    st = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                found.append((prefix + entry.name, entry.path, (st.st_size, st.st_mtime_ns)))
    found.sort(key=lambda item: item[0])
    return found


def decode(data: bytes) -> tuple[str | None, str | None]:
    """Decode file bytes to text: (text, warning) or (None, reason to skip)."""
    if not data.strip():
        return None, "empty"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError:
            return None, "invalid UTF-16"
    sample = data[:8192]
    if b"\x00" in sample or _control_ratio(sample) > 0.1:
        return None, "binary"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and len(data) > 3:  # truncated in the last character
            return data[: exc.start].decode("utf-8-sig"), "truncated UTF-8, last character dropped"
        return data.decode(
            LEGACY_ENCODING, errors="replace"
        ), f"not UTF-8, read as {LEGACY_ENCODING}"


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def _control_ratio(sample: bytes) -> float:
    kept = sample.translate(None, delete=bytes(set(range(256)) - set(_CONTROL_BYTES)))
    return len(kept) / max(1, len(sample))


def read_document(doc_id: str, path: Path) -> tuple[SourceDoc | None, str | None]:
    """Read one file: (document, warning) or (None, reason it was skipped)."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, f"unreadable: {exc.strerror or exc}"
    warning = None
    if len(data) > MAX_FILE_BYTES:
        data = data[:MAX_FILE_BYTES]
        warning = f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, only the start indexed"
    text, note = decode(data)
    if text is None:
        return None, note
    if note:
        warning = f"{warning}; {note}" if warning else note
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lower = doc_id.lower()
    if lower.endswith((".html", ".htm")):
        doc = _from_html(doc_id, text)
    elif lower.endswith((".md", ".markdown")):
        doc = _from_markdown(doc_id, text)
    else:
        doc = _from_plain(doc_id, text)
    if not doc.text.strip():
        return None, "no text"
    return doc, warning


def iter_documents(folder: Path) -> Iterator[tuple[str, SourceDoc | None, str | None]]:
    """(id, document or None, warning or skip reason) for every file under `folder`."""
    for doc_id, path in list_files(folder):
        doc, note = read_document(doc_id, path)
        yield doc_id, doc, note


def readable_name(doc_id: str) -> str:
    """A title made from a file name: `war_and-peace.txt` → `war and peace`."""
    stem = doc_id.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[_\-\s]+", " ", stem).strip() or doc_id


def _metadata_lines(text: str, start: int = 0) -> tuple[list[tuple[int, int]], str | None]:
    """Spans of URL-only and `Source:` lines, and the first URL found on such a line."""
    spans: list[tuple[int, int]] = []
    url = None
    for m in URL_LINE.finditer(text, start):
        spans.append((m.start(), m.end()))
        url = url or m.group(1)
    for m in re.finditer(r"^.*$", text[start:], re.MULTILINE):
        if SOURCE_LINE.match(m.group()):
            spans.append((start + m.start(), start + m.end()))
    spans.sort()
    return spans, url


def _front_matter(text: str) -> tuple[dict[str, str], int]:
    """Simple `key: value` front matter between `---` lines; invalid YAML is read line by line."""
    m = FRONT_MATTER.match(text)
    if not m:
        return {}, 0
    meta: dict[str, str] = {}
    for line in m.group(1).splitlines():
        km = META_KEY.match(line)
        if km:
            meta.setdefault(km.group(1).lower(), km.group(2).strip().strip("'\""))
    return meta, m.end()


def _from_plain(doc_id: str, text: str) -> SourceDoc:
    meta, end = _front_matter(text)
    spans, url = _metadata_lines(text, end)
    skip = ([(0, end)] if end else []) + spans
    source = meta.get("url") or meta.get("source") or url
    return SourceDoc(
        doc_id, meta.get("title") or readable_name(doc_id), _link(source), text, tuple(skip)
    )


def _from_markdown(doc_id: str, text: str) -> SourceDoc:
    meta, end = _front_matter(text)
    spans, url = _metadata_lines(text, end)
    skip = ([(0, end)] if end else []) + spans
    title = meta.get("title")
    if not title:
        h = HEADING.search(text, end)
        title = h.group(2).strip() if h else readable_name(doc_id)
    source = meta.get("url") or meta.get("source") or url
    return SourceDoc(doc_id, title, _link(source), text, tuple(skip))


def _link(value: str | None) -> str | None:
    if value and re.match(r"^(https?://|www\.)\S+$", value):
        return value if value.startswith("http") else "https://" + value
    return None


_BLOCK_TAGS = frozenset(
    """
    address article aside blockquote br dd div dl dt fieldset figcaption figure footer form
    h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul caption
    summary details
    """.split()
)
_HIDDEN_TAGS = frozenset(
    ["script", "style", "noscript", "template", "head", "svg", "iframe", "object"]
)


class _TextExtractor(HTMLParser):
    """Visible text of an HTML page, with block elements ending paragraphs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self.links: list[str] = []
        self.hidden = 0
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in _HIDDEN_TAGS:
            self.hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        if tag == "link" and dict(attrs).get("rel") == "canonical":
            self.links.append(dict(attrs).get("href") or "")
        if tag == "meta" and dict(attrs).get("property") == "og:url":
            self.links.append(dict(attrs).get("content") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
        elif not self.hidden:
            self.parts.append(data)


def _from_html(doc_id: str, html: str) -> SourceDoc:
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; a pathological page still must not stop the build
        pass
    raw = "".join(parser.parts)
    # Collapse runs of spaces within lines and of blank lines, so offsets index readable text.
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    spans, url = _metadata_lines(text)
    title = re.sub(r"\s+", " ", "".join(parser.title_parts)).strip() or readable_name(doc_id)
    source = next((link for link in parser.links if link), None) or url
    return SourceDoc(doc_id, title, _link(source), text, tuple(spans))
