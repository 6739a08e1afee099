"""Synonyms of question words, from a small table derived from WordNet 3.0 (shipped as JSON).

The table maps a word's stem to the stems of the other one-word lemmas of its most common senses
(WordNet lists a lemma's senses most frequent first), and a multiword lemma ("come back", "set
up", "prime minister") to the one-word lemmas of its most common senses ("return"; "establish",
"found"; "premier"), so a question's phrase matches a sentence's word. Regenerate it from Debian's `wordnet-base`
(`apt-get install wordnet-base`; WordNet's licence allows redistributing derived data):

    python -m index.search.synonyms /usr/share/wordnet

WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. (Licence: see
https://wordnet.princeton.edu/license-and-commercial-use; the notice is kept in the table.)
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

from index.analysis.tokens import STOPWORDS, stem

TABLE_PATH = Path(__file__).with_name("synonyms.json")
SENSES = 2  # a lemma's most common senses that give synonyms: rarer ones are mostly noise
_WORD = re.compile(r"[a-z]{3,}")
_PHRASE = re.compile(r"[a-z]+(?:_[a-z]+)+")  # no hyphens or apostrophes: their words split apart
MAX_PHRASE = 4  # words; longer lemmas are idioms questions do not quote
NOTICE = (
    "Derived from WordNet 3.0. WordNet 3.0 Copyright 2006 by Princeton University. "
    "All rights reserved. THIS SOFTWARE AND DATABASE IS PROVIDED 'AS IS' AND PRINCETON "
    "UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED."
)


def _senses(wordnet: Path) -> Iterator[tuple[str, list[str]]]:
    """(lemma, the one-word lemmas of its SENSES most common senses, lowercased) for every lemma
    of WordNet's index.* files, read with their data.* files."""
    for pos in ("noun", "verb", "adj", "adv"):
        data = (wordnet / f"data.{pos}").read_bytes()
        for line in (wordnet / f"index.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue  # the licence header
            parts = line.split()
            n_synsets, n_ptrs = int(parts[2]), int(parts[3])
            found = []
            for offset in parts[6 + n_ptrs : 6 + n_ptrs + n_synsets][:SENSES]:
                end = data.index(b"\n", int(offset))
                fields = data[int(offset) : end].decode("latin-1").split()
                count = int(fields[3], 16)
                for word in fields[4 : 4 + 2 * count : 2]:
                    word = re.sub(r"\(.*\)$", "", word).lower()
                    if _WORD.fullmatch(word) and word not in STOPWORDS:
                        found.append(word)
            yield parts[0], found


def build(wordnet: Path) -> dict[str, list[str]]:
    """{stem: synonym stems} from WordNet's index.* and data.* files."""
    table: dict[str, set[str]] = {}
    for lemma, found in _senses(wordnet):
        if not _WORD.fullmatch(lemma) or lemma in STOPWORDS:
            continue
        own = stem(lemma)
        for word in found:
            if stem(word) != own:
                table.setdefault(own, set()).add(stem(word))
    return {k: sorted(v) for k, v in sorted(table.items())}


def phrase_key(words: list[str]) -> str:
    """The table's key for a run of normalized words: stems, stopwords kept as they are."""
    return " ".join(w if w in STOPWORDS else stem(w) for w in words)


def build_phrases(wordnet: Path) -> dict[str, list[str]]:
    """{phrase key: synonym stems} for WordNet's multiword lemmas of 2 to MAX_PHRASE words."""
    table: dict[str, set[str]] = {}
    for lemma, found in _senses(wordnet):
        if not _PHRASE.fullmatch(lemma) or lemma.count("_") >= MAX_PHRASE:
            continue
        words = lemma.split("_")
        own = {stem(w) for w in words if w not in STOPWORDS}
        if not own:
            continue  # all stopwords ("at all"): no question word to credit
        key = phrase_key(words)
        for word in found:
            if stem(word) not in own:
                table.setdefault(key, set()).add(stem(word))
    return {k: sorted(v) for k, v in sorted(table.items())}


@lru_cache(maxsize=1)
def _load() -> tuple[dict[str, list[str]], dict[str, list[str]], frozenset[str]]:
    try:
        raw = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
        words, phrases = raw["synonyms"], raw["phrases"]
        if not isinstance(words, dict) or not isinstance(phrases, dict):
            raise ValueError("no synonyms or phrases object")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(
            f"verbatim: synonym table {TABLE_PATH} unusable ({exc}); no synonyms", file=sys.stderr
        )
        return {}, {}, frozenset()
    # The keys' first two words: a question's word pair that starts no phrase costs one set
    # lookup (strings, not tuples: 2 ms to build instead of 8).
    starts = frozenset(
        k[: k.find(" ", k.find(" ") + 1)] if k.count(" ") > 1 else k for k in phrases
    )
    return words, phrases, starts


def table() -> dict[str, list[str]]:
    """{stem: synonym stems} of the shipped table; empty (said once on stderr) when it is
    missing or damaged. Reading it reads the phrases too."""
    return _load()[0]


def phrases() -> dict[str, list[str]]:
    """{phrase key: synonym stems} of the shipped table (see `phrase_key`)."""
    return _load()[1]


def in_question(words: list[str]) -> list[tuple[list[str], list[str]]]:
    """(the phrase's non-stopword stems, its synonyms' stems) for each table phrase among a
    question's normalized words (stopwords included, in order): one lookup a word pair, more
    only where a phrase starts."""
    _, table, starts = _load()
    if not table:
        return []
    keys = [w if w in STOPWORDS else stem(w) for w in words]
    found = []
    for i in range(len(keys) - 1):
        if keys[i] + " " + keys[i + 1] not in starts:
            continue
        for n in range(2, min(MAX_PHRASE, len(keys) - i) + 1):
            synonyms = table.get(" ".join(keys[i : i + n]))
            if synonyms:
                own = [keys[j] for j in range(i, i + n) if words[j] not in STOPWORDS]
                found.append((own, synonyms))
    return found


def main(argv: list[str]) -> int:
    """Write the table from a WordNet database folder."""
    folder = Path(argv[0] if argv else "/usr/share/wordnet")
    built, multi = build(folder), build_phrases(folder)
    out = {"notice": NOTICE, "senses": SENSES, "synonyms": built, "phrases": multi}
    TABLE_PATH.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
    size = TABLE_PATH.stat().st_size
    print(f"{len(built)} stems, {len(multi)} phrases, {size} bytes: {TABLE_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
