"""Synonyms of question words, from a small table derived from WordNet 3.0 (shipped as JSON).

The table maps a word's stem to the stems of the other one-word lemmas of its most common senses
(WordNet lists a lemma's senses most frequent first). Regenerate it from Debian's `wordnet-base`
(`apt-get install wordnet-base`; WordNet's licence allows redistributing derived data):

    python -m index.synonyms /usr/share/wordnet

WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved. (Licence: see
https://wordnet.princeton.edu/license-and-commercial-use; the notice is kept in the table.)
"""

from __future__ import annotations

import json
import re
import sys
from functools import lru_cache
from pathlib import Path

from index.tokens import STOPWORDS, stem

TABLE_PATH = Path(__file__).with_name("synonyms.json")
SENSES = 2  # a lemma's most common senses that give synonyms: rarer ones are mostly noise
_WORD = re.compile(r"[a-z]{3,}")
NOTICE = (
    "Derived from WordNet 3.0. WordNet 3.0 Copyright 2006 by Princeton University. "
    "All rights reserved. THIS SOFTWARE AND DATABASE IS PROVIDED 'AS IS' AND PRINCETON "
    "UNIVERSITY MAKES NO REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED."
)


def build(wordnet: Path) -> dict[str, list[str]]:
    """{stem: synonym stems} from WordNet's index.* and data.* files."""
    table: dict[str, set[str]] = {}
    for pos in ("noun", "verb", "adj", "adv"):
        data = (wordnet / f"data.{pos}").read_bytes()
        for line in (wordnet / f"index.{pos}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue  # the licence header
            parts = line.split()
            lemma, n_synsets, n_ptrs = parts[0], int(parts[2]), int(parts[3])
            if not _WORD.fullmatch(lemma) or lemma in STOPWORDS:
                continue
            offsets = parts[6 + n_ptrs : 6 + n_ptrs + n_synsets][:SENSES]
            own = stem(lemma)
            for offset in offsets:
                end = data.index(b"\n", int(offset))
                fields = data[int(offset) : end].decode("latin-1").split()
                count = int(fields[3], 16)
                for word in fields[4 : 4 + 2 * count : 2]:
                    word = re.sub(r"\(.*\)$", "", word).lower()
                    if _WORD.fullmatch(word) and word not in STOPWORDS and stem(word) != own:
                        table.setdefault(own, set()).add(stem(word))
    return {k: sorted(v) for k, v in sorted(table.items())}


@lru_cache(maxsize=1)
def table() -> dict[str, list[str]]:
    """The shipped table; empty (said once on stderr) when it is missing or damaged."""
    try:
        raw = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
        out = raw["synonyms"]
        if not isinstance(out, dict):
            raise ValueError("no synonyms object")
        return out
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(
            f"verbatim: synonym table {TABLE_PATH} unusable ({exc}); no synonyms", file=sys.stderr
        )
        return {}


def main(argv: list[str]) -> int:
    """Write the table from a WordNet database folder."""
    folder = Path(argv[0] if argv else "/usr/share/wordnet")
    built = build(folder)
    TABLE_PATH.write_text(
        json.dumps({"notice": NOTICE, "senses": SENSES, "synonyms": built}, separators=(",", ":"))
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(built)} stems, {TABLE_PATH.stat().st_size} bytes: {TABLE_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
