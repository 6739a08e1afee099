"""Reading a question: contractions and chat words are no terms of it."""

from index import open_index

DOCS = {
    "cache.md": "# Caching\n\nThe local-memory cache is the default cache backend.\n\n"
    "When the cache is not working, check the CACHES setting first.\n",
    "faq.md": "# FAQ\n\nIt comes down to getting stuff done, and that is really all.\n\n"
    "Actually, we don't know. Thanks to everyone who asked.\n",
}


def _index(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return open_index(folder, tmp_path / "index")


def test_contractions_and_chat_words_are_left_out_of_a_question(tmp_path):
    """"isn't" is read "isnt" (the stopword list's "isn" and "t" never come up), and "kinda",
    "actually", "stuff", "thanks" say nothing of the topic: rare in documents, they would weigh
    the most, or count as unknown words against the question's coverage."""
    idx = _index(tmp_path)
    chatty = "Why isn't my cache backend kinda working, actually? stuff I don't get. thanks!"
    plain = "Why is my cache backend working? I get."
    assert idx._query_terms(chatty) == idx._query_terms(plain)
    assert idx._qterms(chatty, {}) == idx._qterms(plain, {})
    answer = idx.ask(chatty, 1)
    assert answer.passages and answer.passages[0].document == "cache.md"


def test_a_question_of_chat_words_alone_gets_no_passage(tmp_path):
    idx = _index(tmp_path)
    assert not idx.ask("thanks, really!", 3).passages
