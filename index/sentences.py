"""Split document text into sentences with character spans, offline, with Punkt parameters we own."""

from __future__ import annotations

import re
from functools import cache

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

# Lowercase, without the final period (Punkt's convention); multi-period forms keep inner dots.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms messrs mme mlle dr drs prof sr jr st mt ft gen col lt maj sgt cpl pvt capt
    cmdr cdr adm gov sen rep rev fr hon pres supt insp det atty esq amb inc ltd co corp bros
    llc plc dept div univ assn est approx vs etc al cf viz ibid op cit no nos vol vols pp
    eds fig figs ch chap sec para eq eqs refs jan feb mar apr jun jul aug sep sept oct nov
    dec tue tues thu thur thurs fri a.m p.m e.g i.e u.s u.s.a u.k u.n e.u d.c b.c a.d b.c.e
    c.e ph.d m.d b.a m.a b.sc m.sc ll.b n.y l.a r.i.p ave blvd hwy apt ca approx lbs oz kg
    km cm mm yd hrs
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


_PLAIN_WORD = re.compile(r"[A-Za-z]{2,}")
_AFTER_WORD = re.compile(r"\s+\S+$")
_SINGLE_END = re.compile(r"[.?!](?![.?!])")


class MemoPunkt(PunktSentenceTokenizer):
    """Punkt whose break decision for each candidate context is computed once and remembered.

    Punkt decides whether "word. Next" holds a break from the tokens around the punctuation. After
    a plain word of two or more letters that is neither an abbreviation nor the first half of a
    collocation, Punkt always breaks if any token follows, so the word and the next token's text
    do not change the decision and such contexts share cache entries. Splits are identical to the
    stock tokenizer (tests/core/test_sentences.py checks it).
    """

    def __init__(self, params: PunktParameters):
        super().__init__(params)
        self._decided: dict[str, bool] = {}
        self._special = set(params.abbrev_types) | {w for w, _ in params.collocations}

    def text_contains_sentbreak(self, text: str) -> bool:
        """Punkt's decision for one candidate context, memoized on its canonical form."""
        cut = 0
        while cut < len(text) and (text[cut].isalpha()):
            cut += 1
        word = text[:cut]
        plain = cut >= 2 and _PLAIN_WORD.fullmatch(word) and word.lower() not in self._special
        if plain and _SINGLE_END.match(text, cut):  # not an ellipsis ("fail...")
            # After a plain word only the punctuation and whether any token follows matter.
            key = "\0" + _AFTER_WORD.sub(" X", text[cut:])
        else:
            key = text
        found = self._decided.get(key)
        if found is None:
            found = super().text_contains_sentbreak(text)
            if len(self._decided) < 200_000:
                self._decided[key] = found
        return found


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


def blocks(text: str, skip: tuple[tuple[int, int], ...] = ()) -> list[tuple[int, int]]:
    """Spans of paragraphs: runs of lines ended by blank lines, URL-only lines, headings, list items.

    A document with no blank line at all is taken to have one paragraph per line.
    """
    one_per_line = "\n\n" not in text.strip() and not re.search(r"\n[ \t]+\n", text)
    spans: list[tuple[int, int]] = []
    start = None
    end = 0
    pos = 0
    skip_iter = iter(sorted(skip))
    next_skip = next(skip_iter, None)
    for line in text.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        while next_skip is not None and next_skip[1] <= line_start:
            next_skip = next(skip_iter, None)
        skipped = next_skip is not None and next_skip[0] < line_end and next_skip[1] > line_start
        if skipped or not line.strip() or URL_ONLY.match(line):
            if start is not None:
                spans.append((start, end))
                start = None
            continue
        if start is not None and (
            one_per_line or HEADING_LINE.match(line) or LIST_ITEM.match(line)
        ):
            spans.append((start, end))
            start = None
        if start is None:
            heading = HEADING_MARK.match(line)
            start = line_start + (heading.end() if heading else 0)
        end = line_end
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


def split(text: str, skip: tuple[tuple[int, int], ...] = ()) -> list[tuple[int, int, int]]:
    """(start, end, paragraph number) of every sentence of `text`; metadata spans are skipped."""
    tokenizer = punkt()
    out: list[tuple[int, int, int]] = []
    for para, (p_start, p_end) in enumerate(blocks(text, skip)):
        for b_start, b_end in _pieces(text, p_start, p_end):
            chunk = text[b_start:b_end]
            for s, e in tokenizer.span_tokenize(chunk):
                piece = chunk[s:e]
                stripped = piece.rstrip()
                s2 = s + (len(piece) - len(piece.lstrip()))
                e2 = s + len(stripped)
                if e2 > s2:
                    out.append((b_start + s2, b_start + e2, para))
    return out
