"""Read, split and tokenize documents, in worker processes that each file can only cost itself.

A PDF or Word file is read in a worker process (never in the caller's: PDFium's state is global,
not thread-safe, and not fork-safe once loaded): a pooled, freshly started interpreter
(`index.read.workers`), never a fork of the caller, which may have threads. Each worker runs under an
address-space cap (WORKER_MEMORY beyond what it has when a run starts); each file gets
FILE_SECONDS per 100 pages (`time_limit`; a file other than a PDF counts its size over
BYTES_PER_PAGE). A file that runs over is skipped with its reason and its worker replaced; a
worker that dies (PDFium aborts the process when the cap is hit) costs only the file it was
reading. Both reasons are `retryable`: the index tries such a file again later, with more time.
A folder of a few text files is read in the calling process, which is faster than asking a
worker.
"""

from __future__ import annotations

import collections
import contextlib
import json
import os
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

import numpy as np

from index.analysis.flags import sentence_flags, structure_flags
from index.analysis.languages import AUTO, detect_document
from index.analysis.tokens import ENGLISH, STOPWORDS, name_terms, stem, words
from index.read import workers as workers_
from index.read.documents import BINARY_EXTENSIONS, read_document
from index.read.formats import SourceDoc
from index.read.formats.markdown import SEPARATOR

FILE_SECONDS = 30.0  # one file may take this long to read, split and tokenize (per 100 pages)
PAGES_PER_LIMIT = 100  # a PDF gets FILE_SECONDS for each this many pages
# Any other file counts a page for each this many bytes: FILE_SECONDS a megabyte (an 8 MB
# one-page edition of a docs site takes about 15 s of CPU to read, split and tokenize here).
BYTES_PER_PAGE = 10_000
TIMED_OUT = "took longer than"
CRASHED = "its reader crashed: out of memory or a damaged file"
WORKER_MEMORY = 2 * 2**30  # address space a worker may take beyond what it starts with
MAX_WORKERS = 4


class _Numbering(dict):
    """A dict that numbers each new key in order of first use: `ids[key]` never misses."""

    def __missing__(self, key: str) -> int:
        value = self[key] = len(self)
        return value


@dataclass(frozen=True)
class _Document:
    """One document read and split (in a worker process)."""

    id: str
    title: str
    source: str | None
    text: bytes
    spans: np.ndarray  # (n, 3): start, end, paragraph number
    lengths: np.ndarray  # terms per sentence
    flags: np.ndarray  # uint8 per sentence: flags.sentence_flags
    info: bytes = b""  # pages, sections, outlet, code units: JSON (see `doc_info`), or empty
    language: str = ENGLISH  # what its text was read as (languages.py), or "und"
    names: tuple[str, str] = ("", "")  # its file name's and title's terms (tokens.name_terms)


@dataclass(frozen=True)
class _Chunk:
    """A run of documents analyzed together: their terms are numbered within the chunk."""

    results: list[tuple[str, _Document | None, str | None]]  # (doc id, document, note)
    terms: list[str]  # the chunk's distinct terms; `ids` index into it
    ids: np.ndarray  # every sentence's terms in order, as chunk-local numbers


def sentences(doc: SourceDoc, lang: str = ENGLISH) -> list[tuple[int, int, int]]:
    """(start, end, paragraph) of the document's sentences, each unit (a code block, a table row)
    one sentence with a paragraph of its own; paragraphs numbered in order."""
    from index.analysis.sentences import split

    units = []
    for s, e in doc.units:
        piece = doc.text[s:e]
        s2 = s + len(piece) - len(piece.lstrip("\r\n"))  # code keeps its first indent
        e2 = s + len(piece.rstrip())
        if e2 > s2:
            units.append((s2, e2))
    spans = split(doc.text, tuple(sorted((*doc.skip, *doc.units))), lang)
    if not units:
        return spans
    items = [(s, e, ("p", p)) for s, e, p in spans] + [(s, e, ("u", s)) for s, e in units]
    items.sort(key=lambda x: x[0])
    out, last, n = [], None, -1
    for s, e, key in items:
        if key != last:
            n, last = n + 1, key
        out.append((s, e, n))
    return out


def heading_spans(doc: SourceDoc) -> list[tuple[int, int]]:
    """The document's heading lines, in order: the spans its reader gives (`headings`), else, for
    a reader that gives none, each section's start to the length of its heading's name (and 3
    more characters for a mark such as Sphinx's " ¶")."""
    if doc.headings:
        return sorted((int(a), int(b)) for a, b in doc.headings)
    return [
        (int(start), int(start) + len(str(path).rsplit(SEPARATOR, 1)[-1]) + 3)
        for start, path, *_ in doc.sections
    ]


def doc_info(doc: SourceDoc) -> bytes:
    """What a citation needs of a document beyond its title and link, as compact JSON: kind,
    outlet, pages [[start, label]], sections [[start, path, anchor]], code [[start, end]]."""
    info: dict = {}
    if doc.kind != "text":
        info["kind"] = doc.kind
    if doc.outlet:
        info["outlet"] = doc.outlet
    if doc.pages:
        info["pages"] = [list(p) for p in doc.pages]
    if doc.sections:
        info["sections"] = [list(x) for x in doc.sections]
    if doc.code:
        info["code"] = [list(x) for x in doc.code]
    return json.dumps(info, ensure_ascii=False, separators=(",", ":")).encode() if info else b""


def info_arrays(infos: list[bytes]) -> dict[str, np.ndarray]:
    """The documents' citation blobs (in document order) as the two arrays an index stores:
    `docinfo` (uint8, read on demand) and `docinfo_offsets` (int64, one more than documents)."""
    return {
        "docinfo": np.frombuffer(b"".join(infos), dtype=np.uint8),
        "docinfo_offsets": np.cumsum([0] + [len(i) for i in infos], dtype=np.int64),
    }


def _analyze(jobs: list[tuple[str, str]], started=None, language: str = AUTO) -> _Chunk:
    """Read, split and tokenize a run of files, stemming each distinct word of the run once.

    The terms equal `tokens.terms` of each sentence in its document's language (`language`, or
    each document's own, detected, when "auto"); numbering them here spares the parent process
    a dictionary lookup per term. `started(i)` is told before file i is read (for its time limit).
    A word of another language than English is numbered with its language ("es\0canción").
    """
    results: list[tuple[str, _Document | None, str | None]] = []
    surface = _Numbering()
    number = surface.__getitem__
    ids: list[int] = []
    other = False  # a word of another language than English was numbered
    for i, (doc_id, path) in enumerate(jobs):
        if started is not None:
            started(i)
        try:
            doc, note = read_document(doc_id, Path(path))
            lang = ENGLISH
            if doc is not None:
                lang = detect_document(doc.text) if language == AUTO else language
            spans = sentences(doc, lang) if doc is not None else []
        except MemoryError:
            results.append((doc_id, None, "needs more memory than allowed to read, not read"))
            continue
        except Exception as exc:  # a reader tripped on odd input: this file only is skipped,
            # not the worker's whole run (retried as a crash, with the wrong reason)
            results.append((doc_id, None, f"could not be read: {_failure(exc)}"))
            continue
        if doc is None or not spans:
            results.append((doc_id, None, note if doc is None else "no sentences"))
            continue
        lengths, flags = [], []
        more = structure_flags(spans, doc.code, heading_spans(doc), doc.rows)
        for (start, end, _), extra in zip(spans, more, strict=True):
            text = doc.text[start:end]
            found = words(text, lang)
            kept = [w for w in found if w not in STOPWORDS] if lang == ENGLISH else found
            lengths.append(len(kept))
            flags.append(sentence_flags(text, found) | extra)
            if lang != ENGLISH:
                kept = [f"{lang}\0{w}" for w in kept]
                other = True
            ids.extend(map(number, kept))
        document = _Document(
            doc.id,
            doc.title,
            doc.source,
            doc.text.encode("utf-8"),
            np.array(spans, dtype=np.int64).reshape(-1, 3),
            np.array(lengths, dtype=np.int64),
            np.array(flags, dtype=np.uint8),
            doc_info(doc),
            lang,
            name_terms(doc.id, doc.title),
        )
        results.append((doc_id, document, note))
    stems = _Numbering()
    term = _term if other else stem  # English words are numbered as they are
    stem_of = np.fromiter((stems[term(w)] for w in surface), np.int32, len(surface))
    return _Chunk(results, list(stems), stem_of[np.array(ids, dtype=np.int64)])


def _term(key: str) -> str:
    """The index term of a numbered word: English as it is, others after their language."""
    if "\0" not in key:
        return stem(key)
    lang, _, word = key.partition("\0")
    return stem(word, lang)


def _binary(files: list[tuple[str, Path]]) -> bool:
    return any(doc_id.lower().endswith(BINARY_EXTENSIONS) for doc_id, _ in files)


def _workers(files: list[tuple[str, Path]]) -> int:
    """Processes to use: one per core (at most 4), none extra for a small folder of text."""
    if len(files) < 64 and not _binary(files):
        return 1
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1, len(files)))


def _chunks(files: list[tuple[str, Path]], workers: int) -> list[list[tuple[str, str]]]:
    """Contiguous runs of files: many per worker (for balance and the progress bar), ≤ 256 each;
    ≤ 16 when PDF or Word files are among them (a dead worker's run is read again)."""
    most = 16 if _binary(files) else 256
    size = max(1, min(most, len(files) // (workers * 16)))
    jobs = [(doc_id, str(path)) for doc_id, path in files]
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def _analyzed(
    files: list[tuple[str, Path]],
    bar,
    seconds: float | None = None,
    patience=None,
    language: str = AUTO,
):
    """Analyzed chunks in file order: in this process for a few text files, else from workers."""
    workers = _workers(files)
    chunks = _chunks(files, workers)
    if workers == 1 and not _binary(files):
        results = (_analyze(chunk, None, language) for chunk in chunks)
    else:
        limit = FILE_SECONDS if seconds is None else seconds
        results = _supervised(chunks, workers, limit, WORKER_MEMORY, patience, language)
    for chunk in results:
        yield chunk
        if bar is not None:
            bar.update(len(chunk.results))


def pages(path: str | Path) -> int:
    """A PDF's page count (1 for one PDFium cannot open), any other file's size in pages of
    BYTES_PER_PAGE: what its time limit scales with. Called in workers only (it loads PDFium)."""
    if not str(path).lower().endswith(".pdf"):
        try:
            return max(1, os.path.getsize(path) // BYTES_PER_PAGE)
        except OSError:  # reading it will say what is wrong
            return 1
    try:
        import pypdfium2

        pdf = pypdfium2.PdfDocument(str(path))
        try:
            return max(1, len(pdf))
        finally:
            pdf.close()
    except Exception:  # reading it will say what is wrong
        return 1


def _failure(exc: Exception) -> str:
    """A reader's failure on one file, in one line: the exception and the start of its message."""
    said = " ".join(str(exc).split())
    said = said if len(said) <= 100 else said[:99] + "…"
    return f"its reader failed ({type(exc).__name__}{': ' + said if said else ''})"


def set_time_limit(seconds: float) -> None:
    """The time a file may take to read, per 100 pages, for this process (VERBATIM_READ_TIMEOUT)."""
    global FILE_SECONDS
    if not 1 <= seconds <= 3600:
        raise ValueError(f"a time limit of {seconds:g} s")
    FILE_SECONDS = float(seconds)


def time_limit(seconds: float, pages: int, patience: float = 1.0) -> float:
    """How long a file may take: `seconds` for each PAGES_PER_LIMIT pages (at least once), times
    `patience` (a file tried again after timing out gets more)."""
    return seconds * max(1.0, pages / PAGES_PER_LIMIT) * patience


def timed_out(limit: float) -> str:
    return f"{TIMED_OUT} {limit:g} s to read"


def retryable(reason: str) -> bool:
    """Whether a file skipped for `reason` may read next time (busy machine, killed worker)."""
    return reason.startswith((TIMED_OUT, CRASHED))


def _supervised(chunks, workers: int, seconds: float, memory: int, patience=None, language=AUTO):
    """Analyzed chunks, in order, from up to `workers` pooled processes; a file that times out or
    kills its worker is skipped with its reason, and its run read again without it.
    `patience[doc_id]` multiplies a file's time limit."""
    patience = patience or {}
    originals = dict(enumerate(chunks))
    removed: dict[int, dict[str, str]] = collections.defaultdict(dict)
    pending = collections.deque(enumerate(chunks))
    done: dict[int, _Chunk] = {}
    team: list[workers_.Worker] = []
    following = 0
    try:
        while following < len(chunks):
            while following in done:
                yield _restore(done.pop(following), originals[following], removed[following])
                following += 1
            if following >= len(chunks):
                break
            want = min(workers, len(pending) + sum(w.job is not None for w in team))
            while len(team) < want:
                team.append(workers_.POOL.take())
            for w in team:
                while w.job is None and pending:
                    n, jobs = pending.popleft()
                    if jobs:
                        w.give(n, jobs, memory, language)
                    else:
                        done[n] = _Chunk([], [], np.zeros(0, np.int32))
            busy = [w for w in team if w.job is not None]
            if not busy:
                continue
            # Wake at the first deadline: a file is stopped when its time is up, not later.
            left = min(w.limit - (time.monotonic() - w.since) for w in busy)
            wait([w.conn for w in busy], min(1.0, max(0.0, left)))
            for w in busy:
                reason = _drain(w, done, seconds, patience)
                late = w.job is not None and time.monotonic() - w.since > w.limit
                if reason is None and late:
                    reason = timed_out(w.limit) if w.ready else "the reader could not start"
                if reason is None:
                    continue
                n, jobs = w.job
                bad = jobs[min(w.file, len(jobs) - 1)]
                removed[n][bad[0]] = reason
                pending.appendleft((n, [j for j in jobs if j != bad]))
                team.remove(w)
                w.stop(kill=True)
    finally:
        for w in team:
            workers_.POOL.give_back(w)


def _drain(w, done: dict[int, _Chunk], seconds: float, patience: dict) -> str | None:
    """Read what a worker said; a reason when its socket broke mid-run, else None."""
    try:
        while w.conn.poll():
            kind, n, value = w.conn.recv()
            if kind == "ready":
                w.ready, w.since, w.limit = True, time.monotonic(), seconds
            elif kind == "file":
                doc_id = w.job[1][value][0]
                w.file, w.since = value, time.monotonic()
                w.limit = time_limit(seconds, 1, patience.get(doc_id, 1.0))
            elif kind == "pages":
                doc_id = w.job[1][w.file][0]
                w.limit = time_limit(seconds, value, patience.get(doc_id, 1.0))
            else:
                done[n] = value
                w.job = None
    except (EOFError, OSError):
        if w.job is not None:
            return CRASHED
    return None


def _restore(chunk: _Chunk, jobs: list[tuple[str, str]], removed: dict[str, str]) -> _Chunk:
    """The chunk's results with the files skipped by the supervisor put back in file order."""
    if not removed:
        return chunk
    given = iter(chunk.results)
    results = [
        (doc_id, None, removed[doc_id]) if doc_id in removed else next(given) for doc_id, _ in jobs
    ]
    return _Chunk(results, chunk.terms, chunk.ids)


def serve(fd: int, parent: int) -> None:
    """A worker's life: import what reading needs, say so, then analyze each run of files sent,
    telling the parent which file it starts and how many pages it has."""
    import signal
    from multiprocessing.connection import Connection

    workers_.die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    conn = Connection(fd)
    from index.analysis import sentences  # noqa: F401 - loaded before any file's time starts

    with contextlib.suppress(ImportError):
        import docx2python  # noqa: F401
        import pypdfium2  # noqa: F401
    with contextlib.suppress(EOFError, OSError):  # the parent went away: leave quietly
        conn.send(("ready", 0, os.getpid()))
        while _serve_one(conn):
            pass


def _serve_one(conn) -> bool:
    """Read one run of files sent; False when the worker should leave."""
    n, jobs, memory, language = conn.recv()
    workers_.cap(memory)

    def started(i: int) -> None:
        conn.send(("file", n, i))
        count = pages(jobs[i][1])
        if count > 1:
            conn.send(("pages", n, count))

    chunk = _analyze(jobs, started, language)
    workers_.uncap()
    conn.send(("done", n, chunk))
    return workers_.vm("VmRSS") <= workers_.RECYCLE_BYTES
