"""PDFium's per-character calls as bare C functions, and the out-parameters they fill.

The reader asks PDFium a few questions per line (where its first character stands, how large
and in which font it is printed, where its last one ends): some 500,000 calls for a 2,400-page
manual. pypdfium2 declares each function's argument types, and ctypes then checks and converts
every argument of every call, which costs as much as PDFium's answer: the same functions
without declared argument types take half the time (R's fullrefman.pdf: the reader ~5% faster).
Such a call converts nothing, so each argument must already be what C expects: the text page's
handle, a Python int for a character's index (a C int), `byref` pointers for the out-parameters
(the probe's `ref_*`), a C unsigned long for a buffer's length. Every other name is pypdfium2's
own, declared function.

The calls every line needs (`Measure`: where its first character starts, where its last ends,
the first one's font) are made from C when `_measure.c` was compiled: one call a line from
Python instead of four through ctypes, the same PDFium calls into the same out-parameters.
"""

from __future__ import annotations

import ctypes

from index.read.formats.pdf import glyphs

try:  # PDFium's per-line calls made from C (`_measure.c`); else `Measure` below, the same
    from index.read.formats.pdf import _measure
except ImportError:  # installed without a C compiler
    _measure = None

# the calls made per line or per character, and what each returns
_BARE = {
    "FPDFText_GetCharOrigin": ctypes.c_int,
    "FPDFText_GetCharBox": ctypes.c_int,
    "FPDFText_GetFontSize": ctypes.c_double,
    "FPDFText_GetFontInfo": ctypes.c_ulong,
    "FPDFText_GetFontWeight": ctypes.c_int,
    "FPDFText_GetCharIndexFromTextIndex": ctypes.c_int,
    "FPDFText_IsGenerated": ctypes.c_int,
    "FPDFText_HasUnicodeMapError": ctypes.c_int,
}
_made: dict[int, Calls] = {}


class Calls:
    """pypdfium2's raw module with the calls of `_BARE` undeclared (see the module's doc)."""

    def __init__(self, pdfium_c):
        self._raw = pdfium_c
        for name, restype in _BARE.items():
            declared = getattr(pdfium_c, name, None)  # (HasUnicodeMapError: PDFium 2023 on)
            if declared is not None:
                address = ctypes.cast(declared, ctypes.c_void_p).value
                setattr(self, name, ctypes.CFUNCTYPE(restype)(address))

    def __getattr__(self, name: str):
        return getattr(self._raw, name)


def bare(pdfium_c) -> Calls:
    """The calls of pypdfium2's raw module `pdfium_c`, made once per process."""
    calls = _made.get(id(pdfium_c))
    if calls is None:
        calls = _made[id(pdfium_c)] = Calls(pdfium_c)
    return calls


class Probe:
    """Reusable ctypes out-parameters (each with its pointer, `ref_*`, for the bare calls) and a
    font-name cache for one document."""

    def __init__(self):
        self.l, self.r, self.b, self.t = (ctypes.c_double() for _ in range(4))
        self.x, self.y = ctypes.c_double(), ctypes.c_double()
        self.flags = ctypes.c_int()
        self.name = ctypes.create_string_buffer(128)
        self.room = ctypes.c_ulong(128)  # the name buffer's length
        self.ref_l, self.ref_r, self.ref_b, self.ref_t = map(
            ctypes.byref, (self.l, self.r, self.b, self.t)
        )
        self.ref_x, self.ref_y = ctypes.byref(self.x), ctypes.byref(self.y)
        self.ref_flags = ctypes.byref(self.flags)
        # (bold, monospaced, TeX math encoding or None) of each font
        self.fonts: dict[tuple[bytes, int], tuple[bool, bool, tuple[str, ...] | None]] = {}
        self.tex = False  # a font of TeX's has been seen: its math fonts may be read wrong
        self.measure = None  # the per-line calls into these (`measure`), set by the reader


class Measure:
    """PDFium's per-line calls for `page._lines`, in Python: `_measure.c`'s `Measure` (see it for
    what each method returns) when that is not compiled, and its reference. Each call writes
    into the probe's out-parameters, as the compiled one does."""

    def __init__(self, calls: Calls, probe: Probe):
        self._origin, self._box = calls.FPDFText_GetCharOrigin, calls.FPDFText_GetCharBox
        self._size, self._info = calls.FPDFText_GetFontSize, calls.FPDFText_GetFontInfo
        self._outs = (probe.ref_x, probe.ref_y, probe.ref_l, probe.ref_r, probe.ref_b, probe.ref_t)
        self._x, self._y, self._l, self._r = probe.x, probe.y, probe.l, probe.r
        self._name, self._room, self._flags, self._ref_flags = (
            probe.name,
            probe.room,
            probe.flags,
            probe.ref_flags,
        )
        self._fonts = probe.fonts
        self._tp = None
        self._bounds = (0.0, 0.0, 0.0, 0.0)
        self._exact = False

    def page(self, tp: int, left: float, bottom: float, right: float, top: float, exact: bool):
        """The text page (its address) asked from now on, its box, whether it is exact."""
        self._tp = ctypes.c_void_p(tp)
        self._bounds = (left, bottom, right, top)
        self._exact = exact

    def head(self, a: int, z: int):
        """(x0, base, x1, size, style) of a line from character a to z, or None off the page."""
        tp, (x, y, cl, cr, cb, ct) = self._tp, self._outs
        left, bottom, right, top = self._bounds
        self._origin(tp, a, x, y)
        x0, base = self._x.value, self._y.value
        if not (left <= x0 <= right and bottom <= base <= top):
            return None
        self._box(tp, z, cl, cr, cb, ct)
        x1 = self._r.value
        if x1 > right and self._exact:
            return x0, base, x1, None, None
        style = self.style(a)
        return x0, base, x1, self._size(tp, a), style

    def style(self, i: int):
        """The font cache's entry for character i's font, None when absent."""
        self._info(self._tp, i, self._name, self._room, self._ref_flags)
        return self._fonts.get((self._name.value, self._flags.value))

    def controls(self, text: str) -> bool:
        """Whether a page's text holds a control character but its lines' "\\r\\n"."""
        return glyphs.CONTROL.search(text) is not None

    def gaps(self, a: int, text: str, gap: float):
        """(offsets, left): the spaces of a line from character a that stand for a gap wider
        than `gap`, and where the character after the first such space starts (else None)."""
        tp, (_, _, cl, cr, cb, ct), box = self._tp, self._outs, self._box
        found, col = [], None
        k = text.find(" ", 1)
        while k > 0:  # each space (found in C: a line is mostly letters)
            box(tp, a + k - 1, cl, cr, cb, ct)
            right = self._r.value
            box(tp, a + k + 1, cl, cr, cb, ct)
            if self._l.value - right > gap:
                found.append(k)
                if col is None:
                    col = self._l.value
            k = text.find(" ", k + 1)
        return found, col


def measure(calls: Calls, probe: Probe):
    """The per-line calls on one document, into `probe`: compiled when it was built."""
    if _measure is not None:
        outs = (probe.x, probe.y, probe.l, probe.r, probe.b, probe.t, probe.name, probe.flags)
        functions = tuple(
            ctypes.cast(getattr(calls, name), ctypes.c_void_p).value
            for name in (
                "FPDFText_GetCharOrigin",
                "FPDFText_GetCharBox",
                "FPDFText_GetFontSize",
                "FPDFText_GetFontInfo",
            )
        )
        return _measure.Measure(
            functions, tuple(map(ctypes.addressof, outs)), probe.room.value, probe.fonts, outs
        )
    return Measure(calls, probe)
