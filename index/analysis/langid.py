"""py3langid's model, memory-mapped: what tells a question's language among several of one script.

py3langid ships its model LZMA-compressed; unpacking it takes 0.35 s and 90 MB of heap (a 39 MB
byte automaton, a 28 MB feature table, a Python list per state) in every process that asks, on
its first question. Here it is unpacked once a machine, by a child process, into plain `.npy`
files in the cache folder, and an asking process maps them: a question reads only the
automaton's rows its bytes walk and the table's rows of the features it has. A collection's
languages are the table's columns it reads: with the compiled kernel, those columns as one small
float32 table kept beside it (`ptc-<columns>.npy`, 2 MB for five languages), and mapped too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from operator import itemgetter
from pathlib import Path

import numpy as np
from py3langid.langid import LanguageIdentifier

from index.cachedir import cache_folder

try:  # the compiled kernel (setup.py) walks the automaton; py3langid's own walk is the fallback.
    # A leaf module (no Python imports): reading it from analysis/ makes no circle of layers.
    from index.search import _kernel
except ImportError:  # pragma: no cover - depends on the machine having had a C compiler
    _kernel = None

_ARRAYS = ("ptc", "pc", "nextmove", "row", "out")

# Run in a child: the unpacked model never lives in the asking process's heap.
_MAKE = """
import json, os, sys
from pathlib import Path
import numpy as np
from py3langid.langid import MODEL_DIR, MODEL_FILE
from py3langid.modelio import load_model
ptc, pc, classes, nextmove, row, out = load_model(MODEL_DIR / MODEL_FILE)
folder = Path(sys.argv[1])
tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
tmp.mkdir(parents=True)
arrays = {"ptc": ptc, "pc": pc, "nextmove": np.frombuffer(nextmove, dtype=np.uint32),
          "row": np.frombuffer(row, dtype=np.uint16), "out": np.array(out, dtype=np.int32)}
for name, array in arrays.items():
    np.save(tmp / f"{name}.npy", array, allow_pickle=False)
(tmp / "classes.json").write_text(json.dumps(classes))
try:
    os.rename(tmp, folder)
except OSError:  # another process made it first
    import shutil
    shutil.rmtree(tmp)
"""


# The automaton's arrays as the compiled walk reads them: (buffer format, item size).
_WALKABLE = (("I", 4), ("H", 2), ("i", 4))


def _walkable(*arrays) -> bool:
    """Whether the compiled walk can read these (automaton, rows, outputs) as they are."""
    try:
        views = [memoryview(a) for a in arrays]
    except TypeError:  # not a buffer
        return False
    return all(
        v.ndim == 1 and (v.format, v.itemsize) == w for v, w in zip(views, _WALKABLE, strict=True)
    )


class _Mapped(LanguageIdentifier):
    """py3langid's identifier whose languages are the columns it reads, not a copy of its table,
    its automaton walked by the compiled kernel when there is one (py3langid's walk is Python's
    loop over the bytes: 20 us of a 25 us question). Scores are computed as py3langid computes
    them, from the same features in the same order: the rankings are its own.

    With the kernel, a question is scored in one call over `_table`, the restricted columns as
    one small float32 array (a feature's row is then one cache line, not a few of a 28 MB
    table), in double: no numpy call a question (py3langid's took about 50 us warm, 100 in a
    serving process; this 6 us warm). The probabilities then differ from py3langid's float32
    ones by a few 1e-6 (2.3e-6 at most on 5,000 bench questions), the order of the languages
    and every decision taken on them the same there."""

    __slots__ = ("_columns", "_compiled", "_labels", "_priors", "_table")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._compiled = hasattr(_kernel, "dfa_scores") and _walkable(  # (a kernel built before)
            self.tk_nextmove, self.tk_row, self.tk_output
        )
        self._table = None

    def restrict(self, languages: Iterable[str]) -> None:
        wanted = set(languages)
        _, nb_pc, classes = self._full_model
        columns = [i for i, c in enumerate(classes) if c in wanted]
        self._columns = np.array(columns, dtype=np.intp)
        self.nb_classes = [classes[i] for i in columns]
        self._labels = tuple(self.nb_classes)
        self.nb_pc = np.asarray(nb_pc[columns], dtype=np.float32)
        self._priors = np.asarray(self.nb_pc, dtype=np.float64)
        self._set_alias_pairs()
        if self._compiled:
            self._table = _restricted(self.nb_ptc, columns)

    def rank(self, text):
        if self._table is None:
            return super().rank(text)
        # ASCII is its own NFC form and UTF-8: py3langid's _encode reduced to its one rule left
        plain = isinstance(text, str) and text.isascii() and not text.isupper()
        data = text.encode() if plain else self._encode(text)
        args = (self.tk_nextmove, self.tk_row, self.tk_output, data, self._table, self._priors)
        if not self._alias_pairs:  # ranked in the same call
            return _kernel.dfa_scores(*args, self._labels)
        probs = _kernel.dfa_scores(*args)
        merged: dict[str, float] = {}  # an alias's share added to its language's
        for lang, p in zip(self.nb_classes, probs, strict=True):
            merged[lang] = merged.get(lang, 0.0) + p
        return sorted(merged.items(), key=itemgetter(1), reverse=True)

    def _sparse_score(self, visits, table):
        idx = np.fromiter(visits.keys(), dtype=np.intp, count=len(visits))
        counts = np.fromiter(visits.values(), dtype=np.float32, count=len(visits))
        return np.log1p(counts) @ table[idx][:, self._columns] + self.nb_pc


def _restricted(table, columns: list[int]) -> np.ndarray:
    """The table's `columns` as a C-ordered float32 array. For the mapped table, kept beside it
    in the cache folder (made once: reading 28 MB takes some 30 ms) and mapped, read from the
    file rather than through the map, so the whole table never lands in this process's memory."""
    filename = getattr(table, "filename", None)
    if filename is None:  # unpacked in this process
        return np.ascontiguousarray(table[:, columns], dtype=np.float32)
    path = Path(filename).with_name(f"ptc-{'-'.join(map(str, columns))}.npy")
    rows, width = table.shape
    try:
        kept = np.load(path, mmap_mode="r", allow_pickle=False)
        if kept.shape == (rows, len(columns)) and kept.dtype == np.float32:
            return kept
    except (OSError, ValueError):  # not made yet, or damaged: made again
        pass
    out = np.empty((rows, len(columns)), dtype=np.float32)
    with open(filename, "rb") as f:
        f.seek(table.offset)
        for start in range(0, rows, 8192):
            n = min(8192, rows - start)
            chunk = np.fromfile(f, dtype=table.dtype, count=n * width).reshape(n, width)
            out[start : start + n] = chunk[:, columns]
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            np.save(f, out, allow_pickle=False)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
    return out


def _folder() -> Path:
    try:
        release = version("py3langid")
    except PackageNotFoundError:
        release = "unknown"
    return cache_folder() / "langid" / release


def _mapped_model() -> tuple | None:
    """(table, priors, classes, automaton, outputs, rows) mapped from the cache folder, unpacked
    there first if need be; None if that cannot be done."""
    folder = _folder()
    if not folder.is_dir():
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [sys.executable, "-c", _MAKE, str(folder)],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (OSError, subprocess.SubprocessError):
            return None
    try:
        arrays = {
            n: np.load(folder / f"{n}.npy", mmap_mode="r", allow_pickle=False) for n in _ARRAYS
        }
        classes = json.loads((folder / "classes.json").read_text())
    except (OSError, ValueError):
        return None
    # memoryviews of plain arrays: the automaton's walk indexes them byte by byte, and a
    # memoryview gives Python ints at a fraction of numpy's scalar cost.
    automaton = memoryview(np.asarray(arrays["nextmove"]))
    outputs = memoryview(np.asarray(arrays["out"]))
    rows = memoryview(np.asarray(arrays["row"]))
    # the table stays a np.memmap: its file is where _restricted reads its columns from
    return arrays["ptc"], np.asarray(arrays["pc"]), classes, automaton, outputs, rows


def _unpacked_model() -> tuple:
    """The model unpacked in this process, as py3langid itself does (no cache folder)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, out = load_model(MODEL_DIR / MODEL_FILE)
    return ptc, pc, classes, nextmove, np.array(out, dtype=np.int32), row  # as the walk reads it


_model: tuple | None = None


def identifier(languages: Iterable[str]) -> LanguageIdentifier | None:
    """py3langid restricted to `languages` (those it knows), or None if it knows under two."""
    global _model
    if _model is None:
        _model = _mapped_model() or _unpacked_model()
    ptc, pc, classes, automaton, outputs, rows = _model
    known = [c for c in dict.fromkeys(languages) if c in classes]
    if len(known) < 2:
        return None
    model = _Mapped(ptc, pc, classes, automaton, outputs, norm_probs=True, tk_row=rows)
    model.restrict(known)
    return model


def prepare() -> None:
    """Unpack the model into the cache folder now, so no question waits for it."""
    if not _folder().is_dir():
        _mapped_model()
