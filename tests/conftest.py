"""Shared fixtures: keep every test's index cache inside its own temporary folder."""

import pytest


@pytest.fixture(scope="session")
def _word_lists(tmp_path_factory):
    """One folder of word lists (index/search/question/lexicon.py) for the whole run: they are
    the same for every test and take half a second each to make."""
    return tmp_path_factory.mktemp("words")


@pytest.fixture(scope="session")
def _langid_model(tmp_path_factory):
    """One folder for py3langid's unpacked model (index/analysis/langid.py), likewise."""
    return tmp_path_factory.mktemp("langid")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch, _word_lists, _langid_model):
    """No test reads the user's settings or writes to the user's cache."""
    cache = tmp_path_factory.mktemp("cache")
    (cache / "verbatim").mkdir()
    (cache / "verbatim" / "words").symlink_to(_word_lists, target_is_directory=True)
    (cache / "verbatim" / "langid").symlink_to(_langid_model, target_is_directory=True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    for name in ("VERBATIM_DOCS", "VERBATIM_INDEX"):
        monkeypatch.delenv(name, raising=False)
