"""Follow-up questions: a conversation in an index's numbers, and what it adds to the ranking.

A question asked in a thread (or as a reply) continues a conversation (`model.Conversation`: its
recent questions, the documents and places its answers came from). Its own words count in full;
the recent questions' other words join the shortlist's kernel pass at a lower weight
(`Index.shortlist`); and `bonus` favours sentences of the conversation's documents, near its last
answer, and in paragraphs holding its words, scaled by how much the question leans on the
conversation (`lean`). Every constant was chosen on squad-train threads, never on squad-v1.1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.analysis.tokens import words
from index.answer.model import Conversation

CONTEXT_WEIGHT = 0.2  # a follow-up: the last question's words weigh this share of its own words
CONTEXT_DECAY = 0.5  # each question before the last weighs this share of the one after it
CONTEXT_DOC_BONUS = 0.6  # a follow-up: added to sentences of the conversation's documents
# ... and, fading with the distance, to sentences near where the last answer was: a follow-up
# tends to ask about the same part of a document. Chosen on squad-train threads (every tenth
# article; follow-ups +7.5 points, switches -0.3), never on squad-v1.1.
CONTEXT_NEAR_BONUS = 0.4
CONTEXT_NEAR_CHARS = 3000.0  # characters away from the last answer at which it is down to 1/e
# ... and up to this much more to sentences whose paragraph holds the conversation's words (their
# weighted BM25 over the paragraph, scaled by the shortlist's best): with the learned ranker the
# context words otherwise only choose the shortlist, never the order.
CONTEXT_PARA_BONUS = 0.1
# A follow-up that says little leans on the conversation more, one that says much less: the bonus
# is multiplied by (CONTEXT_LEAN_WORDS / its own words' IDF sum in units of the rarest word's IDF)
# ** CONTEXT_LEAN_POWER, kept within CONTEXT_LEAN_RANGE; but never above 1 when a word of it is
# in none of the conversation's documents (it may name a new topic). Chosen on squad-train
# threads (see README), never on squad-v1.1.
CONTEXT_LEAN_WORDS = 3.0  # about the median question's (squad-train, 8k and 82k sentences)
CONTEXT_LEAN_POWER = 0.5
CONTEXT_LEAN_RANGE = (0.5, 2.0)


@dataclass(frozen=True)
class Followed:
    """A conversation in this index's numbers: (term id, weight) pairs and document numbers."""

    terms: tuple[tuple[int, float], ...]
    documents: np.ndarray
    near: tuple[tuple[int, int], ...] = ()  # (document number, offset) of the last answer
    lean: float = 1.0  # what the bonus is multiplied by (see CONTEXT_LEAN_WORDS)


def followed(idx, context: Conversation, own: list[int]) -> Followed:
    """The conversation as term weights (recent questions' words not in the question) and
    document numbers."""
    weights: dict[int, float] = {}
    weight = CONTEXT_WEIGHT
    for earlier in reversed(context.questions):
        for t in idx._question_ids(earlier):
            if t not in own and t not in weights:
                weights[t] = weight
        weight *= CONTEXT_DECAY
    docs = [idx._doc_number[d] for d in context.documents if d in idx._doc_number]
    near = [(idx._doc_number[d], at) for d, at in context.places[-1:] if d in idx._doc_number]
    return Followed(
        tuple(weights.items()),
        np.array(sorted(set(docs)), dtype=np.int64),
        tuple(near),
        lean(idx, own, docs),
    )


def lean(idx, own: list[int], docs: list[int]) -> float:
    """How much a follow-up leans on its conversation: more when its own words say little,
    at most as much as alone when one of them is in none of the conversation's documents."""
    unique = list(dict.fromkeys(own))
    said = float(idx._idf_sent[unique].sum()) / idx._idf_unknown
    low, high = CONTEXT_LEAN_RANGE
    lean = min(high, max(low, (CONTEXT_LEAN_WORDS / max(said, 1e-9)) ** CONTEXT_LEAN_POWER))
    if lean > 1.0:
        units = np.array(sorted(set(docs)), dtype=np.int64)
        for t in unique:
            if not len(units) or not idx._segs.score_units("doc", [t], units)[1].any():
                return 1.0
    return lean


# Words by which a question points back at the conversation ("what can they hear?", "and
# writing one?"): English only for now; a question in another language is tied by shared words.
POINTING_BACK = frozenset(
    """it its this that these those they them their he his she him her such one ones same
    there then else also instead""".split()
)


def leans_on(idx, context: Conversation, question: str, own: list[int]) -> bool:
    """Whether a question leans on its conversation: it says little (`lean` above 1) and every
    word of it is in the conversation's documents. Where nothing says a question continues one
    (the console has no threads), only such a question is read as a follow-up. When those
    documents hold most of the collection (a folder of one manual), every question's words are
    in them: something must then tie it to the conversation, a word pointing back or a word of
    the recent questions."""
    if not own or not context.questions:
        return False
    docs = [idx._doc_number[d] for d in context.documents if d in idx._doc_number]
    if lean(idx, own, docs) <= 1.0:
        return False
    if np.isin(idx._sent_doc, docs).mean() < 0.5:  # being in them says something
        return True
    if not POINTING_BACK.isdisjoint(words(question)):
        return True
    recent = {t for q in context.questions[-2:] for t in idx._question_ids(q)}
    return not recent.isdisjoint(own)


def bonus(idx, follow: Followed, cand: np.ndarray) -> np.ndarray:
    """What a follow-up adds to each shortlisted sentence's blend: CONTEXT_DOC_BONUS in the
    documents the conversation has been about, up to CONTEXT_NEAR_BONUS more near where the last
    answer was, up to CONTEXT_PARA_BONUS more where the paragraph holds the conversation's words;
    all of it times the follow-up's lean."""
    doc_of = np.asarray(idx._sent_doc[cand], dtype=np.int64)
    extra = CONTEXT_DOC_BONUS * np.isin(doc_of, follow.documents)
    for d, at in follow.near:  # locality: a follow-up tends to ask about the same part
        start = np.asarray(idx._sent_start[cand], dtype=np.float64)
        fade = np.exp(-np.abs(start - at) / CONTEXT_NEAR_CHARS)
        extra = extra + CONTEXT_NEAR_BONUS * (doc_of == d) * fade
    if follow.terms:  # the conversation's words, weighed in the paragraphs holding them
        by_weight: dict[float, list[int]] = {}
        for t, w in follow.terms:
            by_weight.setdefault(w, []).append(t)
        para = sum(w * idx.level_scores("para", ts, cand) for w, ts in by_weight.items())
        top = float(np.max(para, initial=0.0))
        if top > 0:
            extra = extra + CONTEXT_PARA_BONUS * np.clip(para, 0.0, None) / top
    return extra * follow.lean
