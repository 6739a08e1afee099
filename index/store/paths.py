"""Where the documents and the saved index live by default."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from index.cachedir import cache_folder

DEFAULT_DOCS = "seeds"


def docs_folder(value: str | os.PathLike[str] | None = None) -> Path:
    """The documents folder: the argument, else VERBATIM_DOCS, else `seeds/`."""
    return Path(value or os.environ.get("VERBATIM_DOCS") or DEFAULT_DOCS).expanduser()


def docs_url(value: str | None = None) -> str | None:
    """The documents folder's public address (for citation links): the argument, else
    VERBATIM_DOCS_URL, else None."""
    return value or os.environ.get("VERBATIM_DOCS_URL") or None


def index_folder(docs: Path, value: str | os.PathLike[str] | None = None) -> Path:
    """The index folder: the argument, else VERBATIM_INDEX, else a per-folder cache directory."""
    chosen = value or os.environ.get("VERBATIM_INDEX")
    if chosen:
        return Path(chosen).expanduser()
    cache = cache_folder()
    resolved = str(docs.resolve())
    digest = hashlib.sha256(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return cache / f"{docs.resolve().name or 'docs'}-{digest}"


def language(value: str | None = None) -> str:
    """The language setting: the argument, else VERBATIM_LANGUAGE, else "auto" (each document in
    its own language, detected). VerbatimError with the fix when it names no language."""
    from index.analysis.languages import setting
    from index.errors import VerbatimError

    raw = value or os.environ.get("VERBATIM_LANGUAGE") or "auto"
    try:
        return setting(raw)
    except ValueError as exc:
        raise VerbatimError(f"language {exc}") from None
