"""Documents a question names: by the words of a file name or title the text seldom uses ("in
liboctave", "the refcard", "under gunicorn"), read by the ranker.

A collection of a few manuals answers a question in several of them: "If I resize an Array<T> to
fewer elements in liboctave, is the memory given back?" found Octave's user manual's `resize`
function (two of the first three places) above liboctave.pdf's `Array<T>::resize`. With a handful
of documents the document-level BM25 cannot say which one is meant (a word in two of three
documents has no weight). When a question holds every word of a document's name, one of them a
word the text seldom uses, and that name is fewer than half the documents', the other documents'
sentences count `SHARE` of their score (`ranking.rank`); they stay among the candidates for what
the named ones do not answer. A name of words the text uses often ("views", "admin", "settings")
is what a question says without meaning that page.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import compress

import numpy as np

SHARE = 0.5  # of its score a sentence keeps when the question names other documents than its own
RARE = 1000  # a name's word is seldom used when one sentence in this many holds it, or just one


def stored(arrays: dict, count: int) -> list[tuple[str, str] | None]:
    """A segment's `count` documents' `tokens.name_terms` as `filed` kept them (for a merge); None
    for each where they are damaged or missing: they are found again."""
    text, ends = arrays.get("name_text"), arrays.get("name_ends")
    if text is None or ends is None or len(ends) != 2 * count + 1 or not _bounds(text, ends):
        return [None] * count
    raw, at = bytes(text), np.asarray(ends).tolist()
    try:
        halves = [raw[at[i] : at[i + 1]].decode("utf-8") for i in range(len(at) - 1)]
    except UnicodeDecodeError:
        return [None] * count
    return list(zip(halves[0::2], halves[1::2], strict=True))


def _bounds(text, ends) -> bool:
    """Whether `ends` are offsets into `text` in order, from its start to its end."""
    ends = np.asarray(ends)
    return bool(len(ends) and ends[0] == 0 and ends[-1] == len(text) and (np.diff(ends) >= 0).all())


def filed(names: list[tuple[str, str]]) -> dict[str, np.ndarray]:
    """A segment's arrays for `Names`, made when it is written (made at load, the names of 25,000
    documents took 0.13 s of its 0.6 s): its documents' name words (`names`: each one's
    `tokens.name_terms`, file name then title, one after the other in `name_text`, each ending at
    its offset in `name_ends`), which words they hold, how many documents have each in their file
    name or title, and under each word the names that hold it, as document * 2 + (0: file name,
    1: title; a title of the same words as the file name is not filed again)."""
    halves = [(set(a.split()), set(b.split())) for a, b in names]
    counts = Counter(w for a, b in halves for w in a | b)
    words = sorted(counts)
    number = {w: i for i, w in enumerate(words)}
    under: list[list[int]] = [[] for _ in words]
    for d, (a, b) in enumerate(halves):
        for half, held in ((0, a), (1, b)):
            if not (half and held == a):
                for w in held:
                    under[number[w]].append(2 * d + half)
    text = [h.encode("utf-8") for pair in names for h in pair]
    return {
        "name_text": np.frombuffer(b"".join(text), dtype=np.uint8),
        "name_ends": np.cumsum([0] + [len(h) for h in text], dtype=np.int64),
        "name_words": np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
        "name_counts": np.array([counts[w] for w in words], dtype=np.int32),
        "name_start": np.cumsum([0] + [len(u) for u in under], dtype=np.int64),
        "name_filed": np.array([e for u in under for e in u], dtype=np.int32),
    }


class _Segment:
    """One segment's filed names (`filed`), as `Names` reads them."""

    def __init__(self, arrays: dict, count: int, shift: int) -> None:
        self.count, self.shift = count, shift  # its documents; its first one's number
        raw = arrays.get("name_words")
        words = bytes(raw).decode("utf-8").split("\n") if raw is not None and len(raw) else []
        self.counts = np.asarray(arrays.get("name_counts", np.zeros(0, np.int32)))
        self.start = np.asarray(arrays.get("name_start", np.zeros(1, np.int64)))
        self.filed = np.asarray(arrays.get("name_filed", np.zeros(0, np.int32)))
        self.text = arrays.get("name_text", np.zeros(0, np.uint8))
        self.ends = np.asarray(arrays.get("name_ends", np.zeros(1, np.int64)))
        bad = (
            len(self.counts) != len(words)
            or len(self.start) != len(words) + 1
            or len(self.ends) != 2 * count + 1
            or (
                len(self.filed)
                and not 0 <= int(self.filed.min()) <= int(self.filed.max()) < 2 * count
            )
            or not _bounds(self.text, self.ends)
        )
        if bad:  # (damaged: this segment's documents are named by none)
            words, self.counts = [], self.counts[:0]
        self.number = dict(zip(words, range(len(words)), strict=True))

    def under(self, word: str) -> list[int]:
        """The names filed under `word`, as document * 2 + half."""
        i = self.number.get(word)
        if i is None:
            return []
        return self.filed[int(self.start[i]) : int(self.start[i + 1])].tolist()

    def words(self, entry: int) -> list[str]:
        """A filed name's words (none where they are damaged)."""
        raw = bytes(self.text[int(self.ends[entry]) : int(self.ends[entry + 1])])
        try:
            return raw.decode("utf-8").split()
        except UnicodeDecodeError:
            return []


class Names:
    """The names of each document: its file name's words and its title's (stems), without the
    words half the documents or more have ("django", "documentation", "octave"); read from each
    segment's arrays (`filed`), the rest (which words are common, which seldom used) found here."""

    def __init__(
        self,
        segments: list[tuple[int, dict]],
        frequency: Callable[[str], int],
        sentences: int,
    ) -> None:
        """`segments`: each one's documents' count and arrays. `frequency(term)`: how many of the
        index's `sentences` hold the term."""
        self._segments: list[_Segment] = []
        self.n = 0
        for count, arrays in segments:
            self._segments.append(_Segment(arrays, count, self.n))
            self.n += count
        self._frequency, self._seldom = frequency, max(1, sentences // RARE)
        self._rare: dict[str, bool] = {}  # by word of a name, once asked
        self._held: dict[int, tuple[str, ...]] = {}  # the words of a name, once looked at
        # The words half the documents or more have: such a word is common in at least one
        # segment (half of that segment's documents or more), so only those are summed.
        maybe = {
            w
            for s in self._segments
            for w in compress(s.number, 2 * s.counts.astype(np.int64) >= s.count)
        }
        total = {
            w: sum(int(s.counts[s.number[w]]) for s in self._segments if w in s.number)
            for w in maybe
        }
        self._common = frozenset(w for w, c in total.items() if 2 * c >= self.n)
        # The words of names, less the common ones: what a question's words are looked up in.
        if len(self._segments) == 1 and not self._common:
            self._words = self._segments[0].number
        else:
            self._words = {w for s in self._segments for w in s.number} - self._common

    def _seldom_used(self, words: list[str]) -> list[str]:
        """Those of `words` few sentences use (`RARE`)."""
        rare, out = self._rare, []
        for w in words:
            seldom = rare.get(w)
            if seldom is None:
                seldom = rare[w] = self._frequency(w) <= self._seldom
            if seldom:
                out.append(w)
        return out

    def named(self, qset) -> np.ndarray | None:
        """bool[] by document number: the documents whose whole name (every word of it but the
        common ones) the question's terms hold, one of those words seldom used; None for none.

        Such a name is filed under that word, so only the question's seldom-used words are
        looked up (the words of names only: a few µs a question)."""
        words, common, segments = self._words, self._common, self._segments
        known = [w for w in qset if w in words]
        if not known:
            return None
        hit, cache = [], self._held
        for w in self._seldom_used(known):
            for s in segments:
                for entry in s.under(w):
                    key = 2 * s.shift + entry
                    held = cache.get(key)
                    if held is None:
                        held = s.words(entry)
                        held = cache[key] = tuple(
                            [x for x in held if x not in common] if common else held
                        )
                    if held and qset.issuperset(held):
                        hit.append(s.shift + (entry >> 1))
        if not hit:
            return None
        out = np.zeros(self.n, dtype=bool)
        out[hit] = True
        return out
