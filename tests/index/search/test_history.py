"""Release notes and changelogs rank after the pages that document how things are, unless the
question speaks of versions or changes."""

import numpy as np
from makedocs import index_of

from index.search.order import history

DOCS = {
    "settings.md": "# Settings\n\n## DATA_UPLOAD_MAX_MEMORY_SIZE\n\n"
    "The maximum size in bytes that a request body may be before an error is raised.\n",
    "notes.md": "# Django 1.10 release notes\n\n## New settings\n\n"
    "The new DATA_UPLOAD_MAX_MEMORY_SIZE setting controls the maximum size in bytes of a "
    "request body, and the new permissions setting controls files.\n",
}


def _index(tmp_path):
    return index_of(DOCS, tmp_path)


def test_change_history_is_known_by_its_title():
    found = history.documents(
        ["Django 1.7 release notes", "Changelog", "What's new in 2.0", "Settings", None]
    )
    assert found.tolist() == [True, True, True, False, False]


def test_release_notes_rank_after_the_reference_unless_versions_are_asked_about(tmp_path):
    idx = _index(tmp_path)
    assert idx.history_documents.tolist() == [d == "notes.md" for d in idx._doc_ids]
    (segment,) = idx._segs.gen.segments
    assert segment.arrays["doc_history"].tolist() == idx.history_documents.tolist()
    titles = segment.meta["titles"]
    for damaged in ({}, {"doc_history": np.zeros(len(titles) + 1, np.uint8)}):
        assert history.of_segment(damaged, titles).tolist() == idx.history_documents.tolist()
    question = "which setting controls the maximum size of a request body?"
    assert idx.ask(question, 2).passages[0].document == "settings.md"
    assert not history.asks_about_versions(question)
    asked = "which setting controls the maximum request body size since version 1.10?"
    assert history.asks_about_versions(asked)
    assert idx.ask(asked, 2).passages[0].document == "notes.md"
