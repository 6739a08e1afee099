"""Asking: ranking, verbatim passages, answer marking, typos, no answer, bad questions."""

import itertools
import json
from pathlib import Path

import pytest

from index import QuestionError, open_index

SEED_QUESTIONS = [
    json.loads(line) for line in (Path(__file__).parents[1] / "seed_questions.jsonl").open()
]


@pytest.mark.parametrize("case", SEED_QUESTIONS, ids=[c["question"] for c in SEED_QUESTIONS])
def test_seed_facts_are_in_the_first_passage(idx, case):
    answer = idx.ask(case["question"])
    assert answer.found
    assert any(a in answer.passages[0].text for a in case["answers"])


def test_the_issue_example(idx):
    answer = idx.ask("how many troops will Mexico train?")
    first = answer.passages[0]
    assert first.answer == "700"
    assert first.document == "000_44c18b5492aa5800.txt"
    assert first.source == "https://ctninfo.com/?p=35770&preview=true"


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("When did the Mexican delegation visit Haiti?", "July 24, 2025"),
        ("Who is the prime minister of Haiti?", "Alix Didier Fils-Aimé"),
        ("What does MSS stand for?", "Multinational Security Support"),
        ("How many people have been internally displaced?", "1.3 million"),
        ("When was the James Webb Space Telescope launched?", "December 25, 2021"),
        ("How many flights did the ash cloud ground?", "100,000"),
        ("what does JWST stand for", "James Webb Space Telescope"),
        ("how long should I knead the dough", "10 minutes"),
    ],
)
def test_exact_answer_is_marked(idx, question, answer):
    first = idx.ask(question).passages[0]
    assert first.answer == answer
    doc = idx.text_of(first.document)
    assert doc[first.answer_start : first.answer_end] == answer


def test_ranking_finds_the_right_document(idx):
    cases = {
        "Which volcano erupted in 1783?": "volcanoes.md",
        "How wide is the primary mirror of the telescope?": "telescope.html",
        "What replaces the yeast in sourdough?": "guides/bread.txt",
    }
    for question, document in cases.items():
        assert idx.ask(question).passages[0].document == document


def test_passages_are_verbatim_ranked_and_disjoint(idx):
    for question in [c["question"] for c in SEED_QUESTIONS] + ["iceland eruption ash", "yeast"]:
        answer = idx.ask(question, k=5)
        scores = [p.score for p in answer.passages]
        assert scores == sorted(scores, reverse=True)
        spans: dict[str, list[tuple[int, int]]] = {}
        for p in answer.passages:
            text = idx.text_of(p.document)
            assert text[p.start : p.end] == p.text
            assert p.start <= p.sentence_start < p.sentence_end <= p.end
            spans.setdefault(p.document, []).append((p.start, p.end))
        for ranges in spans.values():
            ranges.sort()
            assert all(a[1] <= b[0] for a, b in itertools.pairwise(ranges))


def test_a_short_lead_in_takes_the_sentence_that_explains_it(idx):
    first = idx.ask("Why was Mexico selected as a partner country?").passages[0]
    assert first.text.startswith("Mexico’s selection as a partner country is not coincidental.")
    assert "decades of experience" in first.text


def test_typo_is_corrected_and_reported(idx):
    answer = idx.ask("how many troups will mexico train")
    assert answer.corrections == {"troups": "troops"}
    assert answer.passages[0].answer == "700"


def test_no_answer_is_said_not_invented(idx):
    answer = idx.ask("What is the capital of France?")
    assert not answer.found and answer.passages == ()
    assert answer.to_json()["found"] is False


def test_same_question_same_answer(idx, docs, index_dir):
    again = open_index(docs, index_dir)
    for q in ("training", "Haiti Mexico", "eruption"):
        assert idx.ask(q, k=5) == again.ask(q, k=5) or (
            [p.text for p in idx.ask(q, k=5).passages]
            == [p.text for p in again.ask(q, k=5).passages]
        )


@pytest.mark.parametrize("question", ["", "   ", "\n\t"])
def test_empty_question_is_an_error(idx, question):
    with pytest.raises(QuestionError):
        idx.ask(question)


@pytest.mark.parametrize(
    "question",
    [
        "x",
        "the of and to",
        "?!?.,;",
        "🙂🚀🔥",
        "ما هو عدد الجنود",
        "墨西哥将训练多少士兵",
        "मेक्सिको कितने सैनिकों को प्रशिक्षित करेगा",
        "\x00\x1b[31mtroops\x07",
        ".*[a-z]+(?=troops)\\",
        "'; DROP TABLE sentences; --",
        "$(rm -rf /) && echo troops",
        "troops " * 1500,
        "a" * 10_000,
    ],
)
def test_odd_questions_answer_or_say_no(idx, question):
    answer = idx.ask(question)
    for p in answer.passages:
        assert idx.text_of(p.document)[p.start : p.end] == p.text
    json.dumps(answer.to_json())


# A manual's reference entries, and other chapters that hold a chatty question's other words.
ENTRIES = """# Strings

## [cstr] = strsplit (str, del)

Split the string str using the delimiters specified by del and return a cell string array.
By default, consecutive delimiters in the input string are collapsed into one.

## [tok, rem] = strtok (str)

Find all characters of the string str up to the first delimiter.

# Other chapters

A structure holds each field under its own name.

Plots are drawn on the current axes.

A cell array can hold a piece of text.

The figure window opens on the first plot.

Commas separate the arguments of a call.

Legends are placed in the upper right corner.

Two matrices are multiplied with the operator.

Tick marks are drawn outside the axes.

An empty matrix has no elements.

Colors are chosen from the current colormap.

Missing values are written as NA.

The title is printed above the axes.

Octave gives a warning for an overflow.

Grid lines are drawn behind the data.
"""


def test_a_chatty_question_naming_a_function_is_answered_from_its_entry(tmp_path):
    """Its other words weigh most of the question, and no sentence holds a quarter of it: the
    function it calls by name is what it asks about, and the entry under that name answers."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "manual.md").write_text(ENTRIES, encoding="utf-8")
    idx = open_index(folder, tmp_path / "index")
    chatty = (
        'strsplit("a,,b", ",") gives me only two pieces, but I need an empty string for the '
        "missing field between the two commas. how?"
    )
    answer = idx.ask(chatty)
    assert answer.found
    assert "delimiters" in answer.passages[0].text
    # Without the call, the same words name no function: nothing holds enough of them.
    assert not idx.ask(chatty.replace('strsplit("a,,b", ",")', "splitting")).found
