"""Features of shortlisted sentences for the learned ranker, computed for a few dozen at once.

Every feature is a column of one float64 matrix, one row per candidate sentence. The names in
`NAMES` are stored in the model file: a model trained on other features is refused, not misread.
Features only read the index through the accessors listed in `index/ranking.py`'s docstring.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from index import answers, synonyms
from index.tokens import normalize, words

_QUESTION_WORDS = ("what", "which", "who", "when", "where", "why", "how")
_KINDS = (answers.QUANTITY, answers.DATE, answers.PERSON, answers.PLACE, answers.EXPANSION)
_ANAPHORA = frozenset(
    "it its this that these those they them their he his she her him such however but also".split()
)
_FIRST_WORD = re.compile(r"[A-Za-z’']+")
_DIGIT = re.compile(r"\d")
_WH = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b")

MAX_PHRASE_WORDS = 64  # question words searched for WordNet phrases (the core keeps 48 terms)
TYPED = 30  # candidates (best of the blend first) checked for a phrase of the asked-for type

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
    "doc_rank",  # the document's place among the candidates' documents by document BM25
    # the question's words in the sentence
    "pairs",  # share of the question's adjacent word pairs the sentence has side by side
    "answer_type",  # holds a phrase of the asked-for type the question lacks (first TYPED only)
    "coverage",  # share of the question's IDF weight in the sentence
    "coverage_near",  # ... in the sentence and its neighbours of the same document
    "coverage_gap",  # coverage less the best coverage among the candidates
    "coverage_near_gap",
    "synonyms",  # share of the question's IDF weight the sentence has only through a synonym
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


_COLUMN = {name: i for i, name in enumerate(NAMES)}


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
    """0 for the largest value, 1 for the next, ...; equal values share the best of their ranks."""
    order = np.argsort(-values, kind="stable")
    sorted_values = values[order]
    first = np.r_[True, sorted_values[1:] != sorted_values[:-1]]
    out = np.empty(len(values), dtype=np.float64)
    out[order] = np.flatnonzero(first)[np.cumsum(first) - 1]
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
    col = _COLUMN
    X[:, 0:6] = levels
    X[:, col["blended"]] = blended
    X[:, col["blended_rank"]] = _ranks(blended)
    X[:, col["sent_rank"]] = _ranks(levels[:, 0])
    X[:, col["doc_rank"]] = _dense_ranks(levels[:, 2])

    unique = np.array(list(dict.fromkeys(term_ids)), dtype=np.int64)
    weights = idx.term_weights(unique)
    total = float(weights.sum())
    # One read for the candidates and their neighbours in the same document (a passage shows
    # those too: coverage_near).
    docs = idx.documents_of(sids)
    near_rows, near_sids = [], []
    for delta in (-1, 1):
        nb = sids + delta
        ok = (nb >= 0) & (nb < idx.sentence_count)
        ok[ok] = idx.documents_of(nb[ok]) == docs[ok]
        near_rows.append(np.flatnonzero(ok))
        near_sids.append(nb[ok])
    all_terms, all_starts = idx.terms_of(np.concatenate([sids, *near_sids]))
    all_owner = np.repeat(np.concatenate([np.arange(n), *near_rows]), np.diff(all_starts))
    own = int(all_starts[n])
    terms, owner = all_terms[:own], all_owner[:own]
    order = np.argsort(unique, kind="stable")
    su, sw = unique[order], weights[order]
    all_pos = np.minimum(np.searchsorted(su, all_terms), len(su) - 1)
    all_hit = su[all_pos] == all_terms
    pos, hit = all_pos[:own], all_hit[:own]
    # distinct (sentence, term) pairs that match
    width = len(su) + 1
    seen = np.unique(owner[hit] * width + pos[hit])
    s_of, t_of = seen // width, seen % width
    got = np.bincount(s_of, weights=sw[t_of], minlength=n)
    count = np.bincount(s_of, minlength=n).astype(np.float64)
    both = np.unique(all_owner[all_hit] * width + all_pos[all_hit])
    near = np.bincount(both // width, weights=sw[both % width], minlength=n)
    if total > 0:
        X[:, col["coverage"]] = got / total
        X[:, col["coverage_near"]] = near / total
        X[:, col["coverage_gap"]] = got / total - (got / total).max()
        X[:, col["coverage_near_gap"]] = near / total - (near / total).max()
    X[:, col["matched"]] = count / len(su)
    # question words the sentence lacks but holds a WordNet synonym of
    syn_q, syn_t = _synonym_ids(idx, qset, su, question)
    if len(syn_t) and total > 0:
        p2 = np.minimum(np.searchsorted(syn_t, terms), len(syn_t) - 1)
        h2 = syn_t[p2] == terms
        found = owner[h2] * width + syn_q[p2[h2]]
        # an id standing for several question terms (a phrase's: "return" for "come", "back")
        # has rows after its first, which searchsorted does not reach
        for j in (np.flatnonzero(syn_t[1:] == syn_t[:-1]) + 1).tolist():
            found = np.concatenate([found, owner[terms == syn_t[j]] * width + syn_q[j]])
        found = np.unique(found)
        found = found[~np.isin(found, seen)]
        X[:, col["synonyms"]] = (
            np.bincount(found // width, weights=sw[found % width], minlength=n) / total
        )
    # how close together the matched words are: matched occurrences over the window they span
    at = np.flatnonzero(hit)
    if len(at):
        o = owner[at]
        last = np.full(n, -1, dtype=np.int64)
        np.maximum.at(last, o, at)
        first = np.full(n, len(terms), dtype=np.int64)
        np.minimum.at(first, o, at)
        has = last >= 0
        window = np.where(has, last - first + 1, 1)
        X[:, col["span"]] = np.where(has, count / window, 0.0)
    # adjacent question pairs the sentence has side by side
    qpairs = {a * (1 << 32) + b for a, b in itertools.pairwise(term_ids)}
    if qpairs and len(terms) > 1:
        qp = np.sort(np.fromiter(qpairs, np.int64, len(qpairs)))
        code = terms[:-1] * (1 << 32) + terms[1:]
        at_pair = np.minimum(np.searchsorted(qp, code), len(qp) - 1)
        inq = (qp[at_pair] == code) & (owner[:-1] == owner[1:])
        shared = np.unique(
            owner[:-1][inq] * len(qp) + at_pair[inq]
        )  # distinct pairs a sentence has
        X[:, col["pairs"]] = np.bincount(shared // len(qp), minlength=n) / len(qp)

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
        X[i, col["has_digit"]] = _DIGIT.search(text) is not None
        # The type check is the costly feature: only the blend's first TYPED are checked, as
        # many as the hand-set ranking checked (best_answer finds one iff there are candidates).
        if qtype.kind is not None and i < TYPED:
            X[i, col["answer_type"]] = bool(answers.candidates(qtype, text, qset))
    w = question_word(question)
    if w is not None:
        X[:, col[f"asks_{w}"]] = 1.0
    if qtype.kind is not None:
        X[:, col[f"type_{qtype.kind}"]] = 1.0
    return X


def _synonym_ids(
    idx, qset: frozenset[str], su: np.ndarray, question: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """(position in `su` of a question term, term id of one of its synonyms), sorted by the id.

    A WordNet phrase among the question's words ("come back") gives each of its terms in `su`
    ("come", "back") a row for each of the phrase's synonyms ("return"), so one id may appear
    several times. Lookups are O(question words).
    """
    table = synonyms.table()
    term_id = idx.term_id
    where = {t: i for i, t in enumerate(su.tolist())}  # a question term's id -> its position
    pairs = set()
    for word in qset:
        tid = term_id(word)
        at = where.get(tid)
        if at is None:
            continue
        for other in table.get(word, ()):
            oid = term_id(other)
            if oid is not None and oid != tid:
                pairs.add((oid, at))
    if question:
        for own, others in synonyms.in_question(words(question)[:MAX_PHRASE_WORDS]):
            own_ids = {term_id(w) for w in own}
            places = [where[t] for t in own_ids if t in where]
            for other in others if places else ():
                oid = term_id(other)
                if oid is not None and oid not in own_ids:
                    pairs.update((oid, at) for at in places)
    if not pairs:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    arr = np.array(sorted(pairs), dtype=np.int64)
    return arr[:, 1], arr[:, 0]


def _dense_ranks(values: np.ndarray) -> np.ndarray:
    """0 for the largest distinct value, 1 for the next distinct one, ...: a document's place
    among the candidates' documents when given their document BM25."""
    distinct = np.unique(values)[::-1]
    return np.searchsorted(-distinct, -values).astype(np.float64)
