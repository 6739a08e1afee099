"""One tokenizer for documents and questions: normalize, split, drop stopwords, stem.

English is read here; every other language by `multilingual.py`, chosen by the `lang` parameter
(a document's detected language, or the question's).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import Stemmer

from index.analysis import multilingual
from index.analysis.codewords import code_words

ENGLISH = "en"

# Function words only. Unlike general lists it keeps numbers and words such as "million", "first",
# "most", "top": they carry the answer to "how many" and "which" questions.
STOPWORDS = frozenset(
    """
    a an the and or but nor so if then than else of at by for with about against between
    into through during before after above below to from up down in out on off over under
    again further once here there all any both each other some such only own same too very s
    t can will just don should now i me my myself we our ours ourselves you your yours
    yourself yourselves he him his himself she her hers herself it its itself they them
    their theirs themselves what which who whom whose this that these those am is are was
    were be been being have has had having do does did doing would could might must shall
    may how when where why whether also as ll ve re d m o y ain isn aren wasn weren hasn
    haven hadn doesn didn won wouldn shan shouldn mustn couldn mightn needn let lets like
    many much
    """.split()
)

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": " ",
        "\u2212": "-",
    }
)

# One token: an acronym with dots (U.S., e.g.), a number (15,000 / 1.3 / 3rd), or a word that may
# hold hyphens and apostrophes (Port-au-Prince, Mexico's, don't). The lookaheads and possessive
# quantifiers change no match, only how soon a failing branch gives up (38% fewer instructions);
# ASCII text (most of it) uses the ASCII classes, which agree with the Unicode ones there.
_TOKEN = (
    r"(?=\w)(?:"
    r"(?=\w\.)(?:\w\.){2,}(?!\w)"
    r"|\d+(?:[.,]\d+)*(?:st|nd|rd|th|s)?(?!\w)"
    r"|\w++(?:['\-]\w++)*+)"
)
TOKEN = re.compile(_TOKEN)
_ASCII_TOKEN = re.compile(_TOKEN, re.ASCII)
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_SIZE = re.compile(r"[1-9]\d*x\d+$")  # a size or shape, "600x400", "3x3" (not hex: "0x1f")

# Strong verbs' past participles, which Snowball leaves apart from their verb ("hidden" / "hide",
# "thrown" / "throw", "written" / "write"): a question asks "how do I hide a toctree", a manual
# says in the passive what "is hidden", "is thrown", "can be overridden". Left out: participles
# that are mostly other words ("given", "known", "born", "torn", "sworn", "drunk").
IRREGULAR = {
    "arisen": "arise", "beaten": "beat", "begun": "begin", "bitten": "bite", "blown": "blow",
    "broken": "break", "chosen": "choose", "drawn": "draw", "driven": "drive", "eaten": "eat",
    "fallen": "fall", "flown": "fly", "forbidden": "forbid", "forgotten": "forget",
    "frozen": "freeze", "gotten": "get", "grown": "grow", "hidden": "hide",
    "mistaken": "mistake", "overridden": "override", "overwritten": "overwrite",
    "rewritten": "rewrite", "ridden": "ride", "risen": "rise", "shaken": "shake",
    "shown": "show", "spoken": "speak", "stolen": "steal", "taken": "take", "thrown": "throw",
    "undone": "undo", "woken": "wake", "withdrawn": "withdraw", "written": "write",
}  # fmt: skip


@cache
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english", 0)  # no cache of its own: stem() keeps one


_stem_cache: dict[str, str] = {}


def stem(word: str, lang: str = ENGLISH, *, remember: bool = True) -> str:
    """Snowball stem of a normalized word, cached (the same word recurs constantly). A caller
    stemming words made up on the spot (a typo's variants) says `remember=False`: they would
    fill the cache of a long-running bot with strings no text holds."""
    if lang != ENGLISH:
        return multilingual.stem(word, lang, remember=remember)
    out = _stem_cache.get(word)
    if out is None:
        out = (
            word
            if word[0].isdigit() or len(word) < 3 or not word.isalnum()  # a code word as written
            else _stemmer().stemWord(IRREGULAR.get(word, word))
        )
        if remember and len(_stem_cache) < 2_000_000:
            _stem_cache[word] = out
    return out


def normalize(text: str) -> str:
    """Unicode-normalize, unify quotes and dashes, strip accents, casefold."""
    if text.isascii():  # nothing to normalize but the backtick
        return (text.replace("`", "'") if "`" in text else text).lower()
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return text.casefold()


def stopwords(lang: str = ENGLISH) -> frozenset[str]:
    """The words a question's terms leave out: English function words (which English documents'
    terms leave out too); Arabic ones (`multilingual.question_stopwords`); none elsewhere."""
    return STOPWORDS if lang == ENGLISH else multilingual.question_stopwords(lang)


def words(text: str, lang: str = ENGLISH) -> list[str]:
    """Normalized surface words of `text`, stopwords included, in order; in English, code words
    (`codewords.py`: `entry.objects.filter`, `.*`, `--rebuild`) at their place, before their
    parts."""
    if lang != ENGLISH:
        return multilingual.words(text, lang)
    out: list[str] = []
    text = normalize(text)
    pattern = _ASCII_TOKEN if text.isascii() else TOKEN
    extra = code_words(text)
    if not extra:
        found = pattern.findall(text)
        if all(map(str.isalpha, found)):  # most sentences: nothing to do to any word
            return found
        append = out.append
        for tok in found:
            if tok.isalpha():  # most words: nothing to do
                append(tok)
            else:
                _add(tok, out)
        return out
    at, following = 0, extra[0][0]  # the next code word's offset
    for m in pattern.finditer(text):
        if m.start() >= following:
            while at < len(extra) and extra[at][0] <= m.start():
                out.append(extra[at][1])
                at += 1
            following = extra[at][0] if at < len(extra) else len(text)
        tok = m.group()
        if tok.isalpha():
            out.append(tok)
        else:
            _add(tok, out)
    out.extend(w for _, w in extra[at:])
    return out


def _add(tok: str, out: list[str]) -> None:
    """Append the words of one token of TOKEN to `out`."""
    if tok.isalpha():  # most words: nothing to do
        out.append(tok)
    elif tok[0].isdigit():
        if _THOUSANDS.match(tok):
            tok = tok.replace(",", "")
        elif "," in tok:  # "1,2,3" is a list, not a number
            out.extend(p for p in tok.split(",") if p)
            return
        elif "x" in tok and _SIZE.match(tok):  # "600x400" as "600 x 400" and "600,400" read
            out.extend(tok.split("x"))
        out.append(tok)
    elif tok.endswith(".") and "." in tok[:-1]:  # acronym: u.s. -> us
        out.append(tok.replace(".", ""))
    else:
        tok = tok.replace("_", "-")  # snake_case splits like a hyphenated word
        if "'" in tok:
            head, _, tail = tok.partition("'")
            tok = head if tail in ("s", "") else head + tail.replace("'", "")
        if "-" in tok:
            parts = [p for p in tok.split("-") if p]
            out.extend(parts)
            if len(parts) > 1:
                out.append("".join(parts))  # "e-mail" also matches "email"
        elif tok:
            out.append(tok)


def terms(text: str, lang: str = ENGLISH) -> list[str]:
    """Index terms of `text`: normalized words minus stopwords, stemmed. Used for documents and questions."""
    if lang != ENGLISH:
        return [multilingual.stem(w, lang) for w in multilingual.words(text, lang)]
    cached = _stem_cache.get
    return [cached(w) or stem(w) for w in words(text) if w not in STOPWORDS]


_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_SEPARATORS = re.compile(r"[\W_]+")  # between a name's words: "refcard-a4", "Super_Bowl_50"


def name_terms(doc_id: str, title: str | None) -> tuple[str, str]:
    """The index terms of a document's file name (without its folders and extension) and of its
    title, each space-separated: the words a question may name it by (search/order/naming.py).
    Found when the document is read and stored with it, so that loading an index does not
    tokenize every title again (0.6 s for 25,000 documents)."""
    name = _EXTENSION.sub("", doc_id.replace("\\", "/").rsplit("/", 1)[-1])
    own = " ".join(terms(_SEPARATORS.sub(" ", name)))
    return own, " ".join(terms(_SEPARATORS.sub(" ", title))) if title else ""
