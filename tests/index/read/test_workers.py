"""Extraction workers: never a fork of a process with threads, a time limit that scales with pages,
and no worker left behind when the process that uses it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from index.read import extract, workers

ROOT = Path(__file__).resolve().parents[3]
USERGUIDE = ROOT / "tests" / "index" / "pdfs" / "reportlab-userguide.pdf"  # 134 pages


def until(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return False


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_a_worker_is_a_fresh_process_even_while_another_thread_holds_a_lock(tmp_path):
    """A lock held by another thread at fork() stays held in a forked child forever: here the
    child's stderr lock. A worker is a new interpreter, so it reads the file anyway."""
    (tmp_path / "a.txt").write_text("Kettles boil water quickly.\n")
    held, release = threading.Event(), threading.Event()

    def hold():
        with workers.POOL._lock:  # any lock of ours a forked child would also inherit
            held.set()
            release.wait(30)

    workers.POOL.close()
    holder = threading.Thread(target=hold)
    holder.start()
    held.wait()
    try:
        worker = workers.Worker()  # not through the pool: its lock is the one held
        chunks = [[("a.txt", str(tmp_path / "a.txt"))]]
        try:
            worker.give(0, chunks[0], extract.WORKER_MEMORY, "auto")
            kinds = []
            while "done" not in kinds:
                assert worker.conn.poll(60), kinds
                kind, _, value = worker.conn.recv()
                kinds.append(kind)
            assert kinds[0] == "ready" and value.results[0][1] is not None
        finally:
            worker.stop()
    finally:
        release.set()
        holder.join()


def test_a_file_over_its_time_limit_is_skipped_and_the_limit_scales_with_pages(tmp_path):
    (tmp_path / "b.txt").write_text("Kettles boil water quickly.\n")
    chunks = [[("a.pdf", str(USERGUIDE)), ("b.txt", str(tmp_path / "b.txt"))]]
    # 134 pages take about a second here: over 0.05 s per 100 pages
    results = [r for c in extract._supervised(chunks, 1, 0.05, 2**30) for r in c.results]
    (_, a, why), (_, b, _) = results
    assert a is None and why == "took longer than 0.067 s to read" and extract.retryable(why)
    assert b is not None and b"Kettles" in b.text
    assert extract.time_limit(30, 1) == 30 and extract.time_limit(30, 2400) == 720
    assert extract.time_limit(30, 50, patience=2) == 60
    assert extract.pages(str(tmp_path / "b.txt")) == 1
    # a large page or text file gets time for its size (a docs site's 8 MB one-page edition)
    (tmp_path / "all.html").write_bytes(b"<p>Kettles boil water quickly.</p>\n" * 250_000)
    assert extract.pages(str(tmp_path / "all.html")) == 875
    assert extract.time_limit(30, extract.pages(str(tmp_path / "all.html"))) == 262.5


def test_workers_are_kept_between_runs(tmp_path):
    (tmp_path / "a.txt").write_text("Kettles boil water quickly.\n")
    chunks = [[("a.txt", str(tmp_path / "a.txt"))]]
    list(extract._supervised(chunks, 1, 30.0, 2**30))
    first = workers.POOL.pids()
    list(extract._supervised(chunks, 1, 30.0, 2**30))
    assert first and workers.POOL.pids() == first


DYING = textwrap.dedent(
    """
    import os, sys
    from index.read import extract
    pdf = sys.argv[1]
    print(os.getpid(), flush=True)
    run = [(f"{i}.pdf", pdf) for i in range(200)]  # minutes of reading
    list(extract._supervised([run], 1, 600.0, 2**30))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_a_busy_worker_dies_with_the_process_that_started_it(tmp_path, how):
    script = tmp_path / "dying.py"
    script.write_text(DYING)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    parent = subprocess.Popen(
        [sys.executable, str(script), str(USERGUIDE)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        pid = int(parent.stdout.readline())
        assert until(lambda: children(pid)), "no worker started"
        (worker,) = children(pid)
        time.sleep(2)  # the worker is reading
        assert alive(worker)
        parent.send_signal(how)
        parent.wait(30)
        assert until(lambda: not alive(worker)), "the worker outlived its parent"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
