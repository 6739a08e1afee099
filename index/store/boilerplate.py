"""Paragraphs repeated across most of a site's pages are boilerplate: never shortlisted.

The HTML reader drops what a page's structure says is navigation (`index.read.formats.html`);
what a generator it does not know repeats on every page (a "Last update" line, a licence notice
in an unnamed block) is caught here, as search engines do: a paragraph whose text occurs on at
least BOILERPLATE_SHARE of the index's HTML pages (and on at least BOILERPLATE_MIN_PAGES) is not
a candidate answer. It stays indexed, so statistics do not depend on the decision.

A page that collects the others is a copy of them: Node.js's `all.html`, Sphinx's `singlehtml`, a
manual's one-page edition beside its chapters. When at least AGGREGATE_SHARE of a page's
paragraphs (and at least AGGREGATE_MIN_PARAGRAPHS) are also on smaller pages, at least
AGGREGATE_MIN_SOURCES of them, its sentences are not candidates either: each answer is quoted
from the page a reader would open, not from whichever copy ranked a little higher.

Whether a paragraph recurs is a property of the whole folder, which changes as files are added
and removed. So nothing is decided when a segment is built: each segment stores a hash of each
HTML paragraph's text (`para_hash`, 0 for other documents), and the decision is made when the
index is loaded, over live documents only, like the document frequencies. An update therefore
gives the same answers as a fresh build.
"""

from __future__ import annotations

import hashlib

import numpy as np

BOILERPLATE_SHARE = 0.5  # "most of a site's pages"
BOILERPLATE_MIN_PAGES = 5  # a paragraph shared by a handful of pages may well be content
AGGREGATE_SHARE = 0.8
AGGREGATE_MIN_PARAGRAPHS = 20
AGGREGATE_MIN_SOURCES = 3  # two versions of one page collect nothing
_PAGES = (".html", ".htm")


def paragraph_hashes(doc_id: str, text: bytes, spans: np.ndarray) -> list[int]:
    """One hash per paragraph of a document (spans: sentence start, end, paragraph number), of
    its text with spaces collapsed and case folded; 0 for every paragraph of a non-HTML file."""
    if not len(spans):
        return []
    edge = np.flatnonzero(np.diff(spans[:, 2])) + 1
    if not doc_id.lower().endswith(_PAGES):
        return [0] * (len(edge) + 1)  # one a paragraph, without splitting (most documents)
    runs = np.split(np.arange(len(spans)), edge)
    decoded = text.decode("utf-8")
    out = []
    for run in runs:
        words = " ".join(decoded[int(spans[run[0], 0]) : int(spans[run[-1], 1])].split())
        digest = hashlib.blake2b(words.casefold().encode("utf-8"), digest_size=8).digest()
        out.append(int.from_bytes(digest, "little", signed=True) or 1)
    return out


def boilerplate_sentences(
    para_hashes: list[np.ndarray],
    live_paras: list[np.ndarray],
    para_docs: list[np.ndarray],
    sent_paras: list[np.ndarray],
    doc_offsets: np.ndarray,
) -> list[np.ndarray] | None:
    """Per segment, a mask of the sentences in boilerplate paragraphs; None when there are none.

    Arguments are per segment: each paragraph's hash, whether it is live, its document (local
    number), and each sentence's paragraph; `doc_offsets` make document numbers global.
    """
    pairs = []
    for s, (hashes, live, docs) in enumerate(zip(para_hashes, live_paras, para_docs, strict=True)):
        keep = live & (hashes != 0)
        pairs.append(np.stack([docs[keep] + doc_offsets[s], hashes[keep]], axis=1))
    both = np.unique(np.concatenate(pairs), axis=0) if pairs else np.zeros((0, 2), np.int64)
    pages = len(np.unique(both[:, 0]))
    if pages < BOILERPLATE_MIN_PAGES:
        return None
    need = max(BOILERPLATE_MIN_PAGES, BOILERPLATE_SHARE * pages)
    hashes, counts = np.unique(both[:, 1], return_counts=True)
    common = hashes[counts >= need]
    collecting = aggregate_pages(both, common)
    if not len(common) and not len(collecting):
        return None
    return [
        (np.isin(hashes_of, common) | np.isin(docs + doc_offsets[s], collecting))[paras]
        for s, (hashes_of, docs, paras) in enumerate(
            zip(para_hashes, para_docs, sent_paras, strict=True)
        )
    ]


def aggregate_pages(both: np.ndarray, common: np.ndarray) -> np.ndarray:
    """The pages (global document numbers) that collect other pages (see above), from the live
    (document, paragraph hash) pairs, each once; `common` are the boilerplate hashes.

    Only smaller pages count: a chapter is not collected by the one-page edition holding it, nor
    two versions of one page by each other. Each paragraph is credited to the smallest page that
    holds it, and a page collects when its smaller credited pages hold AGGREGATE_SHARE of its
    paragraphs and are at least AGGREGATE_MIN_SOURCES (stock lines such as "Returns: <boolean>"
    are on many pages, but make up no page). One pass over the pairs, whatever the folder."""
    own = both[~np.isin(both[:, 1], common)]
    if not len(own):
        return np.zeros(0, np.int64)
    hashes, where = np.unique(own[:, 1], return_inverse=True)
    docs, at = np.unique(own[:, 0], return_inverse=True)
    n_own = np.bincount(at, minlength=len(docs))
    size = n_own[at]  # each pair's page's paragraphs
    # The smallest page holding each paragraph (ties: the lowest number)
    order = np.lexsort((at, size, where))
    first = np.ones(len(order), dtype=bool)
    first[1:] = where[order][1:] != where[order][:-1]
    smallest_size = np.empty(len(hashes), dtype=size.dtype)
    smallest_doc = np.empty(len(hashes), dtype=at.dtype)
    smallest_size[where[order][first]] = size[order][first]
    smallest_doc[where[order][first]] = at[order][first]
    covered = smallest_size[where] < size  # a smaller page holds this pair's paragraph
    n_covered = np.bincount(at[covered], minlength=len(docs))
    sources = np.unique(np.stack([at[covered], smallest_doc[where][covered]], axis=1), axis=0)
    n_sources = np.bincount(sources[:, 0], minlength=len(docs))
    collects = (
        (n_own >= AGGREGATE_MIN_PARAGRAPHS)
        & (n_covered >= AGGREGATE_SHARE * n_own)
        & (n_sources >= AGGREGATE_MIN_SOURCES)
    )
    return docs[collects].astype(np.int64)
