"""Follow-up questions and vote boosts through the real index: `Index.ask(context=, boosts=)`,
`ask --batch` threads and `eval --threads`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index import Conversation, open_index
from index.tools.cli import main

OWLS = """Barn owls

Barn owls hunt at night over open fields and meadows.
They nest in hollow trees and in old barns.
A barn owl eats about four voles a night.
"""
SWALLOWS = """Swallows

Swallows nest under bridges, and they nest again each spring under the same bridge.
Swallows fly south in autumn, across the desert, to spend the winter in Africa.
"""
BREAD = """Bread

Bread needs flour, water, salt and yeast.
The dough rises for two hours in a warm kitchen.
"""
TELESCOPE = """Telescopes

A telescope gathers light with a mirror or a lens.
Large telescopes are built on high mountains where the air is dry.
"""
VOLES = "how many voles does a barn owl eat?"
NEST = "where do they nest?"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("animals")
    for name, text in (
        ("owls", OWLS),
        ("swallows", SWALLOWS),
        ("bread", BREAD),
        ("telescope", TELESCOPE),
    ):
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def idx(folder: Path, tmp_path_factory: pytest.TempPathFactory):
    return open_index(folder, tmp_path_factory.mktemp("animals-index"))


def test_a_follow_up_is_answered_from_the_conversations_document(idx):
    alone = idx.ask(NEST)
    assert alone.passages[0].document == "swallows.txt"  # "nest" twice: the better match alone
    assert alone.following is None
    first = idx.ask(VOLES)
    assert first.passages[0].document == "owls.txt"
    conversation = Conversation().after(first)
    assert conversation == Conversation(
        (VOLES,), ("owls.txt",), (("owls.txt", first.passages[0].sentence_start),)
    )
    followed = idx.ask(NEST, context=conversation)
    assert followed.passages[0].document == "owls.txt"
    assert "hollow trees" in followed.passages[0].text
    assert followed.following == VOLES
    assert followed.to_json()["following"] == VOLES and "following" not in alone.to_json()


def test_a_follow_up_naming_a_new_topic_is_answered_for_that_topic(idx):
    conversation = Conversation().after(idx.ask(VOLES))
    switched = idx.ask("where do swallows nest?", context=conversation)
    assert switched.passages[0].document == "swallows.txt"
    assert switched.following == VOLES


def test_the_conversation_keeps_its_last_questions_and_documents(idx):
    conversation = Conversation()
    for question in (VOLES, "when do swallows fly south?", "what does bread need?", VOLES):
        conversation = conversation.after(idx.ask(question))
    assert conversation.questions == ("when do swallows fly south?", "what does bread need?", VOLES)
    assert conversation.documents == ("swallows.txt", "bread.txt", "owls.txt")


def test_boosts_move_a_passage_by_its_best_sentence(idx):
    alone = idx.ask(NEST, k=2)
    top, second = alone.passages
    key = (top.document, top.sentence_start)
    down = idx.ask(NEST, k=2, boosts={key: -1.0})
    assert down.passages[0].sentence_start == second.sentence_start
    up = idx.ask(NEST, k=2, boosts={(second.document, second.sentence_start): 1.0})
    assert up.passages[0].sentence_start == second.sentence_start
    unrelated = idx.ask(NEST, k=2, boosts={("bread.txt", 0): 5.0, (top.document, 1): -5.0})
    assert [p.sentence_start for p in unrelated.passages] == [
        p.sentence_start for p in alone.passages
    ]


def test_ask_batch_threads_are_conversations(folder, tmp_path, capsys):
    batch = tmp_path / "batch.jsonl"
    rows = [
        {"question": VOLES, "thread": "a"},
        {"question": NEST, "thread": "a"},
        {"question": NEST},
        {"question": NEST, "thread": "b"},
    ]
    batch.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    index = str(tmp_path / "index")
    assert (
        main(["ask", "--batch", str(batch), "--json", "--docs", str(folder), "--index", index]) == 0
    )
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r.get("following") for r in out] == [None, VOLES, None, None]
    assert [r["passages"][0]["document"] for r in out] == [
        "owls.txt",
        "owls.txt",
        "swallows.txt",
        "swallows.txt",
    ]


def test_eval_threads_reports_follow_ups_and_switches(folder, tmp_path, capsys):
    questions = tmp_path / "questions.jsonl"
    cases = [
        (VOLES, "owls", "four voles"),
        (NEST, "owls", "hollow trees"),
        ("when do swallows fly south?", "swallows", "in autumn"),
        (NEST, "swallows", "under bridges"),
    ]
    questions.write_text(
        "".join(
            json.dumps({"question": q, "doc_id": d, "answers": [a]}) + "\n" for q, d, a in cases
        )
    )
    index = str(tmp_path / "index")
    argv = ["eval", str(questions), "--threads", "5", "--json", "--docs", str(folder)]
    assert main([*argv, "--index", index]) == 0
    threads = json.loads(capsys.readouterr().out)["threads"]
    # alone, both "where do they nest?" find the swallows; in their threads each finds its own
    assert threads["followup"] == {"questions": 2, "alone": 0.5, "followed": 1.0}
    assert threads["switch"] == {"questions": 2, "alone": 1.0, "followed": 1.0}


def test_a_follow_up_favours_the_part_of_the_document_the_last_answer_was_in(tmp_path):
    """Two parts of one document answer a vague follow-up equally well by its words: the one near
    the last answer wins, whichever part that was."""
    from index import open_index

    far = " ".join(f"Filler sentence number {n} about nothing in particular." for n in range(80))
    text = (
        "The north gate opens at dawn. The guards there change at noon.\n\n"
        + far
        + "\n\nThe south gate opens at dusk. The guards there change at midnight.\n"
    )
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "gates.txt").write_text(text, encoding="utf-8")
    idx = open_index(tmp_path / "docs", tmp_path / "index")
    vague = "when do the guards there change?"
    for gate, when in (("north", "noon"), ("south", "midnight")):
        first = idx.ask(f"when does the {gate} gate open?")
        assert f"{gate} gate" in first.passages[0].text
        followed = idx.ask(vague, context=Conversation().after(first))
        assert when in followed.passages[0].text, gate


def test_the_conversations_words_favour_the_paragraph_that_holds_them(tmp_path):
    """Two sentences answer a vague follow-up equally well by its own words: the one whose
    paragraph holds the earlier question's words wins, whichever paragraph comes first."""
    harbour = "The harbour museum stands empty. Visitors may enter it at nine in the morning."
    lighthouse = "The lighthouse keeper lives alone. Visitors may enter it at ten in the morning."
    vague = "when may visitors enter it?"
    for n, order in enumerate(((harbour, lighthouse), (lighthouse, harbour))):
        docs = tmp_path / f"docs{n}"
        docs.mkdir()
        (docs / "coast.txt").write_text("\n\n".join(order) + "\n", encoding="utf-8")
        (docs / "bread.txt").write_text(BREAD, encoding="utf-8")
        idx = open_index(docs, tmp_path / f"index{n}")
        # no place and no document: only the conversation's words can tell the two apart
        for earlier, when in (
            ("who lives in the lighthouse?", "ten"),
            ("is the museum empty?", "nine"),
        ):
            followed = idx.ask(vague, context=Conversation((earlier,)))
            assert f"at {when} in" in followed.passages[0].text, (order[0][:20], earlier)


def test_a_follow_up_that_says_little_leans_on_the_conversation_more(idx):
    """The conversation's bonus grows when the question's own words say little, shrinks when they
    say much, and never grows when a word of the question is in none of its documents."""
    conversation = Conversation().after(idx.ask(VOLES))

    def bonus(question: str) -> float:
        own = idx._query_terms(question)[0]
        _, _, b = idx.shortlist(own, 50, idx._followed(conversation, own))
        return float(b.max())

    vague = bonus("where do they nest?")
    specific = bonus(
        "do barn owls hunt voles at night over open fields and meadows and nest in barns?"
    )
    new_topic = bonus("where do swallows nest?")
    assert vague > new_topic > specific
    assert idx._followed(conversation, idx._query_terms("where do swallows nest?")[0]).lean == 1.0
