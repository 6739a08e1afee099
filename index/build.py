"""Turn a folder of documents into index arrays: sentences, terms, and BM25 postings at three levels."""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.bm25 import idf_okapi, posting_weights, term_bounds
from index.documents import scan, walk
from index.extract import _analyzed, _Numbering, info_arrays

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
    infos: list[bytes] = []  # per document: pages, sections, outlet (extract.doc_info)
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
            infos.append(doc.info)
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
    # Per-document citation info (JSON), read one document at a time when an answer cites it.
    arrays.update(info_arrays(infos))
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
