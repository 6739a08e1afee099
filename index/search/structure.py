"""What the readers' structure says to the order of candidates: code units and the prose that
explains them, headings and the text under them, and the first passage one that answers.

`ranking.rank` applies `structure_order` to the model's scores; the searcher then puts the first
covered candidate first (`covered_first`) and, unless the question asks for code
(`asks_for_code`), lets code units and their lead-ins after it count half (`code_after_prose`).
Read through the accessors listed in `ranking.py`'s docstring.
"""

from __future__ import annotations

import re

import numpy as np

from index.analysis import flags
from index.analysis.tokens import stem
from index.search.windows import FRAGMENT_SHARE

BODY_REACH = 20  # sentences after a heading looked at for the text under it
# After the first passage, a code unit keeps this share of its score when the question does not
# ask for code (`code_after_prose`): half, as a prose fragment that a code block cuts off.
LATER_CODE_SHARE = FRAGMENT_SHARE
_ASKS_CODE = frozenset(map(stem, "example code syntax snippet sample".split()))
# Phrases that hold an asking word without asking to see code: an aside, and "code" naming a
# value ("the exit code of a child process", "a 404 status code", "the source code offer").
_NOT_ASKING = re.compile(
    r"\bfor (?:example|instance)\b|\b(?:exit|status|error|return|response|result|http|source"
    r"|country|language|zip|postal|key|char|character|ascii|unicode|access|verification)"
    r"[ -]codes?\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W\d_]+")


def asks_for_code(qterms, question: str = "") -> bool:
    """Whether a question, by its terms (`tokens.terms`), asks to see code: it says "example",
    "code", "syntax", "snippet" or "sample", or code words are most of its words ("what does .*
    do", "{% url %}?"). Naming an identifier in a question about it ("why must I call
    get_object_or_404()?") is not asking for code: the sentence that explains it answers. Nor
    are, in its text (`question`), "for example" ("the terminal (wxt for example)") and "code"
    naming a value ("the exit code of a child process", "a 404 status code")."""
    qterms = list(qterms)
    asked = _ASKS_CODE.intersection(qterms)
    if asked and question:
        left = _NOT_ASKING.sub(" ", question)
        asked = _ASKS_CODE.intersection(stem(w) for w in _WORD.findall(left.lower()))
    if asked:
        return True
    code = [t for t in qterms if not t.isalnum() and not t[0].isdigit()]
    code = [t for t in code if not any(t != c and t in c for c in code)]  # a name, not its tails
    prose = [t for t in qterms if t.isalnum() and not any(t in c for c in code)]
    return bool(code) and len(code) >= len(prose)


def structure_order(idx, sids, scores, prose_first: bool, term_ids=()):
    """(sids, scores) with what the readers' structure says applied, by exchanging scores:

    - a heading (its sentences flagged HEADING) gives its place to the best candidate of the text
      under it, or, when none of that text is a candidate, is replaced by its first sentence: a
      heading alone is not an answer when the text under it is;
    - with `prose_first` (the question does not ask for code), the sentence that explains a code
      unit (the prose just before it) ranks just above it (joining the candidates if it was not
      one), and the first candidate is prose when there is one; a prose sentence that holds none
      of the question's words (`term_ids`: "For example:", a file name over a listing) is no
      explanation and does not go first.
    """
    bits = idx.sentence_flags(sids)
    if not (bits & (flags.HEADING | flags.CODE)).any():
        return sids, scores
    sids, scores = sids.copy(), scores.copy()
    place = {s: i for i, s in enumerate(sids.tolist())}
    for i in np.flatnonzero(bits & flags.HEADING).tolist():
        body = text_under(idx, int(sids[i]))
        under = [place[x] for x in body if x in place]
        if under:
            best = max(under, key=lambda j: scores[j])
            if scores[best] < scores[i]:
                scores[i], scores[best] = scores[best], scores[i]
        elif body:
            del place[int(sids[i])]
            sids[i] = body[0]
            place[body[0]] = i
    if not prose_first:
        return sids, scores
    code = (idx.sentence_flags(sids) & flags.CODE) != 0
    if not code.any():
        return sids, scores
    before = {int(sids[i]): _prose_before(idx, int(sids[i])) for i in np.flatnonzero(code)}
    asked = _holding(idx, [*sids.tolist(), *(e for es in before.values() for e in es)], term_ids)
    explains = {c: next((e for e in es if e in asked), None) for c, es in before.items()}
    extra_sids, extra_scores = [], []
    for i in np.argsort(-scores, kind="stable").tolist():
        if not code[i]:
            continue
        e = explains[int(sids[i])]
        if e is None:
            continue
        j = place.get(e)
        if j is not None and j >= len(scores):
            continue  # already joined, above another code unit it explains
        if j is not None and scores[j] < scores[i]:
            scores[i], scores[j] = scores[j], scores[i]
        elif j is None and e is not None:  # the explanation joins, just above its code
            place[e] = len(sids) + len(extra_sids)
            extra_sids.append(e)
            extra_scores.append(scores[i])
            scores[i] = np.nextafter(scores[i], -np.inf)
    if extra_sids:
        sids = np.concatenate([sids, np.array(extra_sids, dtype=sids.dtype)])
        scores = np.concatenate([scores, np.array(extra_scores)])
        code = np.concatenate([code, np.zeros(len(extra_sids), dtype=bool)])
    top = int(np.argmax(scores))
    prose = np.array([not c and int(x) in asked for c, x in zip(code, sids, strict=True)])
    if code[top] and prose.any():
        best = int(np.flatnonzero(prose)[np.argmax(scores[prose])])
        scores[top], scores[best] = scores[best], scores[top]
    return sids, scores


def covered_first(idx, ranked: list[tuple[int, float]], covered) -> tuple[list, bool]:
    """(`ranked`, whether its first is `covered`), the first covered one moved to the front
    with its score (those it passes take it too, so scores never rise): a contents line or a heading with a word or two of the question
    must not make it go unanswered when an answer is further down. A heading goes first only when
    nothing else is covered; a code unit comes with the sentence ranked before it if that one
    explains it (one of the 3 before it in its document)."""
    heading = None
    for i, (sid, _) in enumerate(ranked):
        if not covered(sid):
            continue
        bits = int(idx.sentence_flags(np.array([sid]))[0])
        if bits & flags.HEADING:
            heading = i if heading is None else heading
            continue
        take, before = 1, ranked[i - 1][0] if i else -9
        if bits & flags.CODE and 0 < sid - before <= 3:
            docs = idx.documents_of(np.array([before, sid]))
            i, take = (i - 1, 2) if docs[0] == docs[1] else (i, 1)
        break
    else:
        if heading is None:
            return ranked, False
        i, take = heading, 1
    if not i:
        return ranked, True
    moved = [*ranked[i : i + take], *ranked[:i], *ranked[i + take :]]
    capped = np.minimum.accumulate(np.array([v for _, v in moved])).tolist()  # never rising
    return list(zip([s for s, _ in moved], capped, strict=True)), True


def code_after_prose(idx, ranked: list[tuple[int, float]], qset, question: str) -> list:
    """`ranked` (after `covered_first`) with the code units after its first, and the lead-ins
    that only introduce one (short, or ending with ":", right before it), counting
    `LATER_CODE_SHARE` of their scores, unless the question asks for code (`asks_for_code`).

    The first passage is already prose (`structure_order`), and a code unit has lent its score
    to the sentence that explains it; the places after it went to listings that hold the
    question's names ("$ python manage.py runserver" third and fifth for "can I use manage.py
    runserver on my production server?", above "DO NOT USE THIS SERVER IN A PRODUCTION
    SETTING."), though a prose question is answered by prose, and to their lead-ins, quoted
    without the code they announce ("Or to call select_related() when applicable to reduce the
    number of queries even further:")."""
    if len(ranked) < 3 or not getattr(idx, "flags_present", flags.CODE) & flags.CODE:
        return ranked
    if asks_for_code(qset, question):
        return ranked
    sids = np.fromiter((s for s, _ in ranked[1:]), np.int64, len(ranked) - 1)
    after = np.minimum(sids + 1, idx.sentence_count - 1)
    bits = idx.sentence_flags(np.concatenate([sids, after]))
    code = (bits & flags.CODE) != 0
    n = len(sids)
    lead_in = ((bits[:n] & flags.LEAD_IN) != 0) & code[n:]  # announces the code after it
    half = code[:n] | lead_in
    if not half.any():
        return ranked
    if lead_in.any():
        docs = idx.documents_of(np.concatenate([sids, after]))
        half = code[:n] | (lead_in & (docs[:n] == docs[n:]))
    scores = np.fromiter((v for _, v in ranked[1:]), np.float64, n)
    scores = scores * np.where(half, LATER_CODE_SHARE, 1.0)
    order = np.argsort(-scores, kind="stable")  # ties keep their order
    return [ranked[0], *zip(sids[order].tolist(), scores[order].tolist(), strict=True)]


def _holding(idx, sids: list[int], term_ids) -> set[int]:
    """Those of `sids` whose own terms include one of the question's."""
    if not sids or not len(term_ids):
        return set()
    terms, bounds = idx.term_windows(np.array(sids, dtype=np.int64))
    wanted = np.unique(np.asarray(term_ids, dtype=np.int64))
    hit = np.isin(np.asarray(terms, dtype=np.int64), wanted)
    return {s for s, (a, b) in zip(sids, bounds[:, 1:3].tolist(), strict=True) if hit[a:b].any()}


def _prose_before(idx, c: int) -> list[int]:
    """The prose sentences among the 3 before the code unit c in its document, nearest first:
    where the sentence that explains it is."""
    doc = idx.documents_of(np.array([c]))[0]
    out = []
    for x in range(c - 1, max(c - 4, -1), -1):
        if idx.documents_of(np.array([x]))[0] != doc:
            break
        if not idx.sentence_flags(np.array([x]))[0] & flags.CODE:
            out.append(x)
    return out


def text_under(idx, h: int) -> list[int]:
    """The sentences under the heading sentence h: those after it in its document, past the
    rest of its heading, up to the next heading (at most BODY_REACH)."""
    end = min(h + 1 + BODY_REACH, idx.sentence_count)
    nxt = np.arange(h + 1, end)
    if not len(nxt):
        return []
    same = idx.documents_of(nxt) == idx.documents_of(np.array([h]))[0]
    is_head = (idx.sentence_flags(nxt) & flags.HEADING) != 0
    body: list[int] = []
    for x, ok, head in zip(nxt.tolist(), same.tolist(), is_head.tolist(), strict=True):
        if not ok or (head and body):
            break
        if not head:  # leading heading sentences are the rest of h's heading
            body.append(x)
    return body
