"""Passages: a ranked sentence grown into the passage a reader needs, cited, copies shown once.

Each passage is the best sentence plus the neighbours it needs (the sentence before an anaphoric
start, the one after a lead-in, a neighbour that scores nearly as well, or the one holding the
answer, the answer after a question the text asks), then the rest of its paragraph, the sentence
before a paragraph that points back, a short section from its start, and what follows it in its
section while the passage stays within PARAGRAPH_CHARS, verbatim, never overlapping; a code block is quoted alone. Its answer phrase is marked, its page, section and link
found (citations.py), and a passage equal or nearly equal to one already shown is not shown again
(copies.py).
"""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import quote

from index.analysis import flags
from index.analysis.tokens import normalize
from index.answer import citations
from index.answer.copies import Copies
from index.answer.model import Copy, Passage
from index.search.question import answers
from index.search.structure import text_under

NEIGHBOUR_SHARE = 0.8  # a neighbour scoring this share of the best sentence joins its passage
# A passage grows by the other sentences of its paragraph while it stays within this many
# characters: a reader takes in a short paragraph whole, and the sentence that answers is often
# next to the one that holds the question's words. About a third of an embed field (1,024), so
# three passages still fit a Discord card.
PARAGRAPH_CHARS = 450
_SENTENCE_ENDS = tuple(".!?:;)\"'’”")  # how a sentence that "it" can point back to ends
_NOT_PROSE = flags.CODE | flags.HEADING


def build_passages(
    idx,
    ranked: list[tuple[int, float]],
    k: int,
    qtype: answers.QuestionType,
    qset: frozenset[str],
    question: str,
    voted_down: set[int] = frozenset(),
) -> tuple[Passage, ...]:
    """The first `k` passages of `ranked` sentences (best first), one per place, copies folded into
    the first shown (`also_in`); sentences in `voted_down` are never pulled in as neighbours."""
    taken: set[int] = set()
    # A passage already shown (from another document) is not shown again; of equal passages the
    # one in the smallest document is shown (a site's all-in-one page holds every other page).
    copies = Copies(lambda name: idx.document_sentences[idx._doc_number[name]])
    scores = dict(ranked)
    why = bool(re.match(r"\s*(why|how come)\b", normalize(question)))
    asked: set[int] = set()  # the question's term ids, read where sections are (`_grow`)
    if _has_sections(idx):
        asked = {t for t in map(idx.term_id, qset) if t is not None}
    for sid, score in ranked:
        if len(copies.firsts) >= k:
            break
        if sid in taken:
            continue
        if idx._sent_flags[sid] & flags.HEADING:  # a heading alone is not an answer: its text is
            body = text_under(idx, sid)
            if body:
                if taken.intersection(body):  # already quoted
                    continue
                sid = max(body, key=lambda x: (scores.get(x, -1.0), -x))
        if _is_code(idx, sid):  # a code block is quoted alone
            first = last = sid
        else:
            first, last = _expand(idx, sid, qtype, qset, taken | voted_down, why, scores)
            first, last = _grow(idx, first, last, taken | voted_down, asked)
        taken.update(range(first, last + 1))
        passage = _passage(idx, sid, first, last, score, qtype, qset)
        copies.add(passage, idx._sentence_text(sid))
    return tuple(_with_stored_copies(idx, p) for p in copies.passages())


def _with_stored_copies(idx, passage: Passage) -> Passage:
    """The passage with the files that are byte copies of its document (stored once, under the
    plainest name: update._copies) added to `also_in`."""
    shown = {c.document for c in passage.also_in}
    names = [n for n in idx.copies.get(passage.document, ()) if n not in shown]
    if not names:
        return passage
    own = passage.source is not None or idx.docs_url is None
    also = [
        Copy(n, passage.title, passage.link if own else idx.docs_url + quote(n, safe="/"))
        for n in names
    ]
    return dataclasses.replace(passage, also_in=(*passage.also_in, *also))


def _is_code(idx, sid: int) -> bool:
    """Whether the sentence starts inside a code block (its flag, set when it was indexed: what
    its document's code spans say, without parsing them)."""
    return bool(idx._sent_flags[sid] & flags.CODE)


def _same_para(idx, a: int, b: int) -> bool:
    n = len(idx._sent_para)
    return 0 <= a < n and 0 <= b < n and idx._sent_para[a] == idx._sent_para[b]


def _expand(
    idx, sid: int, qtype, qset, taken: set[int], why: bool, scores: dict[int, float]
) -> tuple[int, int]:
    """The neighbours a sentence needs: the one before an anaphoric start, the one after a lead-in."""
    first = last = sid
    bits = int(
        idx._sent_flags[sid]
    )  # found in its text when it was indexed (index/analysis/flags.py)
    prev_ok = _same_para(idx, sid - 1, sid) and (sid - 1) not in taken
    next_ok = _same_para(idx, sid + 1, sid) and (sid + 1) not in taken
    if prev_ok and bits & flags.LEANS_BACK:
        first = sid - 1
    if next_ok and (bits & flags.LEAD_IN or why):
        last = sid + 1
    if last == sid and _asks(idx, sid) and _answers_after(idx, sid, taken):
        last = sid + 1  # a question in the text (an FAQ's, a tutorial's) is quoted with its answer
    bar = NEIGHBOUR_SHARE * scores[sid]
    if prev_ok and first == sid and scores.get(sid - 1, -1.0) >= bar:
        first = sid - 1
    if next_ok and last == sid and scores.get(sid + 1, -1.0) >= bar:
        last = sid + 1
    if qtype.kind is not None and idx._answer_in(sid, qtype, qset) is None:
        if next_ok and last == sid and idx._answer_in(sid + 1, qtype, qset) is not None:
            last = sid + 1
        elif prev_ok and first == sid and idx._answer_in(sid - 1, qtype, qset) is not None:
            first = sid - 1
    return first, last


def _grow(
    idx, first: int, last: int, taken: set[int], asked: set[int] = frozenset()
) -> tuple[int, int]:
    """The passage grown by the other sentences of its paragraphs (a question the text asks and
    its answer may stand in two: the answer's goes on after it), the next one first, then by the
    sentences after it in its section that hold a word of the question (`asked`, term ids; up to
    a heading or code), while it stays within PARAGRAPH_CHARS: a reader sees the short paragraph
    the sentence stands in, and what it goes on to say about the question."""
    para, bits, starts, ends = idx._sent_para, idx._sent_flags, idx._sent_start, idx._sent_end
    n = len(para)
    start, end = int(starts[first]), int(ends[last])
    sides = [1, -1]  # the next sentence, then the one before, in turns while either joins
    while sides:
        for side in list(sides):
            near = last if side == 1 else first
            x = near + side
            if _joins(x, near, n, taken, para, bits):
                a, b = min(start, int(starts[x])), max(end, int(ends[x]))
                if b - a <= PARAGRAPH_CHARS:
                    start, end = a, b
                    first, last = min(first, x), max(last, x)
                    continue
            sides.remove(side)  # for good: its end stays where it is, the passage only grows
    if not _has_sections(idx):
        return first, last  # text without headings (news, articles): no section to quote from
    x = first - 1
    if (
        not _same_para(idx, x, first)
        and idx._sent_flags[first] & flags.ANAPHORIC
        and _in_a_section(idx, first)
        and _joins_back(idx, x, first, taken)
        and end - int(idx._sent_start[x]) <= PARAGRAPH_CHARS
        and idx._sentence_text(x).rstrip().endswith(_SENTENCE_ENDS)  # not a table's "v20.6.0"
    ):
        # A paragraph that opens by pointing back ("It works like this.", "This is the default
        # cache ...") goes on from the one before it in its section: that one says what "it" is
        # ("Set ATOMIC_REQUESTS to True ..."). Within a paragraph `_expand` does the same.
        first, start = x, int(idx._sent_start[x])
    if _in_a_section(idx, first):
        # A short section is quoted from its start when it fits: a reference entry's one-line
        # summary ("Activates some additional checks that are only relevant in a deployment
        # setting.") says what the details under it are about.
        first = _section_start(idx, first, end, taken, asked)
        start = int(idx._sent_start[first])
    if not _same_para(idx, last + 1, last) and _in_a_section(idx, last):
        # The rest of its paragraph is quoted: the text that follows in its section, on its page,
        # continues it while it fits and speaks of the question (a reference entry's one-line
        # summary of "the digits to keep when saving", then "The default value is 17 ... for the
        # lossless saving"). Text without headings (news, articles) keeps to its paragraphs.
        info = idx.document_info(int(idx._sent_doc[last]))
        page = info.page(start)[0]
        x = last + 1
        while (
            x < len(idx._sent_para)
            and idx._sent_doc[x] == idx._sent_doc[last]
            and x not in taken
            and not idx._sent_flags[x] & (flags.HEADING | flags.CODE | flags.ROW)
            and int(idx._sent_end[x]) - start <= PARAGRAPH_CHARS
            and info.page(int(idx._sent_start[x]))[0] == page
            and not asked.isdisjoint(idx.sentence_terms(x))
        ):
            last = x
            x += 1
    return first, last


def _joins(x: int, near: int, n: int, taken: set[int], para, bits) -> bool:
    """Whether sentence x may join the passage ending (or starting) at `near`: in its paragraph,
    not quoted, not code nor a heading."""
    return 0 <= x < n and x not in taken and para[x] == para[near] and not bits[x] & _NOT_PROSE


def _section_start(idx, first: int, end: int, taken: set[int], asked: set[int]) -> int:
    """The first sentence under the heading over `first` if every sentence from there to `end`
    is prose no passage holds, the whole fits in PARAGRAPH_CHARS and what it adds speaks of the
    question (one of its sentences holds a word of `asked`: not only "Added in: v0.9.1" or a
    version history table); else `first`."""
    head = idx.heading_of(first)
    x = first - 1
    speaks = False
    while x > head and _joins_back(idx, x, first, taken):
        if end - int(idx._sent_start[x]) > PARAGRAPH_CHARS:
            return first
        speaks = speaks or not asked.isdisjoint(idx.sentence_terms(x))
        x -= 1
    return x + 1 if x == head and speaks else first


def _joins_back(idx, x: int, sid: int, taken: set[int]) -> bool:
    """Whether sentence x, just before sid, is prose of sid's section that no passage holds (not a
    heading, a listing or a table row: a Node.js entry opens with its version history)."""
    if x < 0 or x in taken or idx._sent_doc[x] != idx._sent_doc[sid]:
        return False
    if idx._sent_flags[x] & (flags.HEADING | flags.CODE | flags.ROW):
        return False
    return idx.heading_of(x) == idx.heading_of(sid)


def _has_sections(idx) -> bool:
    """Whether any sentence of the index is in a heading (else no step here reads sections)."""
    return bool(getattr(idx, "flags_present", flags.HEADING) & flags.HEADING)


def _in_a_section(idx, sid: int) -> bool:
    """Whether a heading stands over the sentence in its document."""
    return _has_sections(idx) and idx.heading_of(sid) >= 0


def _asks(idx, sid: int) -> bool:
    """Whether the sentence is a question (ends with "?")."""
    return idx._sentence_text(sid).rstrip().endswith("?")


def _answers_after(idx, sid: int, taken: set[int]) -> bool:
    """Whether the next sentence can answer the question sentence sid: prose of the same
    document, not a heading, not already shown."""
    x = sid + 1
    if x >= len(idx._sent_para) or x in taken or idx._sent_doc[x] != idx._sent_doc[sid]:
        return False
    return not idx._sent_flags[x] & (flags.HEADING | flags.CODE)


def _passage(idx, sid: int, first: int, last: int, score: float, qtype, qset) -> Passage:
    d = int(idx._sent_doc[sid])
    doc_text = idx.document_text(d)
    start, end = int(idx._sent_start[first]), int(idx._sent_end[last])
    answer = None
    a_start = a_end = None
    if qtype.kind is not None:
        for n in [sid] + [x for x in range(first, last + 1) if x != sid]:
            span = idx._answer_in(n, qtype, qset)
            if span is not None:
                a_start = int(idx._sent_start[n]) + span[0]
                a_end = int(idx._sent_start[n]) + span[1]
                answer = doc_text[a_start:a_end]
                break
    return Passage(
        document=idx._doc_ids[d],
        title=idx._titles[d],
        source=idx._sources[d],
        start=start,
        end=end,
        text=doc_text[start:end],
        sentence_start=int(idx._sent_start[sid]),
        sentence_end=int(idx._sent_end[sid]),
        score=round(score, 6),
        answer=answer,
        answer_start=a_start,
        answer_end=a_end,
        **_citation(idx, d, int(idx._sent_start[sid]), start, end),
    )


def _citation(idx, d: int, offset: int, start: int, end: int) -> dict:
    """Page, section, link, outlet and code flag of the sentence at `offset` of document d, and
    the pages its passage (`start`-`end`) is printed on: a quote that runs over a page break
    is cited "pp. 18–19", its best sentence's page where the link opens."""
    info = idx.document_info(d)
    page, label = info.page(offset)
    section, anchor = info.section(offset)
    doc_id, source = idx._doc_ids[d], idx._sources[d]
    first, first_label = info.page(start)
    last, last_label = info.page(max(start, end - 1))
    pages = (first, last) if first is not None and last is not None else None
    return {
        "page": page,
        "page_label": label,
        "pages": pages,
        "pages_label": (
            f"{first_label or first}–{last_label or last}" if pages and first != last else None
        ),
        "section": section,
        "link": citations.link(doc_id, source, info, idx.docs_url, page, anchor),
        "outlet": info.outlet,
        "code": info.is_code(offset),
    }
