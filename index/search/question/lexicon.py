"""Real words of a language, so that typo correction leaves a real word the documents lack alone.

The word lists are pyspellchecker's (MIT): word frequencies from OpenSubtitles with misspellings
filtered out ("troups", "recieve", "teh" are absent; "swallow" is there), for the languages it
ships. A list is loaded the first time a question in its language has a word the index lacks
(0.1 s and about 20 MB for English), once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

# The languages pyspellchecker ships a word list for (`SpellChecker.languages()`).
LANGUAGES = frozenset({"en", "es", "fr", "it", "pt", "de", "ru", "ar", "lv", "eu", "nl", "fa"})


@cache
def real_word(lang: str) -> Callable[[str], bool] | None:
    """Whether a lowercase word is a word of `lang`, or None when there is no list for it."""
    if lang not in LANGUAGES:
        return None
    from spellchecker import SpellChecker

    return SpellChecker(language=lang, distance=1).word_frequency.dictionary.__contains__
