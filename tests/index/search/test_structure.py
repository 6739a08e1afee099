"""What the readers' structure says to the ranker: code words found, prose before code, a heading
never before the text under it, and no "not found" while an answering sentence ranks below."""

import numpy as np

from index import open_index
from index.analysis import flags
from index.analysis.tokens import terms
from index.search import features, ranking, structure, windows
from index.search.question import answers

QUERIES = """# Making queries

Creating a QuerySet involves no database activity: Django runs the query only when the
QuerySet is evaluated, for example when you iterate over it.

```python
Entry.objects.filter(pub_date__year=2006)
Entry.objects.filter(headline__startswith="What")
```

```python
q = Entry.objects.filter(blog_id=4)
q = q.exclude(body_text__icontains="food")
```

```python
>>> Entry.objects.filter(pub_date__lte="2006-01-01")
```
"""

FAQ = """# FAQ: General

## How do I pronounce the name Django?

It is said JANG-oh, rhyming with FANG-oh.

## What is the framework named after?

It is named after a jazz guitarist of the 1930s.
"""

OPERATORS = """# Arithmetic operators

Matrix multiplication follows the rules of linear algebra for two matrices.

The element-by-element multiplication operator is x .* y: each element of x is multiplied by
the element of y in the same place.

Division of matrices solves a linear system instead.
"""


def _folder(tmp_path, **files):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in files.items():
        (folder / f"{name}.md").write_text(text, encoding="utf-8")
    return open_index(folder, tmp_path / "index")


def test_readers_code_units_and_headings_are_flagged_when_indexed(tmp_path):
    idx = _folder(tmp_path, queries=QUERIES, faq=FAQ)
    bits = idx.sentence_flags(np.arange(idx.sentence_count))
    texts = [idx.sentence_text(s) for s in range(idx.sentence_count)]
    code = {t for t, b in zip(texts, bits, strict=True) if b & flags.CODE}
    heads = {t for t, b in zip(texts, bits, strict=True) if b & flags.HEADING}
    assert any("pub_date__year" in t for t in code)
    assert not any("no database activity" in t for t in code)
    assert {"FAQ: General", "How do I pronounce the name Django?"} <= heads
    assert not any("JANG-oh" in t for t in heads)


def test_a_question_naming_an_identifier_gets_the_sentence_that_explains_it_first(tmp_path):
    idx = _folder(tmp_path, queries=QUERIES)
    answer = idx.ask("Does Entry.objects.filter(pub_date__year=2006) hit the database at once?", 3)
    assert answer.passages and not answer.passages[0].code
    assert "no database activity" in answer.passages[0].text


def test_a_question_asking_for_code_may_get_code_first(tmp_path):
    idx = _folder(tmp_path, queries=QUERIES)
    answer = idx.ask("show me example code with Entry.objects.filter and pub_date__year", 3)
    assert answer.passages[0].code


def test_asking_for_code_is_saying_so_or_asking_mostly_in_code():
    def asks(question):
        return structure.asks_for_code(terms(question))

    assert asks("what does .* do?")
    assert asks("any examples of a custom manager?")
    assert asks("how do I use {% url %}?")
    assert not asks("why do I have to call get_object_or_404() myself?")
    assert not asks("null=True or blank=True for an optional CharField?")
    assert not asks("is version 3.2 out?")
    assert not asks("every model warns about django.db.models.AutoField, what now?")
    # "for example" is an aside: the question asks how, not for an example
    question = "how do I choose the gnuplot terminal (wxt for example)?"
    assert not structure.asks_for_code(terms(question), question)
    question = "for example, where is an example of a custom manager?"
    assert structure.asks_for_code(terms(question), question)
    # "code" naming a value is not asking to see code either
    for question in ("how do I get the exit code of a child process?", "return a 404 status code"):
        assert not structure.asks_for_code(terms(question), question)
    question = "example code for the exit code of a child process"
    assert structure.asks_for_code(terms(question), question)


def test_a_heading_alone_is_not_the_answer_when_the_text_under_it_is(tmp_path):
    idx = _folder(tmp_path, faq=FAQ)
    answer = idx.ask("how do you pronounce django", 3)
    assert answer.passages
    assert "JANG-oh" in answer.passages[0].text


def test_a_question_that_is_only_an_operator_finds_it(tmp_path):
    idx = _folder(tmp_path, ops=OPERATORS)
    answer = idx.ask("what does .* do?", 3)
    assert answer.passages and ".*" in answer.passages[0].text


def test_no_answer_only_when_no_candidate_holds_enough_of_the_question(idx):
    """A first candidate that holds too little of the question's weight (a contents line, a
    heading) does not make the question go unanswered: the first that holds enough goes first."""
    question = "how many troops will Mexico train?"
    term_ids, corrections, missing = idx._query_terms(question)
    qset = frozenset(idx._qterms(question, corrections))
    ranked, _, near = ranking.rank(
        idx, term_ids, answers.question_type(question), qset, question, ranking.load_model()
    )
    good = ranked[0]
    assert idx._covered(good[0], term_ids, missing, near.get(good[0]))
    poor = next(s for s in range(idx.sentence_count) if not idx._covered(s, term_ids, missing))

    def covered(sid):
        return idx._covered(sid, term_ids, missing, near.get(sid))

    moved, yes = structure.covered_first(idx, [(poor, 1.0), good], covered)
    assert yes and moved == [good, (poor, good[1])]  # the scores never rise
    alone = [(poor, 1.0)]
    assert structure.covered_first(idx, alone, covered) == (alone, False)


SETTINGS = """# Upgrading

Some text about the release and its many other changes to the framework.

To avoid unwanted migrations in the future, set the default field explicitly:

For example:

```python
DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
```

The checks framework reports other problems as well.
"""


def test_the_sentence_that_explains_a_code_unit_comes_before_it(tmp_path):
    """The explanation is not a candidate (one word of the question); it joins, above its code.
    "For example:", which holds none, is no explanation."""
    idx = _folder(tmp_path, upgrading=SETTINGS)
    answer = idx.ask("every model warns about the default django.db.models.AutoField field", 3)
    assert answer.passages and not answer.passages[0].code
    assert "avoid unwanted migrations" in answer.passages[0].text
    assert any(p.code for p in answer.passages[1:])


def test_past_an_uncovered_first_candidate_a_heading_is_the_last_resort(tmp_path):
    idx = _folder(tmp_path, faq=FAQ, ops=OPERATORS)
    question = "what is the framework named after?"
    term_ids, _, missing = idx._query_terms(question)
    texts = {idx.sentence_text(s): s for s in range(idx.sentence_count)}
    heading = texts["What is the framework named after?"]
    body = texts["It is named after a jazz guitarist of the 1930s."]
    poor = texts["Division of matrices solves a linear system instead."]
    assert idx.sentence_flags(np.array([heading]))[0] & flags.HEADING
    ranked = [(poor, 1.0), (heading, 0.9), (body, 0.8)]
    assert all(idx._covered(s, term_ids, missing) for s in (heading, body))

    def covered(sid):
        return idx._covered(sid, term_ids, missing)

    moved, yes = structure.covered_first(idx, ranked, covered)
    assert yes and moved[0][0] == body
    moved, yes = structure.covered_first(idx, ranked[:2], covered)
    assert yes and moved[0][0] == heading


CACHES = """# Caches

## Database caching

Each backend keeps its entries somewhere: this one in a table of your database.

## Local-memory caching

Each backend keeps its entries somewhere: this one in the RAM of each process.
"""


def test_heading_runs_reach_the_text_under_them_within_their_document():
    H, P = flags.HEADING, 0
    #        doc 0: H H P P H P | doc 1: P H P
    bits = np.array([H, H, P, P, H, P, P, H, P], dtype=np.uint8)
    docs = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1])
    first, last = windows.heading_runs(bits, docs)
    assert first.tolist() == [-1, -1, 0, 0, -1, 4, -1, -1, 7]
    assert last.tolist() == [-1, -1, 1, 1, -1, 4, -1, -1, 7]


def test_a_heading_is_the_context_of_the_paragraphs_under_it(tmp_path):
    idx = _folder(tmp_path, caches=CACHES)
    question = "which backend keeps its entries for local memory caching?"
    ids = [t for t in (idx.term_id(w) for w in terms(question)) if t is not None]
    sids, levels, *_ = ranking.candidates(idx, ids)
    text = {s: idx.sentence_text(s) for s in sids.tolist()}
    para = {text[s]: p for s, p in zip(sids.tolist(), levels[:, 1].tolist(), strict=True)}
    memory = next(p for t, p in para.items() if "RAM of each process" in t)
    table = next(p for t, p in para.items() if "table of your database" in t)
    assert memory > table  # equal without the headings: the paragraphs differ in no asked word


def test_no_passage_is_a_heading_alone_when_text_stands_under_it(tmp_path):
    """Questions whose words are a heading's: what is quoted is the text under it, once."""
    idx = _folder(tmp_path, faq=FAQ)
    headings = {
        "FAQ: General",
        "How do I pronounce the name Django?",
        "What is the framework named after?",
    }
    for question in ("how do you pronounce django", "pronounce name", "framework named after"):
        texts = [p.text.strip() for p in idx.ask(question, 3).passages]
        assert texts and not headings.intersection(texts), (question, texts)


FRAGMENTS = """# Loops

It is quite inefficient to fill a vector with a loop. It is faster to write the expression

```
a = sqrt (1:10);
```

which avoids the loop entirely.

Writing

```
do x++ until (x > 9)
```

runs the body first.

The do-until loop runs its body, then tests its condition, and stops when the condition is true.
"""


def test_prose_a_code_block_cuts_off_does_not_go_first(tmp_path):
    """ "which avoids the loop entirely." after a listing and "Writing" before one are parts of
    sentences the code interrupts: alone they say little, and they no longer win on their few
    words."""
    idx = _folder(tmp_path, loops=FRAGMENTS)
    for question in ("how do i write a do until loop", "what does a do-until loop do"):
        first = idx.ask(question, 3).passages[0].text
        assert first.startswith("The do-until loop runs its body"), (question, first)


def _manual(sections: int, sentences: int) -> str:
    """A long manual: a preface, then numbered sections of `sentences` sentences each."""
    out = ["# A long manual", ""]
    out += [f"Preface sentence number {i} says little about anything." for i in range(300)]
    for s in range(sections):
        out += ["", f"## Section {s}: widget number {s}", ""]
        out += [f"Widget {s} has part {j} that the manual describes." for j in range(sentences)]
    return "\n".join(out) + "\n"


def test_a_sentence_is_placed_within_its_section_and_never_past_the_training_range(tmp_path):
    """The ranker's place features count from the heading over a sentence, and stop at about
    what the training articles have: a linear weight fitted on articles of 130 sentences must
    not decide alone for a manual's 2,000th sentence."""
    idx = _folder(tmp_path, manual=_manual(sections=40, sentences=45))
    texts = {idx.sentence_text(s): s for s in range(idx.sentence_count)}
    late = texts["Widget 39 has part 2 that the manual describes."]
    preface = texts["Preface sentence number 250 says little about anything."]
    assert idx.sentence_positions(np.array([late]))[0, 2] > 1500  # deep in its document
    places = features.section_positions(idx, np.array([late, preface]))
    assert places[0, 1] == 0 and places[0, 2] == 2  # third sentence of its section
    question = "what does widget 39 have?"
    qtype = answers.question_type(question)
    term_ids, corrections, _ = idx._query_terms(question)
    qset = frozenset(idx._qterms(question, corrections))
    sids, levels, blended, *_ = ranking.candidates(idx, term_ids)
    X = features.compute(idx, term_ids, qtype, qset, question, sids, levels, blended)
    names = ("in_paragraph", "paragraph_in_document", "in_document")
    cols = [features.NAMES.index(n) for n in names]
    assert (X[:, cols] <= features.POSITION_CAPS).all()
    assert X[:, cols[2]].max() < 50  # every candidate is counted within its section


SERVER = """# The development server

Do not use this server in a production setting: it has not gone through security audits.

Settings for a production server are passed to the runserver command like this:

```
$ python manage.py runserver --settings=production.server
$ python manage.py runserver production.server:8080
```

## Deployment

A production server runs behind a web server such as nginx, never manage.py runserver.

Static files are served by the web server in production.
"""


def test_after_the_first_passage_code_ranks_below_prose_unless_code_is_asked_for(tmp_path):
    idx = _folder(tmp_path, server=SERVER)
    answer = idx.ask("can I use manage.py runserver on my production server?", 5)
    codes = [p.code for p in answer.passages]
    assert codes == [False, False, True]  # the listing holds every word, yet comes after prose
    assert "Do not use this server" in answer.passages[0].text
    shown = idx.ask("show me example code for manage.py runserver on a production server", 5)
    assert shown.passages[0].code  # asked for code: as the ranker put them


CHAINING = """# Queries

## select_related

The difference between select_related and prefetch_related is where the join is done.

## Chaining

Or call select_related() and prefetch_related() together to reduce the queries even further:

```
Pizza.objects.select_related("best").prefetch_related("toppings")
```

## prefetch_related

prefetch_related does a separate lookup for each relationship, and the joining is done in Python.
"""


def test_after_the_first_passage_a_lead_in_to_code_ranks_below_prose(tmp_path):
    """A sentence that announces a listing ("... even further:") says little without it."""
    idx = _folder(tmp_path, queries=CHAINING)
    answer = idx.ask("what is the difference between select_related and prefetch_related?", 5)
    texts = [p.text for p in answer.passages]
    assert texts[0].startswith("The difference between")
    assert texts[1].startswith("prefetch_related does a separate lookup")
    assert texts[2].startswith("Or call select_related()")


COMMANDS = """# django-admin and manage.py

## Available commands

### runserver

Starts a lightweight development Web server on the local machine.

DO NOT USE THIS SERVER IN A PRODUCTION SETTING.

It has not gone through security audits or performance tests.

# How to deploy with ASGI

## The application object

ASGI servers take the path to the application callable as a string.

It is not used by the development server (runserver), but can be used by any ASGI server either
in development or in production.
"""


def test_a_heading_that_names_the_question_s_word_counts_in_its_sentence_s_coverage(tmp_path):
    """A sentence is read under its heading: the warning under "runserver" answers "can I use
    runserver in production?" as fully as a sentence that names runserver in passing (first
    without the heading's words: that one holds more of the question)."""
    idx = _folder(tmp_path, commands=COMMANDS)
    answer = idx.ask("can i just use runserver on my production server?")
    assert "DO NOT USE THIS SERVER" in answer.passages[0].text
    # the heading counts in the ranker's coverage, not in the no-answer check's share
    question = "is runserver safe in production?"
    term_ids, corrections, _ = idx._query_terms(question)
    qset = frozenset(idx._qterms(question, corrections))
    sids, levels, blended, *_ = ranking.candidates(idx, term_ids)
    X, share = features.compute_with_share(
        idx, term_ids, answers.question_type(question), qset, question, sids, levels, blended
    )
    texts = [idx.sentence_text(s) for s in sids.tolist()]
    warning = texts.index("DO NOT USE THIS SERVER IN A PRODUCTION SETTING.")
    aside = next(i for i, t in enumerate(texts) if t.startswith("It is not used"))
    near = X[:, features.NAMES.index("coverage_near")]
    assert near[warning] > share[warning] > 0  # "runserver" from its heading
    assert near[aside] == share[aside]  # its heading holds no word of the question


WRAPPER = """# Fortran in oct-files

An example of the inclusion of a Fortran function in an oct-file is given in the following
example, where the C++ wrapper is

```
DEFUN_DLD (fortrandemo, args, , "Fortran Demo")
```

The mkoctfile function compiles source code written in C, C++, or Fortran.

```
mkoctfile fortrandemo.cc fortransub.f
```
"""


def test_a_long_sentence_that_goes_on_in_the_code_after_it_is_a_fragment(tmp_path):
    """It ends on "is": what it says is finished by the listing, so alone it is a fragment as
    "Writing" is; a whole sentence before a listing is not."""
    idx = _folder(tmp_path, wrapper=WRAPPER)
    sids = np.arange(idx.sentence_count)
    texts = [" ".join(idx.sentence_text(s).split()) for s in sids.tolist()]
    cut = dict(zip(texts, windows.code_fragments(idx, sids).tolist(), strict=True))
    assert cut[texts[1]] and texts[1].endswith("where the C++ wrapper is")
    assert not cut["The mkoctfile function compiles source code written in C, C++, or Fortran."]


KEY = """# Key

The set key command enables a key (or legend) for each plot in the graph.

By default the key is placed in the upper right inside corner of the graph.

Other positions can be given with the keywords left, right, top and bottom.

This places the key at the default location:

```
set key default
```

To move it outside the border of the plot, give the outside keyword.
"""


def test_a_short_lead_in_before_its_example_does_not_go_first(tmp_path):
    """ "This places the key at the default location:" says what its example does, not the
    answer: alone it is a dozen words or fewer ending in a colon before a code unit, and it no
    longer wins on them over the sentence that says where the key is (gnuplot's manual)."""
    idx = _folder(tmp_path, key=KEY)
    first = idx.ask("where is the key placed by default?", 3).passages[0]
    best = first.text[first.sentence_start - first.start : first.sentence_end - first.start]
    assert best.startswith("By default the key is placed"), best
