"""What every part of the bench shares: its constants, and small measuring helpers."""

from __future__ import annotations

import re
import resource
import sys
from pathlib import Path

import numpy as np

MIB = 1024 * 1024
TOP = 10  # retrieval depth, for the engine and both peers
BLOCK = 10  # questions in a row for one engine, when engines alternate
RTOL = 1e-9  # parity: relative tolerance between the fast engine's and rank-bm25's scores
INSTALL_TANTIVY = "scripts/setup bench"
TANTIVY_HEAP = 128_000_000  # tantivy's default writer heap, named so the run is reproducible
_QUERY_WORD = re.compile(r"[^\W_]+")  # letters and digits only: nothing tantivy's parser reads


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def memory() -> dict:
    """This process's resident memory now (VmRSS) and at its peak (ru_maxrss)."""
    status = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
            status[key] = int(value.split()[0]) * 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    rss = status.get("VmRSS")
    return {
        "rss_bytes": rss,
        "rss_anon_bytes": status.get("RssAnon"),  # the heap: Python objects, arrays in memory
        "rss_file_bytes": status.get("RssFile"),  # mapped files: the index's pages touched so far
        "peak_rss_bytes": max(peak, status.get("VmHWM", 0), rss or 0),
    }


def stats(ms: list[float]) -> dict:
    """Count, p50, p99, mean and max of latencies in milliseconds."""
    if not ms:
        return {"n": 0}
    a = np.asarray(ms, dtype=np.float64)
    p50, p99 = np.percentile(a, [50, 99])
    return {
        "n": len(ms),
        "p50_ms": round(float(p50), 4),
        "p99_ms": round(float(p99), 4),
        "mean_ms": round(float(a.mean()), 4),
        "max_ms": round(float(a.max()), 4),
    }


def sample(n: int, count: int) -> list[int]:
    """`count` question numbers spread evenly over `n` (deterministic)."""
    count = min(count, n)
    return [i * n // count for i in range(count)]
