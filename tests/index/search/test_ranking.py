"""The learned ranker: the shipped model loads and ranks; a missing or damaged one falls back."""

import json
import sys

import numpy as np
import pytest
from makedocs import training_set

from index import open_index
from index.search import features, ranking, windows
from index.search.question import answers


def _rank(idx, question: str, model):
    qtype = answers.question_type(question)
    term_ids, corrections, _ = idx._query_terms(question)
    qset = frozenset(idx._qterms(question, corrections))
    return ranking.rank(idx, term_ids, qtype, qset, question, model)[0]


def test_the_no_answer_check_reads_what_the_ranker_found(idx):
    """The share of the question's weight a candidate holds with its neighbours, as the ranker's
    features found it, is what reading its window gives; so is the no-answer verdict."""
    for question in ("how many troops will Mexico train?", "what is the capital of France?",
                     "When will the soldiers return home?", "who is the president of Haiti?"):  # fmt: skip
        qtype = answers.question_type(question)
        term_ids, corrections, missing = idx._query_terms(question)
        qset = frozenset(idx._qterms(question, corrections))
        ranked, _, near = ranking.rank(idx, term_ids, qtype, qset, question, ranking.load_model())
        assert set(near) == {sid for sid, _ in ranked}
        known = float(idx.term_weights(list(dict.fromkeys(term_ids))).sum())
        for sid, share in near.items():
            window = set(idx.term_windows(np.array([sid]))[0].tolist())
            held = sum(float(idx.term_weights([t])[0]) for t in set(term_ids) & window)
            assert share * known == pytest.approx(held)
            assert idx._covered(sid, term_ids, missing, share) == idx._covered(
                sid, term_ids, missing
            )


def test_the_shipped_model_loads_and_the_index_uses_it(idx):
    model = ranking.load_model()
    assert model is not None
    assert model.kind in ("trees", "linear")
    assert idx.ranker_model is model
    raw = json.loads(ranking.MODEL_PATH.read_text(encoding="utf-8"))
    assert raw["features"] == list(features.NAMES)
    assert ranking.MODEL_PATH.stat().st_size < 2_000_000


def test_the_shipped_model_ranks_a_real_case(idx):
    model = ranking.load_model()
    question = "how many troops will Mexico train?"
    ranked = _rank(idx, question, model)
    assert "700" in idx.sentence_text(ranked[0][0])
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(0 < s < 1 for s in scores)
    # The model's order is its own: the hand-set ranking scores the same sentences otherwise.
    hand = _rank(idx, question, None)
    assert {s for s, _ in hand} == {s for s, _ in ranked}
    assert [s for _, s in hand] != scores
    answer = idx.ask(question)
    assert answer.passages[0].answer == "700"
    assert "lightgbm" not in sys.modules  # answering never imports the training library


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("truncated.json", '{"format": 1, "kind": "trees", "features": ['),
        ("not-json.json", "\x00\x01 binary"),
        ("other-format.json", json.dumps({"format": 99})),
        ("other-features.json", json.dumps({"format": 1, "kind": "linear", "features": ["a"]})),
        ("bad-tree.json", "TREE_OUT_OF_RANGE"),
        ("not-finite.json", "LINEAR_NAN"),
    ],
)
def test_a_damaged_model_says_one_line_and_the_hand_set_ranking_answers(
    idx, tmp_path, capsys, name, content
):
    n = len(features.NAMES)
    if content == "TREE_OUT_OF_RANGE":
        content = json.dumps(
            ranking.model_json(
                "trees",
                {"trees": {"feature": [0], "threshold": [0.5], "left": [3], "right": [0],
                           "value": [1.0], "roots": [0], "depth": 1}},
                {},
            )
        )  # fmt: skip
    elif content == "LINEAR_NAN":
        body = {"weights": [float("nan")] * n, "bias": 0.0, "mean": [0.0] * n, "scale": [1.0] * n}
        content = json.dumps(ranking.model_json("linear", body, {}))
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    capsys.readouterr()
    assert ranking.load_model(path) is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "damaged" in err[0] and "hand-set" in err[0] and name in err[0]
    idx.ranker_model = ranking.load_model(path)  # cached: said once
    assert capsys.readouterr().err == ""
    answer = idx.ask("how many troops will Mexico train?")
    assert answer.passages[0].answer == "700"
    assert answer.passages[0].score > 1  # the hand-set blend, not a model score in (0, 1)


def test_a_missing_model_says_one_line_and_the_hand_set_ranking_answers(
    docs, index_dir, tmp_path, capsys, monkeypatch
):
    missing = tmp_path / "no-model.json"
    monkeypatch.setattr(ranking, "MODEL_PATH", missing)
    capsys.readouterr()
    idx = open_index(docs, index_dir)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing" in err[0] and "hand-set" in err[0]
    assert idx.ranker_model is None
    answer = idx.ask("Who is the prime minister of Haiti?")
    assert answer.passages[0].answer == "Alix Didier Fils-Aimé"
    assert not idx.ask("What is the capital of France?").found


def test_trees_are_walked_as_lightgbm_defines_them():
    # One tree: feature 1 <= 0.5 goes left (leaf 2.0), else right (leaf -1.0); a bias of 0.25.
    model = ranking.parse_model(
        ranking.model_json(
            "trees",
            {"trees": {"feature": [1, 0, 0], "threshold": [0.5, 0.0, 0.0], "left": [1, 1, 2],
                       "right": [2, 1, 2], "value": [0.0, 2.0, -1.0], "roots": [0, 0],
                       "depth": 1}, "bias": 0.25},
            {},
        )
    )  # fmt: skip
    X = np.zeros((3, len(features.NAMES)))
    X[:, 1] = [0.5, 0.6, -3.0]
    assert model.score(X).tolist() == [4.25, -1.75, 4.25]  # the root used twice: two trees


def _check_windows(idx, sids):
    """term_windows gives each sentence's terms with its same-document neighbours' around them."""
    terms, rows = idx.term_windows(sids)
    assert rows[0, 0] == 0 and rows[-1, 3] == len(terms)
    assert (rows[1:, 0] == rows[:-1, 3]).all()  # the windows lie end to end
    doc = idx.documents_of(np.arange(idx.sentence_count))
    for (w0, o0, o1, w1), sid in zip(rows.tolist(), sids.tolist(), strict=True):
        assert terms[o0:o1].tolist() == idx.sentence_terms(sid)
        before = sid > 0 and doc[sid - 1] == doc[sid]
        after = sid + 1 < idx.sentence_count and doc[sid + 1] == doc[sid]
        assert terms[w0:o0].tolist() == (idx.sentence_terms(sid - 1) if before else [])
        assert terms[o1:w1].tolist() == (idx.sentence_terms(sid + 1) if after else [])
    plain_terms, plain_rows = windows.read_numpy(idx._segs, idx._sent_doc, idx._n_sent, sids)
    assert np.array_equal(plain_terms, terms) and np.array_equal(plain_rows, rows)
    empty_terms, empty_rows = idx.term_windows(np.empty(0, np.int64))
    assert len(empty_terms) == 0 and empty_rows.shape == (0, 4)


def test_accessors_read_the_same_terms_as_the_sentences(docs, index_dir):
    open_index(docs, index_dir)
    idx = open_index(docs, index_dir)  # loaded from disk: terms are read by slices
    _check_windows(idx, np.array([5, 0, 1, 2, 9, 5, idx.sentence_count - 1], dtype=np.int64))
    positions = idx.sentence_positions(np.arange(idx.sentence_count))
    docs_of = idx.documents_of(np.arange(idx.sentence_count))
    for sid in range(idx.sentence_count):
        in_para, para_in_doc, in_doc = positions[sid].tolist()
        new_doc = sid == 0 or docs_of[sid - 1] != docs_of[sid]
        assert (in_doc == 0) == new_doc
        assert in_para <= in_doc and para_in_doc <= in_doc
        if in_doc:
            assert in_doc == positions[sid - 1][2] + 1


def test_match_terms_counts_a_small_case_by_hand():
    # question terms 3 (weight 1), 5 (weight 2), 8 (weight 4); pair (3, 5); 9 is a synonym of 8
    su, sw = np.array([3, 5, 8]), np.array([1.0, 2.0, 4.0])
    syn_t, syn_q, qp = np.array([9]), np.array([2]), np.array([3 << 32 | 5])
    terms = np.array([8, 3, 5, 7, 9, 5, 1, 2, 3], dtype=np.int32)
    rows = np.array([[0, 1, 6, 7], [7, 7, 9, 9]])  # sentence 3 5 7 9 5 after 8; then 2 3
    got = features.match_terms(terms, rows, su, sw, syn_t, syn_q, qp)
    assert got.tolist() == [
        [3.0, 2.0, 7.0, 4.0, 2 / 5, 1.0],  # holds 3 and 5; 8 only beside it, and through 9
        [1.0, 1.0, 1.0, 0.0, 1.0, 0.0],
    ]


def test_compiled_match_terms_equals_numpy_to_the_bit(monkeypatch):
    if features._kernel is None:
        pytest.skip("the compiled kernel is not built on this machine (no C compiler)")
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 8))
        sizes = rng.integers(0, 12, size=(n, 3))  # before, own, after
        rows = np.zeros((n, 4), dtype=np.int64)
        at = 0
        for i, (b, o, a) in enumerate(sizes.tolist()):
            rows[i] = [at, at + b, at + b + o, at + b + o + a]
            at += b + o + a
        terms = rng.integers(0, 15, size=at).astype(np.int32)
        su = np.unique(rng.integers(0, 15, size=int(rng.integers(1, 6))))
        sw = rng.random(len(su)) * 5
        syn = sorted(
            {
                (int(t), int(q))
                for t, q in zip(rng.integers(0, 15, 4), rng.integers(0, len(su), 4), strict=True)
            }
        )
        syn_t = np.array([t for t, _ in syn], dtype=np.int64)
        syn_q = np.array([q for _, q in syn], dtype=np.int64)
        qp = np.unique([int(a) << 32 | int(b) for a, b in rng.integers(0, 15, size=(3, 2))])
        compiled = features.match_terms(terms, rows, su, sw, syn_t, syn_q, qp)
        with monkeypatch.context() as m:
            m.setattr(features, "_kernel", None)
            plain = features.match_terms(terms, rows, su, sw, syn_t, syn_q, qp)
        assert np.array_equal(compiled, plain)
    with pytest.raises(IndexError):
        features.match_terms(terms, rows + at, su, sw, syn_t, syn_q, qp)


def test_term_windows_of_an_index_served_from_memory(docs, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    idx = open_index(docs, blocker / "index")  # cannot be saved there: built and served in memory
    assert idx.commit["segments"] == [""]
    _check_windows(idx, np.arange(idx.sentence_count)[::-1])


def test_sentence_flags_read_the_text():
    from index.analysis.flags import ANAPHORIC, DIGIT, LEAD_IN, LEANS_BACK, sentence_flags

    long = " and the river kept rising through the valley for days"
    assert sentence_flags("It rained for 3 days" + long + ".") == DIGIT | ANAPHORIC | LEANS_BACK
    assert sentence_flags("“However, nobody came,” she said" + long + ".") == ANAPHORIC | LEANS_BACK
    assert sentence_flags("Meanwhile the town slept" + long + ".") == LEANS_BACK  # the longer list
    assert sentence_flags("Itself a river, the Nile floods" + long + ".") == 0
    assert sentence_flags("The year was MMXX.") == LEAD_IN  # short
    assert sentence_flags("The rules, in the order the committee set them" + long + ":") == LEAD_IN


def test_the_stored_flags_and_terms_are_each_sentences_own_after_builds_and_updates(tmp_path):
    """What the ranker reads instead of the text (has a digit, starts with "it", "they", ...) is
    the text's own, and its term windows the sentences' own terms, for a fresh build and for
    sentences an update added (a second segment, its own term numbers)."""
    from index.analysis.flags import ANAPHORIC, DIGIT, LEAD_IN, LEANS_BACK, sentence_flags

    docs = tmp_path / "docs"
    docs.mkdir()
    filler = "".join(
        f"Gate {w} opens at dawn.\n" for w in "north south east west upper lower".split()
    )
    (docs / "a.txt").write_text(
        "The dam was finished in 1936. It holds back the river.\nThey built it in five years.\n"
        "Then the engineers raised the wall by another forty feet over three long summers.\n"
        "The spillway carries the spring floods past the town and into the canyon below.\n"
        + filler
        * 2
    )
    index_dir = tmp_path / "index"
    seen = set()
    for name, text in [(None, None), ("b.txt", "However, 12 men died. The lake is long.\n")]:
        if name:
            (docs / name).write_text(text)
        idx = open_index(docs, index_dir)
        sids = np.arange(idx.sentence_count)
        flags = idx.sentence_flags(sids).tolist()
        assert flags == [sentence_flags(idx.sentence_text(s)) for s in sids.tolist()]
        seen.update(flags)
        assert len(idx.commit["segments"]) == (2 if name else 1)  # the update: its own segment
        _check_windows(idx, sids[::-1])  # across segments, in any order
    assert {b & (DIGIT | ANAPHORIC) for b in seen} == {0, DIGIT, ANAPHORIC, DIGIT | ANAPHORIC}
    assert {b & (LEANS_BACK | LEAD_IN) for b in seen} == {0, LEANS_BACK, LEAD_IN,
                                                           LEANS_BACK | LEAD_IN}  # fmt: skip


def test_the_synonym_table_links_question_words_to_the_documents_words():
    from index.analysis.tokens import stem
    from index.search.synonyms import table

    synonyms = table()
    assert stem("purchase") in synonyms[stem("buy")]
    assert stem("automobile") in synonyms[stem("car")]
    assert stem("buy") not in synonyms[stem("buy")]


def test_train_writes_a_model_the_ranker_reads(tmp_path, capsys):
    from index.tools.cli import main

    folder = training_set(tmp_path / "set")
    out = tmp_path / "model.json"
    assert main(["train", str(folder), "--out", str(out), "--index", str(tmp_path / "idx")]) == 0
    assert "held-out hit@1" in capsys.readouterr().out
    model = ranking.load_model(out)
    assert model is not None and model.kind == "linear"
    assert json.loads(out.read_text())["trained"]["questions_with_a_right_candidate"] >= 4


def test_answering_imports_nothing_heavy_on_the_first_question(docs, index_dir):
    """The first question pays no import: numpy.ma (10-20 ms, pulled in by np.unique on floats)
    and nltk (building only) stay out of a process that loads an index and answers."""
    import subprocess
    import sys

    open_index(docs, index_dir)
    code = (
        "import sys\n"
        "from index.search.opening import load_saved\n"
        f"idx = load_saved({str(index_dir)!r})\n"
        "before = set(sys.modules)\n"
        "for q in ('how many troops will Mexico train?', 'When did Laki erupt?', 'why?'):\n"
        "    idx.ask(q, 3)\n"
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in\n"
        "             ('numpy', 'nltk', 'scipy', 'lightgbm')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_questions_in_other_languages_are_ranked_without_the_english_associations():
    english = ranking.load_model()
    other = ranking.load_model(ranking.OTHER_LANGUAGES_MODEL_PATH)
    assert english is not None and other is not None
    at = list(features.NAMES).index("associations")
    assert other.arrays["weights"][at] == 0.0 and english.arrays["weights"][at] != 0.0


def test_rank_features_count_the_values_above():
    """A candidate's rank is how many candidates score more (equal scores share the best rank);
    its dense rank, how many distinct scores are higher: what the model was trained on."""
    rng = np.random.default_rng(11)
    for n in (1, 2, 7, 30, 200):
        for _ in range(200):
            values = rng.integers(0, 6, n) / 2 if rng.random() < 0.5 else rng.random(n)
            values[rng.integers(0, n)] = -0.0 if rng.random() < 0.3 else values[0]
            above = [float((values > v).sum()) for v in values]
            distinct_above = [float(len({float(x) for x in values if x > v})) for v in values]
            ranks, dense = features._ranks(values), features._dense_ranks(values)
            assert ranks.dtype == dense.dtype == np.float64
            assert ranks.tolist() == above
            assert dense.tolist() == distinct_above
