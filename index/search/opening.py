"""Open an index: bring the saved index of a folder up to date (only what was added, changed or
removed is read) or build it, or load what another process saved; either way an `Index`."""

from __future__ import annotations

import time
from pathlib import Path

from index.analysis import langid
from index.answer.model import BuildReport
from index.errors import DocumentsError
from index.search.question import lexicon
from index.search.searcher import Index
from index.store import disk, paths, segments, update
from index.store.paths import docs_folder, index_folder
from index.store.paths import docs_url as public_url


def open_index(
    docs: str | Path | None = None,
    index_dir: str | Path | None = None,
    engine: str = "bm25",
    progress: bool = False,
    rebuild: bool = False,
    settle: float = 0.0,
    docs_url: str | None = None,
    language: str | None = None,
) -> Index:
    """Load the saved index of `docs`, first bringing it up to date with the folder (only what was
    added, changed or removed is read), or build and save it; return it loaded.

    `language` (else VERBATIM_LANGUAGE, else "auto"): "auto" reads each document in its own
    language, detected; a code ("de") reads every document and question in that one. An index
    read with another setting is rebuilt.
    `settle`: files modified less than this many seconds ago are still being written and are
    left for a later refresh (the watcher uses it; a command run by hand takes everything).
    `docs_url` (else VERBATIM_DOCS_URL) is the folder's public address, for citation links.
    """
    folder = docs_folder(docs)
    if not folder.exists():
        raise DocumentsError(
            f"documents folder {folder} does not exist: create it or pass --docs DIR"
        )
    if not folder.is_dir():
        raise DocumentsError(
            f"{folder} is not a folder: pass a folder of .txt, .md, .html, .pdf or .docx files"
        )
    target = index_folder(folder, index_dir)
    chosen = paths.language(language)
    started = time.perf_counter()
    done = update.refresh(
        folder, target, rebuild=rebuild, progress=progress, settle=settle, language=chosen
    )
    gen = done.generation
    documents, sentences = update.summary_of(gen.segments, gen.commit["files"])
    skipped = [(r.id, r.reason) for r in done.refused]
    skipped += [(d, e[2]) for d, e in gen.commit.get("skipped", {}).items()]
    report = BuildReport(
        built=done.built,
        documents=documents,
        sentences=sentences,
        seconds=time.perf_counter() - started,
        index_path=str(target),
        skipped=tuple(sorted(skipped)),
        warnings=tuple(done.warnings),
        added=len(done.changes.added),
        changed=len(done.changes.changed),
        removed=len(done.changes.removed),
        unsettled=len(done.changes.unsettled),
        newly_skipped=done.changes.skipped,
        languages=segments.language_counts(gen),
    )
    lexicon.prepare(lang for lang, _ in report.languages)  # once a machine: no ask waits for it
    if len(report.languages) > 1:  # questions may be asked which language they are in
        langid.prepare()
    return Index(gen, report, engine, docs_url=public_url(docs_url))


def load_saved(index_dir: str | Path, engine: str = "bm25", docs_url: str | None = None) -> Index:
    """The index saved in `index_dir` as it is now, without looking at the documents folder: how a
    server follows the generations another process saves."""
    started = time.perf_counter()
    gen = disk.load(Path(index_dir))
    documents, sentences = update.summary_of(gen.segments, gen.commit["files"])
    report = BuildReport(
        built=False,
        documents=documents,
        sentences=sentences,
        seconds=time.perf_counter() - started,
        index_path=str(index_dir),
        skipped=tuple(sorted((d, e[2]) for d, e in gen.commit.get("skipped", {}).items())),
        languages=segments.language_counts(gen),
    )
    return Index(gen, report, engine, docs_url=public_url(docs_url))
