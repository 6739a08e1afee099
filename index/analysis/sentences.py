"""Split text into sentence spans, offline: Punkt with parameters we own (`punkt.py`), paragraphs
(`paragraphs.py`), and the rules around Punkt (`sentence_rules.py`)."""

from __future__ import annotations

import re

from index.analysis import sentence_langs
from index.analysis.paragraphs import URL_ONLY, blocks
from index.analysis.punkt import punkt
from index.analysis.sentence_rules import join_initials, needs_rules, refine

__all__ = ["URL_ONLY", "blocks", "split"]


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


def split(
    text: str, skip: tuple[tuple[int, int], ...] = (), lang: str = "en"
) -> list[tuple[int, int, int]]:
    """(start, end, paragraph number) of every sentence of `text`; metadata spans are skipped.

    `lang`: the text's language; other languages than English add their own sentence ends and
    abbreviations (`sentence_langs.py`)."""
    tokenizer = punkt()
    out: list[tuple[int, int, int]] = []
    for para, (p_start, p_end) in enumerate(blocks(text, skip)):
        for b_start, b_end in _pieces(text, p_start, p_end):
            chunk = text[b_start:b_end]
            if lang != "en":
                spans = sentence_langs.spans(chunk, lang, (needs_rules, refine))
            else:
                spans = join_initials(chunk, tokenizer.span_tokenize(chunk))
                if needs_rules(chunk):
                    spans = refine(chunk, spans)
            for s, e in spans:
                piece = chunk[s:e]
                stripped = piece.rstrip()
                s2 = s + (len(piece) - len(piece.lstrip()))
                e2 = s + len(stripped)
                if e2 > s2:
                    out.append((b_start + s2, b_start + e2, para))
    return out
