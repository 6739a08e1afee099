"""Shared fixtures: keep every test's index cache inside its own temporary folder."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path_factory, monkeypatch):
    """No test reads the user's settings or writes to the user's cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    for name in ("VERBATIM_DOCS", "VERBATIM_INDEX"):
        monkeypatch.delenv(name, raising=False)
