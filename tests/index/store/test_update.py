"""Incremental updates: only what changed is read, and the answers equal a build from scratch."""

import os
import random
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from index import open_index
from index.analysis.sentences import split
from index.analysis.tokens import terms
from index.read.documents import iter_documents
from index.store import update

QUESTIONS = [
    "how many troops will Mexico train?",
    "When did Laki erupt?",
    "what is JWST",
    "how long does sourdough proof",
    "telescope mirror gold",
    "volcano ash eruption",
    "the of and",
    "glaciers in the north",
]

WORDS = (
    "glacier ice river troops volcano ash bread flour telescope mirror harbour ferry council "
    "budget school rain storm market price eruption training soldiers Mexico Haiti"
).split()


def _answers(idx, k=8):
    return [
        [(p.document, p.start, p.end, p.score, p.answer) for p in idx.ask(q, k).passages]
        for q in QUESTIONS
    ]


def _article(rng: random.Random, n: int) -> str:
    paragraphs = []
    for _ in range(rng.randint(1, 4)):
        sentences = []
        for _ in range(rng.randint(1, 5)):
            words = rng.sample(WORDS, rng.randint(3, 9))
            sentences.append(" ".join(words).capitalize() + f" in {1990 + n}.")
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs) + "\n"


def _assert_same_as_fresh(docs: Path, updated, tmp_path: Path, name: str) -> None:
    fresh = open_index(docs, tmp_path / f"fresh-{name}")
    assert fresh.report.built
    assert _answers(updated) == _answers(fresh)
    assert [d.id for d in updated.documents] == [d.id for d in fresh.documents]
    for question in QUESTIONS:
        for level in ("sent", "para", "doc"):
            assert updated.unit_scores(terms(question), level) == fresh.unit_scores(
                terms(question), level
            )


def test_random_adds_edits_and_deletes_equal_a_fresh_build(docs, index_dir, tmp_path):
    rng = random.Random(7)
    open_index(docs, index_dir)
    seen_segments = set()
    for step in range(8):
        present = sorted(p for p in docs.rglob("*.*") if p.is_file())
        for path in rng.sample(present, min(len(present) - 2, rng.randint(0, 2))):
            path.unlink()
        for path in rng.sample(sorted(p for p in docs.rglob("*.*") if p.is_file()), 1):
            if path.suffix == ".txt":
                path.write_text(path.read_text() + "\n" + _article(rng, step), encoding="utf-8")
        for n in range(rng.randint(1, 3)):
            (docs / f"new-{step}-{n}.txt").write_text(_article(rng, n), encoding="utf-8")
        idx = open_index(docs, index_dir)
        assert not idx.report.built and idx.report.updated
        seen_segments.add(len(idx._segs.gen.segments))
        _assert_same_as_fresh(docs, idx, tmp_path, str(step))
    assert max(seen_segments) > 1  # updates really added segments (and merges took some away)


def test_scores_after_updates_equal_rank_bm25_on_the_live_documents(docs, index_dir):
    open_index(docs, index_dir)
    (docs / "telescope.html").unlink()
    (docs / "extra.txt").write_text("Troops and volcanoes.\n\nA glacier moved.\n", encoding="utf-8")
    idx = open_index(docs, index_dir)
    corpus, keys = [], []
    for doc_id, doc, _ in iter_documents(docs):
        for n, (s, e, _) in enumerate(split(doc.text, doc.skip)):
            corpus.append(terms(doc.text[s:e]))
            keys.append((doc_id, n))
    reference = BM25Okapi(corpus)
    for question in QUESTIONS:
        query = [t for t in terms(question) if any(t in c for c in corpus)]
        expected = reference.get_scores(query)
        got = idx.unit_scores(query, "sent")
        assert set(got) == {
            keys[i] for i in np.flatnonzero([any(t in c for t in query) for c in corpus])
        }
        for key, score in got.items():
            assert score == pytest.approx(expected[keys.index(key)], rel=1e-12, abs=1e-12)


def test_only_changed_files_are_read(docs, index_dir, monkeypatch):
    open_index(docs, index_dir)
    (docs / "guides" / "bread.txt").write_text("Rye bread proofs for 16 hours.\n")
    (docs / "fresh.md").write_text("# Fresh\n\nA fresh page about harbours.\n")
    read = []
    real = update.build_segment

    def spy(files, *args, **kwargs):
        read.extend(doc_id for doc_id, _ in files)
        return real(files, *args, **kwargs)

    monkeypatch.setattr(update, "build_segment", spy)
    idx = open_index(docs, index_dir)
    assert sorted(read) == ["fresh.md", "guides/bread.txt"]
    assert idx.report.summary().startswith("+1 added · ~1 changed · −0 removed")
    read.clear()
    open_index(docs, index_dir)
    assert read == []  # nothing changed: nothing read


def test_a_removed_file_is_never_quoted_again(docs, index_dir):
    idx = open_index(docs, index_dir)
    assert any(p.document.endswith("000_44c18b5492aa5800.txt") for p in idx.ask("troops").passages)
    (docs / "000_44c18b5492aa5800.txt").unlink()
    idx = open_index(docs, index_dir)
    assert idx.report.removed == 1
    answer = idx.ask("how many troops will Mexico train?", k=10)
    assert all("44c18b" not in p.document for p in answer.passages)
    assert "000_44c18b5492aa5800.txt" not in [d.id for d in idx.documents]
    with pytest.raises(KeyError):
        idx.text_of("000_44c18b5492aa5800.txt")


def test_a_file_still_being_written_is_taken_when_it_settles(docs, index_dir):
    open_index(docs, index_dir)
    path = docs / "growing.txt"
    path.write_text("The first half of a report about harbour ferries.\n")
    idx = open_index(docs, index_dir, settle=30.0)  # just written: not settled yet
    assert idx.report.unsettled == 1 and "growing.txt" not in [d.id for d in idx.documents]
    assert "still being written" in idx.report.summary()
    with open(path, "a", encoding="utf-8") as f:
        f.write("The second half says the ferries carry 300 passengers.\n")
    past = time.time() - 60
    os.utime(path, (past, past))  # as if written a minute ago: settled
    idx = open_index(docs, index_dir, settle=30.0)
    assert idx.report.added == 1
    (passage,) = idx.ask("how many passengers do the ferries carry?", k=1).passages
    assert passage.document == "growing.txt" and passage.answer == "300"


def test_a_file_that_changes_while_it_is_read_keeps_its_old_version(docs, index_dir, monkeypatch):
    open_index(docs, index_dir)
    path = docs / "guides" / "bread.txt"
    path.write_text("Rye bread proofs for 16 hours.\n")
    real = update.build_segment

    def writer_meanwhile(files, progress=False, accept=None, *rest):
        def after_a_write(doc_id):  # the writer goes on while the file is being read
            path.write_text("Rye bread proofs for 16 hours. And more is being written\n")
            return accept(doc_id)

        return real(files, progress, after_a_write, *rest)

    monkeypatch.setattr(update, "build_segment", writer_meanwhile)
    idx = open_index(docs, index_dir)
    # The half-written version was refused; the old version still answers, the next refresh reads
    # the settled file.
    assert "sourdough" in idx.text_of("guides/bread.txt").lower()
    monkeypatch.undo()
    idx = open_index(docs, index_dir)
    assert "being written" in idx.text_of("guides/bread.txt")


def test_many_updates_merge_small_segments(docs, index_dir, tmp_path):
    open_index(docs, index_dir)
    rng = random.Random(3)
    for n in range(update.MAX_SEGMENTS + 3):
        (docs / f"note-{n}.txt").write_text(_article(rng, n), encoding="utf-8")
        idx = open_index(docs, index_dir)
        assert len(idx._segs.gen.segments) <= update.MAX_SEGMENTS
    _assert_same_as_fresh(docs, idx, tmp_path, "merged")
    kept = {p.name for p in index_dir.iterdir()}
    assert len([n for n in kept if n.startswith("seg-")]) == len(idx._segs.gen.segments)


def test_rebuild_reads_everything_again(docs, index_dir):
    open_index(docs, index_dir)
    idx = open_index(docs, index_dir, rebuild=True)
    assert idx.report.built and len(idx._segs.gen.segments) == 1


def test_an_emptied_folder_keeps_the_last_index(docs, index_dir):
    from index import DocumentsError

    open_index(docs, index_dir)
    for path in sorted(docs.rglob("*"), reverse=True):
        if path.is_file():
            path.unlink()
    with pytest.raises(DocumentsError, match="no documents"):
        open_index(docs, index_dir)
    shutil.copytree(Path(__file__).parents[1] / "corpus", docs, dirs_exist_ok=True)
    assert open_index(docs, index_dir).report.documents == 3


def test_a_file_that_timed_out_is_skipped_said_so_and_read_again_later(
    docs, index_dir, monkeypatch
):
    """A PDF over its time limit is not "added": the summary says it was skipped and why. It is
    tried again when its retry time comes, with more time, and then it is answered from."""
    from index.read import extract
    from index.store import live

    open_index(docs, index_dir)
    guide = Path(__file__).resolve().parents[1] / "pdfs" / "reportlab-userguide.pdf"
    shutil.copy(guide, docs / "guide.pdf")
    past = time.time() - 60
    os.utime(docs / "guide.pdf", (past, past))  # written and settled
    monkeypatch.setattr(extract, "FILE_SECONDS", 0.05)  # 134 pages take about a second here
    idx = open_index(docs, index_dir)
    report = idx.report
    assert report.added == 0 and report.updated
    ((doc, why),) = report.newly_skipped
    assert doc == "guide.pdf" and why.startswith("took longer than 0.067 s to read")
    assert (
        "+0 added" in report.summary() and "skipped 1: guide.pdf (took longer" in report.summary()
    )
    assert live.describe(report).startswith("documents updated: +0 added")
    entry = idx.commit["skipped"]["guide.pdf"]
    assert entry[3] == 1 and entry[4] > time.time() + update.RETRY_FIRST - 5
    # Not yet due: nothing is read, nothing changes.
    assert not live.retry_due(idx) and live.refresh(idx, docs, index_dir) == (None, False)
    # Due, and still too slow: skipped again, later still, with twice the time.
    clock = [entry[4] + 1]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    assert live.retry_due(idx)
    again, _ = live.refresh(idx, docs, index_dir)
    assert again.report.added == 0
    assert again.report.newly_skipped[0][1].startswith("took longer than 0.134 s")
    assert again.commit["skipped"]["guide.pdf"][3] == 2
    assert again.commit["skipped"]["guide.pdf"][4] == pytest.approx(
        clock[0] + 2 * update.RETRY_FIRST
    )
    # Due, and the machine is fast enough now: added, and answered from.
    clock[0] += 2 * update.RETRY_FIRST + 1
    monkeypatch.setattr(extract, "FILE_SECONDS", 30.0)
    done, _ = live.refresh(again, docs, index_dir)
    assert done.report.added == 1 and not done.report.newly_skipped
    assert "guide.pdf" not in done.commit["skipped"] and "guide.pdf" in done.commit["files"]
    assert not live.retry_due(done)
    assert done.ask("what is the ReportLab toolkit?").passages[0].document == "guide.pdf"


def test_a_file_skipped_for_good_is_not_read_again(docs, index_dir):
    (docs / "empty.txt").write_text("\n\n")
    idx = open_index(docs, index_dir)
    assert [d for d, _ in idx.report.newly_skipped] in ([], ["empty.txt"])
    entry = idx.commit["skipped"]["empty.txt"]
    assert len(entry) == 3 and update.retry_at(entry) == float("inf")
    assert update.next_retry(idx.commit) == float("inf")
