"""Save and load an index as one .npz file (numpy arrays plus JSON), atomically, never with pickle."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

import numpy as np

from index.build import FORMAT_VERSION, IndexData

FILENAME = "index.npz"


class StaleIndex(Exception):
    """The saved index cannot be used as it is; the message says why in a few words."""


def save(data: IndexData, folder: Path) -> Path:
    """Write the index to `folder/index.npz` through a temporary file and an atomic rename."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / FILENAME
    meta = np.frombuffer(json.dumps(data.meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, meta=meta, **data.arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target


def load(folder: Path, fingerprint: str | None = None) -> IndexData:
    """Read `folder/index.npz`; raise StaleIndex if it is missing, corrupt, old or out of date."""
    path = folder / FILENAME
    if not path.exists():
        raise StaleIndex("no index yet")
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        meta = json.loads(arrays.pop("meta").tobytes().decode("utf-8"))
    except (
        Exception
    ) as exc:  # a damaged file can fail in zipfile, numpy or json: all mean "rebuild"
        raise StaleIndex(f"unreadable ({type(exc).__name__})") from exc
    if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
        raise StaleIndex(
            f"format {meta.get('format') if isinstance(meta, dict) else '?'} is not {FORMAT_VERSION}"
        )
    if fingerprint is not None and meta.get("fingerprint") != fingerprint:
        raise StaleIndex("documents changed")
    return IndexData(arrays, meta)
