"""Split text into sentence spans, offline: Punkt with parameters we own, and rules around it."""

from __future__ import annotations

import bisect
import itertools
import re
import sys
from functools import cache


def _import_punkt():
    """nltk's Punkt classes. Importing them runs all of nltk's __init__, whose metrics modules
    import SciPy when it is installed (about 1 s; Punkt never uses it): while nltk loads, SciPy
    reads as absent (None in sys.modules fails its import at once, and nltk falls back), then is
    visible again to whoever imports it later."""
    hidden = "scipy" not in sys.modules
    if hidden:
        sys.modules["scipy"] = None  # type: ignore[assignment]
    try:
        from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    finally:
        if hidden and sys.modules.get("scipy", 0) is None:
            del sys.modules["scipy"]
    return PunktParameters, PunktSentenceTokenizer


PunktParameters, PunktSentenceTokenizer = _import_punkt()

# Lowercase, without the final period (Punkt's convention); multi-period forms keep inner dots.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms messrs mme mlle dr drs prof sr jr st mt ft gen col lt maj sgt cpl pvt capt
    cmdr cdr adm gov sen rep rev fr hon pres supt insp det atty esq amb inc ltd co corp bros
    llc plc dept div univ assn est approx vs etc al cf viz ibid op cit no nos vol vols pp
    eds fig figs ch chap sec para eq eqs refs jan feb mar apr jun jul aug sep sept oct nov
    dec tue tues thu thur thurs fri a.m p.m e.g i.e u.s u.s.a u.k u.n e.u d.c b.c a.d b.c.e
    c.e ph.d m.d b.a m.a b.sc m.sc ll.b n.y l.a r.i.p ave blvd hwy apt ca approx lbs oz kg
    km cm mm yd hrs n° nº
    """.split()
)

# Words that, capitalized after an abbreviation, start a new sentence.
SENTENCE_STARTERS = frozenset(
    """
    a an the this that these those there then thus however but and or so yet also still he
    she it we they i you his her its our their my your in on at as by for from with after
    before during since while when where if although though because once until unless
    despite meanwhile moreover furthermore nevertheless nonetheless instead indeed according
    according today yesterday tomorrow last next some many most several few all each every
    no not one two three both neither either what who which why how
    """.split()
)

# (word, "##number##") pairs: a period after these words is not a sentence end before a number.
NUMBER_COLLOCATIONS = frozenset(
    (
        "no",
        "nos",
        "vol",
        "fig",
        "figs",
        "p",
        "pp",
        "ch",
        "sec",
        "art",
        "para",
        "eq",
        "ref",
        "tab",
        "op",
    )
)

URL_ONLY = re.compile(r"^[ \t]*<?(?:https?://|www\.)\S+>?[ \t]*$")
LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+\S")
HEADING_LINE = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S")
HEADING_MARK = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+")


_WHITESPACE = " \t\n\r\x0b\x0c"  # string.whitespace: where Punkt looks back for the word before
# A candidate context as Punkt builds it (ASCII only): the word before, the sentence-end
# character, then whitespace and the next token, or one punctuation character.
_CONTEXT = re.compile(r"(\S*)([.?!])(?:(\s+)(\S+)|(\S))", re.ASCII)
_PLAIN_WORD = re.compile(r"[A-Za-z]{2,}")
_LETTERS = re.compile(r"[A-Za-z]+")
_CLOSERS = frozenset(")]}\"'")


class MemoPunkt(PunktSentenceTokenizer):
    """Punkt whose break decision for each kind of candidate context is computed once.

    Punkt decides whether "word. Next" holds a break from the tokens around the punctuation, and
    with untrained parameters (no orthographic statistics) only some of their features matter:

    - after a plain word of two or more letters that is neither an abbreviation nor the first half
      of a collocation, only the punctuation and whether a token follows;
    - after a closing bracket or quote, the same (the end character starts a token that breaks);
    - of a next token made of letters, only whether it is capitalized and a sentence starter.

    Contexts that share those features share a memo entry. `span_tokenize` is Punkt's own
    algorithm with fewer Python layers. Splits are identical to the stock tokenizer
    (tests/index/analysis/test_sentences.py checks it on real and tricky text).
    """

    def __init__(self, params: PunktParameters):
        super().__init__(params)
        self._decided: dict[str, bool] = {}
        self._special = set(params.abbrev_types) | {w for w, _ in params.collocations}
        self._starters = frozenset(params.sent_starters)
        self._paired = {b for _, b in params.collocations}
        self._candidates = self._lang_vars.period_context_re()
        self._realign = self._lang_vars.re_boundary_realignment
        # Realignment only matches text that starts with one of its leading class's characters.
        leading = re.match(r"\[(?:\\.|[^\]])*\]", self._realign.pattern)
        self._may_realign = re.compile(leading.group(0)) if leading else re.compile("")

    def _key(self, text: str) -> str:
        """The memo key of a candidate context: `text` itself unless a feature rule applies."""
        if not text.isascii():
            return text
        m = _CONTEXT.fullmatch(text)
        if m is None:
            return text
        word, end, space, following, punct = m.groups()
        if punct is not None:
            after = punct
        elif _LETTERS.fullmatch(following) and following.lower() not in self._paired:
            capital = following[0].isupper()
            starter = capital and following.lower() in self._starters
            after = ("\n" if "\n" in space else " ") + "lUS"[capital + starter]
        else:
            after = ("\n" if "\n" in space else " ") + following
        if punct not in (".", "?", "!"):
            if _PLAIN_WORD.fullmatch(word) and word.lower() not in self._special:
                return "\0" + end + ("X" if punct is None else punct)
            if word[-1:] in _CLOSERS:
                return "\1" + end + after
        return word + end + after

    def text_contains_sentbreak(self, text: str) -> bool:
        """Punkt's decision for one candidate context, memoized on its features."""
        key = self._key(text)
        found = self._decided.get(key)
        if found is None:
            found = super().text_contains_sentbreak(text)
            if len(self._decided) < 200_000:
                self._decided[key] = found
        return found

    def span_tokenize(self, text: str, realign_boundaries: bool = True):
        """(start, end) of each sentence: `_match_potential_end_contexts`, `_slices_from_text`
        and `_realign_boundaries` of nltk's Punkt, inlined."""
        if not realign_boundaries:
            return super().span_tokenize(text, False)
        decide = self.text_contains_sentbreak
        slices: list[tuple[int, int]] = []
        last_break = 0
        prev = None
        prev_start = prev_stop = 0
        for match in [*self._candidates.finditer(text), None]:
            if match is not None:
                start = match.start()
                space = max(text.rfind(c, prev_stop, start) for c in _WHITESPACE)
                word_start = space + 1 if space > prev_stop else prev_start
                if prev is None or prev_stop > word_start:  # overlapping words: keep the later
                    prev, prev_start, prev_stop = match, word_start, start
                    continue
            if prev is not None:
                context = text[prev_start:prev_stop] + prev.group() + prev.group("after_tok")
                if decide(context):
                    slices.append((last_break, prev.end()))
                    last_break = prev.start("next_tok") if prev.group("next_tok") else prev.end()
            if match is not None:
                prev, prev_start, prev_stop = match, word_start, start
        slices.append((last_break, len(text.rstrip())))

        spans: list[tuple[int, int]] = []
        realign = 0
        for i, (s1_start, s1_stop) in enumerate(slices):
            s1_start += realign
            realign = 0
            if i + 1 < len(slices):
                s2_start, s2_stop = slices[i + 1]
                m = None
                if self._may_realign.match(text, s2_start, s2_stop):
                    m = self._realign.match(text[s2_start:s2_stop])
                if m:
                    spans.append((s1_start, s2_start + len(m.group(0).rstrip())))
                    realign = m.end()
                    continue
            if text[s1_start:s1_stop]:
                spans.append((s1_start, s1_stop))
        return iter(spans)


def stock_punkt() -> PunktSentenceTokenizer:
    """Punkt with the project's parameters and no memo: the reference the memo is tested against."""
    return PunktSentenceTokenizer(_params())


def _params() -> PunktParameters:
    params = PunktParameters()
    params.abbrev_types = set(ABBREVIATIONS)
    params.sent_starters = set(SENTENCE_STARTERS)
    params.collocations = {(w, "##number##") for w in NUMBER_COLLOCATIONS}
    return params


@cache
def punkt() -> PunktSentenceTokenizer:
    """The one Punkt tokenizer, built from the project's parameters (no NLTK data needed)."""
    return MemoPunkt(_params())


MAX_WRAP = 100  # hard-wrapped text is cut at a fixed width; wider lines are whole paragraphs
MIN_WRAP = 40  # narrower "widths" are lists or verse, not wrapped prose
_ENDS_SENTENCE = re.compile(r"[.!?][\"'”’)\]]*$")


def _wrap_width(lines: list[str]) -> int | None:
    """The width a file's lines were wrapped at, or None when its lines are not hard-wrapped.

    Greedy wrapping breaks a line only where the next word would not fit, so in wrapped prose most
    breaks between two non-blank lines are "full" (the line plus the next line's first word is
    wider than the widest line) or fall mid-sentence. Lines one paragraph each are of any length,
    end a sentence and are rarely full.
    """
    sizes = [len(line.rstrip()) for line in lines]
    narrow = [n for n in sizes if 0 < n <= MAX_WRAP]
    if len(narrow) < 3 or len(narrow) < 0.95 * sum(1 for n in sizes if n):
        return None
    width = max(narrow)
    if width < MIN_WRAP:
        return None
    breaks = wrapped = 0
    for a, b in itertools.pairwise(lines):
        if a.strip() and b.strip():
            breaks += 1
            wrapped += _wrapped(a.rstrip(), b, width)
    return width if breaks >= 2 and wrapped >= 0.5 * breaks else None


def _full(a: str, b: str, width: int) -> bool:
    """Whether line `a` (right-stripped) was cut because `b`'s first word did not fit in `width`."""
    return 2 * len(a) >= width and len(a) + 1 + len(b.split(None, 1)[0]) > width


def _wrapped(a: str, b: str, width: int) -> bool:
    """Whether the break after line `a` (right-stripped) is a wrap inside a paragraph.

    Full lines are; so are lines that stop mid-sentence before a lowercase word, or long ones
    that stop mid-sentence (text wrapped in a proportional font is ragged).
    """
    if _full(a, b, width):
        return True
    if _ENDS_SENTENCE.search(a) or a.endswith(":"):
        return False
    return b.lstrip()[:1].islower() or 4 * len(a) >= 3 * width


def _continues(a: str, b: str, width: int | None, in_list: bool) -> bool | None:
    """Whether line `b` continues the paragraph of line `a` (right-stripped) inside one block.

    None when only the file's layout can tell: joined under blank-line paragraphs, else cut.
    """
    if a.endswith(":"):  # a lead-in: its list lines follow, unless the colon fell at a wrap
        return width is not None and _full(a, b, width) and 2 * len(b.rstrip()) >= width
    if in_list:  # after a lead-in, each line is an item unless wrapped prose resumes
        return width is not None and (
            _full(a, b, width) or (4 * len(a) >= 3 * width and not _ENDS_SENTENCE.search(a))
        )
    if width is not None and _wrapped(a, b, width):
        return True
    return None


def blocks(text: str, skip: tuple[tuple[int, int], ...] = ()) -> list[tuple[int, int]]:
    """Spans of paragraphs: runs of lines ended by blank lines, URL-only lines, headings, list items.

    A line ending in ":" is a lead-in: it and each line after it in its block are paragraphs of
    their own. A document with no blank line at all is taken to have one paragraph per line,
    unless its lines are hard-wrapped (`_wrap_width`): then a line joins the next when it was cut
    for width or ends mid-sentence before a lowercase start. The text is never changed; a joined
    paragraph's span crosses the newline.
    """
    one_per_line = "\n\n" not in text.strip() and not re.search(r"\n[ \t]+\n", text)
    lines = text.split("\n")
    width: int | None = -1  # measured when two non-blank lines first meet (often never)
    spans: list[tuple[int, int]] = []
    start = None
    end = 0
    pos = 0
    prev = ""
    in_list = False
    skip_iter = iter(sorted(skip))
    next_skip = next(skip_iter, None)
    for line in lines:
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        while next_skip is not None and next_skip[1] <= line_start:
            next_skip = next(skip_iter, None)
        skipped = next_skip is not None and next_skip[0] < line_end and next_skip[1] > line_start
        if skipped or not line.strip() or URL_ONLY.match(line):
            if start is not None:
                spans.append((start, end))
                start = None
            in_list = False
            continue
        if start is not None:
            prev = prev.rstrip()
            if width == -1:
                width = _wrap_width(lines)
            joins = _continues(prev, line, width, in_list)
            if joins is None:
                joins = not one_per_line
            item = LIST_ITEM.match(line)
            if joins:  # a wrapped line: prose, not a list
                in_list = False
            if not joins or item or HEADING_LINE.match(line):
                # Unmarked lines after a lead-in are items; marked items keep their wrapped lines.
                in_list = (in_list or prev.endswith(":")) and not item
                spans.append((start, end))
                start = None
        if start is None:
            heading = HEADING_MARK.match(line)
            start = line_start + (heading.end() if heading else 0)
        end = line_end
        prev = line
        if HEADING_LINE.match(line):  # a heading is a paragraph of its own
            spans.append((start, end))
            start = None
    if start is not None:
        spans.append((start, end))
    return spans


MAX_PUNKT_CHARS = 20_000  # longer paragraphs are cut at a likely sentence end before Punkt
_CUT = re.compile(r"[.!?][\"')\]”’]*\s+")


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut a long paragraph into pieces Punkt handles in bounded time (its regexes have a timeout).

    Each cut falls after the last sentence-ending punctuation before the limit, else at the last
    space, else at the limit.
    """
    out = []
    while end - start > MAX_PUNKT_CHARS:
        window = text[start : start + MAX_PUNKT_CHARS]
        ends = [m.end() for m in _CUT.finditer(window, MAX_PUNKT_CHARS // 2)]
        cut = ends[-1] if ends else (window.rfind(" ") + 1 or MAX_PUNKT_CHARS)
        out.append((start, start + cut))
        start += cut
    out.append((start, end))
    return out


# Contexts where Punkt's untrained parameters decide wrongly (`_refine`). A paragraph without any
# of them keeps Punkt's spans untouched; `_needs_rules` tells with a few literal-led scans.
_CLOSE = "\"'”’)\\]"
# A quoted or bracketed sentence end, then a lowercase word (a speech tag or an aside goes on),
# or, after "?" or "!", a speaker and a verb of speech ("“Why now?” Maria Lopez asked.").
_SPEECH_VERBS = (
    "said|says|asked|asks|replied|replies|answered|added|adds|wrote|writes|told|tells|shouted"
    "|cried|yelled|screamed|whispered|muttered|exclaimed|continued|explained|insisted|recalled"
    "|wondered|demanded|urged|warned|laughed|sighed"
)
_SPEAKER = rf"\s+(?=[a-z]|(?:[A-Z][\w’'.-]*\s+){{1,3}}(?:{_SPEECH_VERBS})\b)"
_QUESTION_LOWER = re.compile(rf"\?[{_CLOSE}]*{_SPEAKER}")
_EXCLAIM_LOWER = re.compile(rf"![{_CLOSE}]*{_SPEAKER}")
_PERIOD_CLOSER = re.compile(rf"\.[{_CLOSE}]+\s+(?=[a-z])")
_ELLIPSIS = re.compile(r"\.(?: ?\.){2,}|…+")
# Glued to its word: after a letter, digit or closer, not after an opening quote or bracket.
_GLUED = re.compile(r"[\w)\]”’%]|(?<=\w)[\"']")
_AFTER_ELLIPSIS = re.compile(rf"[{_CLOSE}]*(\s*)")
_PRONOUN_I = re.compile(r"(?<![\w'’.-])[a-z]+ I\.\s+(?=[\"“‘']?[A-Z])")
_MARKER = re.compile(r"(?:^|(?<=\s))([•⁃‣◦▪][ \t]*)?(\d{1,3}|[a-z])(\.\)|[.)])[ \t]+(?=\S)")
# Periods any rule acts on: "..", ". .", a closer then lowercase, "and I. Then" (one scan).
_PERIOD_RULES = re.compile(rf"\.(?:\.| \.|[{_CLOSE}]+\s+[a-z]|(?<=[a-z] I\.)\s)")
# A list marker as `_MARKER` reads it, opening the paragraph or after a colon.
_LEADING_MARKER = re.compile(r"\s*(?:[•⁃‣◦▪][ \t]*)?(?:\d{1,3}|[a-z])(?:\.\)|[.)])[ \t]+\S")
_COLON_MARKER = re.compile(r":\s+(?:[•⁃‣◦▪][ \t]*)?(?:\d{1,3}|[a-z])(?:\.\)|[.)])[ \t]+\S")
_WORDY = re.compile(r"\w")
_WORD = re.compile(r"[A-Za-z]+")


def _ellipsis_rules(chunk: str, forbid: list, forced: set) -> None:
    """An ellipsis is inside its sentence unless it ends one (the Chicago/MLA conventions).

    Before a lowercase word or a closer it is inside. Before a capital: four dots standing apart
    end the sentence ("a period . . . . Next", "x >= .... This"); a period then a spaced
    ellipsis ("compounds. . . . The") ends it at the period, and the ellipsis opens the next;
    three spaced dots are an omission inside it; "...", "…" or a glued "...." end it before a
    sentence starter, as Punkt decides for "..." ("failed... Then", "that.... She", but not
    "I Am... Sasha Fierce"), also when a closing quote comes between ("ended...” Then").
    """
    for m in _ELLIPSIS.finditer(chunk):
        rs, re_ = m.span()
        gap = _AFTER_ELLIPSIS.match(chunk, re_)
        following = gap.end()
        if not gap.group(1) or following >= len(chunk) or not chunk[following].isupper():
            forbid.append((rs, following))
            continue
        run = m.group()
        if rs > 0 and chunk[rs - 1] in "[(":  # "[...]" marks a cut; Punkt's decision stands
            forbid.append((rs, re_))
            continue
        glued = rs > 0 and _GLUED.match(chunk, rs - 1, rs) is not None
        dots = 3 if run[0] == "…" else run.count(".")
        if " " not in run and not (dots >= 4 and not glued):
            word = _WORD.match(chunk, following)
            if word and word.group().lower() in SENTENCE_STARTERS:
                forced.add(following)
            forbid.append((rs, following))
            continue
        if glued and dots >= 4:
            forced.add(rs + 2)
        elif dots >= 4:
            forced.add(following)
        forbid.append((rs, following))


def _list_rules(chunk: str, forbid: list, forced: set) -> None:
    """A paragraph (or a colon's tail) that starts "1." / "a)" / "• 9." enumerates items inline.

    The marker belongs to its item; later markers of the same style that count on (2., 3.;
    b), c)) start items of their own.
    """
    lead = len(chunk) - len(chunk.lstrip())
    if _LEADING_MARKER.match(chunk):
        first = lead
    else:
        colon = _COLON_MARKER.search(chunk)
        if colon is None:
            return
        first = colon.start() + 1
    chains: list[list] = []
    for m in _MARKER.finditer(chunk, first):
        bullet, label, punct = m.groups()
        value = int(label) if label.isdigit() else ord(label) - ord("a") + 1
        style = (bool(bullet), label.isdigit(), punct)
        last = chains[-1] if chains else None
        if last is not None and last[0] == style and last[1] + 1 == value:
            last[1] = value
            last[2].append(m)
            continue
        opens = m.start() == lead or chunk[max(0, m.start() - 80) : m.start()].rstrip()[-1:] == ":"
        if opens and (label.isdigit() or label == "a"):
            chains.append([style, value, [m]])
    for _, _, marks in chains:
        if len(marks) > 1 or marks[0].start() == lead:
            for m in marks:
                forced.add(m.start())
                forbid.append((m.start(), m.end()))


def _needs_rules(chunk: str) -> bool:
    """Whether `chunk` has any context `_refine`'s rules act on (most paragraphs have none)."""
    return bool(
        _PERIOD_RULES.search(chunk)
        or "…" in chunk
        or ("?" in chunk and _QUESTION_LOWER.search(chunk))
        or ("!" in chunk and _EXCLAIM_LOWER.search(chunk))
        or _LEADING_MARKER.match(chunk)
        or (":" in chunk and _COLON_MARKER.search(chunk))
    )


def _union(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint (lo, hi] intervals covering the same positions as `intervals`."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _refine(chunk: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Punkt's spans with the project's rules for speakers, ellipses, "I." and inline lists."""
    forbid: list[tuple[int, int]] = []  # (lo, hi]: no sentence starts there
    forced: set[int] = set()  # sentence starts
    for pattern, mark in ((_QUESTION_LOWER, "?"), (_EXCLAIM_LOWER, "!"), (_PERIOD_CLOSER, ".")):
        if mark in chunk:
            forbid.extend((m.start(), m.end()) for m in pattern.finditer(chunk))
    if ".." in chunk or ". ." in chunk or "…" in chunk:
        _ellipsis_rules(chunk, forbid, forced)
    if " I." in chunk:
        forced.update(m.end() for m in _PRONOUN_I.finditer(chunk))
    if _LEADING_MARKER.match(chunk) or (":" in chunk and _COLON_MARKER.search(chunk)):
        _list_rules(chunk, forbid, forced)
    found = [s for s, _ in spans[1:]]
    starts = set(found)
    if forbid:
        blocked = _union(forbid)
        lows = [lo for lo, _ in blocked]
        for s in found:
            i = bisect.bisect_left(lows, s) - 1
            if i >= 0 and s <= blocked[i][1]:
                starts.discard(s)
    forced = {s for s in forced if 0 < s < len(chunk)}
    if (
        len(starts) == len(found)
        and forced <= starts
        and not any(e - s < 9 and not _WORDY.search(chunk, s, e) for s, e in spans[1:])
    ):
        return spans  # no rule applies here: Punkt's spans as they are
    starts = sorted(starts | forced)
    out: list[tuple[int, int]] = []
    bounds = [0, *starts, len(chunk)]  # Punkt's spans: from each start to the next, right-stripped
    for start, stop in itertools.pairwise(bounds):
        piece = chunk[start:stop].rstrip()
        if not piece.strip():
            continue
        if out and not _WORDY.search(piece):  # stray punctuation belongs to the sentence before
            out[-1] = (out[-1][0], start + len(piece))
        else:
            out.append((start, start + len(piece)))
    return out


def split(text: str, skip: tuple[tuple[int, int], ...] = ()) -> list[tuple[int, int, int]]:
    """(start, end, paragraph number) of every sentence of `text`; metadata spans are skipped."""
    tokenizer = punkt()
    out: list[tuple[int, int, int]] = []
    for para, (p_start, p_end) in enumerate(blocks(text, skip)):
        for b_start, b_end in _pieces(text, p_start, p_end):
            chunk = text[b_start:b_end]
            spans = tokenizer.span_tokenize(chunk)
            if _needs_rules(chunk):
                spans = _refine(chunk, list(spans))
            for s, e in spans:
                piece = chunk[s:e]
                stripped = piece.rstrip()
                s2 = s + (len(piece) - len(piece.lstrip()))
                e2 = s + len(stripped)
                if e2 > s2:
                    out.append((b_start + s2, b_start + e2, para))
    return out
