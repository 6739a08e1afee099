"""Questions about defaults, and the sentences that state one, read by the ranker.

Help channels ask what happens when nothing is set, in many words: "is it on by default", "which
cache backend if CACHES isn't in my settings at all", "what does a brand new project use if I
don't change anything", "what key type if I create it without any arguments", "out of the box".
A manual answers with the word: "By default, the configuration uses SQLite", "This is the default
cache if another is not specified", "Default: 1209600", "Defaults to true". As a query term
"default" cannot choose (it is in too many sentences of a manual: tried, it cost answers); as a
tie-breaker among the candidates the question's own words chose it can. When a question asks
about a default, a candidate that states one keeps its score and the others keep `SHARE` of
theirs (`ranking.rank`), unless none or all of them state one. A candidate states one when it or
a sentence next to it in its paragraph does.
"""

from __future__ import annotations

import re

import numpy as np

LEAD = 2  # sentences before a candidate, in its paragraph, that may state its default
SHARE = 0.8  # of its score a candidate that states no default keeps when the question asks for one

# A question about what holds when nothing is set: the word in each language the bot speaks, or
# an English phrase for "nothing set". Read on the question's text, before stopwords go.
_ASKS = re.compile(  # (the lookahead: each alternative's first letter, as in _STATES below)
    r"(?=[dobfilwnupsvп默既デ])(?:\bdefault(?:s|ed)?\b|\bout[ -]of[ -]the[ -]box\b|\bbrand[ -]new\b|\bfresh (?:install|setup)"
    r"|\bif (?:i|you|we) (?:do ?n[o']?t|did ?n[o']?t|never) (?:change|set|specify|configure|pass"
    r"|give|provide|touch|touched|define|add)\b|\bleave (?:it|them|that|this) (?:out|unset|empty)"
    r"|\bwithout (?:any |an |a )?(?:argument|option|parameter|setting|config|value)"
    r"|\b(?:is ?n[o']?t|not|never) (?:in (?:my|the) settings|set|specified|configured)\b"
    r"|\bunset\b|\bomitted\b|\bif omit"
    r"|por (?:defecto|omisión|padrão)|predeterminad|par défaut|standardmäßig|voreingestellt"
    r"|по умолчанию|默认|既定|デフォルト)",
    re.IGNORECASE,
)
# A sentence that states a default ("By default, ...", "Default: 1209600", "defaults to true").
# The lookahead names each alternative's first letter (any case), so that the search skips other
# letters without trying every alternative there: 4 us a sentence instead of 16.
_STATES = re.compile(
    r"(?=[dpsvп默既デ])(?:\bdefault(?:s|ed)?\b|por (?:defecto|omisión|padrão)|predeterminad|par défaut"
    r"|standardmäßig|voreingestellt|Standardwert|по умолчанию|默认|既定|デフォルト)",
    re.IGNORECASE,
)


# What a question quotes (an error message, a line of code) says nothing of what it asks:
# 'models.W042 "Auto-created primary key used when not defining a primary key type, by
# default ..." -- how do I get rid of it?'
_QUOTED = re.compile(r'"[^"]*"|“[^”]*”|«[^»]*»|„[^“”]*[“”]|「[^」]*」|`[^`]*`')


def asks_for_default(question: str) -> bool:
    """Whether the question, outside what it quotes, asks what holds when nothing is set."""
    return _ASKS.search(_QUOTED.sub(" ", question)) is not None


def states_default(text: str) -> bool:
    """Whether a sentence states a default."""
    return _STATES.search(text) is not None


def stated(idx, sids: np.ndarray) -> np.ndarray:
    """For each candidate sentence, whether it or a sentence next to it in its paragraph (`LEAD`
    before, one after) states a default: "By default, the configuration uses SQLite. If you're
    new to databases, ... SQLite is included in Python"; "Each process keeps its own private
    cache. This is the default cache if another is not specified." Its passage takes it in."""
    within = idx.sentence_positions(sids)[:, 0]
    following = np.minimum(sids + 1, idx.sentence_count - 1)
    same = (idx.sentence_positions(following)[:, 0] > within) & (following > sids)
    same &= idx.documents_of(following) == idx.documents_of(sids)
    out = np.zeros(len(sids), dtype=bool)
    rows = zip(sids.tolist(), within.tolist(), same.tolist(), strict=True)
    for i, (sid, k, after) in enumerate(rows):
        near = range(sid - min(k, LEAD), sid + 1 + after)
        out[i] = any(states_default(idx.sentence_text(x)) for x in near)
    return out
