"""Real words of a language, so that typo correction leaves a real word the documents lack alone.

The word lists are pyspellchecker's (MIT): word frequencies from OpenSubtitles with misspellings
filtered out ("troups", "recieve", "teh" are absent; "swallow" is there), for the languages it
ships. Loaded as Python dicts they cost 20-70 MB a language and 0.1-0.4 s; a serving process
instead memory-maps a sorted array of the words' 64-bit hashes (1-3 MB, under a millisecond),
made once per machine and list version in the cache folder by a child process, so the dict never
lives in the bot. `prepare` makes them ahead (after a build), `real_word` on first need.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from index.cachedir import cache_folder
from index.store.build import FORMAT_VERSION

# The languages pyspellchecker ships a word list for (`SpellChecker.languages()`).
LANGUAGES = frozenset({"en", "es", "fr", "it", "pt", "de", "ru", "ar", "lv", "eu", "nl", "fa"})

# Run in a child: the word list's dict and its JSON stay out of the asking process. With "stems",
# the hashes are of its words' stems, as questions in that language are stemmed: the lists of
# other languages than English hold few of their words' forms (Spanish has "dejar" but not
# "dejaron", German "heißt" but not its "heisst"), so a form is known by its stem.
_MAKE = """
import hashlib, os, sys
import numpy as np
from spellchecker import SpellChecker
lang, path, kind = sys.argv[1], sys.argv[2], sys.argv[3]
words = SpellChecker(language=lang, distance=1).word_frequency.dictionary
if kind == "stems":
    from index.analysis.tokens import stem, words as split
    words = {stem(w, lang, remember=False) for word in words for w in split(word, lang)}
digest = lambda w: int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
hashes = np.unique(np.fromiter((digest(w) for w in words), dtype=np.uint64, count=len(words)))
tmp = f"{path}.{os.getpid()}.tmp"
with open(tmp, "wb") as f:
    np.save(f, hashes, allow_pickle=False)
os.replace(tmp, path)
"""
_ROOT = str(Path(__file__).resolve().parents[3])  # where the child imports this project from


def _hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def _path(lang: str, kind: str = "") -> Path:
    try:
        release = version("pyspellchecker")
    except PackageNotFoundError:
        release = "unknown"
    # (stems change with the analysis, which the index format's version follows)
    tail = f"-stems-{FORMAT_VERSION}" if kind == "stems" else ""
    return cache_folder() / "words" / f"{lang}-{release}{tail}.npy"


def _hashes(lang: str, kind: str = "") -> np.ndarray | None:
    """The sorted hashes of `lang`'s words (or, `kind` "stems", of their stems), made first if
    need be; None if they cannot be."""
    path = _path(lang, kind)
    if not path.exists():
        env = {**os.environ, "PYTHONHASHSEED": "0"}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (_ROOT, env.get("PYTHONPATH")) if p)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [sys.executable, "-c", _MAKE, lang, str(path), kind or "words"],
                check=True,
                capture_output=True,
                timeout=120,
                env=env,
            )
        except (OSError, subprocess.SubprocessError):
            return None  # no cache folder or no list: typos are corrected as without one
    try:
        hashes = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError):
        return None
    return hashes if hashes.dtype == np.uint64 and hashes.ndim == 1 else None


def _lookup(hashes: np.ndarray | None) -> Callable[[str], bool] | None:
    if hashes is None or not len(hashes):
        return None

    def known(word: str) -> bool:
        h = np.uint64(_hash(word))
        i = int(np.searchsorted(hashes, h))
        return i < len(hashes) and hashes[i] == h

    return known


@cache
def real_word(lang: str) -> Callable[[str], bool] | None:
    """Whether a lowercase word is a word of `lang`, or None when there is no list for it."""
    return _lookup(_hashes(lang)) if lang in LANGUAGES else None


@cache
def real_stem(lang: str) -> Callable[[str], bool] | None:
    """Whether a stem (`tokens.stem` in `lang`) is that of a word of `lang`'s list, or None when
    there is no list; None for English, whose list holds its words' forms."""
    return _lookup(_hashes(lang, "stems")) if lang in LANGUAGES and lang != "en" else None


def prepare(languages: Iterable[str]) -> None:
    """Make the word lists of `languages` ready, so no question waits for one."""
    for lang in languages:
        real_word(lang)
        real_stem(lang)
