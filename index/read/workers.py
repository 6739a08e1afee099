"""The processes that read PDF and Word files (and big folders): started fresh, kept, and tied to us.

A worker is a new interpreter (`subprocess`, fork and exec at once), never a fork of this process:
the bot and the console have threads (the event loop's, the folder watcher's), and a lock another
thread held at fork() stays held in the child forever (it hangs on a futex; `../STYLE` 20). Its
BLAS runs one thread, so it has none of its own either.

Starting one costs about a second (numpy, NLTK, PDFium are imported before it says it is ready),
so workers are kept between refreshes in one pool per process: a file dropped into a watched
folder is read at once. `warm()` starts one early (the bot and the console call it at startup).
A worker asks the kernel to kill it when the thread that started it ends (PR_SET_PDEATHSIG, on
Linux; the pool's own thread starts them), leaves when its socket closes, and a pool's idle workers are stopped at exit: no worker
outlives the process that uses it. One that grew large on a big file leaves after its job.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from pathlib import Path

START_SECONDS = 120.0  # a worker must say it is ready within this (imports on a loaded machine)
RECYCLE_BYTES = (
    512 * 2**20
)  # a worker resident beyond this after a job leaves (a fresh one: ~70 MB)
ROOT = str(Path(__file__).resolve().parents[2])  # the folder holding the `index` package
# Threads a worker must not start: BLAS libraries start a pool on import otherwise.
ONE_THREAD = {k: "1" for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


class Worker:
    """A worker process and our end of its socket; `job`, `file`, `since`, `limit` are the
    supervisor's (`extract._supervised`): the run it reads, its file, since when, how long."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        env = dict(os.environ, **ONE_THREAD)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
        code = f"from index.read.extract import serve; serve({theirs.fileno()}, {os.getpid()})"
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", code],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
            )
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False
        self.job: tuple[int, list[tuple[str, str]]] | None = None
        self.file = 0
        self.since = time.monotonic()
        self.limit = START_SECONDS

    def give(self, n: int, jobs: list[tuple[str, str]], memory: int, language: str) -> None:
        """Send a run of files (read in `language`, or each its own when "auto"); its time starts
        when the worker says which file it reads."""
        self.job, self.file = (n, jobs), 0
        if self.ready:
            self.since = time.monotonic()
        self.conn.send((n, jobs, memory, language))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, kill: bool = False) -> None:
        """Stop the process (at once if `kill`, else when it has read its socket's end)."""
        if kill:
            with contextlib.suppress(OSError):
                self.proc.kill()
        with contextlib.suppress(OSError):
            self.conn.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Pool:
    """Idle workers of this process, kept for the next refresh (thread-safe)."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._idle: list[Worker] = []
        self._lock = threading.Lock()
        # Workers are started by the pool's own thread, which lives as long as the process: to
        # the kernel, a worker's parent is the thread that started it (PR_SET_PDEATHSIG).
        self._starter = ThreadPoolExecutor(1, thread_name_prefix="verbatim-workers")

    def _start(self) -> Worker:
        return self._starter.submit(Worker).result()

    def take(self) -> Worker:
        """An idle worker (alive, ready or starting), or a new one."""
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.stop(kill=True)  # died idle (recycled, the OOM killer): replaced
        return self._start()

    def give_back(self, worker: Worker) -> None:
        """Keep an idle, healthy worker; stop any other."""
        with self._lock:
            if worker.job is None and worker.alive() and len(self._idle) < self.keep:
                self._idle.append(worker)
                return
        worker.stop(kill=worker.job is not None)

    def warm(self, count: int = 1) -> None:
        """Have at least `count` workers starting or ready (returns at once)."""
        with self._lock:
            for dead in [w for w in self._idle if not w.alive()]:
                self._idle.remove(dead)
                dead.stop(kill=True)
            while len(self._idle) < min(count, self.keep):
                self._idle.append(self._start())

    def close(self) -> None:
        """Stop every idle worker (at exit)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def pids(self) -> list[int]:
        with self._lock:
            return [w.proc.pid for w in self._idle]


POOL = Pool(keep=max(1, min(4, os.cpu_count() or 1)))
atexit.register(POOL.close)


def warm(count: int = 1) -> None:
    """Start `count` workers now, so the first PDF read later does not wait for one."""
    POOL.warm(count)


def die_with_parent(parent: int) -> None:
    """Be killed when the thread that started us ends (Linux); leave now if it already has."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before prctl: nobody is listening
        os._exit(0)


def cap(memory: int) -> None:
    """Address space: what this process has now plus `memory` (PDFium aborts beyond it)."""
    try:
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = vm("VmSize") + memory
        cap = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):  # no rlimits here: the time limit still holds
        pass


def uncap() -> None:
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource

        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def vm(field: str) -> int:
    """A /proc/self/status size in bytes (0 when unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0
