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

import re
from collections.abc import Callable

import numpy as np

from index.analysis.tokens import terms

SHARE = 0.5  # of its score a sentence keeps when the question names other documents than its own
RARE = 1000  # a name's word is seldom used when one sentence in this many holds it, or just one
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_SEPARATORS = re.compile(r"[\W_]+")  # between a name's words: "refcard-a4", "Super_Bowl_50"


class Names:
    """The names of each document: its file name's words and its title's (stems), without the
    words half the documents or more have ("django", "documentation", "octave")."""

    def __init__(
        self,
        doc_ids: list[str],
        titles: list[str | None],
        frequency: Callable[[str], int],
        sentences: int,
    ) -> None:
        """`frequency(term)`: how many of the index's `sentences` hold the term."""
        self.n = len(doc_ids)
        raw: list[tuple[frozenset[str], frozenset[str]]] = []
        counts: dict[str, int] = {}
        for doc_id, title in zip(doc_ids, titles, strict=True):
            name = _EXTENSION.sub("", doc_id.replace("\\", "/").rsplit("/", 1)[-1])
            pair = tuple(frozenset(terms(_SEPARATORS.sub(" ", t))) for t in (name, title or ""))
            raw.append(pair)
            for w in pair[0] | pair[1]:
                counts[w] = counts.get(w, 0) + 1
        common = {w for w, c in counts.items() if 2 * c >= self.n}
        seldom = max(1, sentences // RARE)
        by_name: dict[frozenset[str], set[int]] = {}
        for d, pair in enumerate(raw):
            for words in pair:
                words = words - common
                if words and any(frequency(w) <= seldom for w in words):
                    by_name.setdefault(words, set()).add(d)
        # A name half the documents or more have names none.
        self.names = [(w, sorted(ds)) for w, ds in by_name.items() if 2 * len(ds) < self.n]
        # Each name filed under the word of it that the fewest names share: a question holds a
        # whole name only if it holds that word, so it looks at a few names, not at every name
        # one of its words is part of (a bench folder of 25,000 titles has 1,103 with "use").
        shared: dict[str, int] = {}
        for words, _ in self.names:
            for w in words:
                shared[w] = shared.get(w, 0) + 1
        self._by_word: dict[str, list[int]] = {}
        for i, (words, _) in enumerate(self.names):
            key = min(words, key=lambda w: (shared[w], w))
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
            if names[i][0] <= qset
            for d in names[i][1]
        ]
        if not hit:
            return None
        out = np.zeros(self.n, dtype=bool)
        out[hit] = True
        return out
