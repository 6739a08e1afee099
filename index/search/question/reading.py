"""A question into the index's term ids: in which language to read it, its words, typos.

The searcher's `_read_question`, `_query_terms` and `_qterms` are these functions; `idx` is the
searcher's Index (its `languages`, `_term_id`, `_frequency`, `_idf_sent`, `_idf_unknown`).
"""

from __future__ import annotations

import re

from index.analysis.languages import question_languages
from index.analysis.multilingual import is_segmented
from index.analysis.tokens import ENGLISH, normalize, stem, stopwords, words
from index.search.question.lexicon import real_stem, real_word
from index.search.question.typos import correct as nearest
from index.search.question.typos import slip_of

MAX_QUERY_TERMS = 48
MAX_CORRECTIONS = 8  # unknown words of one question that typo correction looks at

Terms = tuple[list[int], dict[str, str], int]

# English contractions as the tokenizer reads them, apostrophe dropped ("isn't", "isn’t" and
# "isnt" are all "isnt"): function words like "isn" and "t" of the stopword list, which the
# tokenizer never produces. Left out: forms that are other words too ("well", "ill", "id", "shed").
_CONTRACTIONS = frozenset(
    """
    isnt arent wasnt werent hasnt havent hadnt doesnt dont didnt wont wouldnt shant shouldnt cant
    couldnt mustnt mightnt neednt aint im ive youve weve theyve youre theyre youll theyll itll
    thatll youd theyd
    """.split()
)
# Chat words: hedges, fillers and greetings a question in a help channel carries and documents
# seldom have, so that their rarity there would make them weigh the most ("django timezone
# stuff?" found "it comes down to getting stuff done"), and "vs", which frames a comparison the
# answer makes in other words ("select_related vs prefetch_related": 12 of Django's 51,556
# sentences say "vs", so it outweighed both names).
_CHATTER = frozenset(
    """
    actually really kinda sorta basically literally seriously honestly anyway anyways somehow
    stuff please pls plz thanks thank thx hi hello hey guys ok okay yeah yep lol btw imo imho afaik
    maybe perhaps probably simply totally definitely obviously apparently vs versus
    """.split()
)
_ENGLISH_QUESTION_STOPWORDS = stopwords(ENGLISH) | _CONTRACTIONS | _CHATTER


def question_stopwords(lang: str = ENGLISH) -> frozenset[str]:
    """The words a question's terms leave out: the stopwords, and in English contractions and
    chat words too."""
    return _ENGLISH_QUESTION_STOPWORDS if lang == ENGLISH else stopwords(lang)


def read_question(idx, text: str) -> tuple[str, Terms]:
    """The language a question is read in and its `query_terms` in it. When its script and the
    detector leave several of the collection's languages, each is tried and the one whose
    reading the index knows best (the most of the question's IDF weight) is kept."""
    if len(idx.languages) > 1:
        langs = question_languages(text, idx.languages, idx.language_counts)
    else:
        langs = idx.languages or [ENGLISH]
    if len(langs) == 1:
        return langs[0], query_terms(idx, text, langs[0])
    # Compared as written: a typo decides no language, and correcting one in every candidate
    # language would cost its hundreds of variants each time.
    best = None
    for lang in langs:
        found = query_terms(idx, text, lang, correct=False)
        ids, _, missing = found
        known = float(idx._idf_sent[list(set(ids))].sum()) if ids else 0.0
        share = known / (known + missing * idx._idf_unknown) if known else 0.0
        if best is None or share > best[0]:
            best = (share, lang, found)
    _, lang, found = best
    return lang, query_terms(idx, text, lang) if found[2] else found


def qterms(text: str, corrections: dict[str, str], lang: str = ENGLISH) -> list[str]:
    """The question's terms with typos corrected, for answer marking."""
    skip = question_stopwords(lang)
    fixed = [corrections.get(w, w) for w in words(text, lang) if w not in skip]
    return [stem(w, lang) for w in fixed]


_SNAKE = re.compile(r"[a-z][a-z0-9]*(?:_+[a-z0-9]+)+")
_CAMEL = re.compile(r"\b(?:[a-z]+|[A-Z][a-z]+)(?:[A-Z][a-z]+)+[0-9]*\b")  # words joined
# What each name pattern cannot match without (the patterns backtrack through every word; most
# questions hold no name, and these checks cost a fraction of them): "_", "(", or a lower-case
# letter right before a capital.
_JOINED = re.compile(r"[a-z][A-Z]")
# A name written in camelCase that at most this many sentences hold is asked twice: an exception
# or class name pasted from an error ("fails with RequestDataTooBig") is what the asker means,
# and among a chatty question's ten other words its weight alone would not bring the one
# sentence that explains it into the candidates.
RARE_NAME = 10


def _without_parts(idx, found: list[str], text: str) -> list[str]:
    """The question's words without the parts of a name the index knows as a whole: a dotted
    name's words (`manage.py`: `manage`, `py`; its shorter tails such as `objects.filter` stay)
    and a snake_case name's (`select_related`: `select`, `related`, read before the joined
    `selectrelated`). Asked again, the parts would count the name two or three times, and a
    command line or code unit that writes it would outrank the prose that explains it."""
    drop: set[int] = set()
    plain = normalize(text)  # (its snake_case names, not "e-mail")
    snake = {m.replace("_", "") for m in _SNAKE.findall(plain)} if "_" in plain else set()
    for i, w in enumerate(found):
        if "." in w and w[0].isalpha() and idx._term_id(w) is not None:  # a dotted name
            j = i + 1
            while j < len(found) and found[j] != w and found[j] in w:
                if found[j].isalnum():  # its words; its dotted tails are names too
                    drop.add(j)
                j += 1
        elif w in snake and i >= 2:  # a joined snake_case name comes after its parts
            k = i - 1
            while k >= 0 and found[k].isalnum() and len("".join(found[k:i])) < len(w):
                k -= 1
            parts = found[k:i]
            if len(parts) > 1 and "".join(parts) == w and idx._term_id(stem(w)) is not None:
                drop.update(range(k, i))
    return [w for i, w in enumerate(found) if i not in drop] if drop else found


def _real(lang: str, word: str) -> bool:
    """Whether `word` is a word of `lang` (False when there is no word list for it)."""
    known = real_word(lang)
    return known is not None and known(word)


def _a_form(lang: str, stemmed: str) -> bool:
    """Whether a word, by its stem, is a form of a word of `lang`'s list ("dejaron" of "dejar",
    "heisst" of "heißt"): a real word the documents lack, not a typo to correct (English's list
    holds its forms: `correct` reads it)."""
    known = real_stem(lang)
    return known is not None and known(stemmed)


def query_terms(idx, text: str, lang: str = ENGLISH, correct: bool = True) -> Terms:
    """Term ids of the question (in order, repeats kept), typo corrections (none unless
    `correct`), unknown word count.

    A word of a script written without spaces (a segment or a bigram) that the index lacks is
    not counted unknown: segmenting the question may cut differently than the documents."""
    ids: list[int] = []
    corrections: dict[str, str] = {}
    missing = 0
    attempts = 0
    skip = question_stopwords(lang)
    found = words(text, lang)
    named: set[str] = set()
    if lang == ENGLISH:
        found = _without_parts(idx, found, text)
        named = _camel_names(text)
    for w in [w for w in found if w not in skip][:MAX_QUERY_TERMS]:
        tid = idx._term_id(stemmed := stem(w, lang))
        typo = tid is None and correct and not is_segmented(w) and not _a_form(lang, stemmed)
        if typo and attempts < MAX_CORRECTIONS:
            attempts += 1
            fixed = nearest(w, lambda x: idx._frequency(x, lang), real_word=real_word(lang))
            if fixed is not None:
                tid = idx._term_id(stem(fixed, lang))
                if tid is not None:
                    corrections[w] = fixed
        if tid is None and correct and slip_of(w, skip) and not _real(lang, w):
            continue  # "teh": a word the question leaves out, typed with a slip
        if tid is None:
            missing += not is_segmented(w)
        else:
            ids.append(tid)
            if w in named and idx._df[tid] <= RARE_NAME:
                ids.append(tid)
    return ids, corrections, missing


# A name written as a call, right before its parenthesis ("strsplit(", "containers.Map()"; not
# "Fortran (the language)"), or joined in snake_case or camelCase: code the asker pasted.
_CALLED = re.compile(r"(?<![\w.])([A-Za-z_][\w.]*\w)\(")


def code_names(idx, text: str) -> frozenset[int]:
    """Term ids of the names `text` writes as code (called, snake_case, camelCase; at least 3
    characters) that the index holds: what a chatty question is about, whatever its other words
    (`Index._covered`)."""
    names = _camel_names(text)
    if "(" in text:
        names |= set(_CALLED.findall(text))
    if "_" in text:
        names |= set(_SNAKE.findall(text))
    out = set()
    for name in names:
        found = words(name) if len(name) >= 3 else []
        tid = idx._term_id(stem(found[0])) if found else None
        if tid is not None:
            out.add(tid)
    return frozenset(out)


def _camel_names(text: str) -> set[str]:
    """The names of `text` written as words joined in camelCase or CamelCase
    (`RequestDataTooBig`, `inputParser`; not an acronym such as `vBNS`), lowercased as `words`
    gives them."""
    return {m.lower() for m in _CAMEL.findall(text)} if _JOINED.search(text) else set()
