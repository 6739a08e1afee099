"""Read a folder of documents: decode, extract visible text, title and source link.

The folder is the boundary. Inside it symbolic links (to files or folders) are never followed,
hidden entries (`.env`, `.git/`, `.ssh/`) are never opened, and only regular files are read, so
nothing outside the folder and nothing left in it by mistake can be quoted. `scan` says what it
refused and why. One file contributes at most MAX_FILE_BYTES (the rest is never read), control
characters and bidirectional overrides are removed from the text (they could rewrite a terminal
or make a quote read differently from what it says), and HTML is read by a linear-time scanner.
"""

from __future__ import annotations

import errno
import html
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

EXTENSIONS = (".txt", ".md", ".markdown", ".html", ".htm")
# One file may contribute at most this much: 16 MiB of prose is about 2.5 million words and builds
# in about 12 s with a peak of about 340 MiB here; more would let one file dominate time and memory.
MAX_FILE_BYTES = 16 * 1024 * 1024
SAMPLE_BYTES = 8192  # read first, to refuse a binary file without reading the rest
MAX_TITLE_CHARS = 300
LEGACY_ENCODING = "cp1252"  # what most non-UTF-8 text in the wild is; decodes every byte
OS_LITTER = re.compile(r"^(\.DS_Store|\._.*)$")  # hidden files the OS leaves: skipped unreported

URL_LINE = re.compile(r"^[ \t]*<?((?:https?://|www\.)[^\s<>]+)>?[ \t]*$", re.MULTILINE)
FRONT_MATTER = re.compile(
    r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*$\r?\n?", re.DOTALL | re.MULTILINE
)
META_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
SOURCE_LINE = re.compile(
    r"^[ \t]*(?:source|sources|via|credit|credits)[ \t]*:[ \t]*\S.{0,80}$", re.I
)
# C0 and C1 control characters but tab and newline: replaced by a space (same length).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Embeddings, overrides and isolates: they change the order text is shown in, not its words.
BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
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
class SourceDoc:
    """A decoded document: its text, the spans that are metadata (not sentences), and its labels."""

    id: str
    title: str
    source: str | None
    text: str
    skip: tuple[tuple[int, int], ...]  # character spans that are metadata, not prose


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
    (images, PDFs) are not documents and are left out silently, as is hidden OS litter.
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


def _read_bytes(path: Path) -> tuple[bytes | None, bool, str | None]:
    """(up to MAX_FILE_BYTES of the file, whether it was longer, None) or (None, False, reason).

    The last component is opened without following a link and without blocking (a named pipe
    must not stall the build), and must be a regular file.
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
            head = f.read(SAMPLE_BYTES)
            if b"\x00" in head and not head.startswith(tuple(b for b, _, _ in _BOMS)):
                return None, False, "binary"
            data = head + f.read(MAX_FILE_BYTES + 1 - len(head))
        except OSError as exc:
            return None, False, f"unreadable: {exc.strerror or exc}"
    if len(data) > MAX_FILE_BYTES:
        return data[:MAX_FILE_BYTES], True, None
    return data, False, None


def _cut_at_space(text: str) -> str:
    """`text` cut after its last line break or space near the end, so no word is cut in half."""
    window = max(0, len(text) - 65536)
    for sep in ("\n", " "):
        at = text.rfind(sep, window)
        if at > 0:
            return text[: at + 1]
    return text


def clean(text: str) -> tuple[str, int]:
    """Text with control characters made spaces and bidi overrides removed; (text, how many)."""
    text, controls = CONTROL.subn(" ", text)
    text, overrides = BIDI_CONTROL.subn("", text)
    return text, controls + overrides


def read_document(doc_id: str, path: Path) -> tuple[SourceDoc | None, str | None]:
    """Read one file: (document, warning) or (None, reason it was skipped)."""
    if _is_hidden(doc_id):
        return None, "hidden file, not read"
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
    lower = doc_id.lower()
    if lower.endswith((".html", ".htm")):
        doc = _from_html(doc_id, text)
    elif lower.endswith((".md", ".markdown")):
        doc = _from_markdown(doc_id, text)
    else:
        doc = _from_plain(doc_id, text)
    if not doc.text.strip():
        return None, "no text"
    return doc, "; ".join(notes) or None


def iter_documents(folder: Path) -> Iterator[tuple[str, SourceDoc | None, str | None]]:
    """(id, document or None, warning or skip reason) for every file under `folder`."""
    for doc_id, path in list_files(folder):
        doc, note = read_document(doc_id, path)
        yield doc_id, doc, note


def readable_name(doc_id: str) -> str:
    """A title made from a file name: `war_and-peace.txt` → `war and peace`."""
    stem = doc_id.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return _title(re.sub(r"[_\-\s]+", " ", stem)) or doc_id


def _title(text: str) -> str:
    """A title on one line, at most MAX_TITLE_CHARS long."""
    text = " ".join(text[: MAX_TITLE_CHARS * 4].split())
    return text if len(text) <= MAX_TITLE_CHARS else text[: MAX_TITLE_CHARS - 1] + "…"


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
    title = _title(meta.get("title") or "") or readable_name(doc_id)
    return SourceDoc(doc_id, title, _link(source), text, tuple(skip))


def _from_markdown(doc_id: str, text: str) -> SourceDoc:
    meta, end = _front_matter(text)
    spans, url = _metadata_lines(text, end)
    skip = ([(0, end)] if end else []) + spans
    title = _title(meta.get("title") or "")
    if not title:
        h = HEADING.search(text, end)
        title = _title(h.group(2)) if h else readable_name(doc_id)
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
    summary details body
    """.split()
)
# Elements whose content is never shown. Script and style hold raw text up to their end tag.
_HIDDEN_TAGS = frozenset(["noscript", "template", "head", "svg", "iframe", "object"])
_RAW_TAGS = frozenset(["script", "style", "title", "textarea", "xmp", "noembed", "noframes"])
_HEAD_TAGS = frozenset(["title", "meta", "link", "style", "script", "base", "noscript", "template"])
# A tag scan never crosses a `<`, so each `<` costs at most the distance to the next one: the
# whole page is read in linear time (html.parser before Python 3.11.13 is quadratic on `<a <a <a`).
_TAG = re.compile(r"""<(/?)([A-Za-z][^\s/<>]*)((?:[^<>"']|"[^<"]*"|'[^<']*')*)>""")
_ATTR = re.compile(r"""([^\s=/<>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_RAW_END: dict[str, re.Pattern[str]] = {
    tag: re.compile(rf"</{tag}[\s/>]", re.IGNORECASE) for tag in _RAW_TAGS
}


def _attrs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(text):
        value = m.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        out.setdefault(m.group(1).lower(), html.unescape(value))
    return out


class _Page:
    """The visible text, title and canonical links of an HTML page, read in one pass."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.title = ""
        self.links: list[str] = []
        self.hidden: dict[str, int] = {}

    def data(self, text: str) -> None:
        if not text:
            return
        if self.hidden.get("head") and text.strip() and sum(self.hidden.values()) == 1:
            self.hidden["head"] = 0  # text in the head starts the body, as browsers read it
        if not any(self.hidden.values()):
            self.parts.append(html.unescape(text))

    def start(self, tag: str, attrs: str) -> None:
        if self.hidden.get("head") and tag not in _HEAD_TAGS:
            self.hidden["head"] = 0  # `</head>` is optional: any body element ends the head
        if tag in _HIDDEN_TAGS and not attrs.rstrip().endswith("/"):
            self.hidden[tag] = self.hidden.get(tag, 0) + 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")
        if tag in ("link", "meta"):
            values = _attrs(attrs)
            if tag == "link" and values.get("rel", "").lower() == "canonical":
                self.links.append(values.get("href", ""))
            if tag == "meta" and values.get("property", "").lower() == "og:url":
                self.links.append(values.get("content", ""))

    def end(self, tag: str) -> None:
        if self.hidden.get(tag):
            self.hidden[tag] -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def feed(self, page: str) -> None:
        pos, n = 0, len(page)
        while pos < n:
            lt = page.find("<", pos)
            if lt < 0:
                self.data(page[pos:])
                return
            self.data(page[pos:lt])
            pos = self._markup(page, lt)

    def _markup(self, page: str, lt: int) -> int:
        """Handle the markup at `lt`; return where the text after it starts."""
        if page.startswith("<!--", lt):
            end = page.find("-->", lt + 4)
            return len(page) if end < 0 else end + 3  # an unclosed comment runs to the end
        if page.startswith(("<!", "<?"), lt):
            end = page.find(">", lt + 2)
            return len(page) if end < 0 else end + 1
        m = _TAG.match(page, lt)
        if m is None:
            self.data("<")  # a lone `<`, as in "a < b"
            return lt + 1
        closing, tag, attrs = m.group(1), m.group(2).lower(), m.group(3)
        if closing:
            self.end(tag)
            return m.end()
        if tag not in _RAW_TAGS:
            self.start(tag, attrs)
            return m.end()
        end = _RAW_END[tag].search(page, m.end())
        stop = len(page) if end is None else end.start()
        if tag == "title" and not self.title:
            self.title = html.unescape(page[m.end() : min(stop, m.end() + MAX_TITLE_CHARS * 4)])
        elif tag in ("textarea", "xmp"):  # shown as written; noembed and noframes are not shown
            self.start(tag, attrs)
            self.data(page[m.end() : stop])
        return stop  # the end tag, if any, is read next


def _from_html(doc_id: str, page: str) -> SourceDoc:
    parser = _Page()
    parser.feed(page)
    raw = "".join(parser.parts)
    # Collapse runs of spaces within lines and of blank lines, so offsets index readable text.
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    text, _ = clean(text)  # character references can spell control characters too
    spans, url = _metadata_lines(text)
    title = _title(clean(parser.title)[0]) or readable_name(doc_id)
    source = next((link for link in parser.links if link), None) or url
    return SourceDoc(doc_id, title, _link(source), text, tuple(spans))
