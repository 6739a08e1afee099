"""What a passage quotes around its sentence: the rest of a short paragraph and what follows it in
its section, and the answer after a question the text itself asks (an FAQ's, a tutorial's)."""

from __future__ import annotations

from index import open_index
from index.answer import passages
from index.answer.citations import DocInfo

SHORT = """# Sessions

Session data is kept on the server side. It is signed with your secret key. Cookies hold only
the session's id.

Browsers drop the session cookie when they close, unless told to keep it.

Old cookies are swept away every night.

## Caching

Cached pages are stored in memory by default.
"""

# A reference entry as manuals print it: the call, a one-line summary, then its details.
ENTRY = """# Saving data

## save_precision

val = save_precision ()

Query or set the number of digits to keep when saving data in text format.

The default value is 17, the minimum necessary for the lossless saving of doubles.

## save_header_format_string

Query or set the format string used for the comment line written at the start of text files.
"""

LONG = "# Report\n\n" + " ".join(
    f"Line {n} of the harbour report lists {n} boats and their {n} crews at anchor."
    for n in range(12)
)

TUTORIAL = """# Part 3

Why do we use a helper function instead of catching the exception automatically?

Because that would couple the model layer to the view layer. Loose coupling is a design goal.

## Templates

Templates live in a folder of their own.
"""


# A paragraph that opens by pointing back at the one before it.
POINTING_BACK = """# Transactions

A common way to handle transactions on the web is to wrap each request in a transaction, so
that a request either changes the database as a whole or not at all, whatever happens in the
view, in the template it renders or in the middleware around it, and however many queries it
makes. Set ATOMIC_REQUESTS to True to turn this behaviour on.

It works like this. Before calling a view, Django starts a transaction. If the view raises an
exception, Django rolls back the transaction.

## Savepoints

It is possible to nest savepoints inside atomic blocks, and a view raises nothing then.
"""


def _index(tmp_path, text: str):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "doc.md").write_text(text, encoding="utf-8")
    return open_index(folder, tmp_path / "index")


def test_a_short_paragraph_is_quoted_whole(tmp_path):
    idx = _index(tmp_path, SHORT)
    first = idx.ask("where is session data kept?", 3).passages[0]
    assert "kept on the server side" in first.text
    assert "secret key" in first.text and "only the session's id" in " ".join(first.text.split())
    # the next paragraph of its section fits and speaks of sessions; the one after does not
    assert "Browsers drop the session cookie" in first.text
    assert "swept away" not in first.text
    assert "Cached pages" not in first.text  # another section


def test_a_one_line_summary_is_quoted_with_the_details_that_follow_it(tmp_path):
    idx = _index(tmp_path, ENTRY)
    first = idx.ask("how many digits does saving data in text format keep?", 3).passages[0]
    assert "digits to keep" in first.text and "The default value is 17" in first.text
    assert "format string" not in first.text


def test_a_long_paragraph_is_quoted_only_around_its_sentence(tmp_path):
    idx = _index(tmp_path, LONG)
    first = idx.ask("how many crews does line 7 of the harbour report list?", 3).passages[0]
    assert "Line 7 " in first.text
    assert len(first.text) <= passages.PARAGRAPH_CHARS
    assert first.text.count("Line ") > 1  # grown by neighbours of its paragraph, within the limit


def test_a_question_in_the_text_is_quoted_with_its_answer(tmp_path):
    idx = _index(tmp_path, TUTORIAL)
    first = idx.ask(
        "Why do we use a helper function instead of catching it automatically?"
    ).passages
    assert "Because that would couple the model layer" in first[0].text
    assert "Loose coupling is a design goal." in first[0].text  # the answer's paragraph goes on
    assert "Templates live" not in first[0].text


def test_text_without_headings_keeps_a_passage_to_its_paragraph(tmp_path):
    """News and articles have no sections: the next paragraph, even about the same thing, is
    another passage's."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "news.txt").write_text(
        "Session data is kept on the server side.\n\n"
        "Browsers drop the session cookie when they close.\n",
        encoding="utf-8",
    )
    idx = open_index(folder, tmp_path / "index")
    first = idx.ask("where is session data kept?", 3).passages[0]
    assert "kept on the server side" in first.text
    assert "Browsers" not in first.text


def test_a_paragraph_that_points_back_is_quoted_with_the_sentence_before_it(tmp_path):
    idx = _index(tmp_path, POINTING_BACK)
    first = idx.ask("does django roll back the transaction when a view raises?", 3).passages[0]
    assert "rolls back the transaction" in first.text
    assert "Set ATOMIC_REQUESTS to True" in first.text  # what "It" is
    assert "A common way" not in first.text  # only the sentence before: all would not fit
    # across a heading nothing joins: the savepoints paragraph starts its section
    second = idx.ask("can savepoints be nested inside atomic blocks?", 3).passages[0]
    assert second.text.startswith("It is possible to nest savepoints")


# A reference entry: its name, a one-line summary, then details.
OPTION = """# Options

## --deploy

Activates some additional checks that are only relevant in a deployment setting.

You can use this option in your local development environment, but your local settings may
not have your production settings, so point the check command at another settings module.

## --list-tags

Lists all available tags.
"""


def test_a_short_section_is_quoted_from_its_start(tmp_path):
    idx = _index(tmp_path, OPTION)
    first = idx.ask("can I check my production settings module with a command?", 3).passages[0]
    assert "point the check command" in first.text
    assert first.text.startswith("Activates some additional checks")  # what the option does
    assert "Lists all available tags" not in first.text  # another section


# An API reference entry: version metadata, then what it does.
API = """# Buffer

## buf.readDoubleBE(offset)

Added in: v0.11.15

Reads a 64-bit, big-endian double from buf at the specified offset.

## import.meta.resolve(specifier)

v20.6.0

This API no longer throws when targeting file URLs that do not map to an existing file.
"""


def test_what_comes_before_in_a_section_joins_only_when_it_says_something(tmp_path):
    """A section's start joins when it speaks of the question, and a paragraph that points back
    takes the sentence before only when that one is a sentence (not a table cell's "v20.6.0")."""
    idx = _index(tmp_path, API)
    first = idx.ask("how do I read a big-endian double from a buffer?", 3).passages[0]
    assert first.text.startswith("Reads a 64-bit, big-endian double")  # not "Added in: ..."
    first = idx.ask("does import.meta.resolve throw for a file that does not exist?").passages[0]
    assert first.text.startswith("This API no longer throws")


def test_an_offset_is_code_between_a_code_unit_start_and_end():
    """DocInfo.is_code bisects the code units as stored (it once rebuilt their starts on every
    call: about 0.1 ms a call on a manual of thousands of listings)."""
    info = DocInfo(code=((10, 20), (20, 25), (40, 50)))
    inside = [o for o in range(60) if info.is_code(o)]
    assert inside == [*range(10, 25), *range(40, 50)]
    assert not DocInfo().is_code(0)


# A reference manual repeats a sentence in several entries, here once inside a longer one.
REPEATED = """# The Array class

## Array (const Array &a)

Create a new object that shares the data of the object a, without copying its elements one by
one; memory for the Array class is managed using a reference counting scheme, so the cost of
this operation is independent of the size of the array.

## Array& operator = (const Array &a)

Assignment operator, which makes this object refer to the elements of a from now on. Memory for
the Array class is managed using a reference counting scheme, so the cost of this operation is
independent of the size of the array.

## void resize (int n)

Change the size of the array to be n elements. If n is less than the current size, the length
is updated but no memory is released, whatever the array held.
"""


def test_a_sentence_already_quoted_is_not_a_passage_again(tmp_path):
    idx = _index(tmp_path, REPEATED)
    shown = idx.ask("is the memory of an array managed by reference counting?", 3).passages
    assert "reference counting scheme" in shown[0].text
    assert sum("reference counting scheme" in p.text for p in shown) == 1


def test_a_paragraph_grows_as_it_did_side_by_side():
    """`_grow` stops trying a side once it stops (its end has not moved, the passage only grew):
    on random paragraphs, sentence lengths, quoted and code sentences it grows each passage to
    the sentences the plain loop (both sides tried in each round, next first) gives."""
    import random
    from types import SimpleNamespace

    import numpy as np

    from index.analysis import flags

    def plain(idx, first, last, taken):
        para, bits = idx._sent_para, idx._sent_flags
        start, end = int(idx._sent_start[first]), int(idx._sent_end[last])
        grew = True
        while grew:
            grew = False
            for x, near in ((last + 1, last), (first - 1, first)):
                if not 0 <= x < len(para) or x in taken or para[x] != para[near]:
                    continue
                if bits[x] & (flags.CODE | flags.HEADING):
                    continue
                a, b = min(start, int(idx._sent_start[x])), max(end, int(idx._sent_end[x]))
                if b - a > passages.PARAGRAPH_CHARS:
                    continue
                start, end, first, last = a, b, min(first, x), max(last, x)
                grew = True
        return first, last

    rng = random.Random(5)
    grown = 0
    for _ in range(3000):
        n = rng.randint(1, 40)
        lengths = [rng.choice([5, 40, 90, 200, 460]) for _ in range(n)]
        ends = np.cumsum([length + 1 for length in lengths])
        idx = SimpleNamespace(
            flags_present=0,
            _sent_para=np.array(sorted(rng.choice(range(4)) for _ in range(n)), dtype=np.int32),
            _sent_flags=np.array(
                [rng.choice([0] * 8 + [flags.CODE, flags.HEADING]) for _ in range(n)], np.uint8
            ),
            _sent_start=(ends - np.array(lengths) - 1).astype(np.int32),
            _sent_end=(ends - 1).astype(np.int32),
        )
        first = rng.randrange(n)
        last = min(n - 1, first + rng.choice([0, 0, 1]))
        taken = {x for x in range(n) if rng.random() < 0.1} - set(range(first, last + 1))
        expected = plain(idx, first, last, taken)
        assert passages._grow(idx, first, last, taken) == expected
        grown += expected != (first, last)
    assert grown > 500
