"""Read, split and tokenize documents, in worker processes that each file can only cost itself.

A PDF or Word file is read in a worker process (never in the caller's: PDFium's state is global,
not thread-safe, and not fork-safe once loaded), forked from the caller, which never loads it
(or from a fork server if it has). Each worker runs under an address-space cap (WORKER_MEMORY
beyond what it starts with); each file gets FILE_SECONDS. A file that runs over
is skipped with its reason and its worker replaced; a worker that dies (PDFium aborts the process
when the cap is hit) costs only the file it was reading. A folder of a few text files is read in
the calling process, which is faster than starting a worker.
"""

from __future__ import annotations

import collections
import json
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

import numpy as np

from index.analysis.flags import sentence_flags
from index.analysis.languages import AUTO, detect_document
from index.analysis.tokens import ENGLISH, STOPWORDS, stem, words
from index.read.documents import BINARY_EXTENSIONS, read_document
from index.read.formats import SourceDoc

FILE_SECONDS = 30.0  # one file may take this long to read, split and tokenize
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
        except (RecursionError, ValueError, OSError) as exc:  # a reader tripped on odd input
            results.append((doc_id, None, f"could not be read: {type(exc).__name__}"))
            continue
        if doc is None or not spans:
            results.append((doc_id, None, note if doc is None else "no sentences"))
            continue
        lengths, flags = [], []
        for start, end, _ in spans:
            found = words(doc.text[start:end], lang)
            kept = [w for w in found if w not in STOPWORDS] if lang == ENGLISH else found
            lengths.append(len(kept))
            flags.append(sentence_flags(doc.text[start:end], found))
            if lang != ENGLISH:
                kept = [f"{lang}\0{w}" for w in kept]
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
        )
        results.append((doc_id, document, note))
    stems = _Numbering()
    stem_of = np.fromiter((stems[_term(w)] for w in surface), np.int32, len(surface))
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
    files: list[tuple[str, Path]], bar, seconds: float = FILE_SECONDS, language: str = AUTO
):
    """Analyzed chunks in file order: in this process for a few text files, else from workers."""
    workers = _workers(files)
    chunks = _chunks(files, workers)
    if workers == 1 and not _binary(files):
        results = (_analyze(chunk, None, language) for chunk in chunks)
    else:
        results = _supervised(chunks, workers, seconds, WORKER_MEMORY, language)
    for chunk in results:
        yield chunk
        if bar is not None:
            bar.update(len(chunk.results))


def _serve(conn, memory: int) -> None:
    """A worker: analyze each run of files sent, telling the parent which file it starts."""
    import index.analysis.sentences  # noqa: F401 - loaded before any file's time starts (nltk: ~0.3 s)

    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        # A forked worker starts with its parent's mappings (a loaded index, libraries): the cap
        # is what it may take beyond those.
        cap = _address_space() + memory
        cap = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):  # no rlimits here: the time limit still holds
        pass
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        n, jobs, language = job
        chunk = _analyze(jobs, lambda i, n=n: conn.send(("file", n, i)), language)
        conn.send(("done", n, chunk))


class _Worker:
    """A worker process, its pipe, and the run (and file of it) it is reading."""

    def __init__(self, ctx, memory: int):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, memory), daemon=True)
        self.proc.start()
        child.close()
        self.job: tuple[int, list[tuple[str, str]]] | None = None
        self.file = 0
        self.since = time.monotonic()

    def give(self, n: int, jobs: list[tuple[str, str]], language: str = AUTO) -> None:
        self.job, self.file, self.since = (n, jobs), 0, time.monotonic()
        self.conn.send((n, jobs, language))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.proc.kill()
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _context():
    """Workers forked from this process when it has never loaded PDFium (the build never does:
    only workers read PDFs), else from a fork server that has not; spawned off Linux."""
    if not sys.platform.startswith("linux"):
        return multiprocessing.get_context("spawn")
    if "pypdfium2" not in sys.modules:
        return multiprocessing.get_context("fork")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["index.read.extract", "index.analysis.sentences"])
    return ctx


def _address_space() -> int:
    """This process's virtual memory size in bytes (0 when unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _supervised(chunks, workers: int, seconds: float, memory: int, language: str = AUTO):
    """Analyzed chunks, in order, from `workers` processes; a file that times out or kills its
    worker is skipped with its reason, and its run read again without it."""
    ctx = _context()
    originals = dict(enumerate(chunks))
    removed: dict[int, dict[str, str]] = collections.defaultdict(dict)
    pending = collections.deque(enumerate(chunks))
    done: dict[int, _Chunk] = {}
    pool: list[_Worker] = []
    following = 0
    try:
        while following < len(chunks):
            while following in done:
                yield _restore(done.pop(following), originals[following], removed[following])
                following += 1
            if following >= len(chunks):
                break
            for w in [w for w in pool if w.job is None and not w.proc.is_alive()]:
                w.stop(kill=True)  # died idle (the OOM killer): replaced below, nothing lost
                pool.remove(w)
            want = min(workers, len(pending) + sum(w.job is not None for w in pool))
            while len(pool) < want:
                pool.append(_Worker(ctx, memory))
            for w in pool:
                while w.job is None and pending:
                    n, jobs = pending.popleft()
                    if jobs:
                        w.give(n, jobs, language)
                    else:
                        done[n] = _Chunk([], [], np.zeros(0, np.int32))
            busy = [w for w in pool if w.job is not None]
            if not busy:
                continue
            # Wake at the first deadline: a file is stopped when its time is up, not later.
            left = min(seconds - (time.monotonic() - w.since) for w in busy)
            wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], min(1.0, max(0.0, left)))
            for w in busy:
                reason = _drain(w, done)
                if reason is None and w.job is not None:
                    if time.monotonic() - w.since > seconds:
                        reason = f"took longer than {seconds:g} s to read, skipped"
                    elif not w.proc.is_alive():
                        reason = "its reader crashed: out of memory or a damaged file, skipped"
                if reason is None:
                    continue
                n, jobs = w.job
                bad = jobs[min(w.file, len(jobs) - 1)]
                removed[n][bad[0]] = reason
                pending.appendleft((n, [j for j in jobs if j != bad]))
                w.job = None
                w.stop(kill=True)
                pool.remove(w)
    finally:
        for w in pool:
            w.stop(kill=w.job is not None)


def _drain(w: _Worker, done: dict[int, _Chunk]) -> str | None:
    """Read what a worker said; a reason when its pipe broke mid-run, else None."""
    try:
        while w.conn.poll():
            kind, n, value = w.conn.recv()
            if kind == "file":
                w.file, w.since = value, time.monotonic()
            else:
                done[n] = value
                w.job = None
    except (EOFError, OSError):
        if w.job is not None:
            return "its reader crashed: out of memory or a damaged file, skipped"
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
