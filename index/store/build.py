"""Turn a folder of documents into index arrays: sentences, terms, and BM25 postings at three levels."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.analysis.tokens import name_terms
from index.answer.citations import stored
from index.read.extract import _analyzed, _Chunk, _Document, _Numbering, info_arrays
from index.search.bm25 import posting_lengths
from index.search.order import history, naming
from index.store.boilerplate import paragraph_hashes

# 11: PDFs read by layout (index/read/formats/pdf/), HTML pages hold their main content only,
# segments a hash of each HTML paragraph (`para_hash`, see index.store.boilerplate), code words
# are terms and sentences carry CODE/HEADING flags: an index built before re-reads everything.
# 12: a PDF definition's signatures are a heading (Texinfo's @deftypefn), the page's margin found
# on pages of definitions: stored PDFs are read again.
# 13: every document read in its own language (languages.py), Arabic clitics and digits.
# 14: Turkish stems are cut to five letters; an HTML page without <title> is named by its first
# heading.
# 15: TeX's fonts are bold by their names, not by PDFium's weight estimate (which made the body
# text of Ghostscript-made manuals bold); a running header whose name and page number stand far
# apart goes: stored PDFs are read again.
# 16: a glyph PDFium reads as a control character (amssymb's) is named or a space, no longer
# stopping the file; a table row's cells found after a footnote mark; footnote marks inside a
# line dropped as those at its end, a footnote's first line measured past its mark; a numbered
# listing's line numbers dropped: stored PDFs are read again.
# 17: an HTML page's private-use characters (icon fonts' glyphs) are no text.
# 18: a heading starts at the left edge of its column, not only of the page (a reference card's
# second and third columns): stored PDFs are read again.
# 19: an HTML table's row is one unit, its cells joined by " | ", as in the other readers; a
# plain text file's headline is a heading; a `source:` line in a listing names no outlet.
# 20: a sentence in a table row carries the ROW flag.
# 21 (branch `unseen`, numbered 19-21 there): a PDF list's items are paragraphs of their own, and
# a bullet PDFium cannot name (pdfTeX's bitmap TS1 "•") is read as one, and T1's ligatures,
# quotes and dashes in such nameless fonts too; strong verbs' past participles stem as their verb
# ("hidden" as "hide"; tokens.IRREGULAR); a size written "600x400" is also its numbers.
# 22: a segment files its documents' names (naming.filed: arrays, no longer in its meta) and
# says which are change history (doc_history), both found at every load before.
FORMAT_VERSION = 22
LEVELS = ("sent", "para", "doc")


@dataclass
class IndexData:
    """Everything an index holds, as plain arrays and JSON-able metadata.

    A loaded index maps its arrays, but those in `disk.READ_ON_DEMAND` are `disk.OnDisk`: read
    when sliced, which is all the searcher ever does with them.
    """

    arrays: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)


def _progress(total: int, enabled: bool):
    if not enabled or total < 50 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="Indexing", file=sys.stderr, leave=False)


def build_segment(
    files: list[tuple[str, Path]],
    progress: bool = False,
    accept: Callable[[str], bool] | None = None,
    patience: dict[str, float] | None = None,
    language: str = "auto",
) -> IndexData:
    """Read, split and tokenize `files` ((id, path), sorted by id) into one segment's arrays.

    `language`: "auto" reads each document in its own language (detected), else in this one.
    `accept(doc_id)` is asked after a file was read: False drops it (it changed while being read,
    so it is taken again when it settles). `patience[doc_id]` multiplies a file's time limit.
    The segment's meta says what was skipped and why.
    """
    bar = _progress(len(files), progress)
    try:
        return assemble(_analyzed(files, bar, patience=patience, language=language), accept)
    finally:
        if bar is not None:
            bar.close()


def assemble(chunks: Iterable[_Chunk], accept: Callable[[str], bool] | None = None) -> IndexData:
    """One segment from analyzed chunks in document order: postings at three levels, text, spans.

    Chunks may come from reading files or from segments already built (a merge): each carries
    its own term numbering, mapped here once per distinct term list.
    """
    doc_ids: list[str] = []
    titles: list[str] = []
    sources: list[str | None] = []
    texts: list[bytes] = []
    infos: list[bytes] = []  # per document: pages, sections, outlet (extract.doc_info)
    languages: list[str] = []  # per document: the language its text was read as
    names: list[tuple[str, str]] = []  # per document: its name's and title's terms (naming.py)
    skipped: list[tuple[str, str]] = []
    warnings: list[tuple[str, str]] = []
    deferred: list[str] = []
    vocab = _Numbering()
    # Each chunk's term list mapped once: a merge feeds one segment's list many times.
    mapped: dict[int, tuple[list[str], np.ndarray]] = {}
    term_chunks: list[np.ndarray] = []
    span_chunks: list[np.ndarray] = []
    length_chunks: list[np.ndarray] = []
    flag_chunks: list[np.ndarray] = []
    doc_of_sent: list[np.ndarray] = []
    para_hashes: list[int] = []  # per paragraph, for the boilerplate decision at load
    for chunk in chunks:
        known = mapped.get(id(chunk.terms))
        if known is not None and known[0] is chunk.terms:
            global_id = known[1]
        else:
            global_id = np.fromiter(map(vocab.__getitem__, chunk.terms), np.int64, len(chunk.terms))
            if len(chunk.terms) > 1000:  # keep big lists (and so their ids) for reuse
                mapped[id(chunk.terms)] = (chunk.terms, global_id)
        ids = chunk.ids
        offset = 0
        for doc_id, doc, note in chunk.results:
            if doc is None:
                skipped.append((doc_id, note or "unreadable"))
                continue
            n_terms = int(doc.lengths.sum())
            if accept is not None and not accept(doc_id):
                deferred.append(doc_id)
                offset += n_terms
                continue
            if note:
                warnings.append((doc_id, note))
            term_chunks.append(global_id[ids[offset : offset + n_terms]])
            offset += n_terms
            d = len(doc_ids)
            doc_ids.append(doc.id)
            titles.append(doc.title)
            sources.append(doc.source)
            texts.append(doc.text)
            infos.append(doc.info)
            languages.append(doc.language)
            names.append(doc.names)
            span_chunks.append(doc.spans)
            para_hashes += paragraph_hashes(doc.id, doc.text, doc.spans)
            length_chunks.append(doc.lengths)
            flag_chunks.append(doc.flags)
            doc_of_sent.append(np.full(len(doc.spans), d, dtype=np.int64))

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
    # What the ranker reads of a sentence's text (flags.sentence_flags), read without the text.
    arrays["sent_flags"] = (
        np.concatenate(flag_chunks) if flag_chunks else np.zeros(0, np.uint8)
    ).astype(np.uint8)
    arrays["para_doc"] = para_doc.astype(np.int32)
    arrays["para_hash"] = np.array(para_hashes, dtype=np.int64).reshape(len(para_doc))
    # The vocabulary, one term a line: a load decodes it in one short call (JSON took 0.12 s at 1M).
    arrays["terms"] = np.frombuffer("\n".join(vocab).encode("utf-8"), dtype=np.uint8)
    arrays["text"] = np.frombuffer(b"".join(texts), dtype=np.uint8)
    arrays["text_offsets"] = np.cumsum([0] + [len(t) for t in texts], dtype=np.int64)
    # Per-document citation info (JSON), read one document at a time when an answer cites it.
    arrays.update(info_arrays(infos))
    # Each document's name and title words filed for the question that names it; which are
    # change history (release notes, changelogs).
    arrays.update(naming.filed(names))
    arrays["doc_history"] = history.documents(titles).astype(np.uint8)
    meta = {
        "format": FORMAT_VERSION,
        "doc_ids": doc_ids,
        "titles": titles,
        "sources": sources,
        "languages": languages,
        "skipped": skipped,
        "warnings": warnings,
        "deferred": deferred,
    }
    return IndexData(arrays, meta)


def segment_chunks(
    data: IndexData, docs: list[int], vocab: list[str], first_sent: np.ndarray
) -> Iterator[_Chunk]:
    """The given documents of a built segment as analyzed chunks, for `assemble` (a merge).

    Nothing is read, split or tokenized again: the text, spans and term ids are the segment's.
    `vocab` is the segment's `term_list`, `first_sent` each document's first sentence (and the
    total at the end).
    """
    a, m = data.arrays, data.meta
    term_start, text_offsets = a["sent_term_start"], a["text_offsets"]
    names = naming.stored(a, len(m["doc_ids"]))  # (name words, found again where damaged)
    for d in docs:
        s0, s1 = int(first_sent[d]), int(first_sent[d + 1])
        paras = np.asarray(a["sent_para"][s0:s1], dtype=np.int64)
        spans = np.stack(
            [
                np.asarray(a["sent_start"][s0:s1], dtype=np.int64),
                np.asarray(a["sent_end"][s0:s1], dtype=np.int64),
                paras - (paras[0] if len(paras) else 0),
            ],
            axis=1,
        ).reshape(-1, 3)
        t0, t1 = int(term_start[s0]), int(term_start[s1])
        doc = _Document(
            m["doc_ids"][d],
            m["titles"][d],
            m["sources"][d],
            a["text"][int(text_offsets[d]) : int(text_offsets[d + 1])].tobytes(),
            spans,
            np.diff(np.asarray(term_start[s0 : s1 + 1], dtype=np.int64)),
            np.asarray(a["sent_flags"][s0:s1], dtype=np.uint8),
            stored(a, d),
            m["languages"][d],
            names[d] or name_terms(m["doc_ids"][d], m["titles"][d]),
        )
        yield _Chunk(
            [(doc.id, doc, None)], vocab, np.asarray(a["sent_terms"][t0:t1], dtype=np.int64)
        )


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
    for level, unit_of_sent, _ in (
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
        out[f"{level}_indptr"] = indptr
        out[f"{level}_indices"] = indices
        out[f"{level}_tf"] = tf_u.astype(np.int32)
        out[f"{level}_len"] = lengths[level]
        if level == "sent":  # scanned by the kernel, which reads each posting's length beside it
            out["sent_dl"] = posting_lengths(indices, lengths[level])
    return out
