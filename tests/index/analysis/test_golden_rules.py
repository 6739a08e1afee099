"""pySBD's English Golden Rules as a public yardstick for `index.analysis.sentences.split`.

The 48 cases are copied unchanged from pySBD (MIT licence; the notice and the exact source are in
golden_rules_en.json). pySBD itself passes 47; NLTK's trained Punkt model 27.
"""

import json
from pathlib import Path

from index.analysis.sentences import split

DATA = json.loads((Path(__file__).parent / "golden_rules_en.json").read_text(encoding="utf-8"))
TARGET = 42  # issue 11; the splitter before it passed 29


def test_golden_rules_data_is_the_full_set_with_its_licence():
    assert len(DATA["cases"]) == 48
    assert DATA["licence"][0] == "MIT License"
    assert "Copyright (c) 2019 Nipun Sadvilkar" in DATA["licence"]


def test_golden_rules_score(capsys):
    failed = []
    for text, expected in DATA["cases"]:
        got = [text[s:e].strip() for s, e, _ in split(text)]
        if got != expected:
            failed.append((text, got, expected))
    passed = len(DATA["cases"]) - len(failed)
    with capsys.disabled():
        print(f"\ngolden rules: {passed}/{len(DATA['cases'])} exact")
        for text, got, _ in failed:
            print(f"  failed: {text!r} -> {got!r}")
    assert passed >= TARGET, failed
