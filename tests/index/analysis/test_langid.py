"""py3langid's model memory-mapped from the cache folder (index/analysis/langid.py): it ranks
questions exactly as py3langid's own restricted model does, is unpacked once, and without a
cache folder is read as py3langid reads it."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

from index.analysis import langid

LANGUAGES = ("de", "en", "es", "fr", "it", "pt")
QUESTIONS = [
    "how many troops will Mexico train?",
    "¿Con qué edad frisaba nuestro hidalgo?",
    "Wann ist Gregor Samsa aufgewacht?",
    "Quantos soldados o México vai treinar?",
    "quanti soldati addestrerà il Messico",
    "Où se trouve la gare ?",
    "kwargs",  # a code word: little to go on
    "",
    "¿" * 3 + "naïve façade " * 40,  # features met many times
]


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    """A cache folder of its own, and no model read yet in this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(langid, "_model", None)
    return tmp_path / "verbatim" / "langid"


@pytest.fixture(scope="module")
def stock():
    model = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    model.set_languages(list(LANGUAGES))
    return model


def _same_ranking(model, stock):
    for question in QUESTIONS:
        ours, theirs = model.rank(question), stock.rank(question)
        assert [c for c, _ in ours] == [c for c, _ in theirs], question
        assert [p for _, p in ours] == pytest.approx([p for _, p in theirs], abs=1e-6), question


def test_the_mapped_model_ranks_as_py3langid_does_and_is_unpacked_once(fresh, stock):
    model = langid.identifier(LANGUAGES)
    (folder,) = fresh.iterdir()
    restricted = [f"ptc-{'-'.join(map(str, model._columns))}.npy"] if model._compiled else []
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{name}.npy" for name in ("ptc", "pc", "nextmove", "row", "out")]
        + ["classes.json"]
        + restricted  # the collection's columns of the table, for the compiled scoring
    )
    _same_ranking(model, stock)
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    langid._model = None  # as a new process: maps what is there, unpacks nothing
    _same_ranking(langid.identifier(LANGUAGES), stock)
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps


def test_without_a_cache_folder_the_model_is_read_as_py3langid_reads_it(fresh, stock, monkeypatch):
    blocked = fresh.parents[1] / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    model = langid.identifier(LANGUAGES)
    assert model._compiled is (langid._kernel is not None)  # its arrays read as the mapped ones
    _same_ranking(model, stock)


def test_under_two_known_languages_there_is_nothing_to_tell(fresh):
    assert langid.identifier(["en"]) is None
    assert langid.identifier(["en", "xx-unknown"]) is None


def test_the_compiled_walk_meets_py3langids_features_in_its_order(fresh):
    """The kernel's walk of the automaton gives py3langid's Counter, its keys in the same order
    (the order the scores are summed in), on text and on random bytes, short and long."""
    langid.identifier(LANGUAGES)
    _, _, _, automaton, outputs, rows = langid._model
    if langid._kernel is None:
        pytest.skip("the compiled kernel is not built on this machine (no C compiler)")
    rowbase = [r << 8 for r in rows]
    rng = random.Random(7)
    texts = [q.encode() for q in QUESTIONS] + [
        bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000))) for _ in range(30)
    ]
    for text in texts:
        ids, counts = langid._kernel.dfa_visits(automaton, rows, outputs, text)
        got = Counter(
            dict(
                zip(
                    np.frombuffer(ids, np.int64).tolist(),
                    np.frombuffer(counts, np.float32),
                    strict=True,
                )
            )
        )
        want = visit_counts(automaton, rowbase, outputs, text) or Counter()
        assert list(got.items()) == list(want.items())
    with pytest.raises(ValueError):  # a state past the arrays' ends is refused, not read
        langid._kernel.dfa_visits(automaton, rows[:1], outputs, b"ab")


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "py3langid-walk"])
def test_either_walk_ranks_as_py3langid_does(fresh, stock, monkeypatch, compiled):
    """py3langid's walk with numpy's scoring gives its very floats; the compiled scoring (in
    double, over the restricted columns) its order, and its probabilities within 1e-5, on
    questions and on text met by chance (random words of the six languages' alphabets)."""
    if compiled and langid._kernel is None:
        pytest.skip("the compiled kernel is not built on this machine (no C compiler)")
    if not compiled:
        monkeypatch.setattr(langid, "_kernel", None)
    model = langid.identifier(LANGUAGES)
    assert model._compiled is compiled
    if not compiled:
        for question in QUESTIONS:
            assert model.rank(question) == stock.rank(question), question
        return
    rng = random.Random(11)
    letters = "abcdefghijklmnopqrstuvwxyzàáâãçèéêíñóôõöúüßčěřšůž?¿ "
    texts = QUESTIONS + ["".join(rng.choices(letters, k=rng.randrange(3, 80))) for _ in range(300)]
    for text in texts:
        ours, theirs = model.rank(text), stock.rank(text)
        assert [c for c, _ in ours] == [c for c, _ in theirs], text
        assert [p for _, p in ours] == pytest.approx([p for _, p in theirs], abs=1e-5), text
        assert sum(p for _, p in ours) == pytest.approx(1.0)


def test_a_language_with_two_columns_is_ranked_once_as_py3langid_ranks_it(fresh):
    """py3langid's table holds Serbian and Uzbek twice (two scripts each): their shares are
    added, as its own rank adds them."""
    languages = ("bg", "ru", "sr", "uk", "uz")
    model = langid.identifier(languages)
    assert model._alias_pairs  # the case this test is about
    stock = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    stock.set_languages(list(languages))
    for text in ["Где находится вокзал?", "Де знаходиться вокзал?", "Где се налази станица?", ""]:
        ours, theirs = model.rank(text), stock.rank(text)
        assert [c for c, _ in ours] == [c for c, _ in theirs], text
        assert [p for _, p in ours] == pytest.approx([p for _, p in theirs], abs=1e-5), text


def test_the_compiled_scoring_refuses_a_table_it_cannot_read(fresh):
    if langid._kernel is None:
        pytest.skip("the compiled kernel is not built on this machine (no C compiler)")
    model = langid.identifier(LANGUAGES)
    args = (model.tk_nextmove, model.tk_row, model.tk_output, b"wann ist")
    table, priors = model._table, model._priors
    with pytest.raises(ValueError):  # priors for another number of columns
        langid._kernel.dfa_scores(*args, table, priors[:-1])
    with pytest.raises(IndexError):  # the features' rows past the table's end
        langid._kernel.dfa_scores(*args, np.ascontiguousarray(table[:10]), priors)
    with pytest.raises(ValueError):  # a state past the automaton's end
        langid._kernel.dfa_scores(args[0], args[1][:1], args[2], b"ab", table, priors)


def test_a_damaged_model_in_the_cache_tells_no_language_and_raises_nothing(fresh):
    """The cache folder is the user's: an automaton whose states point past its end (a disk
    error, a hand edit) leaves the question read in each candidate language, as when
    py3langid cannot tell them apart, never a traceback."""
    from index.analysis import languages

    langid.identifier(LANGUAGES)  # made in the fresh cache folder
    (folder,) = fresh.iterdir()
    automaton = np.load(folder / "nextmove.npy")
    np.save(folder / "nextmove.npy", np.full_like(automaton, 2**31), allow_pickle=False)
    langid._model = None
    languages._models.clear()
    try:
        assert languages.question_languages(QUESTIONS[0], list(LANGUAGES)) == list(LANGUAGES)
    finally:
        languages._models.clear()
