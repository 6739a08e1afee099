"""Verbatim's folder in the user's cache: saved indexes, word lists, py3langid's unpacked model."""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder() -> Path:
    """Verbatim's folder in the user's cache ($XDG_CACHE_HOME, else ~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "verbatim"
