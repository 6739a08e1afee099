"""Turn a folder of documents into index arrays: sentences, terms, and BM25 postings at three levels."""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.bm25 import idf_okapi, posting_weights
from index.documents import fingerprint_entries, iter_documents, list_files
from index.sentences import split
from index.tokens import analyze

FORMAT_VERSION = 1
LEVELS = ("sent", "para", "doc")


@dataclass
class IndexData:
    """Everything an index holds, as plain arrays and JSON-able metadata."""

    arrays: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)


def fingerprint(folder: Path) -> str:
    """A hash of the document files' names, sizes and times, and of the index format."""
    entries = fingerprint_entries(list_files(folder))
    payload = json.dumps([FORMAT_VERSION, entries], separators=(",", ":")).encode()
    return hashlib.sha256(payload).hexdigest()


def _progress(total: int, enabled: bool):
    if not enabled or total < 50 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="Indexing", file=sys.stderr, leave=False)


def build(folder: Path, progress: bool = False) -> IndexData:
    """Read, split and tokenize every document under `folder`, and compute BM25 postings."""
    fp = fingerprint(folder)
    files = list_files(folder)
    bar = _progress(len(files), progress)

    doc_ids: list[str] = []
    titles: list[str] = []
    sources: list[str | None] = []
    texts: list[bytes] = []
    skipped: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []

    vocab: dict[str, int] = {}
    surface: Counter[str] = Counter()
    post_term: list[int] = []
    post_sent: list[int] = []
    post_tf: list[int] = []
    sent_doc: list[int] = []
    sent_start: list[int] = []
    sent_end: list[int] = []
    sent_para: list[int] = []
    sent_len: list[int] = []
    para_doc: list[int] = []

    for doc_id, doc, note in iter_documents(folder):
        if bar is not None:
            bar.update(1)
        if doc is None:
            skipped.append((doc_id, note or "unreadable"))
            continue
        spans = split(doc.text, doc.skip)
        if not spans:
            skipped.append((doc_id, "no sentences"))
            continue
        if note:
            warnings.append((doc_id, note))
        d = len(doc_ids)
        doc_ids.append(doc.id)
        titles.append(doc.title)
        sources.append(doc.source)
        texts.append(doc.text.encode("utf-8"))
        para_base = len(para_doc)
        last_para = -1
        for start, end, para in spans:
            if para != last_para:
                para_doc.append(d)
                last_para = para
            s = len(sent_doc)
            sent_doc.append(d)
            sent_start.append(start)
            sent_end.append(end)
            sent_para.append(len(para_doc) - 1)
            kept, toks = analyze(doc.text[start:end])
            surface.update(kept)
            counts: dict[int, int] = {}
            for t in toks:
                tid = vocab.get(t)
                if tid is None:
                    tid = vocab[t] = len(vocab)
                counts[tid] = counts.get(tid, 0) + 1
            for tid, c in counts.items():
                post_term.append(tid)
                post_sent.append(s)
                post_tf.append(c)
            sent_len.append(len(toks))
        del para_base
    if bar is not None:
        bar.close()

    arrays = _postings(
        n_terms=len(vocab),
        term=np.array(post_term, dtype=np.int64),
        sent=np.array(post_sent, dtype=np.int64),
        tf=np.array(post_tf, dtype=np.int64),
        sent_len=np.array(sent_len, dtype=np.int64),
        sent_para=np.array(sent_para, dtype=np.int64),
        sent_doc=np.array(sent_doc, dtype=np.int64),
        n_para=len(para_doc),
        n_doc=len(doc_ids),
    )
    arrays["sent_doc"] = np.array(sent_doc, dtype=np.int32)
    arrays["sent_start"] = np.array(sent_start, dtype=np.int32)
    arrays["sent_end"] = np.array(sent_end, dtype=np.int32)
    arrays["sent_para"] = np.array(sent_para, dtype=np.int32)
    arrays["para_doc"] = np.array(para_doc, dtype=np.int32)
    blob = b"".join(texts)
    arrays["text"] = np.frombuffer(blob, dtype=np.uint8)
    arrays["text_offsets"] = np.cumsum([0] + [len(t) for t in texts], dtype=np.int64)
    words = sorted(surface.items())
    arrays["surface_count"] = np.array([n for _, n in words], dtype=np.int64)
    meta = {
        "format": FORMAT_VERSION,
        "fingerprint": fp,
        "terms": list(vocab),
        "surface": [w for w, _ in words],
        "doc_ids": doc_ids,
        "titles": titles,
        "sources": sources,
        "skipped": skipped,
        "warnings": warnings,
    }
    return IndexData(arrays, meta)


def _postings(
    n_terms: int,
    term: np.ndarray,
    sent: np.ndarray,
    tf: np.ndarray,
    sent_len: np.ndarray,
    sent_para: np.ndarray,
    sent_doc: np.ndarray,
    n_para: int,
    n_doc: int,
) -> dict[str, np.ndarray]:
    """Term-major postings (indptr, indices, tf, weights) for sentences, paragraphs, documents."""
    out: dict[str, np.ndarray] = {}
    units = {
        "sent": (sent, len(sent_len)),
        "para": (sent_para[sent], n_para),
        "doc": (sent_doc[sent], n_doc),
    }
    lengths = {
        "sent": sent_len,
        "para": np.bincount(sent_para, weights=sent_len, minlength=n_para).astype(np.int64),
        "doc": np.bincount(sent_doc, weights=sent_len, minlength=n_doc).astype(np.int64),
    }
    for level, (unit, n_units) in units.items():
        key = term * max(1, n_units) + unit
        if level == "sent":
            order = np.argsort(key, kind="stable")
            key_u, tf_u = key[order], tf[order]
        else:
            key_u, inverse = np.unique(key, return_inverse=True)
            tf_u = np.bincount(inverse, weights=tf).astype(np.int64)
        t_u = key_u // max(1, n_units)
        indices = (key_u % max(1, n_units)).astype(np.int32)
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(t_u, minlength=n_terms), out=indptr[1:])
        df = np.diff(indptr)
        idf = idf_okapi(df, n_units)
        out[f"{level}_indptr"] = indptr
        out[f"{level}_indices"] = indices
        out[f"{level}_tf"] = tf_u.astype(np.int32)
        out[f"{level}_len"] = lengths[level]
        out[f"{level}_weights"] = posting_weights(indptr, indices, tf_u, lengths[level], idf)
    return out
