"""Code words are words: names, operators, flags and tags are terms as written, and their parts."""

from index.analysis.codewords import code_words
from index.analysis.tokens import terms, words


def test_a_dotted_name_is_a_term_with_its_tails_and_its_parts():
    got = terms("Does Entry.objects.filter(...) hit the database?")
    for term in ("entry.objects.filter", "objects.filter", "filter", "object"):
        assert term in got
    assert "models.autofield" in terms("django.db.models.AutoField")
    assert "settings.debug" in terms("Set settings.DEBUG to False.")
    assert "manage.py" in terms("Run manage.py check.")


def test_operators_flags_tags_and_generics_are_terms_as_written():
    cases = {
        "what does .* do": ".*",
        "int32 (5) ./ int32 (8) is 1": "./",
        "p->next is NULL": "->",
        "def f(**kwargs):": "**kwargs",
        "run it with --rebuild": "--rebuild",
        "use {% url 'detail' %} in templates": "{%url",
        "an Array<T> of doubles": "array<t>",
        "written in C++ and C#": "c++",
        "path('<int:pk>/', view)": "<int:pk>",
        "@receiver(post_save)": "@receiver",
        "if a == b": "==",
    }
    for text, term in cases.items():
        assert term in terms(text), text


def test_a_question_that_is_only_an_operator_has_a_term():
    assert terms("what does .* do?") == [".*"]
    assert terms("->?") == ["->"]


def test_code_words_stand_before_their_parts_in_order():
    assert words("call Entry.objects.all() now") == [
        "call", "entry.objects.all", "objects.all", "entry", "objects", "all", "now",
    ]  # fmt: skip


def test_ordinary_prose_keeps_its_words():
    """Abbreviations, a lost space after a period, dashes, ellipses, money, percentages and
    quotes give the words they always gave."""
    text = (
        "The U.S. economy, e.g. in 2015, grew 3.2% -- a Ph.D. said so... It cost $5 or 10 % "
        "more.The rest is history. “Quoted.” A+ grade; R&D; and/or; 1,000 people; Port-au-Prince."
    )
    assert code_words(text.lower()) == []
    assert words(text) == [
        "the", "us", "economy", "eg", "in", "2015", "grew", "3.2", "a", "ph", "d", "said",
        "so",
        "it", "cost", "5", "or", "10", "more", "the", "rest", "is", "history", "quoted", "a",
        "grade", "r", "d", "and", "or", "1000", "people", "port", "au", "prince", "portauprince",
    ]  # fmt: skip


def test_code_words_are_not_stemmed():
    assert "entry.objects.filter" in terms("Entry.objects.filter")
    assert "**kwargs" in terms("**kwargs")


def test_the_trigger_finds_what_its_plain_alternation_finds():
    # _TRIGGER is written to start with one class of characters (for speed); it must find the
    # same places as the three alternatives it stands for, from any start, on any text.
    import random
    import re

    from index.analysis.codewords import _TRIGGER

    plain = re.compile(r"[<>{}@$#*+=|&~^\\/!]|\.[a-z_*/\\^']|--")
    rng = random.Random(7)
    alphabet = "<>{}@$#*+=|&~^\\/!.-a_z*'` \n9A"
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(10)))
        for pos in range(len(text) + 1):
            want = [(m.span(), m.group()) for m in plain.finditer(text, pos)]
            assert [(m.span(), m.group()) for m in _TRIGGER.finditer(text, pos)] == want, text
