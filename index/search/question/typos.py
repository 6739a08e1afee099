"""Correct a question word that is not in the index to the nearest frequent word that is."""

from __future__ import annotations

from collections.abc import Callable

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1]
    replaces = [a + c + b[1:] for a, b in splits if b for c in LETTERS]
    inserts = [a + c + b for a, b in splits for c in LETTERS]
    return set(deletes + transposes + replaces + inserts)


def correct(
    word: str,
    frequency: Callable[[str], int],
    min_count: int = 1,
    real_word: Callable[[str], bool] | None = None,
) -> str | None:
    """The most frequent vocabulary word one edit away that keeps the first letter, or None.

    `frequency` gives how often a word occurs in the documents (0 when absent). Typing rarely gets
    the first letter wrong, so "troups" becomes "troops", not the more frequent "groups".
    `real_word` tells the words of the question's language: a real word the documents lack is
    left alone. Corrected, it becomes whatever the documents have one edit away: "swallow" became
    "shallow", and on SQuAD "bride" became "bridg", "giver" "gived" and "posses" "passes". A
    typo is corrected to a real word rather than to a more frequent word that is none.
    """
    # Short words are too often real words the documents lack ("bees" is not a typo of "beds");
    # past 30 letters it is no word, and its 54 × n variants would only cost time.
    if not 5 <= len(word) <= 30 or not word.isalpha() or not word.isascii():
        return None
    if real_word is not None and real_word(word):
        return None
    options = [w for w in _edits1(word) if w[:1] == word[:1]]
    scored = [(n, w) for w in options if (n := frequency(w)) >= min_count]
    if not scored:
        return None
    # A real word before a non-word, then the most frequent: stems are shared across a folder's
    # languages, so "trouvs" counts every French "trouvé" and would beat "troops".
    real = real_word or (lambda w: False)
    return max(scored, key=lambda nw: (real(nw[1]), nw[0], [-ord(c) for c in nw[1]]))[1]


def slip_of(word: str, small_words: frozenset[str]) -> bool:
    """Whether `word` is a slip typing one of `small_words` (the words a question leaves out):
    two letters swapped ("teh", "hte", "adn", "fo") or one left out ("wht", "tht"). Such a word,
    unknown to the documents, is left out as the word meant, not counted as a word nothing
    answers."""
    if not 2 <= len(word) <= 6 or not word.isalpha() or not word.isascii():
        return False
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    missing = {a + c + b for a, b in splits for c in LETTERS} if len(word) >= 3 else set()
    return not small_words.isdisjoint(swaps | missing)
