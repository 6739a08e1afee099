"""Learned word associations (IBM Model 1): the shipped table, the feature, and its fit."""

import json

import numpy as np
import pytest
from makedocs import training_set

from index import open_index
from index.search import associations, features, ranking
from index.tools import train


def test_the_shipped_table_loads_and_links_other_words():
    tab = associations.table()
    assert len(tab) > 10_000
    words, ts, null, background = tab.row("center")
    assert "centr" in words and 0 < background < 1 and 0 <= null < 1
    assert len(words) == len(ts) and all(0 < t <= associations.SCALE for t in ts)


def test_the_table_is_written_as_it_is_read(tmp_path):
    """`pack` lays rows end to end; reading them back gives each row as it was fitted."""
    rows = {"buy": ["purchas car", "7000 2500", 0.01, 0.002], "car": ["car", "9000", 0.0, 0.001],
            "none": ["", "", 0.0, 1e-05]}  # fmt: skip
    path = tmp_path / "associations.json"
    train.write_associations(rows, path, pairs=3)
    associations.use(path)
    try:
        tab = associations.table()
        for q, (words, ts, null, background) in rows.items():
            assert tab.row(q) == (words.split(), [int(t) for t in ts.split()], null, background)
        assert tab.row("nosuchquestionword") == ([], [], 0.0, 0.0)
    finally:
        associations.use(None)


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw.update(word_at="not base64!"),
        lambda raw: raw.update(t=raw["t"][:-4]),  # runs and numbers differ in length
        lambda raw: raw.update(words="one"),  # a number past the words
        lambda raw: raw.update(format=1),
    ],
)
def test_a_damaged_table_gives_a_zero_feature(tmp_path, damage):
    path = tmp_path / "associations.json"
    train.write_associations({"buy": ["purchas car", "7000 2500", 0.01, 0.002]}, path, pairs=1)
    raw = json.loads(path.read_text(encoding="utf-8"))
    damage(raw)
    path.write_text(json.dumps(raw), encoding="utf-8")
    associations.use(path)
    try:
        assert len(associations.table()) == 0
    finally:
        associations.use(None)


def test_a_damaged_row_reads_as_an_empty_one(tmp_path):
    path = tmp_path / "associations.json"
    rows = {"buy": ["purchas car", "7000 2500", 0.01, 0.002], "car": ["car", "9000", 0.0, 0.001]}
    train.write_associations(rows, path, pairs=2)
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["rows"]["buy"] = [0, 99, 0.01, 0.002]  # past the runs
    raw["rows"]["car"] = ["x", 3, 0.0, 0.001]
    path.write_text(json.dumps(raw), encoding="utf-8")
    associations.use(path)
    try:
        assert associations.table().row("buy") == ([], [], 0.0, 0.0)
        assert associations.table().row("car") == ([], [], 0.0, 0.0)
    finally:
        associations.use(None)


def test_a_sentence_in_other_words_is_more_likely_to_be_asked_about(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "town.txt").write_text(
        "The old centre of the town has a market square.\n\n"
        "The old edge of the town has a market square.\n",
        encoding="utf-8",
    )
    idx = open_index(folder, tmp_path / "index")
    sids = np.arange(idx.sentence_count)
    terms, bounds = idx.term_windows(sids)
    got = associations.log_likelihood(idx, ["center", "town"], terms, bounds)
    assert got[0] > got[1]
    assert "associations" in features.NAMES
    assert ranking.load_model() is not None  # the shipped model was fitted with the feature


def test_a_row_is_read_as_word_by_word(tmp_path):
    """A row's words are looked up in one call (`term_ids`): the ids and t of those the index
    has, as `term_id` finds them one at a time."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "town.txt").write_text(
        "The old centre of the town has a market square and a central station.\n", encoding="utf-8"
    )
    idx = open_index(folder, tmp_path / "index")
    tab = associations.table()
    for q in ("center", "town", "station", "nosuchquestionword"):
        words, ts, null, background = tab.row(q)
        pairs = [(idx.term_id(w), t) for w, t in zip(words, ts, strict=True)]
        pairs = sorted((tid, t) for tid, t in pairs if tid is not None)
        ids, t, got_null, got_background = associations._row(idx, q, tab)
        assert ids.tolist() == [tid for tid, _ in pairs]
        assert t.tolist() == [x / associations.SCALE for _, x in pairs]
        assert got_null == float(null)
        assert got_background == max(float(background), associations.FLOOR)
    assert idx.term_ids(["town", "nosuchterm", "centr"]).tolist() == [
        idx.term_id("town"),
        -1,
        idx.term_id("centr"),
    ]


def test_no_table_gives_a_zero_feature(tmp_path):
    associations.use(tmp_path / "missing.json")
    try:
        assert len(associations.table()) == 0
        got = associations.log_likelihood(None, ["center"], np.zeros(0), np.zeros((2, 4), int))
        assert got.tolist() == [0.0, 0.0]
    finally:
        associations.use(None)


def test_model_1_learns_which_sentence_word_a_question_word_stands_for():
    pairs = [("a", ["buy", "car"], ["purchas", "car"]), ("b", ["buy", "hous"], ["purchas", "hous"]),
             ("c", ["buy", "boat"], ["purchas", "boat"]), ("d", ["car"], ["car", "red"])]  # fmt: skip
    rows = train.fit_associations(pairs, seen=1)
    words, ts, _, _ = rows["buy"]
    t = dict(zip(words.split(), map(int, ts.split()), strict=True))
    assert max(t, key=t.get) == "purchas"
    assert "car" in rows["car"][0].split()


def test_train_writes_the_association_table_beside_the_model(tmp_path):
    from index.tools.cli import main

    folder = training_set(tmp_path / "set")
    out = tmp_path / "model.json"
    assert main(["train", str(folder), "--out", str(out), "--index", str(tmp_path / "i")]) == 0
    table = json.loads((tmp_path / "associations.json").read_text(encoding="utf-8"))
    assert table["format"] == associations.FORMAT and "bridg" in table["rows"]
    associations.use(tmp_path / "associations.json")
    try:
        assert len(associations.table()) == len(table["rows"])  # it reads back
    finally:
        associations.use(None)


def test_compiled_association_scores_equal_numpy(monkeypatch):
    from index.search import _kernel

    assert _kernel is not None
    rng = np.random.default_rng(3)
    for _ in range(50):
        n, nq = int(rng.integers(1, 8)), int(rng.integers(1, 5))
        lengths = rng.integers(0, 12, size=n)
        terms = rng.integers(0, 30, size=int(lengths.sum())).astype(np.int32)
        ends = np.cumsum(lengths)
        starts = ends - lengths
        own_lo = starts + rng.integers(0, 3, size=n).clip(max=lengths)
        own_hi = np.maximum(own_lo, ends - rng.integers(0, 3, size=n))
        bounds = np.stack([starts, own_lo, own_hi, ends], axis=1).astype(np.int64)
        blocks = [np.unique(rng.integers(0, 30, size=int(rng.integers(0, 8)))) for _ in range(nq)]
        ids = np.concatenate(blocks).astype(np.int64)
        at = np.cumsum([0] + [len(b) for b in blocks], dtype=np.int64)
        args = (terms, bounds, ids, rng.random(len(ids)), at, rng.random(nq) * 0.1,
                rng.random(nq) * 0.01 + 1e-6)  # fmt: skip
        compiled = associations.scores(*args)
        monkeypatch.setattr(associations, "_kernel", None)
        reference = associations.scores(*args)
        monkeypatch.undo()
        assert np.allclose(compiled, reference, rtol=0, atol=1e-12)


def test_an_index_looks_the_table_words_up_when_it_loads(tmp_path):
    """The first question does not wait for the table's words to be looked up; loading leaves
    garbage collection as it found it (it is held off while the index loads)."""
    import gc

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "town.txt").write_text("The old centre of the town.\n", encoding="utf-8")
    idx = open_index(folder, tmp_path / "index")
    tab, ids, _ = associations._IDS[idx]
    assert tab is associations.table() and ids.tolist() == idx.term_ids(tab.words).tolist()
    assert gc.isenabled()
    gc.disable()
    try:
        open_index(folder, tmp_path / "index")
        assert not gc.isenabled()
    finally:
        gc.enable()
