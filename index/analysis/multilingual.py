"""Words and stems of every language but English (whose analysis `tokens.py` keeps as it was).

One function reads any language, with the language as a parameter:
- NFKC, quotes and dashes unified, case folded (Turkish and Azeri dotted and dotless i kept apart);
- a word is letters, digits and combining marks (Mn/Mc), so Devanagari `जेरेड` and Thai words
  stay whole;
- scripts written without spaces are segmented: Chinese with jieba's dictionary (rjieba, in
  Rust; CMRC 2018 dev sentence hit@1 0.67 against 0.61 for character bigrams, XQuAD zh 0.74
  against 0.71), Thai with PyThaiNLP's dictionary and newmm (nlpo3) (XQuAD th 0.91 against 0.80
  for bigrams; iapp 0.73 against 0.72), Japanese, Lao, Khmer and Burmese in character bigrams
  (no dictionary segmenter small enough to ship; bigrams are what Lucene's CJK analyzer does);
- digits of every script read as ASCII digits (`٢٠١٥` = `2015`);
- the Snowball stemmer of the language (PyStemmer) when it has one, Turkish's cut to five
  letters; Arabic loses diacritics and
  tatweel, its article and the prepositions fused with it, and a fused `ل`/`ب`/`ك` (for, with,
  as: Snowball leaves `لعدد` whole) before a word of four letters or more, before stemming; alef,
  ya and ta marbuta forms are unified after; a conjunction or preposition fused to a number
  (`و1996`) leaves the number;
- accents are folded after stemming (`canción` = `cancion`, so a question typed without accents
  still matches) on Latin and Greek letters only, and never where marks change the word:
  Vietnamese tones, Indic vowel signs, Thai, Cyrillic `й`.
Unknown languages get the same reading without a stemmer: never English stemming.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

import regex
import Stemmer

SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "eo": "esperanto", "es": "spanish", "et": "estonian", "eu": "basque",
    "fa": "persian", "fi": "finnish", "fr": "french", "ga": "irish", "hi": "hindi",
    "hu": "hungarian", "hy": "armenian", "id": "indonesian", "it": "italian", "lt": "lithuanian",
    "ne": "nepali", "nl": "dutch", "no": "norwegian", "pl": "polish", "pt": "portuguese",
    "ro": "romanian", "ru": "russian", "sr": "serbian", "sv": "swedish", "ta": "tamil",
    "tr": "turkish", "yi": "yiddish",
}  # fmt: skip

# Stems cut to their first letters: Turkish piles suffixes on a root (`yapılandırılması`,
# `yapılandırma`) and Snowball leaves many apart; its first five letters are the standard
# fix (Can et al., "Information retrieval on Turkish texts", JASIST 2008: five-letter prefixes
# as good as a lemmatizer). XQuAD tr: hit@1 0.708 -> 0.733, passage hit@3 0.934 -> 0.951; four
# letters or six measured worse, and prefixes of the words rather than of the stems too.
PREFIX = {"tr": 5}

# Languages whose combining marks are part of the word: never folded.
KEEP_MARKS = frozenset("vi hi mr ne bn as pa gu ta te kn ml si th lo km my".split())

# Scripts written without spaces: CJK ideographs, kana, Thai, Lao, Khmer, Burmese.
_UNSPACED = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # Han
    "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"  # kana
    "\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u19e0-\u19ff"  # Thai, Lao, Khmer
    "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f"  # Burmese
)
_SEGMENTED = re.compile(f"[{_UNSPACED}]")
_THAI = re.compile("[\u0e00-\u0e7f]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")


UNICODE_TABLE = Path(__file__).with_name("unicode_marks.json")


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], dict[int, str]]:
    """(a run of a script written without spaces, with its marks; one token as tokens.py reads
    one, with combining marks as word characters: an acronym with dots, a number, or a word that
    may hold hyphens and apostrophes; the same token for text without marks (2x faster: most
    text after NFKC, accents composed); every script's decimal digits to ASCII
    ones). Python's `re` (5x faster here than `regex`) has no class for marks, so theirs is built
    from this Python's Unicode tables (`unicode_table`)."""
    marks, digits = unicode_table()
    ranges = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in marks)
    run = re.compile(f"([{_UNSPACED}][{_UNSPACED}{ranges}]*)")
    return run, _token(rf"[\w{ranges}]"), _token(r"\w"), digits


def prepare() -> None:
    """Compile the word patterns now (some 20 ms), not on the first text in another language."""
    _patterns()


def unicode_table() -> tuple[list[tuple[int, int]], dict[int, str]]:
    """(the runs of combining marks (category M) as first and last code points, every script's
    decimal digit past ASCII and its value): read from `unicode_marks.json` when it was made
    for this Python's Unicode version, else found by scanning every code point (`scan_unicode`:
    0.3 s, which a server's first question in another language than English waited for)."""
    try:
        raw = json.loads(UNICODE_TABLE.read_text(encoding="utf-8"))
        if raw.get("unicode") == unicodedata.unidata_version:
            return [(a, b) for a, b in raw["marks"]], {cp: str(d) for cp, d in raw["digits"]}
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return scan_unicode()


def scan_unicode() -> tuple[list[tuple[int, int]], dict[int, str]]:
    """`unicode_table` from this Python's `unicodedata`, code point by code point."""
    marks: list[tuple[int, int]] = []
    digits: dict[int, str] = {}
    first = last = None
    for cp in range(0x110000):
        category = unicodedata.category(chr(cp))
        if category == "Nd" and cp > 0x7F:
            digits[cp] = str(unicodedata.decimal(chr(cp)))
        if category[0] == "M":
            first = cp if first is None else first
            last = cp
        elif first is not None:
            marks.append((first, last))
            first = None
    return marks, digits


def _token(w: str) -> re.Pattern[str]:
    # the lookahead lets the scan skip spaces and punctuation without trying each alternative
    return re.compile(
        rf"(?={w})(?:(?:{w}\.){{2,}}(?!{w})|\d+(?:[.,]\d+)*(?!{w})|{w}++(?:['\-]{w}++)*+)"
    )


_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$")

_QUOTES = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u00b4": "'", "\u02bc": "'", "\u2010": "-", "\u2011": "-", "\u2012": "-",
        "\u2013": "-", "\u2014": " ", "\u2212": "-", "\u0640": "",  # Arabic tatweel
    }
)  # fmt: skip
_QUOTE_CHARS = re.compile("[" + re.escape("".join(map(chr, _QUOTES))) + "]")
_MARK = regex.compile(r"\p{M}")  # 20x faster than `re` with a class of every mark
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # a digit of another script than ASCII
_DIGIT_OR_UNSPACED = re.compile(rf"(?![0-9])\d|[{_UNSPACED}]")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_ARABIC_FORMS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})
# The article, alone or after a fused conjunction or preposition: وال, بال, كال, فال, لل.
_ARABIC_ARTICLE = re.compile(r"^(?:[وف]?(?:ال|بال|كال|لل))(?=..)")
# A fused preposition (ل for, ب with, ك as) before a word of 4 letters or more
# without the article. Snowball strips ب and ك only at times and ل never (لعدد, لتوضيح stay whole).
# Words that begin with one of these letters lose it too, in documents and questions alike.
# Measured with the question's function words left out: XQuAD ar 0.712 -> 0.715, ARCD 0.587 -> 0.593.
_ARABIC_CLITIC = re.compile(r"^[لبك](?!ال)(?=....)")
# Arabic letters against digits: `و1996` (and 1996), `أبولو1`, `1990م` (AD) are two words.
_ARABIC_LETTER_DIGIT = re.compile(r"(?<=[\u0620-\u064a])(?=\d)|(?<=\d)(?=[\u0620-\u064a])")
_ARABIC_SCRIPT = frozenset(("ar", "fa", "ur"))

# Arabic function words a question's terms leave out: interrogatives, prepositions, pronouns,
# demonstratives, relatives, particles, `كان` (English leaves out the same kinds of words). Only
# the question's: documents keep them (left out there too: XQuAD ar 0.704 against 0.712). XQuAD
# ar sentence hit@1 0.689 -> 0.712, ARCD 0.585 -> 0.587.
_ARABIC_FUNCTION_WORDS = """
ما ماذا متى كم كيف لماذا أين هل أي من في إلى على عن مع بين حتى منذ عند لدى الذي التي الذين
اللذان اللتان اللذين اللتين اللواتي اللاتي هو هي هم هن هما أنا نحن أنت هذا هذه ذلك تلك هؤلاء
أو ثم أن إن لا لم لن قد كان كانت
""".split()


def is_segmented(token: str) -> bool:
    """Whether a token comes from text written without spaces (a segment or a bigram)."""
    return _SEGMENTED.search(token) is not None


@cache
def _stemmer(lang: str) -> Stemmer.Stemmer | None:
    name = SNOWBALL.get(lang)
    return Stemmer.Stemmer(name, 0) if name else None  # stem() keeps the cache


@cache
def _thai_segmenter():
    """newmm over PyThaiNLP's Thai dictionary, in Rust (nlpo3): the same words as PyThaiNLP's
    own newmm on XQuAD th and iapp, 2.5x faster to build with."""
    import nlpo3
    import pythainlp

    path = Path(pythainlp.__file__).parent / "corpus" / "words_th.txt"
    nlpo3.load_dict(str(path), "th")
    return lambda text: nlpo3.segment(text, "th")


def _bigrams(run: str) -> list[str]:
    """Overlapping pairs of characters (a character with its marks), or the one character."""
    units = regex.findall(r"\X", run)  # grapheme clusters: a letter with its marks
    if len(units) < 2:
        return units
    return [units[i] + units[i + 1] for i in range(len(units) - 1)]


def _segment(run: str, lang: str) -> list[str]:
    """The words of a run of text written without spaces."""
    if _THAI.match(run):
        return [w for w in _thai_segmenter()(run) if w.strip()]
    if _HAN.match(run) and lang != "ja" and not _KANA.search(run):
        import rjieba

        return [w for w in rjieba.cut(run) if w.strip()]
    return _bigrams(run)


def _normalize(text: str, lang: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if _QUOTE_CHARS.search(text):  # str.translate with a table costs per character: only if needed
        text = text.translate(_QUOTES)
    if lang in ("tr", "az"):
        text = text.replace("I", "ı").replace("İ", "i")
    text = text.casefold()
    if lang in ("ar", "fa", "ur"):
        text = _ARABIC_MARKS.sub("", text)
    return text


@cache
def question_stopwords(lang: str) -> frozenset[str]:
    """The words of language `lang` a question's terms leave out: Arabic's function words (each
    as written, without hamza on its alef, and with every letter form unified); none elsewhere
    (lists for other languages measured 0-2 points worse on XQuAD than none)."""
    if lang != "ar":
        return frozenset()
    alef = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا"})
    out = {
        v
        for w in _ARABIC_FUNCTION_WORDS
        for v in (w, w.translate(alef), w.translate(_ARABIC_FORMS))
    }
    return frozenset(out - {"علي"})  # على typed with ي is also the name Ali: kept


def words(text: str, lang: str) -> list[str]:
    """Normalized surface words of `text` read as language `lang`, in order."""
    run, marked, plain, digits = _patterns()
    text = _normalize(text, lang)
    parts = [text]
    if _DIGIT_OR_UNSPACED.search(text):  # one scan for the two rare cases
        if _OTHER_DIGIT.search(text):
            text = text.translate(digits)
        parts = run.split(text) if _SEGMENTED.search(text) else [text]
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2:  # a run of a script written without spaces
            out.extend(_segment(part, lang))
            continue
        for tok in (marked if _MARK.search(part) else plain).findall(part):
            if lang in _ARABIC_SCRIPT and not tok.isalpha() and _ARABIC_LETTER_DIGIT.search(tok):
                out.extend(_letters_and_digits(tok))
            elif tok.isalpha():  # most words: nothing to do
                out.append(tok)
            elif tok[0].isdigit():
                out.append(tok.replace(",", "") if _THOUSANDS.match(tok) else tok)
            elif tok.endswith(".") and "." in tok[:-1]:  # acronym: u.s. -> us
                out.append(tok.replace(".", ""))
            else:
                out.extend(_compound(tok, lang))
    return out


def _letters_and_digits(tok: str) -> list[str]:
    """The words of an Arabic token with letters against digits; a lone conjunction or
    preposition fused to a number (`و1996`, `ب5`) is dropped."""
    parts = [p for p in _ARABIC_LETTER_DIGIT.split(tok) if p]
    return [p for p in parts if not (len(p) == 1 and p in "وفبلك")]


def _compound(tok: str, lang: str) -> list[str]:
    """The words of a token with marks, hyphens, apostrophes or underscores."""
    tok = tok.replace("_", "-")
    if "'" in tok:
        if lang in ("tr", "az"):  # a suffix after a name: Allen'ın is Allen
            tok = tok.partition("'")[0]
        else:  # elision (l'homme, dell'arte): the parts are the words
            return [p for p in re.split(r"['-]", tok) if p]
    parts = [p for p in tok.split("-") if p]
    if len(parts) > 1:
        parts.append("".join(parts))  # "e-mail" also matches "email"
    return parts


def fold(word: str) -> str:
    """`word` without the accents of its Latin and Greek letters (é -> e, ά -> α); other
    scripts' marks stay (Cyrillic й, Devanagari vowel signs)."""
    if word.isascii():
        return word
    out: list[str] = []
    for c in unicodedata.normalize("NFD", word):
        if out and unicodedata.combining(c) and ("a" <= out[-1] <= "z" or "α" <= out[-1] <= "ω"):
            continue
        out.append(c)
    return unicodedata.normalize("NFC", "".join(out))


_stems: dict[tuple[str, str], str] = {}


def stem(word: str, lang: str, *, remember: bool = True) -> str:
    """The index term of a normalized word of language `lang`, cached unless `remember` is False."""
    key = (word, lang)
    out = _stems.get(key)
    if out is None:
        out = _stem(word, lang)
        if remember and len(_stems) < 2_000_000:
            _stems[key] = out
    return out


def _stem(word: str, lang: str) -> str:
    stemmer = _stemmer(lang)
    if stemmer is None or word[0].isdigit() or len(word) < 3 or is_segmented(word):
        out = word
    elif lang == "ar":
        bare = _ARABIC_CLITIC.sub("", _ARABIC_ARTICLE.sub("", word))
        out = stemmer.stemWord(bare).translate(_ARABIC_FORMS)
    else:
        out = stemmer.stemWord(word)
        if lang in PREFIX:
            out = out[: PREFIX[lang]]
    return out if lang in KEEP_MARKS else fold(out)
