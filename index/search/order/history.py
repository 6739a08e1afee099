"""Change-history pages: release notes and changelogs, read by the ranker.

A documentation site keeps a page of release notes for every version (Django's 3.2 docs: 273 of
525 pages). Each says again, in the words of the reference, what changed ("The new
FILE_UPLOAD_DIRECTORY_PERMISSIONS setting controls the file system permissions ..."), so their
sentences take many of a question's candidates (20 of 30 for "ALLOWED_HOSTS = [] ... which hosts
does Django accept?") and some of its first places, although the page that documents the
behaviour as it is answers a question about how something works. Unless the question speaks of
versions or changes, their sentences count `SHARE` of their score (`ranking.rank`); they stay
among the candidates for questions that nothing else answers.
"""

from __future__ import annotations

import re

import numpy as np

SHARE = 0.5  # of its score a change-history sentence keeps when the question is not about versions

# A page is change history by its title: "Django 1.7 release notes", "Changelog", "What's new
# in 2.0". (Its path is no sign: Django's releases/ folder also holds a porting guide.)
_TITLE = re.compile(r"\brelease notes?\b|\bchange ?log\b|\bwhat[’']?s new\b", re.IGNORECASE)
# A question about versions or changes: a version number, or one of these words.
_ASKS = re.compile(
    r"\b\d+\.\d+|\b(?:upgrad\w*|releas\w*|versions?|deprecat\w*|removed|changelog|new in)\b",
    re.IGNORECASE,
)


def documents(titles: list[str | None]) -> np.ndarray:
    """For each document (by number), whether its title names it change history."""
    return np.array([bool(t) and _TITLE.search(t) is not None for t in titles], dtype=bool)


def of_segment(arrays: dict, titles: list[str | None]) -> np.ndarray:
    """`documents` of a segment's titles, as it was written with them (found again where it was
    not, or is damaged)."""
    kept = arrays.get("doc_history")
    if kept is None or kept.shape != (len(titles),):
        return documents(titles)
    return np.asarray(kept, dtype=bool)


def asks_about_versions(question: str) -> bool:
    """Whether the question speaks of versions or changes ("after upgrading to 3.2 ...")."""
    return _ASKS.search(question) is not None
