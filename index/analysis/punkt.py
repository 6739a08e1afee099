"""Punkt with parameters the project owns (no NLTK data, no download), memoized on the few
features its decision at a candidate break depends on: the same splits as stock Punkt, faster."""

from __future__ import annotations

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

    def __init__(self, params: PunktParameters, lang_vars=None):
        super().__init__(params, lang_vars=lang_vars)
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
                space = text.rfind(" ", prev_stop, start)
                if not text[
                    max(space + 1, prev_stop) : start
                ].isalnum():  # may hold a tab, a newline
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
