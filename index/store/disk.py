"""Save and load an index: immutable segments and a commit point that names them, swapped atomically.

Layout of the index folder (Lucene's segments and commit point, in plain files):

    current -> gen-<id>        a symlink, replaced atomically when an update or build finishes
    gen-<id>/commit.json       the commit: format version, the segments that make the index, and
                               the file table (each document file's size, time and where its
                               sentences live); a segment's documents that the table does not
                               name are deleted
    seg-<id>/meta.json         a segment: its documents' names, and each array's dtype and shape
    seg-<id>/<array>.npy       plain numpy arrays, never pickled: memory-mapped on load, except
                               the few only ever read a slice at a time (READ_ON_DEMAND)
    .lock                      held (flock) by the one process writing; others take turns

Segments are written once and never changed; an update writes a new small segment and a new
commit. A crash at any moment leaves `current` pointing at a complete commit whose segments all
exist. Generations and segments no longer named by `current` are removed by the next writer; a
process still reading them keeps its open files and maps (POSIX), and a load that loses them
mid-way reads the new current one.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import gc
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.store.build import FORMAT_VERSION, IndexData

CURRENT = "current"
COMMIT = "commit.json"
META = "meta.json"
LOCK = ".lock"
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

    def fileno(self) -> int:
        """The open file's descriptor (for readers in C)."""
        return self._fd

    @property
    def offset(self) -> int:
        """Where the array's first element is in the file, in bytes."""
        return self._offset

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


@dataclass
class Generation:
    """One commit of an index: its name, the commit itself, and its segments' data in order."""

    name: str | None  # None: built in memory, never saved
    commit: dict
    segments: list[IndexData]
    segment_names: list[str]


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def locked(folder: Path):
    """Hold the folder's lock: two writers take turns instead of mixing files."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / LOCK, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def current_name(folder: Path) -> str | None:
    """The name of the current generation (one readlink), or None when there is none."""
    try:
        return os.readlink(folder / CURRENT)
    except OSError:
        return None


def write_segment(data: IndexData, folder: Path) -> str:
    """Write one segment's arrays beside the others; it is not part of the index until committed.

    Call with the lock held. On failure nothing is left behind.
    """
    name = f"seg-{uuid.uuid4().hex[:12]}"
    tmp = folder / f".{name}.tmp"
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
        _write_json(tmp / META, dict(data.meta, arrays=shapes))
        _fsync_dir(tmp)
        os.rename(tmp, folder / name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(folder / name, ignore_errors=True)
        raise
    return name


def _write_json(path: Path, value: dict) -> None:
    # json.dumps, not json.dump: dump streams through the pure-Python encoder (10x slower on a
    # file table of 25,000 documents).
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def commit(folder: Path, commit_meta: dict, new_segments: list[str]) -> str:
    """Write a commit naming its segments, then point `current` at it atomically.

    Call with the lock held. On failure before the switch, the commit and `new_segments` (written
    for it) are removed and `current` is as it was. After the switch, what no longer belongs to
    the current index is removed.
    """
    name = f"gen-{uuid.uuid4().hex[:12]}"
    tmp = folder / f".{name}.tmp"
    link = folder / f".{CURRENT}-{name}"
    switched = False
    tmp.mkdir()
    try:
        _write_json(tmp / COMMIT, dict(commit_meta, format=FORMAT_VERSION))
        _fsync_dir(tmp)
        os.rename(tmp, folder / name)
        os.symlink(name, link)
        os.replace(link, folder / CURRENT)
        switched = True
        _fsync_dir(folder)
    except BaseException:
        if not switched:  # a full disk or a failed rename: leave the folder as it was
            for path in [tmp, folder / name, *(folder / s for s in new_segments)]:
                shutil.rmtree(path, ignore_errors=True)
            with contextlib.suppress(OSError):
                link.unlink()
        raise
    remove_unused(folder)
    return name


def remove_unused(folder: Path) -> None:
    """Delete generations and segments the current commit does not name, and what killed writers
    left; a reader keeps its open files and maps (POSIX). Call with the lock held."""
    keep = current_name(folder)
    if keep is None:
        return
    try:
        named = set(json.loads((folder / keep / COMMIT).read_text(encoding="utf-8"))["segments"])
    except (OSError, ValueError, KeyError, TypeError):
        return  # a damaged current commit: keep everything for the rebuild to replace
    for entry in folder.iterdir():
        name = entry.name
        if name in (keep, LOCK, CURRENT) or name in named:
            continue
        if name.startswith(f".{CURRENT}-"):  # a link a killed writer never swapped in
            with contextlib.suppress(OSError):
                entry.unlink()
        elif name.startswith(("gen-", "seg-")) or name.endswith(".tmp"):
            shutil.rmtree(entry, ignore_errors=True)


def load(folder: Path) -> Generation:
    """Map the current generation's segments; raise StaleIndex if missing, corrupt or old.

    A writer that finishes meanwhile may delete what is being read; then the new one is read.
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
            return _load_generation(gen)
        except StaleIndex as why:
            vanished = isinstance(why.__cause__, FileNotFoundError)
            if not vanished or current.resolve() == gen:
                raise
    raise StaleIndex("kept changing while it was read")


def _load_generation(gen: Path) -> Generation:
    try:
        meta = json.loads((gen / COMMIT).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StaleIndex(f"is unreadable ({type(exc).__name__})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise StaleIndex(f"has format {found}, not {FORMAT_VERSION}")
    try:
        names = [str(s) for s in meta["segments"]]
        if not isinstance(meta.get("files"), dict):
            raise ValueError("no file table")
        segments = [_load_segment(gen.parent / name) for name in names]
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
        raise StaleIndex(f"is unreadable ({type(exc).__name__})") from exc
    return Generation(gen.name, meta, segments, names)


def load_segment(seg: Path) -> IndexData:
    """One saved segment's arrays (mapped or read on demand) and meta."""
    try:
        return _load_segment(seg)
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
        raise StaleIndex(f"is unreadable ({type(exc).__name__})") from exc


def _load_segment(seg: Path) -> IndexData:
    meta = json.loads((seg / META).read_text(encoding="utf-8"))
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        raise ValueError("segment of another format")
    arrays = {}
    for key, (dtype, shape) in meta.pop("arrays").items():
        if key in READ_ON_DEMAND:
            arrays[key] = _on_disk(seg / f"{key}.npy", dtype, shape)
            continue
        mode = "r" if int(np.prod(shape)) else None  # an empty file cannot be mapped
        array = np.load(seg / f"{key}.npy", mmap_mode=mode, allow_pickle=False)
        if array.dtype.str != dtype or list(array.shape) != shape:
            raise ValueError(f"{key} has the wrong shape")
        arrays[key] = array.view(np.ndarray)  # plain views: no memmap overhead per slice
    return IndexData(arrays, meta)


def collecting_later(init):
    """`init` with garbage collection held off, then one collection of the young generations: a
    load makes hundreds of thousands of objects, and the collections on the way walked them
    again and again (0.3 s of a 1M-sentence index's 1.6 s load); collected once at the end, they
    join the oldest generation, which the questions' collections then leave alone (held off and
    not collected, they cost the next 500 questions 0.1 s)."""

    @functools.wraps(init)
    def wrapped(*args, **kwargs):
        was = gc.isenabled()
        gc.disable()
        try:
            return init(*args, **kwargs)
        finally:
            if was:
                gc.enable()
                gc.collect(1)

    return wrapped
