"""Question words of languages other than English: what kind of answer a question asks for.

Each row is (pattern, kind, the English wh-word it stands for): the kind chooses the phrase the
answer marks ("how many" -> the number), the wh-word is the one the learned ranker (trained on
English questions) knows. The first word of a kind found leftmost wins; words of no kind
(what, which, how, why) only give the wh-word. Patterns read the case-folded question.
"""

from __future__ import annotations

import regex

QUANTITY, DATE, PERSON, PLACE = "quantity", "date", "person", "place"

_ROWS: dict[str, list[tuple[str, str | None, str]]] = {
    "es": [
        (r"\bcu[aá]nt[oa]s?\b", QUANTITY, "how"),
        (r"\bcu[aá]ndo\b|\ben qu[eé] (?:a[nñ]o|fecha|siglo|d[ií]a|mes)\b", DATE, "when"),
        (r"\bqui[eé]n(?:es)?\b", PERSON, "who"),
        (r"\bd[oó]nde\b", PLACE, "where"),
        (r"\bpor qu[eé]\b", None, "why"),
        (r"\bc[oó]mo\b", None, "how"),
        (r"\bcu[aá]l(?:es)?\b", None, "which"),
        (r"\bqu[eé]\b", None, "what"),
    ],
    "pt": [
        (r"\bquant[oa]s?\b", QUANTITY, "how"),
        (r"\bquando\b|\bem que (?:ano|data|s[eé]culo|dia|m[eê]s)\b", DATE, "when"),
        (r"\bquem\b", PERSON, "who"),
        (r"\bonde\b", PLACE, "where"),
        (r"\bpor ?que\b", None, "why"),
        (r"\bcomo\b", None, "how"),
        (r"\bqua(?:l|is)\b", None, "which"),
        (r"\bo que\b|\bque\b", None, "what"),
    ],
    "fr": [
        (r"\bcombien\b", QUANTITY, "how"),
        (r"\bquand\b|\ben quelle ann[eé]e\b|\bquelle (?:ann[eé]e|date)\b", DATE, "when"),
        (r"\bqui\b", PERSON, "who"),
        (r"\bo[uù]\b", PLACE, "where"),
        (r"\bpourquoi\b", None, "why"),
        (r"\bcomment\b", None, "how"),
        (r"\bquel(?:le)?s?\b", None, "which"),
        (r"\bque\b|\bqu'|\bquoi\b", None, "what"),
    ],
    "de": [
        (r"\bwie (?:viele?|oft|lange|alt|weit|hoch|gro(?:ß|ss))\b|\bwieviele?\b", QUANTITY, "how"),
        (r"\bwann\b|\bin welchem (?:jahr|jahrhundert|monat)\b", DATE, "when"),
        (r"\bwer\b|\bwem\b|\bwen\b|\bwessen\b", PERSON, "who"),
        (r"\bwo(?:hin|her)?\b", PLACE, "where"),
        (r"\bwarum\b|\bweshalb\b|\bwieso\b", None, "why"),
        (r"\bwie\b", None, "how"),
        (r"\bwelche[rsmn]?\b", None, "which"),
        (r"\bwas\b", None, "what"),
    ],
    "it": [
        (r"\bquant[ioae]\b", QUANTITY, "how"),
        (r"\bquando\b|\bin che anno\b", DATE, "when"),
        (r"\bchi\b", PERSON, "who"),
        (r"\bdove\b", PLACE, "where"),
        (r"\bperch[eé]\b", None, "why"),
        (r"\bcome\b", None, "how"),
        (r"\bqual[ei]?\b", None, "which"),
        (r"\bche cosa\b|\bcosa\b|\bche\b", None, "what"),
    ],
    "ru": [
        (r"\bсколько\b", QUANTITY, "how"),
        (r"\bкогда\b|\bв как(?:ом|ой) (?:году|веке|месяце)\b", DATE, "when"),
        (r"\bкто\b|\bкого\b|\bкому\b|\bкем\b", PERSON, "who"),
        (r"\bгде\b|\bкуда\b|\bоткуда\b", PLACE, "where"),
        (r"\bпочему\b|\bзачем\b", None, "why"),
        (r"\bкак(?:ой|ая|ое|ие|ого|ую|им|ом)\b|\bкотор", None, "which"),
        (r"\bкак\b", None, "how"),
        (r"\bчто\b|\bчем\b|\bчего\b", None, "what"),
    ],
    "zh": [
        (r"多少|几[个次年名位天人届座场]|多[久长大高远]", QUANTITY, "how"),
        (r"什么时候|何时|哪一?年|哪一天|什么时间|何年", DATE, "when"),
        (r"谁", PERSON, "who"),
        (r"哪里|哪儿|在哪|何处|什么地方", PLACE, "where"),
        (r"为什么|为何", None, "why"),
        (r"怎么|如何", None, "how"),
        (r"哪", None, "which"),
        (r"什么", None, "what"),
    ],
    "ja": [
        (r"いくつ|何[人回個本度台件]|いくら|どのくらい|どれくらい", QUANTITY, "how"),
        (r"いつ|何年|何月|何日", DATE, "when"),
        (r"誰|だれ|どなた", PERSON, "who"),
        (r"どこ", PLACE, "where"),
        (r"なぜ|どうして", None, "why"),
        (r"どう|どのよう", None, "how"),
        (r"どの|どれ|どちら", None, "which"),
        (r"何|なに", None, "what"),
    ],
    "tr": [
        (r"\bka[cç]\b", QUANTITY, "how"),
        (r"\bne zaman\b|\bhangi y[ıi]l", DATE, "when"),
        (r"\bkim(?:in|i|e|den)?\b", PERSON, "who"),
        (r"\bnere(?:de|ye|den)\b", PLACE, "where"),
    ],
    "ar": [
        (r"\bكم\b", QUANTITY, "how"),
        (r"\bمتى\b|\bفي (?:أي|اي) (?:عام|سنة)\b", DATE, "when"),
        (r"^\W*(?:من|لمن)\b", PERSON, "who"),
        (r"\bأين\b|\bاين\b", PLACE, "where"),
    ],
    "el": [
        (r"\bπ[οό]σ(?:ο|α|ε|οι|ες|ους)\b", QUANTITY, "how"),
        (r"\bπ[οό]τε\b", DATE, "when"),
        (r"\bποι(?:ος|α|οι|ός|ά|οί)\b", PERSON, "who"),
        (r"\bπο[υύ]\b", PLACE, "where"),
    ],
    "vi": [
        (r"bao nhiêu|\bmấy\b", QUANTITY, "how"),
        (r"khi nào|bao giờ|năm nào", DATE, "when"),
        (r"\bai\b", PERSON, "who"),
        (r"ở đâu|\bđâu\b", PLACE, "where"),
    ],
    "hi": [
        (r"कितन", QUANTITY, "how"),
        (r"कब|किस (?:वर्ष|साल)", DATE, "when"),
        (r"कौन|किसने|किसको", PERSON, "who"),
        (r"कहा[ँं]", PLACE, "where"),
    ],
    "ro": [
        (r"\bc[aâ]t(?:e|i|ă)?\b|\bc[aâ]ți\b", QUANTITY, "how"),
        (r"\bc[aâ]nd\b|\b[iî]n ce an\b", DATE, "when"),
        (r"\bcine\b|\bcui\b", PERSON, "who"),
        (r"\bunde\b", PLACE, "where"),
    ],
    "th": [
        (r"กี่|เท่าไร|เท่าไหร่", QUANTITY, "how"),
        (r"เมื่อไร|เมื่อไหร่|ปีใด|ปีไหน", DATE, "when"),
        (r"ใคร", PERSON, "who"),
        (r"ที่ไหน|ที่ใด", PLACE, "where"),
    ],
}
_COMPILED = {
    lang: [(regex.compile(p), kind, wh) for p, kind, wh in rows] for lang, rows in _ROWS.items()
}


def read(question: str, lang: str) -> tuple[str | None, str | None]:
    """(kind of answer, English wh-word) a question in `lang` asks with, or (None, None)."""
    text = question.casefold()
    best: tuple[int, str | None, str] | None = None
    for typed in (True, False):
        for pattern, kind, wh in _COMPILED.get(lang, ()):
            if (kind is not None) != typed:
                continue
            m = pattern.search(text)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), kind, wh)
        if best is not None:
            return best[1], best[2]
    return None, None
