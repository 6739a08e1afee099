"""Code words: identifiers, dotted names, operators, flags and template tags as written.

`tokens.words` splits a text into words (`Entry`, `objects`, `filter`); this module finds, in the
normalized (lower-cased) text, what a programmer types as one thing, and `words` adds it at its
place, before the words it is made of: `entry.objects.filter` and its tail `objects.filter` (a
name is often written without its module: `models.AutoField` for `django.db.models.AutoField`),
operators (`.*`, `./`, `->`, `==`), prefixed names (`**kwargs`, `--rebuild`, `@receiver`,
`$home`), template tags (`{%url`), generics (`array<t>`), angle placeholders (`<int:pk>`) and
`c++`, `c#`. A question that is only an operator ("what does .* do") then has a term, and a name
asked as written matches where it is written.

Ordinary prose holds none of these (a cheap test, `_TRIGGER`, passes over most paragraphs): on
the 10,991 paragraphs and questions of squad-v1.1, 38 gain a word, mostly web addresses
(`amazon.com`). Abbreviations (`e.g.`, `Ph.D.`, `U.S.`) and a missing space after a period
before a function word (`end.The`) are not names. Code words are kept as written, unstemmed
(`tokens.stem`).
"""

from __future__ import annotations

import re

# Operators, each matched as a whole run of operator characters ("..." or "--" alone are not).
OPERATORS = frozenset(
    """
    .* ./ .\\ .^ -> => == != ~= <= >= && || ++ += -= *= /= ^= |= &= ** :: << >> // := <> ?: ??
    %% |> <- !== ===
    """.split()
)
_OP = r"+\-*/\\^&|<>=!~%.:?@"
_NAME = r"[a-z_][a-z0-9_]*"
# The first alternative that matches at a place wins. The lookahead in front says where one may
# start (a word's start, or a character one begins with): inside words, most of the text, the
# seven alternatives are not tried (the same matches, half the time).
_CODE = re.compile(
    rf"(?:(?<![\w.])(?=[a-z_])|(?=[{{<$@{_OP}]))"
    r"(?:(?P<tag>\{%-?\s*(?P<tagname>[a-z_]+))"  # {% url ... %}: a template tag, by its name
    rf"|(?P<generic>(?<![\w.]){_NAME}<[a-z0-9_:*&, ]{{1,20}}>)"  # array<t>, vector<int>
    rf"|(?P<angle>(?<![\w<])<{_NAME}(?::{_NAME})?>)"  # <int:pk>, <div>
    rf"|(?P<prefixed>(?<![\w{_OP}])(?:--|\*\*?|@|\$){_NAME}(?![*\w]))"  # **kwargs; not *emphasis*
    rf"|(?P<plusplus>(?<![\w.]){_NAME}(?:\+\+|#)(?![\w+#]))"  # c++, c#
    rf"|(?P<dotted>(?<![\w.]){_NAME}(?:\.{_NAME})+)"  # entry.objects.filter, manage.py
    rf"|(?P<op>(?<![{_OP}])[{_OP}]{{2,3}}(?![{_OP}])))"  # .*, ->, ==
)
# Where a code word may be: most prose has none of these, and is left at that.
# ([<>{}@$#*+=|&~^\\/!] | \.[a-z_*/\\^'] | --), written to start with one class of characters:
# `re` then skips to the next of them in C, where the three alternatives were tried at every
# character (1.8 µs a sentence of prose, as much as tokenizing a third of it).
_TRIGGER = re.compile(r"[<>{}@$#*+=|&~^\\/!.\-](?:(?<=\.)[a-z_*/\\^']|(?<=-)-|(?<=[^.\-]))")
_WORD_AFTER = re.compile(r"\S*\s*\S*")
# After a period, these begin a sentence whose space was lost ("end.The"): not a name.
_PROSE_AFTER_DOT = frozenset(
    "the a an this that these it its in he she they we i but and however there his her".split()
)
MAX_PARTS = 6  # parts of a dotted name that make its tails


def code_words(text: str) -> list[tuple[int, str]]:
    """(offset, code word) of each code word in normalized `text`, in order of offset."""
    if _TRIGGER.search(text) is None:
        return []
    out: list[tuple[int, str]] = []
    for m in _matches(text):
        word, kind = m.group(), m.lastgroup
        if m.group("tag") is not None:
            out.append((m.start(), "{%" + m.group("tagname")))
        elif kind == "dotted":
            parts = word.split(".")
            if min(map(len, parts)) < 2 or _PROSE_AFTER_DOT.intersection(parts[1:]):
                continue  # e.g, ph.d: abbreviations; end.the: a lost space
            parts = parts[:MAX_PARTS]
            for i in range(len(parts) - 1):  # the name and its shorter tails
                out.append((m.start(), ".".join(parts[i:])))
        elif kind == "op":
            word = word if word in OPERATORS else word.rstrip("?.:!,")  # "what is ->?"
            if word == "**" and _one_sided(text, m.start(), m.start() + 2):
                continue  # Markdown's **bold**, not a power
            if word in OPERATORS:
                out.append((m.start(), word))
        else:
            out.append((m.start(), word.replace(" ", "")))
    return out


def _one_sided(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] touches a word on one side only."""
    before = start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_")
    after = end < len(text) and (text[end].isalnum() or text[end] == "_")
    return before != after


def _matches(text: str):
    """`_CODE`'s matches, looked for only around `_TRIGGER`'s (scanning the whole text with
    `_CODE` costs as much as tokenizing it): from the space before a trigger to the end of the
    word after the next space ("{% url", "x .* y"). The next trigger is looked for after that
    window (a window ends before a space, so no trigger straddles its end)."""
    search, after, code = _TRIGGER.search, _WORD_AFTER.match, _CODE.finditer
    end = 0
    t = search(text)
    while t is not None:
        at = t.start()
        lo = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at)) + 1
        hi = after(text, t.end()).end()
        yield from code(text, max(lo, end), hi)
        end = hi
        t = search(text, hi)
