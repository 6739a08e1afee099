"""Turn a folder of documents into index arrays: sentences, terms, and BM25 postings at three levels."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.bm25 import idf_okapi, posting_weights, term_bounds
from index.documents import read_document, scan, walk
from index.tokens import STOPWORDS, stem, words

FORMAT_VERSION = 8
LEVELS = ("sent", "para", "doc")


@dataclass
class IndexData:
    """Everything an index holds, as plain arrays and JSON-able metadata.

    A loaded index maps its arrays, but those in `store.READ_ON_DEMAND` are `store.OnDisk`: read
    when sliced, which is all the searcher ever does with them.
    """

    arrays: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)


def fingerprint(folder: Path, found: list | None = None) -> str:
    """A hash of the document files' names, sizes and times, and of the index format."""
    found = scan(folder) if found is None else found
    digest = hashlib.sha256(json.dumps(FORMAT_VERSION).encode())
    for lo in range(0, len(found), 2000):  # short calls: a reload runs beside the event loop
        entries = [(doc_id, size, mtime) for doc_id, _, (size, mtime) in found[lo : lo + 2000]]
        digest.update(json.dumps(entries, separators=(",", ":")).encode())
    return digest.hexdigest()


def _progress(total: int, enabled: bool):
    if not enabled or total < 50 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="Indexing", file=sys.stderr, leave=False)


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


@dataclass(frozen=True)
class _Chunk:
    """A run of documents analyzed together: their terms are numbered within the chunk."""

    results: list[tuple[str, _Document | None, str | None]]  # (doc id, document, note)
    terms: list[str]  # the chunk's distinct terms; `ids` index into it
    ids: np.ndarray  # every sentence's terms in order, as chunk-local numbers


def _analyze(jobs: list[tuple[str, str]]) -> _Chunk:
    """Read, split and tokenize a run of files, stemming each distinct word of the run once.

    The terms equal `tokens.terms` of each sentence; numbering them here spares the parent process
    a dictionary lookup per term.
    """
    # Punkt (nltk takes 0.3 s to import) is needed to build, never to answer: imported here.
    from index.sentences import split

    results: list[tuple[str, _Document | None, str | None]] = []
    surface = _Numbering()
    number = surface.__getitem__
    ids: list[int] = []
    for doc_id, path in jobs:
        doc, note = read_document(doc_id, Path(path))
        spans = split(doc.text, doc.skip) if doc is not None else []
        if doc is None or not spans:
            results.append((doc_id, None, note if doc is None else "no sentences"))
            continue
        lengths = []
        for start, end, _ in spans:
            kept = [w for w in words(doc.text[start:end]) if w not in STOPWORDS]
            lengths.append(len(kept))
            ids.extend(map(number, kept))
        document = _Document(
            doc.id,
            doc.title,
            doc.source,
            doc.text.encode("utf-8"),
            np.array(spans, dtype=np.int64).reshape(-1, 3),
            np.array(lengths, dtype=np.int64),
        )
        results.append((doc_id, document, note))
    stems = _Numbering()
    stem_of = np.fromiter((stems[stem(w)] for w in surface), np.int32, len(surface))
    return _Chunk(results, list(stems), stem_of[np.array(ids, dtype=np.int64)])


def _workers(files: list[tuple[str, Path]]) -> int:
    """Processes to use: one per core (at most 4), none extra for a small folder."""
    if len(files) < 64:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def _chunks(files: list[tuple[str, Path]], workers: int) -> list[list[tuple[str, str]]]:
    """Contiguous runs of files: many per worker (for balance and the progress bar), ≤ 256 each."""
    size = max(1, min(256, len(files) // (workers * 16)))
    jobs = [(doc_id, str(path)) for doc_id, path in files]
    return [jobs[i : i + size] for i in range(0, len(jobs), size)]


def _analyzed(files: list[tuple[str, Path]], bar):
    """Analyzed chunks in file order, from a pool of worker processes when the folder is large."""
    workers = _workers(files)
    chunks = _chunks(files, workers)
    if workers == 1:
        results = map(_analyze, chunks)
    else:
        ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        pool = ctx.Pool(workers)
        results = pool.imap(_analyze, chunks)
    try:
        for chunk in results:
            yield chunk
            if bar is not None:
                bar.update(len(chunk.results))
    finally:
        if workers > 1:
            pool.terminate()


def build(folder: Path, progress: bool = False) -> IndexData:
    """Read, split and tokenize every document under `folder`, and compute BM25 postings."""
    found, refusals = walk(folder)
    fp = fingerprint(folder, found)
    files = [(doc_id, Path(path)) for doc_id, path, _ in found]
    bar = _progress(len(files), progress)

    doc_ids: list[str] = []
    titles: list[str] = []
    sources: list[str | None] = []
    texts: list[bytes] = []
    skipped: list[tuple[str, str]] = [(r.id, r.reason) for r in refusals]
    warnings: list[tuple[str, str]] = []
    vocab = _Numbering()
    term_chunks: list[np.ndarray] = []
    span_chunks: list[np.ndarray] = []
    length_chunks: list[np.ndarray] = []
    doc_of_sent: list[np.ndarray] = []
    for chunk in _analyzed(files, bar):
        global_id = np.fromiter(map(vocab.__getitem__, chunk.terms), np.int64, len(chunk.terms))
        term_chunks.append(global_id[chunk.ids])
        for doc_id, doc, note in chunk.results:
            if doc is None:
                skipped.append((doc_id, note or "unreadable"))
                continue
            if note:
                warnings.append((doc_id, note))
            d = len(doc_ids)
            doc_ids.append(doc.id)
            titles.append(doc.title)
            sources.append(doc.source)
            texts.append(doc.text)
            span_chunks.append(doc.spans)
            length_chunks.append(doc.lengths)
            doc_of_sent.append(np.full(len(doc.spans), d, dtype=np.int64))
    if bar is not None:
        bar.close()

    spans = np.concatenate(span_chunks) if span_chunks else np.zeros((0, 3), np.int64)
    sent_len = np.concatenate(length_chunks) if length_chunks else np.zeros(0, np.int64)
    sent_doc = np.concatenate(doc_of_sent) if doc_of_sent else np.zeros(0, np.int64)
    term = np.concatenate(term_chunks) if term_chunks else np.zeros(0, np.int64)
    # Paragraph ids: a new paragraph wherever the document or its paragraph number changes.
    new_para = np.ones(len(spans), dtype=bool)
    new_para[1:] = (sent_doc[1:] != sent_doc[:-1]) | (spans[1:, 2] != spans[:-1, 2])
    sent_para = np.cumsum(new_para) - 1
    para_doc = sent_doc[new_para]

    arrays = _postings(
        n_terms=len(vocab),
        term=term,
        sent=np.repeat(np.arange(len(sent_len), dtype=np.int64), sent_len),
        sent_len=sent_len,
        sent_para=sent_para,
        sent_doc=sent_doc,
        n_para=len(para_doc),
        n_doc=len(doc_ids),
    )
    arrays["sent_doc"] = sent_doc.astype(np.int32)
    # Each sentence's terms in order, for the pair bonus and the coverage check at query time.
    arrays["sent_terms"] = term.astype(np.int32)
    arrays["sent_term_start"] = np.concatenate(([0], np.cumsum(sent_len))).astype(np.int64)
    arrays["sent_start"] = spans[:, 0].astype(np.int32)
    arrays["sent_end"] = spans[:, 1].astype(np.int32)
    arrays["sent_para"] = sent_para.astype(np.int32)
    arrays["para_doc"] = para_doc.astype(np.int32)
    # The vocabulary, one term a line: a load decodes it in one short call (JSON took 0.12 s at 1M).
    arrays["terms"] = np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8)
    arrays["text"] = np.frombuffer(b"".join(texts), dtype=np.uint8)
    arrays["text_offsets"] = np.cumsum([0] + [len(t) for t in texts], dtype=np.int64)
    meta = {
        "format": FORMAT_VERSION,
        "fingerprint": fp,
        "doc_ids": doc_ids,
        "titles": titles,
        "sources": sources,
        "skipped": skipped,
        "warnings": warnings,
    }
    return IndexData(arrays, meta)


def term_list(arrays: dict) -> list[str]:
    """The index's terms in id order (term i has postings row i).

    Decoded in pieces of about 256 KiB: one call over the whole vocabulary would hold the GIL for
    about 65 ms at 1M sentences, and a reload runs beside the bot's event loop.
    """
    raw = arrays["terms"][0 : len(arrays["terms"])].tobytes()
    out: list[str] = []
    start = 0
    while start < len(raw):
        end = raw.find(b"\n", start + 256 * 1024)
        end = len(raw) if end < 0 else end
        out.extend(raw[start:end].decode("utf-8").split("\n"))
        start = end + 1
    return out


def _postings(
    n_terms: int,
    term: np.ndarray,
    sent: np.ndarray,
    sent_len: np.ndarray,
    sent_para: np.ndarray,
    sent_doc: np.ndarray,
    n_para: int,
    n_doc: int,
) -> dict[str, np.ndarray]:
    """Term-major postings (indptr, indices, tf, weights) for sentences, paragraphs, documents."""
    out: dict[str, np.ndarray] = {}
    lengths = {
        "sent": sent_len,
        "para": np.bincount(sent_para, weights=sent_len, minlength=n_para).astype(np.int64),
        "doc": np.bincount(sent_doc, weights=sent_len, minlength=n_doc).astype(np.int64),
    }
    # Sentence postings: one sort of (term, sentence) keys; counts of equal keys are the tf.
    width = max(1, len(sent_len))
    key, tf = np.unique(term * width + sent, return_counts=True)
    term_of, sent_of = key // width, key % width
    for level, unit_of_sent, n_units in (
        ("sent", None, len(sent_len)),
        ("para", sent_para, n_para),
        ("doc", sent_doc, n_doc),
    ):
        if unit_of_sent is None:
            t_u, indices, tf_u = term_of, sent_of, tf
        else:
            # Paragraph and document ids grow with sentence ids, so the term-major order holds:
            # merge runs of equal (term, unit) by summing their tf, no second sort needed.
            unit = unit_of_sent[sent_of]
            edge = np.ones(len(term_of), dtype=bool)
            edge[1:] = (term_of[1:] != term_of[:-1]) | (unit[1:] != unit[:-1])
            starts = np.flatnonzero(edge)
            tf_u = np.add.reduceat(tf, starts) if len(starts) else tf[:0]
            t_u, indices = term_of[starts], unit[starts]
        indices = indices.astype(np.int32)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(t_u, minlength=n_terms), out=indptr[1:])
        idf = idf_okapi(np.diff(indptr), n_units)
        out[f"{level}_indptr"] = indptr
        out[f"{level}_indices"] = indices
        out[f"{level}_tf"] = tf_u.astype(np.int32)
        out[f"{level}_len"] = lengths[level]
        if level == "sent":  # scanned by the kernel: weights precomputed
            weights = posting_weights(indptr, indices, tf_u, lengths[level], idf)
            out[f"{level}_weights"] = weights
            out[f"{level}_bound"] = term_bounds(indptr, weights)
        else:  # only looked up for a few units: weights computed then, from tf and IDF
            out[f"{level}_idf"] = idf
    return out
