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
from itertools import chain, compress

import numpy as np

from index.analysis.tokens import name_terms

SHARE = 0.5  # of its score a sentence keeps when the question names other documents than its own
RARE = 1000  # a name's word is seldom used when one sentence in this many holds it, or just one


def stored(meta: dict) -> list[tuple[str, str] | None]:
    """A segment's documents' `tokens.name_terms` as it stored them; None for each it stored
    none of (a segment written before they were) or a damaged one: they are found again."""
    got = meta.get("names")
    if not isinstance(got, list) or len(got) != len(meta["doc_ids"]):
        return [None] * len(meta["doc_ids"])
    return [_pair(x) for x in got]


def _pair(x) -> tuple[str, str] | None:
    ok = isinstance(x, (list, tuple)) and len(x) == 2 and all(isinstance(w, str) for w in x)
    return tuple(x) if ok else None


class Names:
    """The names of each document: its file name's words and its title's (stems), without the
    words half the documents or more have ("django", "documentation", "octave")."""

    def __init__(
        self,
        doc_ids: list[str],
        titles: list[str | None],
        frequencies: Callable[[list[str]], np.ndarray],
        sentences: int,
        words: list | None = None,
    ) -> None:
        """`frequencies(terms)`: how many of the index's `sentences` hold each term. `words`: each
        document's `tokens.name_terms` as stored when it was read (found here where one is None)."""
        self.n = len(doc_ids)
        raw: list[tuple[frozenset[str], frozenset[str]]] = []
        if words is None or len(words) != self.n:
            words = [None] * self.n
        for d, got in enumerate(words):
            if got is None or _pair(got) is None:
                got = name_terms(doc_ids[d], titles[d])  # (not stored, or damaged)
            raw.append((frozenset(got[0].split()), frozenset(got[1].split())))
        counts = Counter(chain.from_iterable(a | b for a, b in raw))
        common = {w for w, c in counts.items() if 2 * c >= self.n}
        seldom = max(1, sentences // RARE)
        vocab = list(counts)
        rare = set(compress(vocab, frequencies(vocab) <= seldom))
        by_name: dict[frozenset[str], list[int]] = {}
        for d, pair in enumerate(raw):
            for held in pair:
                held = held - common if common else held
                if not rare.isdisjoint(held):
                    by_name.setdefault(held, []).append(d)
        # A name half the documents or more have names none. Kept as sorted tuples (a third of
        # a frozenset's memory: 39,541 names of a bench folder's 25,000 titles).
        self.names: list[tuple[tuple[str, ...], tuple[int, ...]]] = []
        for held, ds in by_name.items():
            ds = ds if len(ds) == 1 else sorted(set(ds))  # (a file name and title alike: twice)
            if 2 * len(ds) < self.n:
                self.names.append((tuple(sorted(held)), tuple(ds)))
        # Each name filed under the word of it that the fewest names share (the first such word
        # in alphabetical order): a question holds a whole name only if it holds that word, so it
        # looks at a few names, not at every name one of its words is part of (a bench folder of
        # 25,000 titles has 1,103 with "use").
        shared = Counter(chain.from_iterable(held for held, _ in self.names))
        self._by_word: dict[str, list[int]] = {}
        for i, (held, _) in enumerate(self.names):
            key = held[0] if len(held) == 1 else min(held, key=shared.__getitem__)
            self._by_word.setdefault(key, []).append(i)

    def named(self, qset) -> np.ndarray | None:
        """bool[] by document number: the documents whose whole name (every word of it) the
        question's terms hold; None for none."""
        names, by_word = self.names, self._by_word
        hit = [
            d
            for w in qset
            if w in by_word
            for i in by_word[w]
            if qset.issuperset(names[i][0])
            for d in names[i][1]
        ]
        if not hit:
            return None
        out = np.zeros(self.n, dtype=bool)
        out[hit] = True
        return out
