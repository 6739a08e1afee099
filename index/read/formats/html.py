"""HTML: visible text by a linear-time scanner, headings as sections (their `id` the anchor),
`<pre>` blocks as units kept as written, title and canonical link from the head."""

from __future__ import annotations

import html
import re

from index.read.formats import (
    MAX_TITLE_CHARS,
    SourceDoc,
    clean,
    link,
    metadata_lines,
    name_title,
    title,
)
from index.read.formats.markdown import SEPARATOR

_BLOCK_TAGS = frozenset(
    """
    address article aside blockquote br dd div dl dt fieldset figcaption figure footer form
    h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul caption
    summary details body
    """.split()
)
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
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
# Markers put in the text while it is scanned, found (and removed) after spaces are collapsed:
# private-use characters, removed from the page's own text first.
_MARK = re.compile("\ue000([HP])(\\d+)\ue001")
_PRIVATE = re.compile("[\ue000\ue001]")


def _attrs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(text):
        value = m.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        out.setdefault(m.group(1).lower(), html.unescape(value))
    return out


class _Page:
    """The visible text, title, canonical links, headings and `<pre>` blocks of a page."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.title = ""
        self.links: list[str] = []
        self.hidden: dict[str, int] = {}
        self.headings: list[list] = []  # [level, id or None, text parts]
        self.heading: list | None = None
        self.pre: list[str] = []  # text of each <pre> block, as written
        self.pre_depth = 0

    def data(self, text: str) -> None:
        if not text:
            return
        if self.hidden.get("head") and text.strip() and sum(self.hidden.values()) == 1:
            self.hidden["head"] = 0  # text in the head starts the body, as browsers read it
        if not any(self.hidden.values()):
            shown = _PRIVATE.sub(" ", html.unescape(text))
            if self.pre_depth:
                self.pre[-1] += shown
                return
            self.parts.append(shown)
            if self.heading is not None:
                self.heading[2].append(shown)

    def start(self, tag: str, attrs: str) -> None:
        if self.hidden.get("head") and tag not in _HEAD_TAGS:
            self.hidden["head"] = 0  # `</head>` is optional: any body element ends the head
        if tag in _HIDDEN_TAGS and not attrs.rstrip().endswith("/"):
            self.hidden[tag] = self.hidden.get(tag, 0) + 1
        elif tag in _BLOCK_TAGS and not self.pre_depth:
            self.parts.append("\n\n")
        if tag in ("link", "meta"):
            values = _attrs(attrs)
            if tag == "link" and values.get("rel", "").lower() == "canonical":
                self.links.append(values.get("href", ""))
            if tag == "meta" and values.get("property", "").lower() == "og:url":
                self.links.append(values.get("content", ""))
        elif any(self.hidden.values()):
            return
        elif tag in _HEADINGS and not self.pre_depth:
            anchor = _attrs(attrs).get("id") or None
            self.heading = [int(tag[1]), anchor, []]
            self.headings.append(self.heading)
            self.parts.append(f"\ue000H{len(self.headings) - 1}\ue001")
        elif tag == "pre":
            if not self.pre_depth:
                self.pre.append("")
                self.parts.append(f"\ue000P{len(self.pre) - 1}\ue001\n\n")
            self.pre_depth += 1

    def end(self, tag: str) -> None:
        if self.hidden.get(tag):
            self.hidden[tag] -= 1
            return
        if tag == "pre" and self.pre_depth:
            self.pre_depth -= 1
        if tag in _HEADINGS:
            self.heading = None
        if tag in _BLOCK_TAGS and not self.pre_depth:
            self.parts.append("\n\n")
        elif tag == "br" and self.pre_depth:
            self.pre[-1] += "\n"

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


def read(doc_id: str, page: str) -> SourceDoc:
    """An HTML page as a document."""
    parser = _Page()
    parser.feed(page)
    raw, _ = clean("".join(parser.parts))  # character references can spell control characters
    # Collapse runs of spaces within lines and of blank lines, so offsets index readable text.
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in raw.split("\n")]
    marked = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    out: list[str] = []
    pos = size = 0
    heads: list[tuple[int, int, str, str | None]] = []
    units: list[tuple[int, int]] = []
    for m in _MARK.finditer(marked):
        out.append(marked[pos : m.start()])
        size += m.start() - pos
        pos = m.end()
        n = int(m.group(2))
        if m.group(1) == "H":
            level, anchor, parts = parser.headings[n]
            name = title("".join(parts))
            if name:
                heads.append((size, level, name, anchor))
            continue
        code = clean(parser.pre[n].strip("\n"))[0].rstrip()
        if code.strip():
            if out and not "".join(out[-1:]).endswith("\n"):
                out.append("\n\n")
                size += 2
            units.append((size, size + len(code)))
            out.append(code)
            size += len(code)
    out.append(marked[pos:])
    text = "".join(out)
    spans, url, outlet = metadata_lines(text)
    spans = [s for s in spans if not any(a <= s[0] < b for a, b in units)]
    path: list[tuple[int, str]] = []
    sections = []
    for start, level, name, anchor in heads:
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, name))
        sections.append((start, SEPARATOR.join(n for _, n in path), anchor))
    name = title(clean(parser.title)[0]) or name_title(doc_id, text, tuple(spans))
    source = next((x for x in parser.links if x), None) or url
    return SourceDoc(
        doc_id,
        name,
        link(source),
        text,
        tuple(spans),
        outlet=outlet,
        units=tuple(units),
        sections=tuple(sections),
        kind="html",
        code=tuple(units),
    )
