"""Typo correction: the most frequent word one edit away that keeps the first letter, within bounds."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from index import open_index
from index.search.question.lexicon import real_stem, real_word
from index.search.question.typos import correct

ROOT = Path(__file__).resolve().parents[4]


def counts(table: dict[str, int]):
    """A frequency function over `table` (0 for any other word), recording what it was asked."""
    asked: list[str] = []

    def frequency(word: str) -> int:
        asked.append(word)
        return table.get(word, 0)

    frequency.asked = asked
    return frequency


# "troups" is one edit from each: replace (troops), replace (troupe), insert (troupes), delete
# (trups), transpose (trousp); "groups" is also one edit away but changes the first letter.
CANDIDATES = ("troops", "troupe", "troupes", "trups", "trousp")


@pytest.mark.parametrize("best", CANDIDATES)
def test_the_most_frequent_candidate_wins_whichever_it_is(best):
    table = {w: 10 + i for i, w in enumerate(c for c in CANDIDATES if c != best)}
    table[best] = 100
    table["groups"] = 10_000  # more frequent still, but the first letter differs
    assert correct("troups", counts(table)) == best


def test_not_the_least_frequent_nor_the_first_found():
    table = {"troops": 3, "troupe": 50, "troupes": 7}
    assert correct("troups", counts(table)) == "troupe"
    table = {"troops": 50, "troupe": 3, "troupes": 7}
    assert correct("troups", counts(table)) == "troops"


TIES = """
from index.search.question.typos import correct
tables = [{"troupe": 9, "troops": 9, "troupes": 9}, {"troupe": 9, "troupes": 9}, {"trups": 4, "trousp": 4}]
print([correct("troups", lambda w, t=t: t.get(w, 0)) for t in tables])
"""


def test_a_tie_is_broken_the_same_way_whatever_the_hash_seed():
    """The candidates come from a set, whose order changes with the hash seed; the answer must not."""
    runs = set()
    for seed in ("0", "1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", TIES], capture_output=True, text=True, env=env, timeout=60
        )
        assert done.returncode == 0, done.stderr
        runs.add(done.stdout)
    (out,) = runs
    first, second, third = ast.literal_eval(out)
    assert first in ("troupe", "troops", "troupes")
    assert second in ("troupe", "troupes") and third in ("trups", "trousp")


def test_min_count_leaves_out_rare_words():
    table = {"troops": 2, "troupe": 5}
    assert correct("troups", counts(table), min_count=3) == "troupe"
    assert correct("troups", counts(table), min_count=6) is None


def test_two_edits_away_or_another_first_letter_is_no_correction():
    assert correct("troupss", counts({"troops": 50})) is None  # two edits
    assert correct("groups", counts({"troops": 50})) is None  # only by changing the first letter


@pytest.mark.parametrize(
    ("word", "table", "expected"),
    [
        ("tran", {"train": 9}, None),  # 4 letters: too often a real word the documents lack
        ("trian", {"train": 9}, "train"),  # 5 letters: corrected
        ("a" * 29 + "b", {"a" * 30: 9}, "a" * 30),  # 30 letters: corrected
        ("a" * 30 + "b", {"a" * 31: 9, "a" * 30: 9}, None),  # 31 letters: no word
    ],
    ids=["4-letters", "5-letters", "30-letters", "31-letters"],
)
def test_length_bounds(word, table, expected):
    frequency = counts(table)
    assert correct(word, frequency) == expected
    if expected is None:
        assert frequency.asked == []  # refused before looking anything up


@pytest.mark.parametrize(
    "word", ["tr0ups", "troups!", "trou-ps", "troup's", "trôups", "trоups", "troups ", "12345"]
)
def test_words_with_non_letters_are_left_alone(word):
    """Digits, punctuation, accents and look-alike letters (a Cyrillic о) are not typos."""
    frequency = counts({"troops": 99, "troupe": 99})
    assert correct(word, frequency) is None
    assert frequency.asked == []


def test_the_index_corrects_to_the_most_frequent_of_several(tmp_path):
    """Through the index: "planx" is one edit from "plane" (one sentence) and "plant" (three)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "field.txt").write_text(
        "The plane landed on the field.\n\n"
        "The plant grew tall. The plant flowered in May. Frost killed the plant.\n",
        encoding="utf-8",
    )
    idx = open_index(docs, tmp_path / "index")
    answer = idx.ask("when did the planx flower")
    assert answer.corrections == {"planx": "plant"}
    assert "The plant flowered in May." in answer.passages[0].text
    answer = idx.ask("where did the plnae land")  # one edit (a swap) from "plane" only
    assert answer.corrections == {"plnae": "plane"}
    assert "The plane landed on the field." in answer.passages[0].text


def test_a_real_word_is_never_corrected():
    real = {"swallow", "shallow", "bride"}.__contains__
    assert correct("swallow", counts({"shallow": 50}), real_word=real) is None
    assert correct("bride", counts({"bridg": 5}), real_word=real) is None  # a doc's broken word
    assert correct("troups", counts({"troops": 5}), real_word=real) == "troops"  # not a word


def test_a_real_word_is_preferred_to_a_more_frequent_non_word():
    real = {"troops", "troupe"}.__contains__
    assert correct("troups", counts({"trouvs": 50, "troops": 2}), real_word=real) == "troops"
    assert correct("troups", counts({"trouvs": 50, "troops": 2, "troupe": 3}), real_word=real) == (
        "troupe"  # among real words, the most frequent
    )
    assert correct("troups", counts({"trouvs": 50}), real_word=real) == "trouvs"  # no real one


def test_a_french_document_does_not_turn_an_english_typo_into_a_stem_of_its_own(tmp_path):
    """English and French words share the index's terms: "trouvs", one edit from "troups", has the
    stem of every French "trouvé" and "trouver", more frequent than "troops"."""
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "seeds", docs)
    (docs / "recherche.txt").write_text(
        "La recherche\n\nNous avons trouvé la clé sous le paillasson. Elle a trouvé une solution "
        "au problème en une heure. Ils ont trouvé refuge dans une vieille grange.\n\nOn ne trouve "
        "pas toujours ce que l'on cherche. Trouver un bon livre demande du temps. Vous trouverez "
        "la gare au bout de la rue. Je trouvais la route longue.\n",
        encoding="utf-8",
    )
    idx = open_index(docs, tmp_path / "index")
    assert dict(idx.report.languages) == {"en": 1, "fr": 1}
    answer = idx.ask("how many troups will mexico train")
    assert answer.corrections == {"troups": "troops"}
    assert answer.passages[0].answer == "700"


def test_the_word_lists_know_real_words_and_not_typos():
    english = real_word("en")
    assert english("swallow") and english("shallow") and english("troops")
    assert not english("troups") and not english("recieve")
    assert real_word("es")("golondrina")
    assert real_word("zh") is None  # no list: every unknown word may be a typo, as before


def test_the_index_leaves_a_real_word_the_documents_lack_alone(tmp_path):
    """ "swallow" is one edit from "shallow", a word of the documents, but it is no typo of it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "pond.txt").write_text(
        "The shallow pond froze in January.\n\nOwls nest in old barns and hollow trees.\n",
        encoding="utf-8",
    )
    idx = open_index(docs, tmp_path / "index")
    answer = idx.ask("where does the swallow nest")
    assert answer.corrections == {}
    assert all("shallow" not in p.text for p in answer.passages)
    assert idx.ask("how did the shalow pond change").corrections == {"shalow": "shallow"}


def test_a_form_of_a_listed_word_is_known_by_its_stem():
    """Other languages' lists hold few forms of their words (Spanish has "dejar", not "dejaron";
    German "heißt", which a question normalizes to "heisst"): their stems tell the forms."""
    from index.analysis.tokens import stem

    spanish, german = real_stem("es"), real_stem("de")
    assert not real_word("es")("dejaron") and spanish(stem("dejaron", "es"))
    assert spanish(stem("tropas", "es")) and not spanish(stem("tropsa", "es"))
    assert german(stem("heisst", "de")) and not german(stem("cynaobakterien", "de"))
    assert real_stem("en") is None and real_stem("zh") is None


def test_the_index_leaves_a_spanish_verb_form_the_documents_lack_alone(tmp_path):
    """ "dejaron" (they let) is one edit from "delaron", whose Spanish stem is that of "del", a
    word of every Spanish text: it was "corrected" so. A typo is still corrected."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "final.txt").write_text(
        "La defensa del equipo cedió solo 308 puntos en toda la temporada del campeonato.\n\n"
        "Las tropas del general cruzaron el río antes del amanecer.\n",
        encoding="utf-8",
    )
    idx = open_index(docs, tmp_path / "index")
    answer = idx.ask("¿Cuántos puntos dejaron escapar en defensa?")
    assert answer.corrections == {}
    assert "308" in answer.passages[0].text
    assert idx.ask("¿Qué cruzaron las tropsa?").corrections == {"tropsa": "tropa"}


def test_word_lists_are_made_once_and_memory_mapped(tmp_path, monkeypatch):
    """Made by a child process into the cache folder, then read from there, never made again."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    real_word.cache_clear()
    english = real_word("en")
    made = tmp_path / "verbatim" / "words"
    (path,) = made.iterdir()
    assert path.name.startswith("en-") and path.suffix == ".npy"
    assert english("swallow") and not english("troups")
    stamp = path.stat().st_mtime_ns
    real_word.cache_clear()
    assert real_word("en")("shallow") and path.stat().st_mtime_ns == stamp
    real_word.cache_clear()


def test_without_a_cache_folder_typos_are_corrected_as_without_a_list(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    real_word.cache_clear()
    real_stem.cache_clear()
    assert real_word("en") is None and real_stem("es") is None
    real_word.cache_clear()
    real_stem.cache_clear()


def test_a_typos_variants_are_not_kept_in_the_stem_caches(tmp_path):
    """Hundreds of made-up variants a typo: kept, they would fill a long-running bot's memory."""
    from index.analysis import multilingual, tokens

    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "seeds", docs)
    idx = open_index(docs, tmp_path / "index")
    idx.ask("how many troops will mexico train")  # its own words stemmed and kept
    before = len(tokens._stem_cache) + len(multilingual._stems)
    answer = idx.ask("how many troups will mexico train")
    assert answer.corrections == {"troups": "troops"}
    assert len(tokens._stem_cache) + len(multilingual._stems) - before <= 2  # troups, not ~300


def test_a_slip_on_a_small_word_is_that_word_left_out(tmp_path):
    """ "teh" is "the" with two letters swapped: unknown to the documents, it was counted as a word
    nothing answers, and "wat is teh defualt terminal" got "no passage"."""
    from index.search.question.typos import slip_of

    small = frozenset({"the", "what", "of", "and"})
    assert slip_of("teh", small) and slip_of("hte", small) and slip_of("fo", small)
    assert slip_of("wht", small) and slip_of("adn", small)
    assert not slip_of("tech", small) and not slip_of("ofx", small) and not slip_of("th3", small)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "plot.txt").write_text(
        "The default terminal depends on the platform and on the variable GNUTERM.\n"
        "Plots are drawn with lines unless a style is given.\n"
    )
    idx = open_index(docs, tmp_path / "index")
    answer = idx.ask("wat is teh defualt terminal")
    assert answer.passages and answer.passages[0].text.startswith("The default terminal")
    assert not idx.ask("how do i descale teh kettle").passages  # still nothing to answer it
