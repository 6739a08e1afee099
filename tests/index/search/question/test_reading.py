"""Reading a question: contractions and chat words are no terms of it."""

import pytest
from makedocs import index_of

from index import open_index
from index.analysis.tokens import normalize
from index.search.question import reading

DOCS = {
    "cache.md": "# Caching\n\nThe local-memory cache is the default cache backend.\n\n"
    "When the cache is not working, check the CACHES setting first.\n",
    "faq.md": "# FAQ\n\nIt comes down to getting stuff done, and that is really all.\n\n"
    "Actually, we don't know. Thanks to everyone who asked.\n",
}


def _index(tmp_path):
    return index_of(DOCS, tmp_path)


def test_contractions_and_chat_words_are_left_out_of_a_question(tmp_path):
    """Contractions: "isn't" is read "isnt" (the stopword list's "isn" and "t" never come up).
    Chat words: "kinda", "actually", "stuff", "thanks" say nothing of the topic, nor "vs",
    which frames a comparison the answer makes in other words; rare in documents, they would
    weigh the most, or count as unknown words against the coverage."""
    idx = _index(tmp_path)
    chatty = (
        "Why isn't my cache backend vs CACHES kinda working, actually? stuff I don't get. thanks!"
    )
    plain = "Why is my cache backend CACHES working? I get."
    assert idx._query_terms(chatty) == idx._query_terms(plain)
    assert idx._qterms(chatty, {}) == idx._qterms(plain, {})
    answer = idx.ask(chatty, 1)
    assert answer.passages and answer.passages[0].document == "cache.md"


def test_a_question_of_chat_words_alone_gets_no_passage(tmp_path):
    idx = _index(tmp_path)
    assert not idx.ask("thanks, really!", 3).passages


def test_a_name_the_index_knows_is_asked_once_not_again_by_its_parts(tmp_path):
    """`manage.py` and `select_related` are terms as written; their parts (`manage`, `py`;
    `select`, `related`) asked too would count the name two or three times. A hyphenated word
    keeps its parts ("e-mail": "e", "mail", "email"), and a name the index lacks is asked by them."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "guide.md").write_text(
        "# Guide\n\nRun python manage.py runserver to start the server. Use select_related to"
        " follow relations. Send an e-mail to the admins. Select the related rows by hand.\n",
        encoding="utf-8",
    )
    idx = open_index(folder, tmp_path / "index")

    def asked(question):
        ids = idx._query_terms(question)[0]
        return {t for t, i in idx._segs.terms.items() if i in ids}

    assert asked("can i use manage.py runserver?") == {"use", "manage.py", "runserv"}
    assert asked("select_related to follow?") == {"selectrel", "follow"}
    assert {"e", "mail", "email"} <= asked("an e-mail to whom?")
    assert {"select", "row"} <= asked("what about select_rows?")  # unknown as a whole


def test_a_rare_camel_case_name_is_asked_twice(tmp_path):
    """An exception or class name pasted from an error ("fails with RequestDataTooBig") is what
    the asker means: when few sentences hold it, it counts twice among the question's terms, so
    the one sentence that explains it is not outweighed by the question's many common words."""
    folder = tmp_path / "docs"
    folder.mkdir()
    common = "".join(
        f"Posting a big form with file uploads can fail when setting {n} controls the limit.\n\n"
        for n in range(30)
    )
    (folder / "settings.md").write_text(
        "# Settings\n\n" + common + "A request body larger than this raises RequestDataTooBig.\n\n"
        "The vBNS network and HttpResponse objects are written here too.\n\n"
        + "".join(f"Return an HttpResponse from view {n}.\n\n" for n in range(12)),
        encoding="utf-8",
    )
    idx = open_index(folder, tmp_path / "index")
    ids = idx._query_terms("posting a big form fails with RequestDataTooBig, what limit?")[0]
    rare = idx._term_id("requestdatatoobig")
    assert ids.count(rare) == 2
    assert idx._query_terms("what is vBNS?")[0].count(idx._term_id("vbns")) == 1  # an acronym
    # held by more than RARE_NAME sentences: a name the whole text is about, asked once
    assert idx._query_terms("what is an HttpResponse?")[0].count(idx._term_id("httprespons")) == 1


def test_a_verb_finds_the_sentence_that_says_it_in_the_passive(tmp_path):
    """ "how do I hide a toctree?" against a manual that says entries "can be hidden": Snowball
    stems "hidden" as "hidden", so the question's "hide" missed it and a sentence that only
    shares "toctree" with the question went first."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "directives.md").write_text(
        "# Directives\n\nThe toctree directive inserts a tree of the documents it lists.\n\n"
        "A toctree can be hidden with its option, so that only the sidebar shows its entries.\n\n"
        "Numbered toctrees count their sections from one.\n",
        encoding="utf-8",
    )
    idx = open_index(folder, tmp_path / "index")
    passages = idx.ask("how do I hide a toctree?", 1).passages
    assert passages and "can be hidden" in passages[0].text


@pytest.mark.parametrize(
    "text",
    [
        "what does select_related do",
        "why does QuerySet.filter() fail with RequestDataTooBig?",
        "is inputParser faster than validateattributes",
        "how do I set ＿fullwidth＿names",  # NFKC makes "_" of them
        "What is the DEFAULT_AUTO_FIELD and why vBNS",
        "plain question without any names at all",
        "call strsplit(s) then containers.Map()",
    ],
)
def test_the_name_checks_find_what_the_patterns_find(text):
    """The cheap checks before the name patterns ("_", "(", a capital after a lower-case letter)
    never skip a name the pattern would find."""
    plain = normalize(text)
    assert {m.lower() for m in reading._CAMEL.findall(text)} == reading._camel_names(text)
    if reading._SNAKE.findall(plain):
        assert "_" in plain
    if reading._CALLED.findall(text):
        assert "(" in text
    if reading._CAMEL.findall(text):
        assert reading._JOINED.search(text)
