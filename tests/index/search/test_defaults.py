"""A question about what holds when nothing is set is answered by the sentence that states the
default, among the candidates its own words chose."""

import pytest
from makedocs import index_of

from index.search.order import defaults

DOCS = {
    "cache.md": "# Caching\n\n## Database caching\n\n"
    "The database cache backend stores cached data in a table of your database, and every "
    "process can share that cache backend with every other process.\n\n"
    "## Local-memory caching\n\n"
    "Each process keeps its own private cache in memory, so this cache backend is not shared. "
    "This is the default if another is not specified.\n",
}
QUESTION = "which cache backend does a server process use out of the box?"


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("is time zone support on by default?", True),
        ("what hashing algorithm does it use for passwords out of the box?", True),
        ("which database does a brand new project use if I don't change anything?", True),
        ("what key type does containers.Map() use if I create it without any arguments?", True),
        ("¿qué base de datos usa por defecto?", True),
        ("welche Datenbank wird standardmäßig verwendet?", True),
        ("What happens when the option is omitted?", True),
        ("what if I leave it out", True),
        ("Unset, what does it do", True),
        ("If you never configure it, which one?", True),
        ("what is it when not in my settings?", True),
        ("¿cuál es el valor predeterminado?", True),
        ("какой язык по умолчанию?", True),
        ("默认端口是多少？", True),
        ("how many troops will Mexico train?", False),
        ('models.W042 "primary key type, by default AutoField" -- how do I get rid of it?', False),
    ],
)
def test_questions_about_defaults_are_known_outside_what_they_quote(question, asks):
    assert defaults.asks_for_default(question) is asks


def test_the_sentence_that_states_the_default_answers(tmp_path, monkeypatch):
    idx = index_of(DOCS, tmp_path)
    first = idx.ask(QUESTION, 2).passages[0]
    assert first.text.endswith("This is the default if another is not specified.")
    monkeypatch.setattr(defaults, "SHARE", 1.0)  # without the rule the setting's own words win
    assert "default" not in idx.ask(QUESTION, 2).passages[0].text


@pytest.mark.parametrize(
    ("sentence", "states"),
    [
        ("By default, the configuration uses SQLite.", True),
        ("DEFAULTS TO TRUE.", True),
        ("Default: 1209600", True),
        ("Por defecto se usa SQLite.", True),
        ("Par défaut, le cache est local.", True),
        ("Standardmäßig wird SQLite verwendet.", True),
        ("Der Standardwert ist 17.", True),
        ("По умолчанию используется SQLite.", True),
        ("默认使用 SQLite。", True),
        ("デフォルトでは SQLite を使います。", True),
        ("The defaulting party pays.", False),
        ("The database cache backend stores cached data in a table.", False),
    ],
)
def test_a_sentence_states_a_default_in_each_language_the_bot_speaks(sentence, states):
    assert defaults.states_default(sentence) is states
