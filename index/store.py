"""Save and load an index: a folder of .npy arrays and a JSON manifest, swapped in atomically.

Layout of the index folder:

    current -> gen-<id>        a symlink, replaced atomically when a build finishes
    gen-<id>/meta.json         format version, fingerprint, names, and each array's dtype and shape
    gen-<id>/<array>.npy       plain numpy arrays, never pickled: memory-mapped on load, except
                               the few only ever read a slice at a time (READ_ON_DEMAND)

A crash at any moment leaves `current` pointing at a complete generation.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np

from index.build import FORMAT_VERSION, IndexData

CURRENT = "current"
META = "meta.json"
# Arrays read in small slices at scattered places (or whole, once, at load): read with pread when
# sliced rather than mapped, because each touch of a mapping can map a large folio (up to 2 MiB)
# into the process. Their pages stay in the kernel's cache, shared and reclaimable, not in our RSS.
READ_ON_DEMAND = frozenset({"text", "sent_terms", "terms", "docinfo"})


class OnDisk:
    """A one-dimensional array in a .npy file, read when sliced: `a[lo:hi]` is an ndarray."""

    def __init__(self, path: Path, dtype: np.dtype, length: int, offset: int):
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - lives as long as the index
        self._fd = self._file.fileno()
        self.dtype, self._length, self._offset = dtype, length, offset
        self.shape = (length,)

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, where: slice) -> np.ndarray:
        if not isinstance(where, slice):
            raise TypeError("OnDisk arrays are read by slices")
        lo, hi, step = where.indices(self._length)
        if step != 1:
            raise ValueError("OnDisk arrays are read by contiguous slices")
        size = self.dtype.itemsize
        count = max(0, hi - lo)
        data = os.pread(self._fd, count * size, self._offset + lo * size)
        if len(data) != count * size:
            raise OSError(f"{self._file.name} was cut short")
        return np.frombuffer(data, dtype=self.dtype)


def _on_disk(path: Path, dtype: str, shape: list[int]) -> OnDisk:
    """Open a .npy file for reads by slice, after checking its header and its length."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        read_header = {
            (1, 0): np.lib.format.read_array_header_1_0,
            (2, 0): np.lib.format.read_array_header_2_0,
        }.get(version)
        if read_header is None:
            raise ValueError(f"{path.name} has .npy version {version}")
        found_shape, fortran, found_dtype = read_header(f)
        offset = f.tell()
    if found_dtype.str != dtype or list(found_shape) != shape or len(shape) != 1 or fortran:
        raise ValueError(f"{path.name} has the wrong shape")
    if path.stat().st_size < offset + found_dtype.itemsize * shape[0]:
        raise ValueError(f"{path.name} is cut short")
    return OnDisk(path, found_dtype, shape[0], offset)


class StaleIndex(Exception):
    """The saved index cannot be used as it is; the message says why in a few words."""


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def _locked(folder: Path):
    """Hold the folder's lock: two builds saving at once take turns instead of mixing files."""
    with open(folder / ".lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def save(data: IndexData, folder: Path) -> Path:
    """Write a new generation beside the current one, then point `current` at it atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        return _save(data, folder)


def _save(data: IndexData, folder: Path) -> Path:
    name = f"gen-{uuid.uuid4().hex[:12]}"
    tmp = folder / f".{name}.tmp"
    link = folder / f".{CURRENT}-{name}"
    switched = False
    tmp.mkdir()
    try:
        shapes = {}
        for key, array in data.arrays.items():
            array = np.ascontiguousarray(array)
            with open(tmp / f"{key}.npy", "wb") as f:
                np.save(f, array, allow_pickle=False)
                f.flush()
                os.fsync(f.fileno())
            shapes[key] = [array.dtype.str, list(array.shape)]
        meta = dict(data.meta, arrays=shapes)
        with open(tmp / META, "w", encoding="utf-8") as f:
            json.dump(meta, f, ensure_ascii=False)
            f.flush()
            os.fsync(f.fileno())
        _fsync_dir(tmp)
        os.rename(tmp, folder / name)
        os.symlink(name, link)
        os.replace(link, folder / CURRENT)
        switched = True
        _fsync_dir(folder)
    except BaseException:
        if not switched:  # a full disk or a failed rename: leave the folder as it was
            for path in (tmp, folder / name):
                shutil.rmtree(path, ignore_errors=True)
            with contextlib.suppress(OSError):
                link.unlink()
        raise
    _remove_old(folder, keep=name)
    return folder / name


def _remove_old(folder: Path, keep: str) -> None:
    """Delete other generations and what killed builds left; a reader keeps its maps (POSIX).

    Called with the lock held, so no other build is writing any of these.
    """
    for entry in folder.iterdir():
        if entry.name == keep:
            continue
        if entry.name.startswith(f".{CURRENT}-"):  # a link a killed build never swapped in
            with contextlib.suppress(OSError):
                entry.unlink()
        elif entry.name.startswith("gen-") or entry.name.endswith(".tmp"):
            shutil.rmtree(entry, ignore_errors=True)


def load(folder: Path, fingerprint: str | None = None) -> IndexData:
    """Map the current generation; raise StaleIndex if it is missing, corrupt, old or out of date.

    A build that finishes meanwhile deletes the generation being read; then the new one is read.
    """
    current = folder / CURRENT
    if not current.exists() and not current.is_symlink():
        raise StaleIndex("no index yet")
    for _ in range(3):
        try:
            gen = current.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            raise StaleIndex(f"is unreadable ({type(exc).__name__})") from exc
        try:
            return _load_generation(gen, fingerprint)
        except StaleIndex as why:
            vanished = isinstance(why.__cause__, FileNotFoundError)
            if not vanished or current.resolve() == gen:
                raise
    raise StaleIndex("kept changing while it was read")


def _load_generation(gen: Path, fingerprint: str | None) -> IndexData:
    try:
        meta = json.loads((gen / META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StaleIndex(f"is unreadable ({type(exc).__name__})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise StaleIndex(f"has format {found}, not {FORMAT_VERSION}")
    if fingerprint is not None and meta.get("fingerprint") != fingerprint:
        raise StaleIndex("documents changed")
    arrays = {}
    try:
        for key, (dtype, shape) in meta.pop("arrays").items():
            if key in READ_ON_DEMAND:
                arrays[key] = _on_disk(gen / f"{key}.npy", dtype, shape)
                continue
            mode = "r" if int(np.prod(shape)) else None  # an empty file cannot be mapped
            array = np.load(gen / f"{key}.npy", mmap_mode=mode, allow_pickle=False)
            if array.dtype.str != dtype or list(array.shape) != shape:
                raise ValueError(f"{key} has the wrong shape")
            arrays[key] = array.view(np.ndarray)  # plain views: no memmap overhead per slice
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
        raise StaleIndex(f"is unreadable ({type(exc).__name__})") from exc
    return IndexData(arrays, meta)
