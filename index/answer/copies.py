"""Copies shown once: a passage equal or nearly equal to one already in the answer is left out,
and the first shown names the documents that hold the others (`also_in`).

Equal means the same words after case, quotes, punctuation and spaces are normalized; nearly
equal means a word-trigram Jaccard similarity of at least NEAR, for the passages or for their best
sentences. A passage whose best sentence (of at least REPEAT_WORDS words) an earlier passage
already quotes, or that holds an earlier passage's best sentence, is a copy too: a reference
manual repeats a sentence in several entries ("Memory for the Array<T> class is managed using a
reference counting scheme" under the copy constructor and the assignment operator), and quoting
it twice shows the reader nothing new. Deterministic: asking again with a larger k gives the same
first passages, so "More" (which re-asks and slices) never repeats one.

Of equal or nearly equal passages in several documents, the one in the document with the fewest
sentences is shown and the others named: the passage is a larger part of it, so its page and
section say more. A site's all-in-one page (Node.js's `all.html`, Sphinx's `singlehtml`) or a
manual bound with others (R's `fullrefman.pdf` holds `refman.pdf`) otherwise took the place of
the page a reader would open, whenever it ranked a little higher.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from index.answer.model import Copy, Passage

NEAR = 0.9
REPEAT_WORDS = 6  # a best sentence this long that an earlier passage quotes is not shown again
_PUNCT = re.compile(r"[^\w\s]+")
# What a file manager or a person adds to the name of a copy: "X (copy)", "X (1)", "X - Copy",
# "X copy 2", "Copy of X", and the same words in a few other languages.
_COPY_WORD = r"(?:copy|copie|kopie|copia|cópia|kopia|kopio|kopya)"
_COPY_MARK = re.compile(
    rf"(?:[\s_-]*\((?:{_COPY_WORD}(?:\s*\d+)?|\d+)\)$|[\s_-]+{_COPY_WORD}(?:\s*\d+)?$"
    rf"|^{_COPY_WORD}\s+(?:of|de|von|di|van)\s)",
    re.IGNORECASE,
)


def plainness(name: str) -> tuple[bool, int, str]:
    """How plain a document's path is, plainest first: no copy mark in any part of it, then the
    shorter path, then the name. Byte-identical files are stored once, under the plainest name."""
    parts = name.split("/")
    stems = [*parts[:-1], parts[-1].rsplit(".", 1)[0]]
    return any(_COPY_MARK.search(part) for part in stems), len(name), name


def plainest(names) -> str:
    """The name a document stored once is cited by (see `plainness`)."""
    return min(names, key=plainness)


# _PUNCT's characters among ASCII's, each to a space, as a bytes table: what `Key` does to ASCII
# text without the pattern (a 400-character passage: 0.5 us, against 4 for str.translate and 14
# for the pattern; two to six keys an answer)
_ASCII_PUNCT = bytes(
    c if chr(c).isalnum() or chr(c) == "_" or chr(c).isspace() else 32 for c in range(256)
)


class Key:
    """What a passage's text is compared by: `text` in lower case with punctuation and quotes
    removed and spaces collapsed; its word trigrams (`grams`; its words when it has fewer than
    three), made only when a comparison needs them (most pairs are told apart by their words)."""

    __slots__ = ("_distinct", "_grams", "text", "words")

    def __init__(self, text: str) -> None:
        folded = text.casefold()
        if folded.isascii():
            w = folded.encode("ascii").translate(_ASCII_PUNCT).decode("ascii").split()
        else:
            w = _PUNCT.sub(" ", folded).split()
        self.words = w
        self.text = " ".join(w)
        self._distinct: set[str] | None = None
        self._grams: frozenset | None = None

    @property
    def distinct(self) -> set[str]:
        if self._distinct is None:
            self._distinct = set(self.words)
        return self._distinct

    @property
    def grams(self) -> frozenset:
        if self._grams is None:
            w = self.words
            self._grams = frozenset(w if len(w) < 3 else zip(w, w[1:], w[2:], strict=False))
        return self._grams


def _same(a: Key, b: Key) -> bool:
    if a.text == b.text:
        return bool(a.text)
    na, nb = len(a.words), len(b.words)
    if na >= 3 and nb >= 3 and _apart(len(a.distinct ^ b.distinct), na, nb):
        return False
    small, large = sorted((len(a.grams), len(b.grams)))
    if not large or small / large < NEAR:  # (they share at most `small` of at least `large`)
        return False
    shared = len(a.grams & b.grams)
    return shared / (small + large - shared) >= NEAR


def _apart(words_apart: int, na: int, nb: int) -> bool:
    """Whether two texts of na and nb words (three or more each), `words_apart` distinct words
    held by one only, must have a trigram similarity under NEAR, without making the trigrams.
    Each word one text holds and the other does not starts, where it first stands (from the
    third word on), a trigram the other lacks: at least words_apart - 4 trigrams are held by
    one only, of at most na - 2 + nb - 2 in all; the similarity is under NEAR when more than
    1 - NEAR of them are (with a margin against rounding)."""
    return words_apart - 4 > (1 - NEAR) * (na + nb - 4) + 1e-6


def _quotes(text: str, sentence: str) -> bool:
    """Whether normalized `text` holds normalized `sentence` of at least REPEAT_WORDS words."""
    return sentence.count(" ") + 1 >= REPEAT_WORDS and f" {sentence} " in f" {text} "


class Copies:
    """The passages kept so far, and the copies of each found later. `size` gives a document's
    number of sentences: of equal passages, the smallest document's is shown."""

    def __init__(self, size: Callable[[str], int] = lambda name: 0) -> None:
        self.kept: list[tuple[Key, Key]] = []
        self.others: list[list[Passage]] = []
        self.equal: list[list[Passage]] = []  # the copies that are the same passage
        self.firsts: list[Passage] = []
        self.size = size

    def add(self, passage: Passage, sentence: str) -> bool:
        """Keep `passage` (True) unless it copies one kept before (False: noted as a copy)."""
        whole = Key(passage.text)
        keys = (whole, whole if sentence == passage.text else Key(sentence))
        for i, (text_key, sentence_key) in enumerate(self.kept):
            if _same(keys[0], text_key):
                self.equal[i].append(passage)
            elif not (
                _same(keys[1], sentence_key)
                or _quotes(text_key.text, keys[1].text)
                or _quotes(keys[1].text, sentence_key.text)
            ):
                continue
            self.others[i].append(passage)
            return False
        self.kept.append(keys)
        self.others.append([])
        self.equal.append([])
        self.firsts.append(passage)
        return True

    def passages(self) -> tuple[Passage, ...]:
        """The kept passages, each with `also_in` naming the other documents of its copies."""
        out = []
        for first, others, equal in zip(self.firsts, self.others, self.equal, strict=True):
            shown = min([first, *equal], key=lambda p: self.size(p.document)) if equal else first
            if shown is not first:
                others = [first, *(p for p in others if p is not shown)]
                first = dataclasses.replace(shown, score=first.score)
            seen = {first.document}
            also = []
            for p in others:
                if p.document not in seen:
                    seen.add(p.document)
                    also.append(Copy(p.document, p.title, p.link))
            out.append(dataclasses.replace(first, also_in=tuple(also)) if also else first)
        return tuple(out)
