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
        document's `tokens.name_terms` as `stored` gives them (found here where one is None)."""
        self.n = n = len(doc_ids)
        if words is None or len(words) != n:
            words = [None] * n
        pairs = [
            got if got is not None else name_terms(doc_ids[d], titles[d])  # (not stored, damaged)
            for d, got in enumerate(words)
        ]
        # The words half the documents or more have in their name or title (a word of both
        # counted once): only a word used that often anywhere in them is counted by document.
        counts = Counter(" ".join(f"{a} {b}" for a, b in pairs).split())
        common = {
            w
            for w, c in counts.items()
            if 2 * c >= n and 2 * sum(w in set(f"{a} {b}".split()) for a, b in pairs) >= n
        }
        seldom = max(1, sentences // RARE)
        vocab = list(counts)
        rare = set(compress(vocab, frequencies(vocab) <= seldom))
        # Each name as its sorted words, with its documents in order (a file name and title alike
        # are one name of the document).
        by_name: dict[tuple[str, ...], list[int]] = {}
        for d, pair in enumerate(pairs):
            for held in pair:
                held = held.split()
                if common:
                    held = [w for w in held if w not in common]
                if rare.isdisjoint(held):
                    continue
                key = tuple(sorted(set(held))) if len(held) > 1 else tuple(held)
                ds = by_name.setdefault(key, [])
                if not ds or ds[-1] != d:
                    ds.append(d)
        # Kept as sorted tuples (a third of a frozenset's memory: 39,541 names of a bench
        # folder's 25,000 titles). (No name is half the documents' or more: its words would all
        # be common.)
        self.names: list[tuple[tuple[str, ...], tuple[int, ...]]] = [
            (held, tuple(ds)) for held, ds in by_name.items()
        ]
        # Each name filed under the word of it that the fewest names and titles have (the first
        # such word in alphabetical order): a question holds a whole name only if it holds that
        # word, so it looks at a few names, not at every name one of its words is part of (a
        # bench folder of 25,000 titles has 1,103 with "use").
        self._by_word: dict[str, list[int]] = {}
        for i, (held, _) in enumerate(self.names):
            key = held[0] if len(held) == 1 else min(held, key=counts.__getitem__)
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
