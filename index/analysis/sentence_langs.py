"""Sentence ends of languages other than English, around the same Punkt.

- Ends that need no space after them cut first: `。！？` (and their half- and full-width forms),
  the Devanagari danda `।` `॥`, Arabic `؟` and Urdu `۔`, Ethiopic `።` `፧`, Armenian `։`, Burmese
  `။`, Khmer `។`; never inside an open `《「『（【` (a quoted title holds its own `！`).
- Greek's question mark `;` (and U+037E) ends a sentence before a space.
- Punkt gets each language's abbreviations, number abbreviations and sentence starters from
  pySBD's lists (`abbreviations.json`, MIT: pySBD's own test cases for de 19 -> 27 of 34, es
  22 -> 31 of 36, ru 30 -> 41 of 42, it 22 -> 31 of 36 right against English parameters).
- Where ordinals are written with a period (German `3. Oktober`, Danish, Turkish...), a one- or
  two-digit number's period before a space ends no sentence, as pySBD does.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from index.analysis.punkt import MemoPunkt, PunktParameters, PunktSentenceTokenizer

# Languages that write ordinals as "3." (so "am 3. Oktober" goes on).
_ORDINAL_PERIOD = frozenset("de da no nb sv fi et cs sk sl hr sr bs pl hu is tr lv lt fo".split())
_NEUTRAL_ABBREVIATIONS = ("etc", "vs", "cf", "ibid", "e.g", "i.e", "a.m", "p.m", "ph.d", "al")

_OPEN = "《「『（【〈"
_CLOSE = "》」』）】〉"
_HARD_END = re.compile(r"[!?]*[。！？｡।॥؟۔።፧։။។][!?。！？｡]*[」』”’\"'）)\]】》〉]*\s*")
_HARD_CHAR = re.compile(r"[。！？｡।॥؟۔።፧։။។]")  # a quick check first: most text has none
_GREEK_QUESTION = re.compile(r"[;;](?=\s)\s*")
_ORDINAL = re.compile(r"(?<![\d.,])\d{1,2}\.$")
_WORDY = re.compile(r"\w")


@cache
def _lists() -> dict:
    with open(Path(__file__).with_name("abbreviations.json"), encoding="utf-8") as f:
        return json.load(f)


def _lang_vars(lang: str):
    from nltk.tokenize.punkt import PunktLanguageVars

    class _Vars(PunktLanguageVars):
        sent_end_chars = (".", "?", "!", ";", "\u037e") if lang == "el" else (".", "?", "!")

    return _Vars()


def params(lang: str) -> PunktParameters:
    """Punkt's parameters for a language: pySBD's lists and a few language-neutral ones."""
    found = _lists().get(lang, {})
    p = PunktParameters()
    p.abbrev_types = set(_NEUTRAL_ABBREVIATIONS) | set(found.get("abbreviations", ()))
    p.sent_starters = set(found.get("sentence_starters", ()))
    p.collocations = {(w, "##number##") for w in found.get("number_abbreviations", ())}
    return p


@cache
def punkt_for(lang: str) -> PunktSentenceTokenizer:
    """The Punkt tokenizer of a language other than English."""
    return MemoPunkt(params(lang), _lang_vars(lang))


def _hard_cuts(chunk: str, lang: str) -> list[int]:
    """Where sentences end without needing Punkt: after the ends above, outside brackets."""
    cuts = []
    ends = list(_HARD_END.finditer(chunk)) if _HARD_CHAR.search(chunk) else []
    if lang == "el":
        ends += list(_GREEK_QUESTION.finditer(chunk))
    for m in sorted(ends, key=lambda m: m.start()):
        before = chunk[max(0, m.start() - 300) : m.start()]
        if any(before.rfind(o) > before.rfind(c) for o, c in zip(_OPEN, _CLOSE, strict=True)):
            continue  # inside 《…》 or 「…」: a quoted title or speech holds its own ends
        cuts.append(m.end())
    return cuts


def spans(chunk: str, lang: str, rules) -> list[tuple[int, int]]:
    """Sentence spans of one paragraph piece in language `lang`.

    `rules` is (needs_rules, refine) of the rules around Punkt, run on each piece as for English.
    """
    needs_rules, refine = rules
    tokenizer = punkt_for(lang)
    out: list[tuple[int, int]] = []
    pos = 0
    for cut in [*_hard_cuts(chunk, lang), len(chunk)]:
        piece = chunk[pos:cut]
        if piece.strip():
            found = list(tokenizer.span_tokenize(piece))
            if needs_rules(piece):
                found = refine(piece, found)
            out.extend((pos + s, pos + e) for s, e in found)
        pos = cut
    merged: list[tuple[int, int]] = []
    for s, e in out:
        prev = chunk[merged[-1][0] : merged[-1][1]] if merged else ""
        stray = not _WORDY.search(chunk, s, e)  # "!" after "¡¿Qué viste?" belongs to it
        ordinal = lang in _ORDINAL_PERIOD and _ORDINAL.search(prev) is not None
        if merged and (stray or ordinal):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged
