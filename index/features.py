"""Features of shortlisted sentences for the learned ranker, computed for a few dozen at once.

Every feature is a column of one float64 matrix, one row per candidate sentence. The names in
`NAMES` are stored in the model file: a model trained on other features is refused, not misread.
Features only read the index through the accessors listed in `index/ranking.py`'s docstring.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from index import answers
from index.tokens import normalize

_QUESTION_WORDS = ("what", "which", "who", "when", "where", "why", "how")
_KINDS = (answers.QUANTITY, answers.DATE, answers.PERSON, answers.PLACE, answers.EXPANSION)
_ANAPHORA = frozenset(
    "it its this that these those they them their he his she her him such however but also".split()
)
_FIRST_WORD = re.compile(r"[A-Za-z’']+")
_WH = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b")

NAMES: tuple[str, ...] = (
    # BM25 at three levels, raw and scaled by the best among the shortlist
    "sent_bm25",
    "para_bm25",
    "doc_bm25",
    "sent_scaled",
    "para_scaled",
    "doc_scaled",
    "blended",  # today's hand-set blend (before the pair and type bonuses)
    "blended_rank",
    "sent_rank",
    "doc_rank",  # the document's place among the shortlist's documents by document BM25
    # the question's words in the sentence
    "pairs",  # share of the question's adjacent word pairs the sentence has side by side
    "answer_type",  # holds a phrase of the asked-for type the question does not contain
    "coverage",  # share of the question's IDF weight in the sentence
    "coverage_near",  # ... in the sentence and its neighbours of the same document
    "matched",  # share of the question's distinct words in the sentence
    "span",  # how tightly the matched words sit: matched words / window they span
    # the sentence's place and shape
    "in_paragraph",
    "paragraph_in_document",
    "in_document",
    "length",
    "anaphoric_start",
    "has_digit",
    # the question
    "question_terms",
    *(f"asks_{w}" for w in _QUESTION_WORDS),
    *(f"type_{k}" for k in _KINDS),
)


def question_word(text: str) -> str | None:
    """The first wh-word of the question, with whom/whose read as who."""
    m = _WH.search(normalize(text))
    if not m:
        return None
    w = m.group(1)
    return "who" if w in ("whom", "whose") else w


def scaled(values: np.ndarray) -> np.ndarray:
    """Scores scaled to [0, 1] by the best; all zero when none is above zero.

    With one or two documents BM25Okapi's IDF is zero or negative for every term, so a level that
    cannot tell units apart adds nothing instead of dividing by a non-positive maximum.
    """
    top = values.max(initial=0.0)
    return np.clip(values, 0.0, None) / top if top > 0 else np.zeros(len(values))


def _ranks(values: np.ndarray) -> np.ndarray:
    """0 for the largest value, 1 for the next, ... (ties by position)."""
    order = np.argsort(-values, kind="stable")
    out = np.empty(len(values), dtype=np.float64)
    out[order] = np.arange(len(values))
    return out


def compute(
    idx,
    term_ids: list[int],
    qtype: answers.QuestionType,
    qset: frozenset[str],
    question: str,
    sids: np.ndarray,
    levels: np.ndarray,
    blended: np.ndarray,
) -> np.ndarray:
    """The feature matrix of candidate sentences `sids`.

    `levels` holds each candidate's (sentence, paragraph, document) BM25, and `blended` today's
    hand-set blend; both are scaled over the whole shortlist by the caller, so their columns here
    are already comparable across questions.
    """
    n = len(sids)
    X = np.zeros((n, len(NAMES)), dtype=np.float64)
    if not n:
        return X
    col = {name: i for i, name in enumerate(NAMES)}
    X[:, 0:6] = levels
    X[:, col["blended"]] = blended
    X[:, col["blended_rank"]] = _ranks(blended)
    X[:, col["sent_rank"]] = _ranks(levels[:, 0])
    X[:, col["doc_rank"]] = _doc_ranks(idx.documents_of(sids), levels[:, 2])

    unique = np.array(list(dict.fromkeys(term_ids)), dtype=np.int64)
    weights = idx.term_weights(unique)
    total = float(weights.sum())
    terms, starts = idx.terms_of(sids)
    owner = np.repeat(np.arange(n), np.diff(starts))
    order = np.argsort(unique, kind="stable")
    su, sw = unique[order], weights[order]
    pos = np.minimum(np.searchsorted(su, terms), max(0, len(su) - 1))
    hit = su[pos] == terms if len(su) else np.zeros(len(terms), bool)
    # distinct (sentence, term) pairs that match
    seen = np.unique(owner[hit] * (len(su) + 1) + pos[hit])
    s_of, t_of = seen // (len(su) + 1), seen % (len(su) + 1)
    got = np.bincount(s_of, weights=sw[t_of], minlength=n)
    count = np.bincount(s_of, minlength=n).astype(np.float64)
    if total > 0:
        X[:, col["coverage"]] = got / total
    X[:, col["matched"]] = count / max(1, len(su))
    # how close together the matched words are: matched occurrences over the window they span
    at = np.flatnonzero(hit)
    if len(at):
        first = np.full(n, -1, dtype=np.int64)
        last = np.full(n, -1, dtype=np.int64)
        o = owner[at]
        np.maximum.at(last, o, at)
        first_rev = np.full(n, len(terms), dtype=np.int64)
        np.minimum.at(first_rev, o, at)
        has = last >= 0
        first[has] = first_rev[has]
        window = np.where(has, last - first + 1, 1)
        X[:, col["span"]] = np.where(has, count / window, 0.0)
    # adjacent question pairs the sentence has side by side
    qpairs = {a * (1 << 32) + b for a, b in itertools.pairwise(term_ids)}
    if qpairs and len(terms) > 1:
        code = terms[:-1] * (1 << 32) + terms[1:]
        same = owner[:-1] == owner[1:]
        inq = np.isin(code, np.fromiter(qpairs, np.int64, len(qpairs))) & same
        pairs_seen = np.unique(np.stack([owner[:-1][inq], code[inq]], axis=1), axis=0)
        X[:, col["pairs"]] = np.bincount(pairs_seen[:, 0], minlength=n) / len(qpairs)
    # the neighbours' words count toward coverage_near (a passage shows them too)
    if total > 0:
        docs = idx.documents_of(sids)
        owners, places = [owner[hit]], [pos[hit]]
        for delta in (-1, 1):
            nb = sids + delta
            ok = (nb >= 0) & (nb < idx.sentence_count)
            ok[ok] = idx.documents_of(nb[ok]) == docs[ok]
            if not ok.any():
                continue
            nterms, nstarts = idx.terms_of(nb[ok])
            nowner = np.repeat(np.flatnonzero(ok), np.diff(nstarts))
            npos = np.minimum(np.searchsorted(su, nterms), len(su) - 1)
            nhit = su[npos] == nterms
            owners.append(nowner[nhit])
            places.append(npos[nhit])
        both = np.unique(np.concatenate(owners) * (len(su) + 1) + np.concatenate(places))
        near = np.bincount(both // (len(su) + 1), weights=sw[both % (len(su) + 1)], minlength=n)
        X[:, col["coverage_near"]] = near / total

    positions = idx.sentence_positions(sids).astype(np.float64)
    X[:, col["in_paragraph"]] = positions[:, 0]
    X[:, col["paragraph_in_document"]] = positions[:, 1]
    X[:, col["in_document"]] = positions[:, 2]
    X[:, col["length"]] = idx.sentence_lengths(sids)
    X[:, col["question_terms"]] = len(term_ids)
    for i, sid in enumerate(sids.tolist()):
        text = idx.sentence_text(sid)
        m = _FIRST_WORD.search(text[:40])
        X[i, col["anaphoric_start"]] = bool(m and m.group().lower() in _ANAPHORA)
        X[i, col["has_digit"]] = any(c.isdigit() for c in text)
        if qtype.kind is not None:
            X[i, col["answer_type"]] = answers.best_answer(qtype, text, qset) is not None
    w = question_word(question)
    if w is not None:
        X[:, col[f"asks_{w}"]] = 1.0
    if qtype.kind is not None:
        X[:, col[f"type_{qtype.kind}"]] = 1.0
    return X


def _doc_ranks(docs: np.ndarray, doc_scores: np.ndarray) -> np.ndarray:
    """Each candidate's document's place among the candidates' documents, best first."""
    uniq, first = np.unique(docs, return_index=True)
    order = np.argsort(-doc_scores[first], kind="stable")
    rank = np.empty(len(uniq), dtype=np.float64)
    rank[order] = np.arange(len(uniq))
    return rank[np.searchsorted(uniq, docs)]
