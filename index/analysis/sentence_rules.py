"""The rules careful writing needs around Punkt (never inside it, so its memo stays identical to
stock Punkt): speakers after quoted sentence ends, ellipses, "I.", inline lists, and element-wise
operators (".*")."""

from __future__ import annotations

import bisect
import itertools
import re

from index.analysis.punkt import SENTENCE_STARTERS

# Contexts where Punkt's untrained parameters decide wrongly (`refine`). A paragraph without any
# of them keeps Punkt's spans untouched; `needs_rules` tells with a few literal-led scans.
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
# A period glued to an operator character is an operator (Octave's and MATLAB's element-wise
# ".*", "./", ".^", ".\\"), never a sentence end: "x .* y" is one sentence.
_DOT_OPERATOR = re.compile(r"\.[*/\\^]\s*")
_WORDY = re.compile(r"\w")
_WORD = re.compile(r"[A-Za-z]+")
# Initials or an acronym with dots before a capitalized word ("O.J. Simpson", "J.R.R. Tolkien"):
# read as Punkt reads a known abbreviation (U.S.), going on unless a sentence starter follows.
_INITIALS_BEFORE = re.compile(r"(?:^|[^\w.])(?:[A-Z]\.){2,}\s+$")
_NEXT_WORD = re.compile(r"[A-Z][a-z]+\b")


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


def needs_rules(chunk: str) -> bool:
    """Whether `chunk` has any context `refine`'s rules act on (most paragraphs have none)."""
    return bool(
        _PERIOD_RULES.search(chunk)
        or "…" in chunk
        or ("?" in chunk and _QUESTION_LOWER.search(chunk))
        or ("!" in chunk and _EXCLAIM_LOWER.search(chunk))
        or _LEADING_MARKER.match(chunk)
        or (":" in chunk and _COLON_MARKER.search(chunk))
        or _DOT_OPERATOR.search(chunk)
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


def refine(chunk: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Punkt's spans with the project's rules for speakers, ellipses, "I." and inline lists."""
    forbid: list[tuple[int, int]] = []  # (lo, hi]: no sentence starts there
    forced: set[int] = set()  # sentence starts
    for pattern, mark in ((_QUESTION_LOWER, "?"), (_EXCLAIM_LOWER, "!"), (_PERIOD_CLOSER, ".")):
        if mark in chunk:
            forbid.extend((m.start(), m.end()) for m in pattern.finditer(chunk))
    forbid.extend((m.start(), m.end()) for m in _DOT_OPERATOR.finditer(chunk))
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


def join_initials(chunk: str, spans):
    """Punkt's spans with no sentence starting after initials ("O.J. Simpson") unless its first
    word is a sentence starter. Only the few sentence starts are looked at, by their characters
    first ("X.Y. " before them), which is cheaper than any scan of the paragraph."""
    spans = list(spans)
    if len(spans) < 2:
        return spans
    out = spans[:1]
    for s, e in spans[1:]:
        if (
            chunk[s - 2 : s - 1] == "."
            and chunk[s - 4 : s - 3] == "."
            and _INITIALS_BEFORE.search(chunk, max(0, s - 16), s)
        ):
            word = _NEXT_WORD.match(chunk, s)
            if word and word.group().lower() not in SENTENCE_STARTERS:
                out[-1] = (out[-1][0], e)
                continue
        out.append((s, e))
    return out
