"""What a sentence's text says to the ranker and the passage code, found once when it is indexed.

A question then reads no sentence text unless it asks for a type of answer (the text is read from
disk; these are one byte a sentence, in memory). `sentence_flags` runs in the extraction workers;
the bits are stored in each segment's `sent_flags`.
"""

from __future__ import annotations

import bisect
import re

from index.analysis.tokens import words

DIGIT = 1  # the sentence holds a digit (a ranker feature)
ANAPHORIC = 2  # its first word points back ("it", "they", "however": a ranker feature)
LEANS_BACK = 4  # its first word is a pronoun or connective: a passage shows the one before
LEAD_IN = 8  # it is short (under 10 words) or ends with ":": a passage shows the one after
# What its reader says it is (`structure_flags`): read by the ranker's order rules (ranking.py).
CODE = 16  # inside a code unit: quoted before prose only when the question asks for code
HEADING = 32  # inside a heading line: never quoted before the text under it
ROW = 64  # inside a table row ("v8.9.3 | Changes…"): a passage of prose neither starts with nor
# goes on into one

# The ranker's list (what it was trained with) and the passage code's longer one.
_ANAPHORA = frozenset(
    "it its this that these those they them their he his she her him such however but also".split()
)
_CONNECTIVES = frozenset(
    """
    it its this that these those they them their he his she her him such however but also
    meanwhile then thus therefore moreover furthermore instead yet still there here so and
    or nevertheless nonetheless besides otherwise accordingly consequently hence
    """.split()
)
_FIRST_WORD = re.compile(r"[A-Za-z’']+")
_DIGIT = re.compile(r"\d")


def sentence_flags(text: str, all_words: list[str] | None = None) -> int:
    """The bits above of a sentence's text, or-ed together. `all_words`: words(text), if known."""
    m = _FIRST_WORD.search(text[:40])
    found = words(text) if all_words is None else all_words
    return (
        DIGIT * (_DIGIT.search(text) is not None)
        | ANAPHORIC * bool(m and m.group().lower() in _ANAPHORA)
        | LEANS_BACK * bool(found and found[0] in _CONNECTIVES)
        | LEAD_IN * (len(found) < 10 or text.rstrip().endswith(":"))
    )


def structure_flags(
    spans: list[tuple[int, int, int]],
    code: tuple,
    headings: list[tuple[int, int]],
    rows: tuple = (),
) -> list[int]:
    """CODE, HEADING and ROW bits of each sentence (start, end, paragraph) of a document: CODE
    (ROW) when it starts inside one of the `code` (`rows`) spans, HEADING when it lies within one
    of the `headings` spans (a heading may split into several sentences: "I can't log in. When I
    ... again?")."""
    if not code and not headings and not rows:  # plain text: most documents
        return [0] * len(spans)
    code_starts = [a for a, _ in code]
    row_starts = [a for a, _ in rows]
    head_starts = [a for a, _ in headings]
    out = []
    for start, end, _ in spans:
        bits = 0
        at = bisect.bisect_right(code_starts, start) - 1
        if at >= 0 and start < code[at][1]:
            bits |= CODE
        at = bisect.bisect_right(row_starts, start) - 1
        if at >= 0 and start < rows[at][1]:
            bits |= ROW
        at = bisect.bisect_right(head_starts, start) - 1
        if at >= 0 and end <= headings[at][1]:
            bits |= HEADING
        out.append(bits)
    return out
