"""What each line of a PDF is, decided over the whole document: running headers and footers,
contents and index lines, number-only lines (structure, never answers), headings, code, table
rows and definition terms; the rest is prose.

Signals, in the order a reader uses them: position on the page (the first or last lines), the
page's own number printed in the line, recurrence over the pages, font size and weight against
the document's body text, monospaced fonts, dot leaders and page references at a line's end.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from index.read.formats.pdf.page import Line

EDGE_LINES = 2  # running headers and footers sit in the first and last lines of a page
HEADING_SIZE = 1.12  # a line printed this much larger than the body text is a heading
MAX_HEADING_WORDS = 24
MAX_INDENT = 5  # a definition's description is indented under its signatures by at most this
# many body font sizes (Texinfo 2.6, LaTeX's description lists 2.5): further right, a figure
# A place where long lines start is a column's left edge when fewer than one line of the page in
# this many crosses it from the left (a title over two columns may).
COLUMN_CROSSING = 20
REF_SHARE = 0.5  # a page where this share of lines end in a page reference is a contents page
_LEADER = re.compile(r"(?:\.\s?){4,}|…")
_PAGE_REF = re.compile(
    r"(?:(?:\.\s?){3,}|\s|,)\s*(?:[ivxlcdm]+|[A-Z]?-?\d+(?:[-–]\d+)?)(?:,\s*\d+(?:[-–]\d+)?)*$",
    re.I,
)
_LETTER = re.compile(r"[^\W\d_]")
_ROMAN = frozenset("ivxlcdmIVXLCDM")
_WORDLIKE = re.compile(r"[^\W\d_]{2}")
_DIGITS = re.compile(r"\d+")
_STOP = re.compile(r"[.!:;][\"'”’)\]]*$")  # a heading may ask a question, never end a sentence
_END = re.compile(r"[.!?:;][\"'”’)\]]*$")
# One signature: "c = namedargs2cell (s)", "int capacity (void) const", "[tok, rem] = strtok (str)"
_CALL = re.compile(r"(?:[^=()]{1,40}=\s?)?[\w.:<>&*~]+\s?\([^()]*\)(?:\s?const)?")
_LIST_MARK = re.compile(r"[-–•◦▪‣*+]\s|\(?(?:\d{1,3}|[a-z])[.)]\s")
_INNER_END = re.compile(r"[^\W\d_]{2}[.!?][\"'”’)\]]*\s+[A-Z]")
_ELLIPSIS_END = re.compile(r"(?:\.\s?){3}[\"'”’)\]]*$|…[\"'”’)\]]*$")
_PAGE_WORDS = re.compile(r"^(?:page|p\.|seite|página|pagina)?\s*[-–—]?\s*", re.I)
_NUMBER_OF = re.compile(r"(\S+?)\s*[-–—]?\s*(?:(?:of|/|von|de)\s*\d+)?", re.I)
_BLANK_NOTE = re.compile(
    r"^[\W_]*(?:this\s+page\s+(?:is\s+)?(?:intentionally|deliberately|purposely)\s+"
    r"(?:left\s+)?blank|intentionally\s+(?:left\s+)?blank|page\s+intentionally\s+blank)[\W_]*$",
    re.I,
)


def body_style(pages: list[list[Line]]) -> float:
    """The body text's font size: the size most of the document's characters are printed in."""
    sizes: Counter[float] = Counter()
    for lines in pages[:: max(1, len(pages) // 400)]:  # 400 pages spread over the document
        for line in lines:
            sizes[line.size] += len(line.text)
    return round(sizes.most_common(1)[0][0], 1) if sizes else 10.0


def mark_running(pages: list[list[Line]], labels: list[str | None]) -> None:
    """Mark running headers, footers and page numbers. The edges of a page are its EDGE_LINES
    highest and lowest lines on the page (whatever their place in the text: some generators draw
    the header last). An edge line is running when it recurs (digits aside) on max(3, 10%) of the
    pages, when it says only the page's number, or when it stands apart from the text and either
    carries the page's number ("Chapter 3: Arrays 15") or recurs at the same height on 3 pages
    (a short chapter's header)."""
    edges = [_edges(lines) for lines in pages]
    seen: Counter[str] = Counter()
    placed: Counter[tuple[int, str]] = Counter()
    keys: dict[int, str] = {}  # each edge line's key, made once
    for top, bottom in edges:
        edge = top[:-1] + bottom[:-1]
        for x in edge:
            keys[id(x)] = _key(x.text)
        seen.update({keys[id(x)] for x in edge})
        placed.update({(round(x.base / 3), keys[id(x)]) for x in edge})
    need = max(3, len(pages) // 10)
    for i, (top, bottom) in enumerate(edges):
        label = labels[i] or str(i + 1)
        for side in (top, bottom):
            for k, line in enumerate(side[:-1]):
                key = keys[id(line)]
                if (
                    seen[key] >= need
                    or _is_page_number(line.text, i + 1, label)
                    or (
                        _set_apart(side, k)
                        and (
                            _carries_number(line.text, i + 1, label)
                            or placed[(round(line.base / 3), key)] >= 3
                        )
                    )
                ):
                    line.kind = "run"
                else:
                    break


def _edges(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """The EDGE_LINES highest lines of a page (highest first) and the lowest (lowest first), each
    with the next line inward (to see how far apart they are; never marked itself)."""
    order = sorted(lines, key=lambda x: -x.base)
    n = min(EDGE_LINES, len(order) // 2) or 1
    return order[: n + 1], order[::-1][: n + 1] if len(order) > 1 else []


def _key(line: str) -> str:
    return _DIGITS.sub("#", " ".join(line.split()).lower())


def _is_page_number(line: str, number: int, label: str) -> bool:
    """Whether a line says only which page this is ("7", "- 7 -", "Page 7 of 20", "iv")."""
    rest = _PAGE_WORDS.sub("", line.strip(), count=1)
    m = _NUMBER_OF.fullmatch(rest)
    return bool(m) and m.group(1).lower() in (str(number), label.lower())


def _carries_number(text: str, number: int, label: str) -> bool:
    """A short line that starts or ends with the page's number ("Chapter 3: Arrays 15")."""
    words = text.split()  # a wide gap between name and number is a tab (a row's cells) here
    if len(text) > 120 or len(words) < 2:
        return False
    return bool({words[0], words[-1]} & {str(number), label})


def _set_apart(side: list[Line], k: int) -> bool:
    """Whether the k-th line from a page's edge stands apart from the text beside it: the next
    line inward is further away than two of its lines."""
    if k + 1 >= len(side):
        return True
    line, inner = side[k], side[k + 1]
    return abs(line.base - inner.base) > 2.0 * max(line.size, inner.size, 1.0)


def blank_page(lines: list[Line]) -> bool:
    """A page that says it is blank ("This page intentionally left blank") and nothing else."""
    rest = [x for x in lines if x.kind != "run"]
    return bool(rest) and len(rest) <= 2 and all(_BLANK_NOTE.match(x.text) for x in rest)


def mark_structure(pages: list[list[Line]], body: float, headings: set[tuple[int, str]]) -> None:
    """Mark contents and index lines (`ref`), number-only lines (`num`), headings (`head`), code
    (`code`), table rows (`row`) and definition terms (`term`)."""
    marked: dict[int, set[str]] = {}  # the last word of each bookmarked heading, by page
    for i, name in headings:
        marked.setdefault(i, set()).add(name.rsplit(" ", 1)[-1])
    big = HEADING_SIZE * body  # (the cheap tests below inlined: they run for every line)
    for i, lines in enumerate(pages):
        live = [x for x in lines if not x.kind]
        lettered = [
            x
            for x in live
            if ((t := x.text)[:2].isalpha() and len(t) > 1) or _WORDLIKE.search(t) is not None
        ]  # two letters in a row (a word, not a number or a symbol); most lines start with them
        worded = set(map(id, lettered))
        refs = [
            x
            for x in lettered
            if ((c := x.text[-1]).isdigit() or c in _ROMAN) and _ends_in_ref(x.text)
        ]
        leaders = sum(1 for x in refs if _LEADER.search(x.text))
        contents = len(lettered) >= 4 and len(refs) >= REF_SHARE * len(lettered)
        contents = contents and (leaders >= 2 or len(refs) >= 0.8 * len(lettered))
        listed = set(map(id, refs))
        margins = _margins(live, body)
        bookmarked = i in marked
        for k, line in enumerate(live):
            text = line.text
            entry = contents and (id(line) in listed or _leads_to(live, k, listed))
            if entry or (". ." in text and _LEADER.search(text) and _ends_in_ref(text)):
                line.kind = "ref"
            elif line.mono:
                line.kind = "code"
            elif id(line) not in worded:
                line.kind = "num"  # axis labels, number columns, page numbers, rules
            elif (bookmarked and _bookmarked(text, i, marked, headings)) or (
                (line.bold or line.size >= big) and _heading(line, body, margins)
            ):
                line.kind = "head"
            elif line.cells:
                line.kind = "row"
        _demote_long_headings(live)
        _sentence_ends(live)
        _mark_terms(live, body)
    _mark_like_signatures(pages)


def _bookmarked(text: str, page: int, marked: dict[int, set[str]], headings) -> bool:
    """Whether a line prints a bookmark's title on its page; normalized only when it holds the
    last word of one (a normalized line's words are its lower-case text's)."""
    words = marked.get(page)
    if not words:
        return False
    low = text.lower()
    return any(w in low for w in words) and (page, norm(text)) in headings


def _leads_to(lines: list[Line], k: int, listed: set[int]) -> bool:
    """Whether line k of a contents or index page belongs to the entry after it: no sentence
    end, and the next line is an entry (a title wrapped over two lines, an index group's word)."""
    return k + 1 < len(lines) and id(lines[k + 1]) in listed and not _END.search(lines[k].text)


def _ends_in_ref(text: str) -> bool:
    """Whether a line ends in a page reference: "… 184", "foo, 12, 40-42", ". . . iv"."""
    last = text[-1]
    if not (last.isdigit() or last in "ivxlcdmIVXLCDM"):
        return False
    return bool(_PAGE_REF.search(text[-40:]))


def _margins(lines: list[Line], body: float) -> tuple[float, ...]:
    """The left edge of each column of a page's text. The first is the leftmost place where many
    of its long lines start (at least a third as many as where most do: on a page of definitions
    most lines are descriptions indented under their signatures, and the headings are at the
    margin). Another such place is a column's edge when hardly a line crosses it from the left (a
    reference card's second and third columns); an indent is crossed by the lines above it."""
    long = [x for x in lines if len(x.text) > 40]
    starts = Counter(round(x.x0) for x in long)
    if not starts:
        return ()
    most = starts.most_common(1)[0][1]
    edges = sorted(x for x, n in starts.items() if 3 * n >= most)
    out = [edges[0]]
    for edge in edges[1:]:
        crossing = sum(1 for x in lines if x.x0 < edge - 1 and x.x1 > edge + 1)
        if edge - out[-1] > MAX_INDENT * body and crossing * COLUMN_CROSSING <= len(lines):
            out.append(edge)
    return tuple(out)


def _heading(line: Line, body: float, margins: tuple[float, ...]) -> bool:
    """A heading by its looks: printed larger than the body text, or bold and short, starting at
    the left edge of the text or of one of its columns (not a figure's title or label), with no
    sentence end."""
    large = line.size >= HEADING_SIZE * body
    if not (large or (line.bold and not line.mono and len(line.text) <= 90)):
        return False
    text = line.text
    if len(text.split()) > MAX_HEADING_WORDS or line.cells or _STOP.search(text):
        return False
    return not text.endswith((",", "-")) and (
        not margins or any(abs(line.x0 - m) <= 2 * body for m in margins)
    )


def _sentence_ends(lines: list[Line]) -> None:
    """A number-only line that goes on from the prose line above it, printed alike right under
    it, is the end of that sentence ("see set polar" / "(p. 193)."), not a figure's label."""
    for prev, line in pairwise(lines):
        if line.kind != "num" or prev.kind:
            continue
        size = max(prev.size, 1.0)
        under = 0 < prev.end - line.base < 2 * size and abs(line.x0 - prev.x0) < 2 * size
        if under and abs(line.size - prev.size) < 0.5 and not _END.search(prev.text):
            line.kind = ""


def _demote_long_headings(lines: list[Line]) -> None:
    """Runs of heading-looking lines printed alike, one under the other, that together say more
    than a heading does (a pull quote, a sample set large): prose after all."""
    end = 0
    for k in [k for k, x in enumerate(lines) if x.kind == "head"]:
        if k < end:
            continue  # (in the run before)
        end = k + 1
        while (
            end < len(lines)
            and lines[end].kind == "head"
            and abs(lines[end].size - lines[k].size) < 0.5
            and 0 < lines[end - 1].end - lines[end].base < 1.6 * max(lines[k].size, 1.0)
        ):
            end += 1
        if sum(len(x.text.split()) for x in lines[k:end]) > MAX_HEADING_WORDS:
            for line in lines[k:end]:
                line.kind = ""


def _mark_terms(lines: list[Line], body: float) -> None:
    """A definition's header: one or more short lines with no sentence end, one under the other
    at one left edge, followed by prose indented under them (Texinfo's @deftypefn and @table,
    Sphinx's and LaTeX's description lists). One such line (`term`: an option, a table item)
    starts the paragraph of its description, so the description's first sentence names what it
    describes; a function's signatures (`def`: several lines, "m = containers.Map ()" over
    "m = containers.Map (keys, vals)", or one with its category set apart at the right margin,
    "Array<T> (void) | [Constructor]") are a heading of their own, as a documentation site's
    signature is, and the description under them is prose."""
    right = max((x.x1 for x in lines), default=0.0)
    near = 2.5 * max(body, 1.0)
    for k in range(len(lines) - 1):
        line, nxt = lines[k], lines[k + 1]
        if nxt.kind:
            continue
        indent = nxt.x0 - line.x0  # (the line's place first: cheaper than its text)
        if not (indent > 1.5 * body and 0 < line.base - nxt.base < near):
            continue
        if not _header_like(line, right):
            continue
        following = lines[k + 2] if k + 2 < len(lines) else None
        if not (
            following is None
            or following.x0 >= nxt.x0 - 1
            or following.kind
            or nxt.base - following.base > 1.3 * (line.base - nxt.base)  # a one-line description
        ):
            continue  # a paragraph's first-line indent
        run = [line]
        for above in reversed(lines[:k]):  # the header's lines above it, printed alike
            pitch = above.base - run[-1].base
            if (
                not _header_like(above, right)
                or abs(above.x0 - line.x0) > 1.0
                or abs(above.size - line.size) > 0.15 * line.size  # (a font change at its
                # start: Texinfo prints "mkoctfile [-options]" in its typewriter font, larger)
                or not 0 < pitch < 1.6 * max(line.size, 1.0)
            ):
                break
            run.append(above)
        signature = (
            (len(run) > 1 and not all(x.kind == "code" for x in run))
            or _categorized(line)
            or (not line.kind and _CALL.fullmatch(line.text) is not None)
        )
        if signature and indent <= MAX_INDENT * body and not any(map(_listed_or_prose, run)):
            for x in run:
                x.kind = "def"
        else:  # one term (or code over its result, "⇒ 14", indented under it)
            line.kind = "term"


def _mark_like_signatures(pages: list[list[Line]]) -> None:
    """A table row of two cells printed as the document's signatures with a category are, from
    the same left edge to the same right edge (where the category is set flush), is one too,
    though nothing is indented under it (Texinfo's @deftypefn with no description:
    "T& operator () (int n) | [Indexing on Array<T>]")."""
    edges = {
        (round(x.x0), round(x.x1)) for lines in pages for x in lines if x.kind == "def" and x.cells
    }
    if not edges:
        return
    for lines in pages:
        for line in lines:
            if (
                line.kind == "row"
                and _categorized(line)
                and not _listed_or_prose(line)
                and not _ends_sentence(line.text.split("\t", 1)[0])
                and any(abs(line.x0 - a) <= 1 and abs(line.x1 - b) <= 1 for a, b in edges)
            ):
                line.kind = "def"


def _categorized(line: Line) -> bool:
    """A line of two cells whose second is a short label, a signature's category ("[Method on
    Array<T>]", "Function"), not a page number or the rest of a justified line."""
    if line.text.count("\t") != 1:
        return False
    category = line.text.split("\t", 1)[1]
    return bool(_WORDLIKE.search(category)) and len(category.split()) <= 4


def _listed_or_prose(line: Line) -> bool:
    """A list item ("• it has a demo() method", "2. Run it") or a line with a sentence's end
    inside ("… on the current page. The value of the"): never a signature."""
    return bool(_LIST_MARK.match(line.text) or _INNER_END.search(line.text))


def _header_like(line: Line, right: float) -> bool:
    """A line that may be (a line of) a definition's header: prose, code or a table row, short
    or with its words set apart (a signature and its category), with no sentence end."""
    if line.kind not in ("", "code", "row") or len(line.text) >= 120 or line.text.count("\t") > 1:
        return False  # (a table's row of three cells or more)
    if line.x1 > right - 2 * max(line.size, 1.0) and not line.cells:
        return False  # a full line: prose
    return not _ends_sentence(line.text)


def _ends_sentence(text: str) -> bool:
    """Whether a line ends a sentence: a full stop, but not an ellipsis ("strsplit (. . .)")."""
    return bool(_END.search(text)) and not _ELLIPSIS_END.search(text)


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())
