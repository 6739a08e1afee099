"""Read what a question asks for (a quantity, a date, a person, a place, an expansion) and find it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.analysis.tokens import ENGLISH, STOPWORDS, normalize, stem, terms, words
from index.search.question import words as asked

QUANTITY, DATE, PERSON, PLACE, EXPANSION = "quantity", "date", "person", "place", "expansion"

_TYPE_RULES: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"\bwhat (?:does|do|did|is|was) (?:the )?(?:acronym |abbreviation )?\"?([a-z][a-z.&]{1,9})\"? (?:stand|short) for\b"
        ),
        EXPANSION,
    ),
    (
        re.compile(
            r"\bwhat (?:does|did) (?:the )?(?:letters? )?\"?([a-z][a-z.&]{1,9})\"? (?:mean|refer to)\b"
        ),
        EXPANSION,
    ),
    (
        re.compile(
            r"\bhow (?:many|much|long|far|old|big|large|tall|high|deep|wide|heavy|often|fast)\b"
        ),
        QUANTITY,
    ),
    (
        re.compile(
            r"\b(?:what|which) (?:percentage|percent|proportion|number|amount|fraction|share|population|size|age)\b"
        ),
        QUANTITY,
    ),
    (
        re.compile(
            r"\b(?:what|which|in what|in which) (?:year|years|date|day|month|time|century|decade|era|period|season)\b"
        ),
        DATE,
    ),
    (re.compile(r"\bwhen\b"), DATE),
    (re.compile(r"\b(?:who|whom|whose)\b"), PERSON),
    (
        re.compile(
            r"\b(?:what|which) (?:\w+ )?(?:person|people|man|woman|company|organization|organisation|group|team|agency|band|king|president|author|leader|player|official|minister|outlet|newspaper|network|channel|magazine|station|party|university|club)\b"
        ),
        PERSON,
    ),
    (re.compile(r"\bwhere\b"), PLACE),
    (
        re.compile(
            r"\b(?:what|which|in what|in which) (?:country|countries|city|cities|place|region|state|town|continent|province|location|area|island|river)\b"
        ),
        PLACE,
    ),
]


@dataclass(frozen=True)
class QuestionType:
    """What kind of phrase answers the question; `acronym` is set for "what does X stand for"."""

    kind: str | None
    acronym: str | None = None
    unit: str | None = None  # for "how long/far/old/tall": the answer must name such a unit
    counted: str | None = None  # for "how many flights": the term the number should come before
    lang: str = ENGLISH  # the language the question is read in


def question_type(question: str, lang: str = ENGLISH) -> QuestionType:
    """The answer type a question asks for, read before any stopword is dropped."""
    if lang != ENGLISH:
        return QuestionType(asked.read(question, lang)[0], lang=lang)
    q = normalize(question).replace("’", "'")
    for pattern, kind in _TYPE_RULES:
        m = pattern.search(q)
        if m:
            acronym = m.group(1).replace(".", "").upper() if kind == EXPANSION else None
            how = re.search(r"\bhow (long|far|old|tall|high|deep|wide|often)\b", q)
            many = re.search(r"\bhow (?:many|much) ([a-z]+)", q)
            counted = stem(many.group(1)) if many and many.group(1) not in STOPWORDS else None
            return QuestionType(kind, acronym, _UNITS.get(how.group(1)) if how else None, counted)
    return QuestionType(None)


_MONTH = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_NUMWORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred|thousand|dozen|dozens|hundreds|thousands|millions|several hundred|a few hundred|half)"
)
_SCALE = r"(?:\s+(?:million|billion|trillion|thousand|hundred))?"
_UNIT = (
    r"(?:\s*(?:%|percent|per cent|km|kilometers|kilometres|miles|meters|metres|feet|kg|pounds|tons|"
    r"years|months|weeks|days|hours|minutes|seconds|dollars|euros)"
    r"|-(?:year|month|week|day|hour|minute|mile|meter|metre|kilometer|kilometre|foot|inch|man|member)s?"
    r"(?:-old|-long)?)?"
)
_TIME = r"second|minute|hour|day|week|month|year|decade|centur(?:y|ies)|night|season"
_LENGTH = (
    r"mm|cm|km|m|metres?|meters?|kilometres?|kilometers?|miles?|feet|foot|ft|inch(?:es)?|yards?"
)
_UNITS = {
    "long": rf"(?:{_TIME}|{_LENGTH})",
    "far": rf"(?:{_LENGTH}|light-years?)",
    "old": r"(?:years?|year-old|months?)",
    "tall": rf"(?:{_LENGTH})",
    "high": rf"(?:{_LENGTH})",
    "deep": rf"(?:{_LENGTH})",
    "wide": rf"(?:{_LENGTH})",
    "often": r"(?:times|every|per|a (?:day|week|month|year))",
}
_PATTERNS = {
    QUANTITY: re.compile(
        rf"(?<![\w.])(?:[$€£¥]\s?)?\d+(?:[,.]\d+)*{_SCALE}{_UNIT}(?!\w)|\b{_NUMWORD}(?:[- ]{_NUMWORD})*{_SCALE}{_UNIT}\b",
        re.I,
    ),
    DATE: re.compile(
        rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?\b"
        rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?\b"
        rf"|\b{_MONTH}\s+(?:of\s+)?\d{{4}}\b"
        r"|\b(?:the\s+)?(?:early\s+|late\s+|mid-?)?\d{4}s\b"
        r"|\b(?:1[0-9]|20)\d{2}\b(?:\s*(?:BC|BCE|AD|CE)\b)?"
        r"|\b\d{1,2}(?:st|nd|rd|th)\s+century\b"
        r"|\b\d{1,2}:\d{2}\s*(?:a\.m\.|p\.m\.|am|pm)?"
        rf"|\b{_WEEKDAY}\b"
        r"|\b(?:yesterday|today|tomorrow|last (?:year|month|week)|this (?:year|month|week)|next (?:year|month|week))\b"
    ),
}
_NAME_WORD = r"(?:[A-Z][\w'’.-]*\w|[A-Z]\.?)"
_CONNECTOR = (
    r"(?:\s+(?:of|the|de|da|del|di|du|van|von|der|den|la|le|al|bin|and|for|y)(?=\s+[A-Z]))*"
)
_NAME = re.compile(rf"{_NAME_WORD}(?:{_CONNECTOR}\s+{_NAME_WORD})*")
_NOT_NAMES = frozenset(
    normalize(w)
    for w in """
        January February March April May June July August September October November
        December Monday Tuesday Wednesday Thursday Friday Saturday Sunday The A An This That
        These Those It He She They We I In On At By For From With According However
        Meanwhile Last Since After Before During Historically Although While When Where What
        Who Why How Sending Such Some Many Most One Two Minister President Prime Mr Mrs Ms Dr
        General Gen King Queen Pope Senator Sen Governor Gov Sir Lord Saint St Professor Prof
    """.split()
)
_PLACE_CUE = re.compile(r"\b(?:in|at|from|to|near|into|across|throughout|of)\s+$", re.I)


def candidates(
    qtype: QuestionType, text: str, question_words: frozenset[str]
) -> list[tuple[int, int]]:
    """Spans in `text` of phrases of the given kind that the question (its terms) does not contain."""
    kind = qtype.kind
    if kind == EXPANSION:
        return _expansions(text, qtype.acronym or "")
    if kind in (PERSON, PLACE):
        spans = []
        for m in _NAME.finditer(text):
            span = _trim_name(text, m.start(), m.end(), question_words)
            if span is None:
                continue
            if kind == PLACE and not _PLACE_CUE.search(text[max(0, span[0] - 12) : span[0]]):
                continue
            spans.append(span)
        return spans
    out = []
    for m in _PATTERNS[kind].finditer(text):
        s, e = m.start(), m.end()
        while e > s and text[e - 1] in " ,.":
            e -= 1
        if e > s and not set(terms(text[s:e], qtype.lang)) <= question_words:
            if qtype.unit and not re.match(
                rf"[\w\s,.-]{{0,20}}?\b{qtype.unit}s?\b", text[s:], re.I
            ):
                continue
            out.append((s, e))
    return out


def _trim_name(
    text: str, start: int, end: int, question_words: frozenset[str]
) -> tuple[int, int] | None:
    """Drop leading and trailing words the question already has (titles, "Prime Minister")."""
    parts = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end])]

    def known(span: tuple[int, int]) -> bool:
        w = words(text[span[0] : span[1]])
        return not w or all(
            x in STOPWORDS or x in _NOT_NAMES or stem(x) in question_words for x in w
        )

    while parts and known(parts[0]):
        parts.pop(0)
    while parts and known(parts[-1]):
        parts.pop()
    if not parts:
        return None
    s, e = parts[0][0], parts[-1][1]
    while e > s and text[e - 1] in ",.;:’'\"”)":
        e -= 1
    if text[e - 2 : e] in ("’s", "'s"):
        e -= 2
    return (s, e) if e > s else None


def _expansions(text: str, acronym: str) -> list[tuple[int, int]]:
    """The words before "(ACR)" or after "ACR (" whose initials spell the acronym."""
    out = []
    letters = acronym.upper()
    if not letters:
        return out
    for m in re.finditer(rf"\b{re.escape(letters)}\b", text):
        before = list(re.finditer(r"[\w’'-]+", text[max(0, m.start() - 200) : m.start()]))
        offset = max(0, m.start() - 200)
        caps = [w for w in before if w.group()[0].isupper()]
        n = len(letters)
        for size in range(n, max(0, n - 2), -1):  # allow compound words ("Port-au-Prince")
            tail = caps[-size:] if size <= len(caps) else []
            if (
                tail
                and "".join(w.group()[0] for w in tail).upper() == letters[: len(tail)]
                and len(tail) == n
            ):
                out.append((offset + tail[0].start(), offset + tail[-1].end()))
                break
    return out


def best_answer(
    qtype: QuestionType, text: str, question_words: frozenset[str]
) -> tuple[int, int] | None:
    """The candidate closest to the question's words in `text`, as a span of `text`."""
    if qtype.kind is None:
        return None
    spans = candidates(qtype, text, question_words)
    if not spans:
        return None
    anchors: dict[str, list[int]] = {}
    for m in re.finditer(r"[\w’'-]+", text):
        for term in set(terms(m.group(), qtype.lang)) & question_words:
            anchors.setdefault(term, []).append(m.start())
    if not anchors:
        return spans[0]

    def distance(span: tuple[int, int]) -> float:
        """Mean distance to the nearest occurrence of each question word: central candidates win."""
        near = [min(min(abs(a - span[0]), abs(a - span[1])) for a in at) for at in anchors.values()]
        return sum(near) / len(near)

    def names_counted(span: tuple[int, int]) -> bool:
        """ "700 Haitian troops" answers "how many troops": the counted word follows closely."""
        after = terms(" ".join(text[span[1] : span[1] + 60].split()[:3]), qtype.lang)
        return qtype.counted is not None and qtype.counted in after

    return min(spans, key=lambda sp: (not names_counted(sp), distance(sp), sp[0]))
