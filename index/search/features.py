"""Features of shortlisted sentences for the learned ranker, computed for a few dozen at once.

Every feature is a column of one float64 matrix, one row per candidate sentence. The names in
`NAMES` are stored in the model file: a model trained on other features is refused, not misread.
Features only read the index through the accessors listed in `index/search/ranking.py`'s docstring.
"""

from __future__ import annotations

import itertools
import re
import weakref

import numpy as np

from index.analysis import flags
from index.analysis.tokens import normalize, words
from index.search import associations, synonyms
from index.search.bm25 import _kernel
from index.search.question import answers
from index.search.question import words as question_words

_QUESTION_WORDS = ("what", "which", "who", "when", "where", "why", "how")
_KINDS = (answers.QUANTITY, answers.DATE, answers.PERSON, answers.PLACE, answers.EXPANSION)
_WH = re.compile(r"\b(what|which|who|whom|whose|when|where|why|how)\b")

MAX_PHRASE_WORDS = 64  # question words searched for WordNet phrases (the core keeps 48 terms)
# A sentence's place (in its paragraph, its paragraph's in its section, in its section) counts up
# to about the most the training articles have (squad-train's candidates: 26, 98, 718): a linear
# weight fitted there would make a manual's 20,000th sentence's place outweigh everything.
POSITION_CAPS = np.array([30.0, 100.0, 720.0])
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
    "associations",  # mean log-likelihood of the question's words (IBM Model 1: associations.py)
    "matched",  # share of the question's distinct words in the sentence
    "span",  # how tightly the matched words sit: matched words / window they span
    # the sentence's place (in a document with headings, its section's: section_positions) and shape
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


def question_word(text: str, lang: str = "en") -> str | None:
    """The first wh-word of the question, with whom/whose read as who; in another language,
    the English wh-word its question word stands for (`question/words.py`)."""
    if lang != "en":
        return question_words.read(text, lang)[1]
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
    return np.maximum(values, 0.0) / top if top > 0 else np.zeros(len(values))  # (np.clip: 3x)


HEADING_SENTENCES = 3  # of a heading run (an FAQ's question may be 2-3 sentences), the last count


def _heading_runs(idx, sids) -> tuple[np.ndarray, np.ndarray]:
    """(positions in `sids` of the sentences under a heading, rows of the last
    `HEADING_SENTENCES` sentences of each one's heading run; a shorter run repeats its last)."""
    heads = idx.section_headings(sids)
    ok = np.flatnonzero(heads[:, 1] >= 0)
    h0, h1 = heads[ok, 0], heads[ok, 1]
    run = h1[:, None] - np.arange(HEADING_SENTENCES)[None, :]
    return ok, np.where(run >= h0[:, None], run, h1[:, None])


def heading_scores(idx, sids, term_ids) -> np.ndarray:
    """The sentence BM25 of the heading over each sentence (the best of the last
    `HEADING_SENTENCES` sentences of its heading run), 0 for none.

    Added to the paragraph's BM25 in `ranking.candidates`: a reader takes a paragraph under
    "CACHES" or "The test database" as being about that, although its sentences seldom repeat
    the name. No new weight is set: the heading counts as its paragraph's own words do.
    """
    out = np.zeros(len(sids))
    ok, run = _heading_runs(idx, sids)
    if not len(ok):
        return out
    every = np.unique(run)
    got = idx.level_scores("sent", term_ids, every)
    out[ok] = got[np.searchsorted(every, run)].max(axis=1)
    return out


def heading_context(idx, sids, terms, bounds, su, sw) -> np.ndarray:
    """The weight of the question's terms (`su` ascending, weights `sw`) that the heading over
    each candidate holds (its run's last `HEADING_SENTENCES` sentences) and its window
    (`term_windows`' `terms`, `bounds`) lacks; 0 for none.

    Added to `coverage_near`: the passage is read, and cited, under its heading. "DO NOT USE
    THIS SERVER IN A PRODUCTION SETTING." under "runserver" answers "can I use runserver in
    production?" as fully as a sentence that names runserver in passing. Code units get none:
    a listing would lend the heading's words to the prose before it (`structure_order`), and
    "Writing" before "do x++ until (x > 9)" under "Loops" went first."""
    out = np.zeros(len(sids))
    if not len(su) or not getattr(idx, "flags_present", flags.HEADING) & flags.HEADING:
        return out
    ok, run = _heading_runs(idx, sids)
    prose = (idx.sentence_flags(sids[ok]) & flags.CODE) == 0
    ok, run = ok[prose], run[prose]
    if not len(ok):
        return out
    every = np.unique(run)
    h_terms, h_bounds = idx.term_windows(every)
    in_head = _holds(h_terms, h_bounds[:, 1], h_bounds[:, 2], su)[np.searchsorted(every, run)]
    in_window = _holds(terms, bounds[ok, 0], bounds[ok, 3], su)
    out[ok] = (in_head.any(axis=1) & ~in_window) @ sw
    return out


def _holds(terms, starts, ends, su) -> np.ndarray:
    """bool[rows, len(su)]: which of the terms `su` (ascending) each terms[start:end] holds."""
    lengths = np.asarray(ends - starts, dtype=np.int64)
    out = np.zeros((len(lengths), len(su)), dtype=bool)
    total = int(lengths.sum())
    if not total:
        return out
    owner = np.repeat(np.arange(len(lengths)), lengths)
    first = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    at = np.arange(total) - first[owner] + np.asarray(starts, dtype=np.int64)[owner]
    t = np.asarray(terms, dtype=np.int64)[at]
    pos = np.minimum(np.searchsorted(su, t), len(su) - 1)
    hit = su[pos] == t
    out[owner[hit], pos[hit]] = True
    return out


def section_positions(idx, sids) -> np.ndarray:
    """Rows of (index in paragraph, paragraph index, sentence index) of each sentence, the last
    two counted from the heading over it when it has one (`section_headings`), else from its
    document's start. A section of a manual is what an article is in the training set: its
    first sentences say what it is about; the 9,000th paragraph of a manual is not "late"."""
    if not getattr(idx, "flags_present", flags.HEADING) & flags.HEADING:
        return idx.sentence_positions(sids).astype(np.float64)
    heads = idx.section_headings(sids)[:, 1]
    under = np.flatnonzero(heads >= 0)
    # the sentences' places and their headings' in one lookup
    both = idx.sentence_positions(np.concatenate([sids, heads[under]])).astype(np.float64)
    positions, at = both[: len(sids)], both[len(sids) :]
    # the first paragraph after the heading's own is 0; a heading inside its paragraph starts it
    positions[under, 1] = np.maximum(positions[under, 1] - at[:, 1] - 1, 0)
    positions[under, 2] = np.maximum(positions[under, 2] - at[:, 2] - 1, 0)
    return positions


def _ranks(values: np.ndarray) -> np.ndarray:
    """0 for the largest value, 1 for the next, ...; equal values share the best of their ranks.
    (In Python: on the 30 candidates, half the time of numpy's nine calls.)"""
    v = values.tolist()
    out = [0] * len(v)
    first, previous = 0, None
    for place, i in enumerate(sorted(range(len(v)), key=v.__getitem__, reverse=True)):
        if v[i] != previous:  # (a stable sort: equal values keep their order)
            first, previous = place, v[i]
        out[i] = first
    return np.array(out, dtype=np.float64)


def compute(idx, term_ids, qtype, qset, question, sids, levels, blended) -> np.ndarray:
    """The feature matrix of candidate sentences `sids` (`compute_with_share`'s first part)."""
    return compute_with_share(idx, term_ids, qtype, qset, question, sids, levels, blended)[0]


def compute_with_share(
    idx,
    term_ids: list[int],
    qtype: answers.QuestionType,
    qset: frozenset[str],
    question: str,
    sids: np.ndarray,
    levels: np.ndarray,
    blended: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """The feature matrix of candidate sentences `sids`, and the share of the question's weight
    each holds with its neighbours, its heading not counted (what the no-answer check reads).

    `levels` holds each candidate's (sentence, paragraph, document) BM25, and `blended` today's
    hand-set blend; both are scaled over the whole shortlist by the caller, so their columns here
    are already comparable across questions.
    """
    n = len(sids)
    X = np.zeros((n, len(NAMES)), dtype=np.float64)
    if not n:
        return X, np.zeros(0)
    col = _COLUMN
    X[:, 0:6] = levels
    X[:, col["blended"]] = blended
    X[:, col["blended_rank"]] = _ranks(blended)
    X[:, col["sent_rank"]] = _ranks(levels[:, 0])
    X[:, col["doc_rank"]] = _dense_ranks(levels[:, 2])

    unique = np.array(list(dict.fromkeys(term_ids)), dtype=np.int64)
    weights = idx.term_weights(unique)
    total = float(weights.sum())
    order = np.argsort(unique, kind="stable")
    su, sw = unique[order], weights[order]
    # One read for the candidates and their neighbours in the same document (a passage shows
    # those too: coverage_near).
    terms, bounds = idx.term_windows(sids)
    english = qtype.lang == "en"  # the synonym table is English WordNet's
    syn_q, syn_t = _synonym_ids(idx, qset if english else frozenset(), su, question * english)
    qpairs = {a * (1 << 32) + b for a, b in itertools.pairwise(term_ids)}
    qp = np.sort(np.fromiter(qpairs, np.int64, len(qpairs)))
    got, count, near, through, span, pairs = match_terms(terms, bounds, su, sw, syn_t, syn_q, qp).T
    share = near / total if total > 0 else np.zeros(n)
    near = near + heading_context(idx, sids, terms, bounds, su, sw)
    if total > 0:
        X[:, col["coverage"]] = got / total
        X[:, col["coverage_near"]] = near / total
        X[:, col["coverage_gap"]] = got / total - (got / total).max()
        X[:, col["coverage_near_gap"]] = near / total - (near / total).max()
        X[:, col["synonyms"]] = through / total  # words it lacks but holds a WordNet synonym of
    X[:, col["associations"]] = associations.log_likelihood(idx, sorted(qset), terms, bounds)
    X[:, col["matched"]] = count / len(su)
    X[:, col["span"]] = span  # how close together the matched words are
    if len(qp):
        X[:, col["pairs"]] = pairs / len(qp)
    X[:, col["length"]] = bounds[:, 2] - bounds[:, 1]
    positions = np.minimum(section_positions(idx, sids), POSITION_CAPS)
    X[:, col["in_paragraph"]] = positions[:, 0]
    X[:, col["paragraph_in_document"]] = positions[:, 1]
    X[:, col["in_document"]] = positions[:, 2]
    X[:, col["question_terms"]] = len(term_ids)
    bits = idx.sentence_flags(sids)  # found in their text when indexed (index/analysis/flags.py)
    X[:, col["anaphoric_start"]] = (bits & flags.ANAPHORIC) != 0
    X[:, col["has_digit"]] = (bits & flags.DIGIT) != 0
    # The type check is the costly feature: only the blend's first TYPED are checked, as many as
    # the hand-set ranking checked (best_answer finds one iff there are candidates).
    if qtype.kind is not None:
        for i, sid in enumerate(sids[:TYPED].tolist()):
            X[i, col["answer_type"]] = bool(answers.candidates(qtype, idx.sentence_text(sid), qset))
    w = question_word(question, qtype.lang)
    if w is not None:
        X[:, col[f"asks_{w}"]] = 1.0
    if qtype.kind is not None:
        X[:, col[f"type_{qtype.kind}"]] = 1.0
    return X, share


def match_terms(
    terms: np.ndarray,
    bounds: np.ndarray,
    su: np.ndarray,
    sw: np.ndarray,
    syn_t: np.ndarray,
    syn_q: np.ndarray,
    qp: np.ndarray,
) -> np.ndarray:
    """Question words in candidate sentences: one row per candidate of (weight of the question's
    terms it holds, how many, their weight in its window, weight it holds only through a synonym,
    held terms over the span they cover, question pairs it holds side by side).

    `terms`, `bounds`: `term_windows`' windows (int32) and rows of (window start, sentence start,
    sentence end, window end). `su`, `sw`: the question's distinct terms ascending, their weights;
    `syn_t`, `syn_q`: `_synonym_ids`; `qp`: the question's adjacent pairs as a << 32 | b, ascending.
    The compiled kernel does it; the numpy code is its fallback and gives the same bits.
    """
    out = np.zeros((len(bounds), 6), dtype=np.float64)
    if _kernel is not None:
        _kernel.match_terms(
            np.ascontiguousarray(terms, dtype=np.int32),
            np.ascontiguousarray(bounds, dtype=np.int64),
            np.ascontiguousarray(su, dtype=np.int64),
            np.ascontiguousarray(sw, dtype=np.float64),
            np.ascontiguousarray(syn_t, dtype=np.int64),
            np.ascontiguousarray(syn_q, dtype=np.int64),
            np.ascontiguousarray(qp, dtype=np.int64),
            out,
        )
        return out
    return _match_terms_numpy(terms, bounds, su, sw, syn_t, syn_q, qp, out)


def _match_terms_numpy(terms, bounds, su, sw, syn_t, syn_q, qp, out) -> np.ndarray:
    n = len(bounds)
    terms = np.asarray(terms, dtype=np.int64)
    if not n or not len(su) or not len(terms):
        return out
    owner = np.repeat(np.arange(n), bounds[:, 3] - bounds[:, 0])
    at = np.arange(len(terms))  # the windows lie end to end, in order
    mine = (at >= bounds[owner, 1]) & (at < bounds[owner, 2])
    pos = np.minimum(np.searchsorted(su, terms), len(su) - 1)
    hit = su[pos] == terms
    width = len(su) + 1
    seen = np.unique(owner[hit & mine] * width + pos[hit & mine])  # distinct (sentence, term)
    out[:, 0] = np.bincount(seen // width, weights=sw[seen % width], minlength=n)
    out[:, 1] = np.bincount(seen // width, minlength=n)
    both = np.unique(owner[hit] * width + pos[hit])
    out[:, 2] = np.bincount(both // width, weights=sw[both % width], minlength=n)
    if len(syn_t):
        p2 = np.minimum(np.searchsorted(syn_t, terms), len(syn_t) - 1)
        h2 = (syn_t[p2] == terms) & mine
        found = owner[h2] * width + syn_q[p2[h2]]
        # an id standing for several question terms (a phrase's: "return" for "come", "back")
        # has rows after its first, which searchsorted does not reach
        for j in (np.flatnonzero(syn_t[1:] == syn_t[:-1]) + 1).tolist():
            found = np.concatenate([found, owner[(terms == syn_t[j]) & mine] * width + syn_q[j]])
        found = np.unique(found)
        found = found[~np.isin(found, seen)]
        out[:, 3] = np.bincount(found // width, weights=sw[found % width], minlength=n)
    held = np.flatnonzero(hit & mine)
    if len(held):
        o = owner[held]
        last = np.full(n, -1, dtype=np.int64)
        np.maximum.at(last, o, held)
        first = np.full(n, len(terms), dtype=np.int64)
        np.minimum.at(first, o, held)
        has = last >= 0
        out[:, 4] = np.where(has, out[:, 1] / np.where(has, last - first + 1, 1), 0.0)
    if len(qp) and len(terms) > 1:
        code = terms[:-1] * (1 << 32) + terms[1:]
        at_pair = np.minimum(np.searchsorted(qp, code), len(qp) - 1)
        inq = (qp[at_pair] == code) & mine[:-1] & mine[1:] & (owner[:-1] == owner[1:])
        shared = np.unique(
            owner[:-1][inq] * len(qp) + at_pair[inq]
        )  # distinct pairs a sentence has
        out[:, 5] = np.bincount(shared // len(qp), minlength=n)
    return out


def _synonym_ids(
    idx, qset: frozenset[str], su: np.ndarray, question: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """(position in `su` of a question term, term id of one of its synonyms), sorted by the id.

    A WordNet phrase among the question's words ("come back") gives each of its terms in `su`
    ("come", "back") a row for each of the phrase's synonyms ("return"), so one id may appear
    several times. Lookups are O(question words).
    """
    term_id = idx.term_id
    where = {t: i for i, t in enumerate(su.tolist())}  # a question term's id -> its position
    pairs = set()
    for word in qset:
        tid = term_id(word)
        at = where.get(tid)
        if at is None:
            continue
        pairs.update((oid, at) for oid in _held(idx, word) if oid != tid)
    if question:
        for own, others in synonyms.in_question(words(question)[:MAX_PHRASE_WORDS]):
            own_ids = {term_id(w) for w in own}
            places = [where[t] for t in own_ids if t in where]
            for oid in _held(idx, tuple(others)) if places else ():
                if oid not in own_ids:
                    pairs.update((oid, at) for at in places)
    if not pairs:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    arr = np.array(sorted(pairs), dtype=np.int64)
    return arr[:, 1], arr[:, 0]


# Per index: the term ids its synonyms have there, by word (or by a phrase's synonyms): the same
# words come back question after question, and an index's terms never change.
_HELD: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_HELD_MAX = 100_000


def _held(idx, key: str | tuple[str, ...]) -> tuple[int, ...]:
    """Term ids in `idx` of a word's WordNet synonyms (a str key) or of the given stems."""
    cache = _HELD.get(idx)
    if cache is None:
        cache = _HELD.setdefault(idx, {})
    ids = cache.get(key)
    if ids is None:
        stems = synonyms.table().get(key, ()) if isinstance(key, str) else key
        ids = tuple(t for t in map(idx.term_id, stems) if t is not None)
        if len(cache) < _HELD_MAX:
            cache[key] = ids
    return ids


def _dense_ranks(values: np.ndarray) -> np.ndarray:
    """0 for the largest distinct value, 1 for the next distinct one, ...: a document's place
    among the candidates' documents when given their document BM25."""
    ordered = np.sort(values)  # (np.unique would import numpy.ma on first use: 10-20 ms)
    distinct = ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))][::-1]
    return np.searchsorted(-distinct, -values).astype(np.float64)
