"""Property: random small document sets and random Unicode questions through the real index.

Whatever the text, `ask` raises nothing (but the blank-question error), every passage is the exact
text of its document at its offsets, passages of one document never overlap, and scores only go
down.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from itertools import pairwise
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index import QuestionError, open_index
from index.errors import DocumentsError

WORDS = (
    "owl owls vole voles night field barn hunt hunts eat eats four 4 1,200 3.5 the a of in "
    "Mexico troops train 700 Haiti police U.S. Dr. e.g. café naïve Zürich São Paulo 東京 "
    "مرحبا नमस्ते 🦉 — … “quoted” ‘single’ (parens) [brackets] well-known snake_case don't "
    "https://example.org/a_b www.example.com @everyone <@123> ||spoiler|| ``` # > - 1."
).split()
# Each example builds and saves an index: on tmpfs its fsyncs cost nothing (3x faster here).
SCRATCH = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
SEPARATORS = [" ", " ", " ", ". ", "? ", "! ", ", ", "\n", "\n\n", "\t", " — ", ": "]

word = st.sampled_from(WORDS) | st.text(min_size=1, max_size=12)
text = st.lists(st.tuples(word, st.sampled_from(SEPARATORS)), min_size=1, max_size=60).map(
    lambda pairs: "".join(w + s for w, s in pairs)
)
document = st.tuples(st.sampled_from([".txt", ".md", ".html"]), text)
questions = st.lists(
    st.text(max_size=40)
    | st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
    | text,
    min_size=1,
    max_size=6,
)


def check_answer(idx, question: str) -> None:
    try:
        answer = idx.ask(question, k=5)
    except QuestionError:
        assert not question.strip()
        return
    scores = [p.score for p in answer.passages]
    assert scores == sorted(scores, reverse=True)
    spans: dict[str, list[tuple[int, int]]] = {}
    for p in answer.passages:
        assert idx.text_of(p.document)[p.start : p.end] == p.text
        assert p.start <= p.sentence_start < p.sentence_end <= p.end
        if p.answer is not None:
            assert p.start <= p.answer_start < p.answer_end <= p.end
            assert idx.text_of(p.document)[p.answer_start : p.answer_end] == p.answer
        spans.setdefault(p.document, []).append((p.start, p.end))
    for found in spans.values():
        found.sort()
        assert all(a[1] <= b[0] for a, b in pairwise(found)), found


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,  # `tally` is one counter for the whole run
    ],
)
@given(documents=st.lists(document, min_size=1, max_size=4), asked=questions)
def test_ask_keeps_its_promises_on_random_documents_and_questions(documents, asked, tally: Counter):
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        docs = Path(tmp, "docs")
        docs.mkdir()
        for n, (extension, body) in enumerate(documents):
            (docs / f"d{n}{extension}").write_text(body, encoding="utf-8")
        try:
            idx = open_index(docs, Path(tmp, "index"))
        except DocumentsError:
            return  # nothing readable (all blank, or all binary-looking): said in one line
        for question in asked:
            check_answer(idx, question)
            tally["property: random questions asked"] += 1
        for doc in idx.documents:  # the documents' own words, which usually find passages
            sample = " ".join(idx.text_of(doc.id).split()[:8])
            if sample.strip():
                check_answer(idx, sample)
        tally["property: random document sets"] += 1
