"""Which language a document or a question is in, and what the language setting may say.

Documents are detected once, when they are read, with CLD2 (`pycld2`) on a sample of their
text (1,200 characters): at document length it is as accurate as py3langid and lingua here (XQuAD's 576 articles,
300 CMRC, 155 ARCD and 192 iapp articles: one miss in 1,223) and ten times faster (about 55 µs a
document, where py3langid takes 0.5 ms). Short questions are where CLD2 is weak (Spanish
questions 92%, Russian 84%), so a question is read by its script first (Han, kana, Thai, Arabic,
Devanagari, Greek, Cyrillic, Hangul...), and only when the collection holds several languages
of that script is it asked of py3langid restricted to them (1,190 XQuAD questions in each of 12
languages and 500 Leipzig sentences in each of 15: all right; about 30 µs).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache

import regex

AUTO = "auto"
UNKNOWN = "und"  # ISO 639-2 "undetermined": analysed language-neutrally

# Languages the detectors may name that are analysed as another (Wu and Cantonese are written
# with the same characters as Mandarin; Norwegian Bokmål is Norwegian).
_ALIASES = {"wuu": "zh", "yue": "zh", "zh-hant": "zh", "zh-hans": "zh", "nb": "no", "iw": "he"}

# Characters read from the start and from the middle of a document: 600 each were as right as
# 1,000 each on 2,771 documents (XQuAD's 576 articles, CMRC, ARCD, iapp, 1,000 bench files: the
# same one miss) in half the time (52 against 102 µs a document).
_SAMPLE = 600

# Scripts by the first letter of their Unicode names, for the letters that decide a question.
_SCRIPTS = (
    "LATIN", "CYRILLIC", "GREEK", "ARABIC", "HEBREW", "DEVANAGARI", "BENGALI", "THAI", "LAO",
    "KHMER", "MYANMAR", "GEORGIAN", "ARMENIAN", "HANGUL", "HIRAGANA", "KATAKANA", "CJK",
    "TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "GUJARATI", "GURMUKHI", "SINHALA", "ETHIOPIC",
)  # fmt: skip
# The script each language is written in (the languages a question may be told apart among).
_SCRIPT_OF = {
    "zh": "CJK", "ja": "JAPANESE", "ko": "HANGUL", "th": "THAI", "lo": "LAO", "km": "KHMER",
    "my": "MYANMAR", "el": "GREEK", "he": "HEBREW", "yi": "HEBREW", "ka": "GEORGIAN",
    "hy": "ARMENIAN", "ta": "TAMIL", "te": "TELUGU", "kn": "KANNADA", "ml": "MALAYALAM",
    "gu": "GUJARATI", "pa": "GURMUKHI", "si": "SINHALA", "am": "ETHIOPIC", "bn": "BENGALI",
    "as": "BENGALI", "hi": "DEVANAGARI", "mr": "DEVANAGARI", "ne": "DEVANAGARI",
    "ar": "ARABIC", "fa": "ARABIC", "ur": "ARABIC", "ps": "ARABIC", "ug": "ARABIC",
    "ru": "CYRILLIC", "uk": "CYRILLIC", "bg": "CYRILLIC", "sr": "CYRILLIC", "mk": "CYRILLIC",
    "be": "CYRILLIC", "kk": "CYRILLIC", "ky": "CYRILLIC", "mn": "CYRILLIC", "tg": "CYRILLIC",
}  # fmt: skip


def normalize_code(code: str) -> str:
    """A detector's or a user's language code as this project names it ("zh-Hant" -> "zh")."""
    code = code.strip().lower().replace("_", "-")
    code = _ALIASES.get(code, code)
    base = code.split("-")[0]
    return _ALIASES.get(base, base) or UNKNOWN


def setting(value: str | None) -> str:
    """The language setting (VERBATIM_LANGUAGE, a collection's `language`, `--language`):
    "auto" (each document's own, detected), or a code such as "de" that every document and
    question is read in. ValueError with the reason when it is neither."""
    raw = (value or AUTO).strip().lower()
    if raw == AUTO:
        return AUTO
    code = normalize_code(raw)
    if not (2 <= len(code) <= 3 and code.isascii() and code.isalpha()):
        raise ValueError(f"{value!r} is not a language: use auto or a code such as en, de, zh")
    return code


def _script(ch: str) -> str | None:
    """The script of a letter (None for others), with Han and kana kept apart."""
    if ch.isascii():
        return "LATIN" if ch.isalpha() else None
    if not ch.isalpha() and not unicodedata.category(ch).startswith("M"):
        return None
    name = unicodedata.name(ch, "")
    for script in _SCRIPTS:
        if name.startswith(script):
            return script
    return "OTHER"


def scripts(text: str, limit: int = 400) -> dict[str, int]:
    """How many letters of each script the first `limit` characters of `text` hold."""
    text = text[:limit]
    if text.isascii():  # most questions: one pass in C
        letters = sum(map(str.isalpha, text))
        return {"LATIN": letters} if letters else {}
    counts: dict[str, int] = {}
    for ch in text:
        s = _script(ch)
        if s is not None:
            counts[s] = counts.get(s, 0) + 1
    return counts


def _sample(text: str) -> str:
    if len(text) <= 2 * _SAMPLE:
        return text
    mid = len(text) // 2
    return text[:_SAMPLE] + "\n" + text[mid : mid + _SAMPLE]


def detect_document(text: str) -> str:
    """The language of a document's text (a code such as "en", "zh"), or "und" when the text
    says too little (no letters, or only digits and symbols)."""
    sample = _sample(text)
    if _LETTER.search(sample) is None:
        return UNKNOWN
    try:
        import pycld2

        try:
            found = pycld2.detect(sample, bestEffort=True)[2]
        except (pycld2.error, UnicodeError, ValueError):  # control characters, surrogates
            found = pycld2.detect(_printable(sample), bestEffort=True)[2]
    except Exception:  # still refused: the script tells what it can
        return _by_script(scripts(sample))
    for _, code, percent, _ in found:  # the first language named (text it cannot read is "un")
        if percent and code not in ("un", "xx"):
            return normalize_code(code)
    return _by_script(scripts(sample))


_LETTER = regex.compile(r"\p{L}")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_UNPRINTABLE = regex.compile(r"[\p{Cc}\p{Cs}\p{Cn}]")


def _printable(text: str) -> str:
    """Text CLD2 accepts: no control characters, surrogates or unassigned code points."""
    return _UNPRINTABLE.sub(" ", text)


def _by_script(counts: dict[str, int]) -> str:
    """The language a script alone names (Thai, Greek...), else "und"."""
    top = max(counts, key=counts.__getitem__)
    only = [lang for lang, s in _SCRIPT_OF.items() if s == top]
    if top == "CJK":
        return "zh"
    return only[0] if len(only) == 1 else UNKNOWN


def _question_script(counts: dict[str, int]) -> str | None:
    if not counts:
        return None
    if counts.get("HIRAGANA", 0) or counts.get("KATAKANA", 0):
        return "JAPANESE"
    top = max(counts, key=counts.__getitem__)
    # "iPhone 的价格" is Chinese: a script other than Latin wins over a few Latin letters.
    others = {s: n for s, n in counts.items() if s != "LATIN"}
    if top == "LATIN" and others and sum(others.values()) * 2 >= counts["LATIN"] // 4:
        top = max(others, key=others.__getitem__)
    return top


def script_of(lang: str) -> str:
    """The script a language is written in (LATIN for those this module does not list)."""
    return _SCRIPT_OF.get(lang, "LATIN")


# A language holding under this share of the documents of its script is a stray few (a
# translated page in an English folder: the 1M bench folder's 87 Italian, 12 Portuguese, one
# Czech and one German file beside 24,822 English ones) and a candidate for a question only
# when the detector ranks it first. Otherwise every question py3langid is unsure of (14% of the
# bench's: code words and names) is read in each of them too, and a few English ones (5 of 5,000)
# were read as German, Italian or Czech, whose few files held their odd words.
MINOR_SHARE = 0.05


def question_languages(
    text: str, candidates: Iterable[str], documents: Mapping[str, int] | None = None
) -> list[str]:
    """The languages to read a question in: one when its script and, among languages of the same
    script, py3langid tell; else its first guess and the other candidates of its script that
    hold a real share of their documents (`MINOR_SHARE`), most likely first.

    `candidates` are the collection's languages, most documents first; `documents` how many
    documents each holds (without it every candidate counts)."""
    cands, groups = _groups(tuple(candidates), tuple(documents.items()) if documents else None)
    if len(cands) <= 1:
        return list(cands) or [UNKNOWN]
    if text.isascii():  # most questions: what scripts() and _question_script() would say
        script = "LATIN" if _ASCII_LETTER.search(text, 0, 400) else None
    else:
        script = _question_script(scripts(text))
    if script == "CJK" and "zh" not in cands and "ja" in cands:
        script = "JAPANESE"  # Han alone, in a collection with Japanese and no Chinese
    if script not in groups:
        return [cands[0]]
    same, names, majors = groups[script]
    if len(same) == 1:
        return list(same)
    ranked = _langid_rank(text, names)
    if ranked is None:
        return list(same)
    (best, p_best), *rest = ranked
    if p_best >= 0.9:
        return [best]
    return [best] + [c for c, _ in rest if c in majors]


@lru_cache(maxsize=32)
def _groups(
    candidates: tuple[str, ...], documents: tuple[tuple[str, int], ...] | None
) -> tuple[tuple[str, ...], dict[str, tuple]]:
    """A collection's languages (without "und"), and by script: its languages of that script,
    in the collection's order and sorted (as py3langid is restricted to them), and those
    holding a real share of that script's documents. Made once a collection, not a question."""
    cands = tuple(c for c in dict.fromkeys(candidates) if c != UNKNOWN)
    counts = dict(documents or ())
    groups: dict[str, tuple] = {}
    for script in dict.fromkeys(map(script_of, cands)):
        same = tuple(c for c in cands if script_of(c) == script)
        floor = MINOR_SHARE * sum(counts.get(c, 0) for c in same)
        majors = frozenset(c for c in same if documents is None or counts.get(c, 0) >= floor)
        groups[script] = (same, tuple(sorted(same)), majors)
    return cands, groups


def prepare_questions(
    candidates: Iterable[str], documents: Mapping[str, int] | None = None
) -> None:
    """Make now what a collection's first questions would wait for: py3langid restricted to each
    script's languages (some 30 ms), and the other languages' word patterns (some 20 ms)."""
    cands, groups = _groups(tuple(candidates), tuple(documents.items()) if documents else None)
    for same, names, _ in groups.values():
        if len(same) > 1:
            _identifier(names)
    if any(c != "en" for c in cands):
        from index.analysis import multilingual  # (it reads this module)

        multilingual.prepare()


_langid_lock = threading.Lock()
# py3langid restricted to each tuple of languages asked about, and whether its names are this
# project's codes already (the collection's codes are; then its ranking is returned as it is)
_models: dict[tuple[str, ...], tuple] = {}


def _identifier(languages: tuple[str, ...]) -> tuple:
    """(py3langid's model restricted to `languages`, or None if it knows under two of them;
    whether its names need normalizing), made once."""
    found = _models.get(languages)
    if found is None:
        with _langid_lock:  # made once; ranking itself reads shared arrays only
            found = _models.get(languages)
            if found is None:
                from index.analysis import langid

                model = langid.identifier(languages)
                names = model.nb_classes if model is not None else []
                found = _models[languages] = (model, any(normalize_code(c) != c for c in names))
    return found


def _langid_rank(text: str, languages: tuple[str, ...]) -> list[tuple[str, float]] | None:
    """The languages, most likely first, with their probabilities; None when py3langid cannot
    tell them apart (fewer than two of them in its model, or its model in the cache folder is
    damaged: the question is then read in each)."""
    model, renamed = _identifier(languages)
    if model is None:
        return None
    try:
        ranked = model.rank(text)
    except (ValueError, IndexError):  # a state past the automaton's end: not a model to trust
        return None
    return [(normalize_code(c), float(p)) for c, p in ranked] if renamed else ranked
