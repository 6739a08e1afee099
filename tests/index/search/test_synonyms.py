"""WordNet synonyms: a question's multiword phrase ("come back") matches a sentence's word
("return"), on a real index and with the shipped table and model."""

import json

import numpy as np
import pytest

from index import open_index
from index.analysis.tokens import stem, words
from index.search import features, ranking, synonyms
from index.search.question import answers


def test_the_table_holds_wordnet_phrases_with_their_one_word_synonyms():
    raw = json.loads(synonyms.TABLE_PATH.read_text(encoding="utf-8"))
    assert "WordNet 3.0 Copyright 2006 by Princeton University" in raw["notice"]
    table = synonyms.phrases()
    assert stem("return") in table["come back"]
    assert stem("establish") in table["set up"]  # "up" is a stopword: kept as it is in the key
    assert stem("participate") in table[synonyms.phrase_key(["take", "part"])]
    assert stem("discover") in table["find out"]
    assert all(stem("come") not in table[k] for k in table if k.startswith("come "))


def test_a_questions_phrases_are_found_in_order_with_their_own_terms():
    found = synonyms.in_question(
        words("When will the soldiers come back to set up the Prime Minister's office?")
    )
    by_own = {tuple(own): others for own, others in found}
    assert stem("return") in by_own[("come", "back")]
    assert stem("establish") in by_own[("set",)]  # the stopword "up" has no term to credit
    assert stem("premier") in by_own[(stem("prime"), stem("minister"))]
    three = synonyms.in_question(words("did he kick the bucket"))
    assert [own for own, _ in three] == [["kick", "bucket"]] and "die" in three[0][1]
    assert synonyms.in_question(words("come, soldiers, back")) == []  # not side by side


@pytest.fixture
def army(tmp_path):
    """A real index of two files: the answer says "return", a closer match says "train"."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "army.txt").write_text(
        "The first soldiers train in Mexico until May 2026.\n\n"
        "After their long months of training abroad, the soldiers are expected to return "
        "to their bases in Port-au-Prince in June 2026.\n",
        encoding="utf-8",
    )
    # "come" and "back" are common words of the collection, as in any real one.
    (docs / "other.txt").write_text(
        "\n\n".join(
            [
                "Rain will come with the wind.",
                "The gate at the back stays shut.",
                "Visitors come by bus.",
                "The garden is at the back of the house.",
                "Letters come every morning.",
                "She sat in the back row.",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return open_index(docs, tmp_path / "index")


def _features(idx, question):
    qtype = answers.question_type(question)
    term_ids, corrections, _ = idx._query_terms(question)
    qset = frozenset(idx._qterms(question, corrections))
    sids, levels, blended, *_ = ranking.candidates(idx, term_ids)
    X = features.compute(idx, term_ids, qtype, qset, question, sids, levels, blended)
    return term_ids, sids, X


def test_a_phrase_credits_each_of_its_words_when_the_sentence_has_its_synonym(army):
    question = "when will the soldiers come back?"
    term_ids, sids, X = _features(army, question)
    weight = dict(zip(term_ids, army.term_weights(np.array(term_ids)).tolist(), strict=True))
    total = sum(weight.values())
    come, back = army.term_id("come"), army.term_id("back")
    syn = X[:, features.NAMES.index("synonyms")]
    texts = [army.sentence_text(s) for s in sids.tolist()]
    returns = next(i for i, t in enumerate(texts) if "return" in t)
    # both words of the phrase, not only the first the synonym was listed for
    assert syn[returns] == pytest.approx((weight[come] + weight[back]) / total)
    assert weight[come] > 0 and weight[back] > 0
    assert all(syn[i] == 0 for i, t in enumerate(texts) if "return" not in t)


def test_the_sentence_holding_the_phrases_synonym_is_answered_first(army):
    assert ranking.load_model() is not None
    answer = army.ask("when will the soldiers come back?")
    assert "return" in answer.passages[0].text
    assert answer.passages[0].answer == "June 2026"
    # the same question in the sentence's own word: the same first sentence
    assert "return" in army.ask("when will the soldiers return?").passages[0].text
