"""Order the sentences BM25 retrieves: the shortlist, its features, and the learned model.

Flow for one question: the `SHORTLIST` best sentences by their own BM25; the paragraph's and the
document's BM25 blended in (the hand-set blend); its best `CANDIDATES` are what the ranker orders.
With the shipped model (`ranker_model.json`, trees or a linear model in plain JSON, run here with
numpy) they are ordered by its score over the features of `features.py`. Without it (missing or
damaged: one line on stderr) by the blend plus hand-set bonuses for adjacent question-word pairs
and for a phrase of the asked-for type.

Interface with the index (all the ranker and its features read; an index over segments only has
to provide these):

- `shortlist(term_ids, n, follow) -> (sids, scores, bonus)`: the n best sentences by sentence BM25
  (a follow-up's context words weighed in), best first, ties broken by the order key; int64 and
  float64 arrays; `bonus` (a follow-up's, added to the blend) or None.
- `level_scores(level, term_ids, sids) -> float64[]`: BM25 of the paragraph ("para") or document
  ("doc") holding each sentence.
- `boost_of(sids, boosts) -> float64[]`: the votes' adjustment of each sentence.
- `documents_of(sids) -> int64[]`: each sentence's document number.
- `order_key(sids) -> int64[]`: what breaks ties between equal scores, lower first (the sid today).
- `term_windows(sids) -> (terms, rows)`: each sentence's term ids with its neighbours' of the
  same document (int32, the windows end to end) and per sentence (window start, sentence start,
  sentence end, window end) in them.
- `sentence_text(sid) -> str`: the sentence verbatim (for the answer-type check).
- `sentence_flags(sids) -> uint8[]`: what `flags.sentence_flags` found in each sentence's text.
- `sentence_positions(sids) -> int64[n, 3]`: (index in paragraph, paragraph index in document,
  sentence index in document).
- `section_headings(sids) -> int64[n, 2]`: the heading run over each sentence (-1, -1: none).
- `sentence_count`: number of sentences (sids are 0 .. sentence_count - 1, in reading order).
- `term_weights(term_ids) -> float64[]`: each term's sentence-level IDF (always positive).
- `term_id(term) -> int | None`: a term's id (synonyms, associations).
- `term_ids(terms) -> int64[]`: many terms' ids at once, -1 for those no sentence has.
- `flags_present` (optional): the flags any sentence has; without it the code and heading rules
  always run.
- `history_documents` (optional): bool[] by document number, release notes and changelogs
  (`order/history.py`); without it none is.
- `document_names` (optional): a `naming.Names`, the documents each file-name or title word
  names; without it no question names one.
"""

from __future__ import annotations

import itertools
import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.analysis import flags
from index.search import associations, features, structure, synonyms
from index.search.order import defaults, history, naming
from index.search.question import answers
from index.search.windows import FRAGMENT_SHARE, code_fragments

MODEL_PATH = Path(__file__).with_name("ranker_model.json")
OTHER_LANGUAGES_MODEL_PATH = Path(__file__).with_name("ranker_model_other_languages.json")
MODEL_FORMAT = 1
SHORTLIST = 200  # sentences kept by their own BM25 before the paragraph and document are blended
# The best of the blend that the model (or the hand-set bonuses) reorders: 98.4% of the training
# questions with a right sentence among the best 60 have one among the best 30, at half the cost.
CANDIDATES = 30
# The hand-set ranking (the fallback, and what the blend features are):
PARA_WEIGHT = 0.6  # share of the paragraph's score blended into each sentence's
DOC_WEIGHT = 0.6  # share of the document's score
PAIR_BONUS = 0.5  # bonus for each pair of question words that a sentence has side by side
TYPE_BOOST = 0.25  # bonus for a sentence that holds a phrase of the asked-for type
RERANK = 30  # how many top sentences get the hand-set bonuses
HAND_SET_CANDIDATES = 60  # the hand-set ranking keeps the blend's best 60, as it always did
# The passage code adds a neighbour that scores at least 0.8 of its sentence; with the model's
# scores mapped into (0, 1) by the logistic function and raised to this power, that is a neighbour
# with 0.8 ** 4 = 41% of the sentence's mapped score. Chosen on held-out training articles (1,500
# questions, a tree model; powers 1, 0.5, 0.25, 0.1: passage hit@3 0.813, 0.816, 0.820, 0.820).
SCORE_POWER = 0.25
# A follow-up's bonus (on the blend's scale) is added to the model's raw score times this: chosen
# on squad-train threads (every tenth article: 2, 4, 6, 10 gave follow-ups +4.0, +6.1, +7.3, +8.1
# points, switches 0, 0, 0, -0.9), the largest that costs a topic switch nothing.
MODEL_BONUS_SCALE = 6.0


@dataclass(frozen=True)
class Model:
    """A learned scorer: regression trees summed, or a linear function, over `features.NAMES`."""

    kind: str
    arrays: dict

    def score(self, X: np.ndarray) -> np.ndarray:
        """One score per row of X, larger is better."""
        a = self.arrays
        if self.kind == "linear":
            return (X - a["mean"]) / a["scale"] @ a["weights"] + a["bias"]
        # Trees walked in lockstep for every (tree, row): leaves point to themselves, so `depth`
        # steps bring every walk to its leaf. A node's children sit side by side in `children`,
        # so one step is four gathers: feature, value, threshold, child.
        n_features = X.shape[1]
        flat = np.ascontiguousarray(X).ravel()
        base = (np.arange(len(X)) * n_features)[None, :]
        node = np.repeat(a["roots"][:, None], len(X), axis=1)
        feature, threshold, children = a["feature"], a["threshold"], a["children"]
        for step in range(a["depth"]):
            right = flat[base + feature[node]] > threshold[node]
            node = children[2 * node + right]
            if step % 4 == 3 and a["leaf"][node].all():  # most trees are shallower than the deepest
                break
        return a["value"][node].sum(axis=0) + a["bias"]


class ModelError(ValueError):
    """The model file cannot be used."""


def parse_model(raw: dict) -> Model:
    """A Model from the JSON object of a model file; ModelError if it is not one this code reads."""
    if not isinstance(raw, dict) or raw.get("format") != MODEL_FORMAT:
        raise ModelError(f"not a format-{MODEL_FORMAT} ranker model")
    if list(raw.get("features", [])) != list(features.NAMES):
        raise ModelError("it was trained on other features than this code computes")
    n = len(features.NAMES)
    try:
        if raw["kind"] == "linear":
            arrays = {k: np.asarray(raw[k], dtype=np.float64) for k in ("weights", "mean", "scale")}
            arrays["bias"] = float(raw["bias"])
            if any(v.shape != (n,) for k, v in arrays.items() if k != "bias"):
                raise ModelError("its weights do not match the features")
            if not np.all(arrays["scale"] > 0):
                raise ModelError("its scales must be positive")
        elif raw["kind"] == "trees":
            t = raw["trees"]
            arrays = {
                "feature": np.asarray(t["feature"], dtype=np.int64),
                "threshold": np.asarray(t["threshold"], dtype=np.float64),
                "left": np.asarray(t["left"], dtype=np.int64),
                "right": np.asarray(t["right"], dtype=np.int64),
                "value": np.asarray(t["value"], dtype=np.float64),
                "roots": np.asarray(t["roots"], dtype=np.int64),
                "depth": int(t["depth"]),
                "bias": float(raw.get("bias", 0.0)),
            }
            size = len(arrays["feature"])
            if not all(len(arrays[k]) == size for k in ("threshold", "left", "right", "value")):
                raise ModelError("its tree arrays differ in length")
            for k in ("left", "right", "roots"):
                if len(arrays[k]) and not (arrays[k].min() >= 0 and arrays[k].max() < size):
                    raise ModelError("a tree points outside its nodes")
            if len(arrays["feature"]) and not (
                arrays["feature"].min() >= 0 and arrays["feature"].max() < n
            ):
                raise ModelError("a tree asks for a feature that does not exist")
            if not 0 <= arrays["depth"] <= 64:
                raise ModelError("its trees are too deep")
            arrays["children"] = np.stack([arrays["left"], arrays["right"]], axis=1).ravel()
            arrays["leaf"] = arrays["left"] == np.arange(size)
        else:
            raise ModelError(f"unknown kind {raw['kind']!r}")
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ModelError):
            raise
        raise ModelError(f"malformed ({exc})") from exc
    for v in arrays.values():
        if isinstance(v, np.ndarray) and not np.all(np.isfinite(v)):
            raise ModelError("it holds a number that is not finite")
    return Model(raw["kind"], arrays)


def load_model(path: str | Path | None = None) -> Model | None:
    """The ranker model in `path` (default: the shipped one), or None if it is missing or damaged:
    then one line on stderr, once per process, says so and the hand-set ranking is used."""
    return _load(str(MODEL_PATH if path is None else path))


@lru_cache(maxsize=8)
def _load(path: str) -> Model | None:
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        model = parse_model(raw)
        synonyms.table()  # read now (about 40 ms), not on the first question
        associations.table()  # likewise (about 35 ms)
        return model
    except FileNotFoundError:
        why = "is missing"
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        why = f"is damaged ({str(exc)[:120]})"
    print(f"verbatim: ranker model {path} {why}; using the hand-set ranking", file=sys.stderr)
    return None


def candidates(idx, term_ids: list[int], n: int = CANDIDATES, follow=None, prose_first=False):
    """The shortlist's best `n` by the hand-set blend, best first; with `prose_first`, code units
    take at most half of the places (a name asked about is mostly written in code examples: they
    would take every place from the sentence that explains it).

    Returns (sids, levels, blended, best_docs, bonus): levels holds each candidate's sentence,
    paragraph and document BM25, raw then scaled by the best of the whole shortlist; best_docs the
    numbers of the three documents that score best; bonus a follow-up's (in the blend) or zeros.
    """
    cand, s, bonus = idx.shortlist(term_ids, SHORTLIST, follow)
    if not len(cand):
        return cand, np.zeros((0, 6)), np.zeros(0), [], np.zeros(0)
    if follow is not None:  # the context's words chose the shortlist; the question's own score it
        s = idx.level_scores("sent", term_ids, cand)
    p = idx.level_scores("para", term_ids, cand)
    if getattr(idx, "flags_present", 0) & flags.HEADING:  # a section's name is context
        p = p + features.heading_scores(idx, cand, term_ids)
    d = idx.level_scores("doc", term_ids, cand)
    doc_of = idx.documents_of(cand)
    ss, ps, ds = features.scaled(s), features.scaled(p), features.scaled(d)
    blended = ss + PARA_WEIGHT * ps + DOC_WEIGHT * ds
    if bonus is None:
        bonus = np.zeros(len(cand))
    key = idx.order_key(cand)  # ties: as a fresh build numbers sentences (name, position)
    best_docs = _first_distinct(doc_of[np.lexsort((key, -d))].tolist(), 3)
    pick = blended + bonus
    if prose_first:
        is_code = (idx.sentence_flags(cand) & flags.CODE) != 0
        if is_code.sum() > n // 2:  # the code units past the best n // 2 only fill what is left
            code = np.flatnonzero(is_code)
            rest = code[np.argsort(-pick[code], kind="stable")[n // 2 :]]
            pick = pick.copy()
            pick[rest] -= pick.max() - pick.min() + 1.0
    top = _top(pick, n)
    order = top[np.lexsort((key[top], -(blended + bonus)[top]))]
    levels = np.stack([s, p, d, ss, ps, ds], axis=1)[order]
    return cand[order], levels, blended[order], best_docs, bonus[order]


def rank(
    idx,
    term_ids: list[int],
    qtype: answers.QuestionType,
    qset: frozenset[str],
    question: str,
    model: Model | None = None,
    follow=None,
    boosts=None,
) -> tuple[list[tuple[int, float]], list[int], dict[int, float]]:
    """Candidate sentences best first with their scores, the best documents' numbers, and the
    share of the question's (known) weight each candidate holds with its neighbours, as its
    features found it (empty with the hand-set ranking): what the no-answer check reads.

    `follow` (a follow-up's conversation, in the index's numbers) weighs its context words into
    the shortlist and adds its bonus; `boosts` (votes) adjust sentences' scores at the end.
    """
    present = getattr(idx, "flags_present", flags.CODE | flags.HEADING)
    prose = bool(present & flags.CODE) and not structure.asks_for_code(qset, question)
    sids, levels, blended, best_docs, bonus = candidates(
        idx, term_ids, CANDIDATES if model is not None else HAND_SET_CANDIDATES, follow, prose
    )
    if not len(sids):
        return [], best_docs, {}
    near: dict[int, float] = {}
    if model is None:
        scores = _hand_set(idx, sids, blended + bonus, term_ids, qtype, qset)
    else:
        X, share = features.compute_with_share(
            idx, term_ids, qtype, qset, question, sids, levels, blended
        )
        scores = _positive(model.score(X) + MODEL_BONUS_SCALE * bonus)
        near = dict(zip(sids.tolist(), share.tolist(), strict=True))
    docs = idx.documents_of(sids)
    scores = _history_last(idx, docs, scores, question)
    scores = _defaults_first(idx, sids, scores, question)
    scores = _named_first(idx, docs, scores, qset)
    if boosts:
        scores = scores + idx.boost_of(sids, boosts)
    if present & (flags.CODE | flags.HEADING):
        scores = scores * np.where(code_fragments(idx, sids), FRAGMENT_SHARE, 1.0)
        sids, scores = structure.structure_order(idx, sids, scores, prose, term_ids)
    order = np.lexsort((idx.order_key(sids), -scores))
    return list(zip(sids[order].tolist(), scores[order].tolist(), strict=True)), best_docs, near


def _history_last(idx, docs, scores, question: str):
    """Change-history pages' sentences (`order/history.py`) at `history.SHARE` of their scores
    (`docs`: each candidate's document), unless the question speaks of versions or changes."""
    pages = getattr(idx, "history_documents", None)
    if pages is None:
        return scores
    favoured = ~pages[docs]  # (most questions find no such page: the question is not read)
    if favoured.all() or history.asks_about_versions(question):
        return scores
    return _favour(scores, favoured, history.SHARE)


def _defaults_first(idx, sids, scores, question: str):
    """The candidates that state no default at `defaults.SHARE` of their scores, when the question
    asks about a default (`order/defaults.py`)."""
    if not defaults.asks_for_default(question):
        return scores
    return _favour(scores, defaults.stated(idx, sids), defaults.SHARE)


def _named_first(idx, docs, scores, qset):
    """The sentences of documents the question does not name at `naming.SHARE` of their scores,
    when it names some (`order/naming.py`; `docs`: each candidate's document)."""
    names = getattr(idx, "document_names", None)
    named = names.named(qset) if names is not None else None
    if named is None:
        return scores
    return _favour(scores, named[docs], naming.SHARE)


def _favour(scores, favoured: np.ndarray, share: float):
    """Scores with the candidates not `favoured` at `share` of theirs, when the candidates hold
    both kinds (when all or none are, the order is the model's)."""
    if favoured.all() or not favoured.any():
        return scores
    return scores * np.where(favoured, 1.0, share)


def _positive(raw: np.ndarray) -> np.ndarray:
    """Model scores mapped into (0, 1) and raised to `SCORE_POWER`: positive, same order."""
    return (1.0 / (1.0 + np.exp(-np.minimum(np.maximum(raw, -30.0), 30.0)))) ** SCORE_POWER


def _hand_set(idx, sids, blended, term_ids, qtype, qset) -> np.ndarray:
    """The blend plus the pair and type bonuses for the first `RERANK`: the ranking before the model."""
    scores = blended.copy()
    pairs = set(itertools.pairwise(term_ids))
    for i, sid in enumerate(sids[:RERANK].tolist()):
        if pairs:
            shared = len(pairs & set(itertools.pairwise(idx.sentence_terms(sid))))
            scores[i] += PAIR_BONUS * shared / len(pairs)
        if (
            qtype.kind is not None
            and answers.best_answer(qtype, idx.sentence_text(sid), qset) is not None
        ):
            scores[i] += TYPE_BOOST
    return scores


def _first_distinct(values: list[int], n: int) -> list[int]:
    """The first `n` distinct values, in order."""
    out: list[int] = []
    for v in values:
        if v not in out:
            out.append(v)
            if len(out) == n:
                break
    return out


def _top(values: np.ndarray, n: int) -> np.ndarray:
    """Positions of the `n` largest values, in no particular order."""
    if len(values) <= n:
        return np.arange(len(values))
    return np.argpartition(-values, n - 1)[:n]


def model_json(kind: str, body: dict, trained: dict) -> dict:
    """The JSON object of a model file (what `python -m index train` writes)."""
    return (
        {"format": MODEL_FORMAT, "kind": kind, "features": list(features.NAMES)}
        | body
        | {"trained": trained}
    )
