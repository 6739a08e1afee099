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
"""

from __future__ import annotations

import ctypes

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
