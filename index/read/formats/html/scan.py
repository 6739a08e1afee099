"""The scanner of an HTML page: one pass, linear in the page's length, that keeps its visible
text in parts and records what the main-content decision needs (`content.py`): the range of text
of each structural element with its class, id and role, link text, headings (with their
permalink's anchor), `<pre>` blocks as written, and the marks of generated pages.
"""

from __future__ import annotations

import html
import re

from index.read.formats import MAX_TITLE_CHARS

_BLOCK_TAGS = frozenset(
    """
    address article aside blockquote br dd div dl dt fieldset figcaption figure footer form
    h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table td th tr ul caption
    summary details body
    """.split()
)
_HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
DESCRIPTION = 7  # the level of a Sphinx object description's signature, below every <hN>
# Elements whose content is never shown. Script and style hold raw text up to their end tag.
_HIDDEN_TAGS = frozenset(["noscript", "template", "head", "svg", "iframe", "object"])
_RAW_TAGS = frozenset(["script", "style", "title", "textarea", "xmp", "noembed", "noframes"])
_HEAD_TAGS = frozenset(["title", "meta", "link", "style", "script", "base", "noscript", "template"])
# Elements whose range is recorded: their end tag is (nearly) always written, unlike <p> or <li>.
_TRACKED = frozenset(
    "body main article section div nav aside header footer form ul ol dl table".split()
)
# Never document text wherever they are.
_NAV_TAGS = frozenset(["nav", "aside", "footer"])
_NAV_ROLES = frozenset(
    ["navigation", "search", "banner", "contentinfo", "complementary", "dialog", "alertdialog"]
)
# A class or id made of these words (split at "-" and "_") names navigation, not text.
_NAV_WORDS = frozenset(
    """
    nav navbar navigation sidebar sphinxsidebar sphinxsidebarwrapper sidenav menu breadcrumb
    breadcrumbs footer related relbar searchbox headerlink permalink hash skip pagination pager
    viewcode toc
    """.split()
)
# A tag scan never crosses a `<`, so each `<` costs at most the distance to the next one: the
# whole page is read in linear time (html.parser before Python 3.11.13 is quadratic on `<a <a <a`).
_TAG = re.compile(r"""<(/?)([A-Za-z][^\s/<>]*)((?:[^<>"']|"[^<"]*"|'[^<']*')*)>""")
_ATTR = re.compile(r"""([^\s=/<>"']+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_RAW_END: dict[str, re.Pattern[str]] = {
    tag: re.compile(rf"</{tag}[\s/>]", re.IGNORECASE) for tag in _RAW_TAGS
}
# Markers put in the text while it is scanned, found (and removed) after spaces are collapsed:
# private-use characters. The page's own are removed first: they are icon fonts' glyphs (Django's
# "Linux/macOS" and "Windows" tabs over each console listing are U+F17C/U+F179 and U+F17A), no text.
MARK = re.compile("\ue000([HPU])(\\d+)\ue001")
# A table row's start and end, a cell's start and a break between blocks inside a row: `html.row`
# decides after the scan whether the row is read as one unit, its cells joined by " | ".
ROW, ROW_END, CELL, SOFT = "\ue010", "\ue011", "\ue012", "\ue013"
PRIVATE = re.compile("[\ue000-\uf8ff]")
WORDISH = re.compile(r"\w")
# Generated pages, by the marks their generators put on them: (class or id, reason).
_GENERATED = (
    ("genindextable", "a generated index of terms, not indexed"),
    ("modindextable", "a generated index of modules, not indexed"),
    ("search-results", "a search page, not indexed"),
    ("mkdocs-search-results", "a search page, not indexed"),
    ("viewcode-back", "source code rendered as a page (Sphinx viewcode), not indexed"),
)


def _attrs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(text):
        value = m.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        out.setdefault(m.group(1).lower(), html.unescape(value))
    return out


def _nav_name(value: str) -> bool:
    return any(w in _NAV_WORDS for w in re.split(r"[-_\s]+", value.lower()) if w)


class Element:
    __slots__ = ("end", "heads", "main", "named", "nav", "parent", "section", "start", "tag")

    def __init__(self, tag: str, start: int, parent: Element | None, heads: int) -> None:
        self.tag = tag
        self.start = start
        self.end = -1
        self.nav = False  # navigation by its tag or role
        self.named = False  # navigation by its class or id
        self.main = False  # marked as the main content
        self.section = False  # a Sphinx section
        self.parent = parent
        self.heads = heads  # headings seen before it opened


class Page:
    """The visible text, title, canonical links, headings, `<pre>` blocks and elements of a page."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.linked: list[bool] = []  # whether each part is a link's text
        self.title = ""
        self.links: list[str] = []
        self.hidden: dict[str, int] = {}
        # [level, anchor or None, first part, end part, section anchor]
        self.headings: list[list] = []
        self.heading: list | None = None
        self.pre: list[str] = []  # text of each <pre> block, as written
        self.pre_depth = 0
        self.elements: list[Element] = []
        self.open: list[Element] = []
        self.open_count: dict[str, int] = {}
        self.anchor: tuple[int, str, str] | None = None  # an open <a>: (first part, href, class)
        self.drops: list[tuple[int, int]] = []  # part ranges dropped whatever the container
        self.generated: list[tuple[int, str]] = []  # (part, reason): marks of generated pages
        self.pending_id: str | None = None  # the id of a section just opened, for its heading
        self.label: int | None = None  # the first part of an open <label>
        self.tables = 0  # open <table> elements
        self.rows: list[int] = []  # the table depth of each open <tr> (its end tag is optional)

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.linked.append(self.anchor is not None)

    def data(self, text: str) -> None:
        if not text:
            return
        if self.hidden.get("head") and text.strip() and sum(self.hidden.values()) == 1:
            self.hidden["head"] = 0  # text in the head starts the body, as browsers read it
        if not any(self.hidden.values()):
            shown = PRIVATE.sub(" ", html.unescape(text))
            if self.pre_depth:
                self.pre[-1] += shown
                return
            # Outside <pre> a line break in the source is a space on the page (and in the text).
            self._add(shown.replace("\n", " "))
            if shown.strip():
                self.pending_id = None

    def _open(self, tag: str, attrs: str) -> None:
        values = _attrs(attrs)
        parent = self.open[-1] if self.open else None
        el = Element(tag, len(self.parts), parent, len(self.headings))
        classes = values.get("class", "")
        ident = values.get("id", "")
        role = values.get("role", "").lower()
        el.nav = tag in _NAV_TAGS or role in _NAV_ROLES
        el.section = tag == "section" or (tag == "div" and "section" in classes.split())
        # A section's id is made from its heading ("s-session-cookie-age"): only a class or the
        # id of another element names navigation.
        el.named = _nav_name(classes) or (not el.section and _nav_name(ident))
        if tag == "header":
            el.named = True  # a page's banner; kept when it holds the main content or a heading
        class_list = classes.split()
        el.main = (
            role == "main"
            or tag in ("main", "article")
            or values.get("itemprop", "") == "articleBody"
            or "body" in class_list
            or "md-content" in class_list
        )
        if el.section and ident:
            self.pending_id = ident
        for mark, reason in _GENERATED:
            if mark in class_list or ident == mark:
                self.generated.append((len(self.parts), reason))
        self.elements.append(el)
        self.open.append(el)
        self.open_count[tag] = self.open_count.get(tag, 0) + 1

    def _close(self, tag: str) -> None:
        if not self.open_count.get(tag):
            return
        while self.open:
            el = self.open.pop()
            self.open_count[el.tag] -= 1
            el.end = len(self.parts)
            if el.tag == tag:
                return

    def _link_start(self, attrs: str) -> None:
        if self.anchor is not None:
            self._link_end()
        values = _attrs(attrs)
        cls = values.get("class", "")
        self.anchor = [len(self.parts), values.get("href", ""), cls, False]

    def _link_end(self) -> None:
        if self.anchor is None:
            return
        first, href, cls, marked = self.anchor
        self.anchor = None
        text = "".join(self.parts[first:])
        permalink = href.startswith("#") and len(href) > 1 and not WORDISH.search(text)
        # In a heading only a permalink goes: a link holding the heading's words ("toc-backref",
        # back to the page's contents) is the heading.
        named = _nav_name(cls) and (self.heading is None or not WORDISH.search(text))
        if named or permalink or marked:
            self.drops.append((first, len(self.parts)))
            if self.heading is not None and href.startswith("#") and self.heading[1] is None:
                self.heading[1] = html.unescape(href[1:]) or None

    def start(self, tag: str, attrs: str) -> None:
        if self.hidden.get("head") and tag not in _HEAD_TAGS:
            self.hidden["head"] = 0  # `</head>` is optional: any body element ends the head
        if tag in _HIDDEN_TAGS and not attrs.rstrip().endswith("/"):
            self.hidden[tag] = self.hidden.get(tag, 0) + 1
        elif tag in _BLOCK_TAGS and not self.pre_depth:
            self._block_start(tag)
        if tag in ("link", "meta"):
            values = _attrs(attrs)
            if tag == "link" and values.get("rel", "").lower() == "canonical":
                self.links.append(values.get("href", ""))
            if tag == "meta" and values.get("property", "").lower() == "og:url":
                self.links.append(values.get("content", ""))
        elif any(self.hidden.values()):
            return
        if tag == "a" and "viewcode-back" in attrs:
            self.generated.append((len(self.parts), dict(_GENERATED)["viewcode-back"]))
        if tag in _TRACKED and not self.pre_depth:
            self._open(tag, attrs)
        elif tag == "a" and not self.pre_depth:
            self._link_start(attrs)
        elif tag == "label" and not self.pre_depth:
            self.label = len(self.parts)
        elif tag == "span" and self.anchor is not None and "viewcode" in attrs:
            self.anchor[3] = True  # Sphinx's "[source]" link, its class on a span inside
        elif tag == "dt" and not self.pre_depth and self.heading is None and "sig" in attrs:
            values = _attrs(attrs)
            if values.get("id") and "sig" in values.get("class", "").split():
                # A Sphinx description's signature (`HttpRequest.body`): a heading below h6.
                self.heading = [DESCRIPTION, values["id"], len(self.parts), -1, None]
                self.headings.append(self.heading)
                self._add(f"\ue000H{len(self.headings) - 1}\ue001")
        elif tag in _HEADINGS and not self.pre_depth:
            anchor = _attrs(attrs).get("id") or None
            self.heading = [int(tag[1]), anchor, len(self.parts), -1, self.pending_id]
            self.headings.append(self.heading)
            self._add(f"\ue000H{len(self.headings) - 1}\ue001")
        elif tag == "pre":
            if not self.pre_depth:
                self.pre.append("")
                self._add(f"\ue000P{len(self.pre) - 1}\ue001\n\n")
            self.pre_depth += 1

    def end(self, tag: str) -> None:
        if self.hidden.get(tag):
            self.hidden[tag] -= 1
            return
        if any(self.hidden.values()):
            return
        if tag == "pre" and self.pre_depth:
            self.pre_depth -= 1
        if tag == "a":
            self._link_end()
        elif tag == "label" and self.label is not None:
            # a form control's label without a word (a tab's icons, "/" left between them)
            if not WORDISH.search("".join(self.parts[self.label :])):
                self.drops.append((self.label, len(self.parts)))
            self.label = None
        elif tag in _TRACKED and not self.pre_depth:
            if tag == "table" and self.tables:
                self._end_rows(self.tables)  # inside the table's range: dropped with it
            self._close(tag)
        if self.heading is not None and (
            tag in _HEADINGS or (tag == "dt" and self.heading[0] == DESCRIPTION)
        ):
            self._link_end()
            self.heading[3] = len(self.parts)
            self.heading = None
        if tag in _BLOCK_TAGS and not self.pre_depth:
            self._block_end(tag)
        elif tag == "br" and self.pre_depth:
            self.pre[-1] += "\n"

    def _end_rows(self, depth: int) -> None:
        """Close the open rows of tables at `depth` and deeper."""
        while self.rows and self.rows[-1] >= depth:
            self.rows.pop()
            self._add(ROW_END + "\n\n")

    def _block_start(self, tag: str) -> None:
        if any(self.hidden.values()):
            self._add("\n\n")  # its end tag is not seen (`end` returns early)
            return
        if tag == "table":
            self.tables += 1
        elif tag == "tr":
            self._end_rows(self.tables)  # `<tr>` ends the row before it
            self._add("\n\n" + ROW)
            self.rows.append(self.tables)
            return
        if not self.rows:
            self._add("\n\n")
        else:
            self._add(CELL if tag in ("td", "th") else SOFT)

    def _block_end(self, tag: str) -> None:
        if tag == "table" and self.tables:
            self.tables -= 1  # its rows were ended before the element closed (`end`)
        elif tag == "tr":
            if self.rows and self.rows[-1] == self.tables:
                self._end_rows(self.tables)
            return
        self._add(SOFT if self.rows else "\n\n")

    def feed(self, page: str) -> None:
        pos, n = 0, len(page)
        while pos < n:
            lt = page.find("<", pos)
            if lt < 0:
                self.data(page[pos:])
                break
            self.data(page[pos:lt])
            pos = self._markup(page, lt)
        self._link_end()
        self._end_rows(0)
        while self.open:
            self._close(self.open[-1].tag)
        if self.heading is not None:
            self.heading[3] = len(self.parts)

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
