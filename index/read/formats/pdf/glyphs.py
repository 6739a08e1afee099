"""What TeX's math fonts print, for the glyphs PDFium cannot name.

TeX (pdfTeX: Texinfo's texi2pdf, LaTeX) prints symbols from its math fonts, Computer Modern's
cmsy, cmmi and cmex or Latin Modern's, embedded as Type 1 fonts without a ToUnicode map. PDFium
names a glyph by its glyph name when the Adobe Glyph List knows it (`arrowdblright` reads "⇒")
and otherwise reports the glyph's code as if it were a character, with a "unicode map error":
Texinfo's @print{} (`turnstileright`, code 0x61) reads "a", so `-| error: …` read "a error: …",
@expansion{} reads "7→", @point{} "?", a big bracket a control character. The tables below are
the fonts' encodings (TeX's OMS, OML and OMX, 128 codes each), used only for a character PDFium
flags as unmapped in one of these fonts: a glyph it did name is never touched.
"""

from __future__ import annotations

import re
import unicodedata

DROP = ""  # a glyph that is part of another (the bar of "↦", an accent) and has no text of its own

# OMS: cmsy, cmbsy, lmsy (Latin Modern's LMMathSymbols). 0x36 is the negation slash that TeX
# prints over a relation ("≠" is 0x36 then "="), 0x37 the bar of "↦" (mapstochar, then "→").
_OMS = (
    "−·×∗÷⋄±∓⊕⊖⊗⊘⊙◯◦•≍≡⊆⊇≤≥⪯⪰∼≈⊂⊃≪≫≺≻"
    "←→↑↓↔↗↘≃⇐⇒⇑⇓⇔↖↙∝′∞∈∋△▽\u0338\x00∀∃¬∅ℜℑ⊤⊥"
    "ℵABCDEFGHIJKLMNOPQRSTUVWXYZ∪∩⊎∧∨"
    "⊢⊣⌊⌋⌈⌉{}⟨⟩|‖↕⇕\\≀√⨿∇∫⊔⊓⊑⊒§†‡¶♣♢♡♠"
)
# OML: cmmi, cmmib, lmmi (LMMathItalic): Greek, harpoons, a few symbols; letters are letters.
_OML = (
    "ΓΔΘΛΞΠΣΥΦΨΩαβγδϵζηθικλμνξπρστυϕχψωεϑϖϱςφ"
    "↼↽⇀⇁\x00\x00▹◃0123456789.,</>⋆"
    "∂ABCDEFGHIJKLMNOPQRSTUVWXYZ♭♮♯⌣⌢"
    "ℓabcdefghijklmnopqrstuvwxyzıȷ℘\x00\x00"
)
# OMX: cmex, lmex (LMMathExtension): delimiters in four sizes and their pieces, big operators,
# radicals; each read as the delimiter or operator it draws.
_OMX = (
    "()[]⌊⌋⌈⌉{}⟨⟩|‖/\\()()[]⌊⌋⌈⌉{}⟨⟩/\\"
    "()[]⌊⌋⌈⌉{}⟨⟩/\\/\\⎛⎞⎡⎤⎣⎦⎢⎥⎧⎫⎩⎭⎨⎬⎪⎪"
    "⎝⎠⎜⎟⟨⟩⨆⨆∮∮⨀⨀⨁⨁⨂⨂∑∏∫⋃⋂⨄⋀⋁∑∏∫⋃⋂⨄⋀⋁"
    "∐∐\x00\x00\x00\x00\x00\x00[]⌊⌋⌈⌉{}√√√√⎷⎸⎸‖\x00\x00\x00\x00\x00\x00\x00\x00"
)
# The AMS symbol fonts (amssymb's msam and msbm, TeX's "U" encoding): each glyph as pdfTeX's
# glyphtounicode.tex maps its name (a few it lacks added), a slashed relation as the relation and
# the combining slash; pieces of other glyphs and wide accents drop. Their codes 0x08-0x0d are
# control characters: PDFium reads msam's \rightleftharpoons (0x0a) as a line feed.
_MSAM = (
    "⊡⊞⊠□■▪♦♦⟳⟲⇌⇋⊟⊩⊪⊨↠↞⇔⇒⇈⇊↾⇂↿⇃↣↢⇆⇄↰↱"
    "⇝↭↫↬⊜≿≳⪆⊸∴∵≑≜≾≲⪅⪕⪖⋞⋟≼≦⩽≶‵\x00≓≒≽≧⩾≷"
    "⊏⊐▷◁⊵⊴⋆≬▼▶◀\x00\x00△▲▽≖⋚⋛⪋⪌¥⇛⇚✓⊻⊼⩞∠∡∢∝"
    "⌣⌢⋐⋑⋓⋒⋏⋎⋋⋌⫅⫆≏≎≪≫⌜⌝®Ⓢ⋔∔∽⋍⌞⌟✠∁⊺⊚⊛⊖"
)
_MSBM = (
    "≨≩≰≱≮≯⊀⊁≨≩⩽\u0338⩾\u0338⪇⪈⪯\u0338⪰\u0338⋨⋩⋦⋧≦\u0338≧\u0338⪵⪶⪹⪺⪉⪊≁≇⧸⧹"
    "⊊⊋⫅\u0338⫆\u0338⫋⫌⊊⊋⊊⊋⊈⊉∦∤∤∦⊬⊮⊭⊯⋭⋬⋪⋫↚↛⇍⇏⇎↮⋇∅"
    "∄ABCDEFGHIJKLMNOPQRSTUVWXYZ\x00\x00\x00\x00\x00"
    "Ⅎ⅁\x00\x00\x00\x00℧ð≂ℶגℸ⋖⋗⋉⋊∣∥∖∼≈≊≿≾↶↷ϝϰkℏℏ϶"
)
_TABLES = {}
for _name, _chars in (
    ("oms", _OMS),
    ("oml", _OML),
    ("omx", _OMX),
    ("msam", _MSAM),
    ("msbm", _MSBM),
):
    _glyphs = re.findall(".\u0338?" if _name == "msbm" else ".", _chars, re.S)  # (a slashed
    # relation is one glyph of msbm; oms's 0x36 is the slash alone)
    assert len(_glyphs) == 128, (_name, len(_glyphs))
    _TABLES[_name] = tuple(DROP if c == "\x00" else c for c in _glyphs)

# TeX's own fonts (Computer Modern, its EC and CM-Super versions, Latin Modern, AMS): a
# document in them may print symbols from the math fonts below
TEX_FONT = re.compile(r"(?:cm|lm|ec|tc|sf|eu|ms)[a-z]{1,4}\d|lmroman|lmsans|lmmono|lmmath", re.I)

_FONTS = (
    (re.compile(r"cmb?sy\d|lmsy\d|lmmathsymbols", re.I), "oms"),
    (re.compile(r"cmmib?\d|lmmib?\d|lmmathitalic", re.I), "oml"),
    (re.compile(r"cmex\d|lmex\d|lmmathextension", re.I), "omx"),
    (re.compile(r"msam\d", re.I), "msam"),
    (re.compile(r"msbm\d", re.I), "msbm"),
)
# Where else in a line a glyph PDFium could not name shows (its first character is looked at
# anyway): a control character (a big bracket, the circle of "©"), "7→" (↦), "6=" (≠), "?"
# stuck to a word (Texinfo's @point{}, a star) and a letter alone in quotes (Texinfo's @print{}
# in a sentence, "‘ a ’"). Each is checked against its font. (A letter alone anywhere would
# find Texinfo's few more at twice the cost: "a" is a word.)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f](?<!\r\n)(?<!\r(?=\n))")  # (PDFium ends lines "\r\n":
# a control character but those is a glyph's code; a character class first is 5x faster to scan)
_MAPSTO = re.compile(r"7(?=→)")
_NEGATED = re.compile(r"6(?==)")
_STAR = re.compile(r"\?(?=\w)")
_QUOTED = re.compile(r"‘ \w ’")


def odd(text: str, controls: bool) -> list[int]:
    """Where in a page's text a glyph PDFium could not name may stand, besides lines' starts:
    each kind looked for on its own, by a literal first character, when that character is on
    the page at all (faster than one pattern trying every alternative at every character);
    control characters only when `controls` says the page has any."""
    out = [m.start() for m in CONTROL.finditer(text)] if controls else []
    if "6=" in text:  # ("6∈" and other negated relations only at a line's start)
        out += [m.start() for m in _NEGATED.finditer(text)]
    if "→" in text:
        out += [m.start() for m in _MAPSTO.finditer(text)]
    if "?" in text:
        out += [m.start() for m in _STAR.finditer(text)]
    if "‘ " in text:
        out += [m.start() + 2 for m in _QUOTED.finditer(text)]
    return sorted(out) if out else out


def table(font_name: str) -> tuple[str, ...] | None:
    """The encoding of a TeX math font by its name ("ABCDEF+CMSY10"), or None."""
    base = font_name.split("+", 1)[-1]
    for pattern, name in _FONTS:
        if pattern.match(base):
            return _TABLES[name]
    return None


def replace(text: str, fixes: list[tuple[int, str]]) -> str:
    """`text` with each (offset, character) of `fixes` put in place of the character there; a
    negation slash put over the relation after it (NFC: "≠"), the circle before a "c" read as
    "©"; the line stripped (a dropped glyph's space at its start)."""
    out = list(text)
    for k, ch in fixes:
        if ch == "\u0338":  # over a relation that has a negated form ("≠"), else no text
            joined = unicodedata.normalize("NFC", out[k + 1] + ch) if k + 1 < len(out) else ""
            out[k] = DROP
            if len(joined) == 1:
                out[k + 1] = joined
        elif ch == "◯" and k + 1 < len(out) and out[k + 1] == "c":
            out[k], out[k + 1] = "©", DROP
        else:
            out[k] = ch
    return "".join(out).strip()


# T1 (TeX's Cork encoding, `\usepackage[T1]{fontenc}`), codes 0x00-0x1f: accents, quotes,
# dashes, ligatures. Without cm-super its EC fonts are bitmap Type 3 fonts without a name or a
# ToUnicode map, and PDFium reads these glyphs as control characters: "the \x1crst \x1celd"
# for "the first field", "10\x1520" for "10–20". (OT1's are named: Computer Modern is Type 1.)
_T1 = (
    "`", "´", "ˆ", "˜", "¨", "˝", "˚", "ˇ", "˘", "¯", "˙", "¸", "˛", "‚", "‹", "›",
    "“", "”", "„", "«", "»", "–", "—", DROP, DROP, "ı", "ȷ", "ff", "fi", "fl", "ffi", "ffl",
)  # fmt: skip


def nameless(pdfium_c, tp, lines, firsts: list[int], fixes: dict, p) -> None:
    """`fixes` with each control character of `lines` that PDFium could not name in a font
    without a name (pdfTeX's bitmap Type 3 fonts) read through T1's first 32 codes, by line."""
    for k, line in enumerate(lines):
        done = {at for at, _ in fixes.get(k, ())}
        for m in CONTROL.finditer(line.text):
            at, code = m.start(), ord(m.group())
            i = firsts[k] + at
            if code >= 0x20 or at in done or not pdfium_c.FPDFText_HasUnicodeMapError(tp, i):
                continue
            pdfium_c.FPDFText_GetFontInfo(tp, i, p.name, p.room, p.ref_flags)
            if not p.name.value:
                fixes[k] = [*fixes.get(k, ()), (at, _T1[code])]
