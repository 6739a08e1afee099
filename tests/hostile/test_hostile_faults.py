"""Faults while the index is written: a build killed part-way, two builds at once, an index folder
that cannot be written, a full disk. The previous index must stay loadable and give the same
answers, and nothing half-written may stay behind.
"""

from __future__ import annotations

import asyncio
import errno
import fcntl
import io
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from fakediscord import MANAGE_GUILD, Recorder, check_sent, command_payload, dispatch, make_bot

from bot.cli import main as bot_main
from bot.settings import Settings
from index import open_index
from index.store import disk
from index.store.disk import CURRENT
from index.tools.cli import main

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = (
    "how many herons nest at the lake?",
    "when does the ferry leave?",
    "what do barn owls eat?",
    "how many voles does a barn owl eat?",
)


def write_corpus(folder: Path, documents: int) -> Path:
    """`documents` generated articles (each a few paragraphs), and three with known answers."""
    folder.mkdir(parents=True, exist_ok=True)
    words = "river meadow harbour village market bridge orchard lantern festival mill".split()
    for n in range(documents):
        paragraphs = []
        for p in range(6):
            sentences = [
                f"The {words[(n + p + s) % 10]} of town {n} opened in {1900 + (n * 7 + s) % 120} "
                f"with {3 + (n + s * p) % 90} {words[(n * s + p) % 10]}s and a {words[s % 10]}."
                for s in range(8)
            ]
            paragraphs.append(" ".join(sentences))
        (folder / f"town_{n:04d}.txt").write_text(f"Town {n}\n\n" + "\n\n".join(paragraphs) + "\n")
    (folder / "lake.txt").write_text("The lake\n\nEvery spring 14 herons nest at the lake.\n")
    (folder / "ferry.md").write_text("# Ferry\n\nThe ferry leaves at 6 a.m. from pier 9.\n")
    (folder / "owls.txt").write_text("Barn owls hunt at night and eat about four voles a night.\n")
    return folder


def answers(index) -> list[list[tuple[str, str]]]:
    return [[(p.document, p.text) for p in index.ask(q).passages] for q in QUESTIONS]


def leftovers(index_dir: Path) -> list[str]:
    """What is in the index folder besides the lock, `current`, its generation and segments."""
    gen = (index_dir / CURRENT).resolve()
    keep = {".lock", CURRENT, gen.name, *json.loads((gen / "commit.json").read_text())["segments"]}
    return sorted(p.name for p in index_dir.iterdir() if p.name not in keep)


def assert_intact(docs: Path, index_dir: Path, expected: list) -> None:
    again = open_index(docs, index_dir)
    assert again.report.built is False, again.report
    assert answers(again) == expected


def build_command(docs: Path, index_dir: Path) -> list[str]:
    where = ["--docs", str(docs), "--index", str(index_dir)]
    return [sys.executable, "-m", "index", "build", "--rebuild", *where]


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "VERBATIM"))}
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path, list]:
    docs = write_corpus(tmp_path / "docs", 3)
    index_dir = tmp_path / "index"
    return docs, index_dir, answers(open_index(docs, index_dir))


# (a) A build killed part-way --------------------------------------------------------------------

# A build (python -m index build --rebuild) that stops inside its save (disk.write_segment, then
# disk.commit: SAVING), at the n-th call of one
# of the calls a save makes (numpy.save for each array; os.fsync, os.rename, os.symlink, os.replace
# as disk.py uses them), before or after it. There it prints where it is and whether it holds the
# index folder's lock, then waits for a line on stdin: the parent kills it or lets it go on.
# The calls are wrapped where they are defined (numpy, os), so it works however disk.py is laid out.
INSIDE_SAVE = """
import fcntl, os, sys
import numpy
point, count, when, docs, index_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3], *sys.argv[4:6]
STORE = os.path.join("index", "store", "disk.py")
seen = 0


def inside_save():
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if code.co_name in ("write_segment", "commit") and code.co_filename.endswith(STORE):
            return True
        frame = frame.f_back
    return False


def lock_held():
    with open(os.path.join(index_dir, ".lock"), "a+b") as other:  # flock: per open file
        try:
            fcntl.flock(other.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(other.fileno(), fcntl.LOCK_UN)
        return False


def halt(name):
    print(f"inside the save, {when} {name} #{count}, lock held: {lock_held()}", flush=True)
    sys.stdin.readline()


def stop(name, real):
    def wrapper(*args, **kwargs):
        global seen
        if name != point or not inside_save():
            return real(*args, **kwargs)
        seen += 1
        if seen == count and when == "before":
            halt(name)
        result = real(*args, **kwargs)
        if seen == count and when == "after":
            halt(name)
        return result
    return wrapper


numpy.save = stop("numpy.save", numpy.save)
for name in ("fsync", "rename", "symlink", "replace"):
    setattr(os, name, stop("os." + name, getattr(os, name)))
from index.tools.cli import main
sys.exit(main(["build", "--rebuild", "--docs", docs, "--index", index_dir]))
"""
SAVE_CALLS = ("numpy.save", "os.fsync", "os.rename", "os.symlink", "os.replace")


def calls_in_a_save(docs: Path, index_dir: Path) -> Counter:
    """How many times one save calls each of SAVE_CALLS (counted in this process)."""
    counted: Counter = Counter()
    saving = []

    def counting(name, real):
        def wrapper(*args, **kwargs):
            counted[name] += bool(saving)
            return real(*args, **kwargs)

        return wrapper

    def saving_in(real):
        def save(*args, **kwargs):
            saving.append(1)
            try:
                return real(*args, **kwargs)
            finally:
                saving.pop()

        return save

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(np, "save", counting("numpy.save", np.save))
        for name in ("fsync", "rename", "symlink", "replace"):
            mp.setattr(os, name, counting(f"os.{name}", getattr(os, name)))
        mp.setattr(disk, "write_segment", saving_in(disk.write_segment))
        mp.setattr(disk, "commit", saving_in(disk.commit))
        open_index(docs, index_dir, rebuild=True)
    return counted


def stopped_build(point: str, count: int, when: str, docs: Path, index_dir: Path):
    return subprocess.Popen(
        [sys.executable, "-c", INSIDE_SAVE, point, str(count), when, str(docs), str(index_dir)],
        cwd=ROOT,
        env=child_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def marker(child: subprocess.Popen, point: str, count: int, when: str) -> None:
    """Wait for the child to say it stopped inside the save, holding the lock, where asked."""
    line = child.stdout.readline()
    expected = f"inside the save, {when} {point} #{count}, lock held: True\n"
    assert line == expected, (line, child.stderr.read() if child.poll() is not None else "")


def test_a_build_killed_inside_its_save_leaves_the_previous_index(tmp_path, tally: Counter):
    """Killed at the first, a middle and the last array, and at each step of the switch."""
    reference = write_corpus(tmp_path / "reference", 3)
    counts = calls_in_a_save(reference, tmp_path / "reference-index")
    assert counts["numpy.save"] >= 3, counts  # one .npy per array
    n = counts["numpy.save"]
    points = [
        ("numpy.save", 1, "before"),
        ("numpy.save", n // 2, "after"),
        ("numpy.save", n, "after"),
    ]
    for name in ("os.rename", "os.symlink", "os.replace"):
        if counts[name]:  # the switch, however many calls it takes
            points += [(name, 1, "before"), (name, counts[name], "after")]
    expected = answers(open_index(reference, tmp_path / "reference-index"))
    runs = []
    for i, point in enumerate(points):
        docs = write_corpus(tmp_path / f"docs{i}", 3)
        index_dir = tmp_path / f"index{i}"
        open_index(docs, index_dir)
        runs.append((docs, index_dir, stopped_build(*point, docs, index_dir)))
    for (docs, index_dir, child), point in zip(runs, points, strict=True):
        try:
            marker(child, *point)
        finally:
            child.kill()
            child.wait()
        assert_intact(docs, index_dir, expected)
        open_index(docs, index_dir, rebuild=True)
        assert leftovers(index_dir) == [], point  # the next build clears what the killed one left
        tally["faults: build killed inside its save"] += 1


# (b) Two builds at once ----------------------------------------------------------------------------


def waiting_for_the_lock(pid: int, lock: Path) -> bool:
    """Whether process `pid` is blocked in flock on `lock`, as /proc/locks shows it ("->")."""
    inode = os.stat(lock).st_ino
    with open("/proc/locks") as locks:
        for line in locks:
            fields = line.split()
            if "->" not in fields[:2]:
                continue  # a lock held, not one waited for
            fields.remove("->")
            kind, owner, where = fields[1], fields[4], fields[5]
            if kind == "FLOCK" and owner == str(pid) and int(where.rsplit(":", 1)[1]) == inode:
                return True
    return False


def until(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


needs_proc_locks = pytest.mark.skipif(
    not os.path.exists("/proc/locks"), reason="needs Linux /proc/locks to see a waiting flock"
)


@needs_proc_locks
def test_a_build_waits_while_another_holds_the_lock(small, tally: Counter):
    """The test holds the index folder's lock: a build must wait for it, then finish cleanly."""
    docs, index_dir, expected = small
    before = (index_dir / CURRENT).resolve()
    lock = index_dir / ".lock"
    with open(lock, "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        child = subprocess.Popen(
            build_command(docs, index_dir),
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            until(lambda: child.poll() is not None or waiting_for_the_lock(child.pid, lock))
            assert child.poll() is None, ("it did not wait for the lock", child.communicate())
            assert (index_dir / CURRENT).resolve() == before  # nothing switched meanwhile
        finally:
            fcntl.flock(held.fileno(), fcntl.LOCK_UN)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0 and out.startswith("Built index of 6 documents"), err
    assert (index_dir / CURRENT).resolve() != before
    assert_intact(docs, index_dir, expected)
    assert leftovers(index_dir) == []
    tally["faults: concurrent builds"] += 1


@needs_proc_locks
def test_two_builds_at_once_take_turns_and_leave_one_good_index(small, tally: Counter):
    """One build is paused inside its save; the second must wait; then both finish, one index."""
    docs, index_dir, expected = small
    lock = index_dir / ".lock"
    first = stopped_build("numpy.save", 2, "after", docs, index_dir)
    second = None
    try:
        marker(first, "numpy.save", 2, "after")
        second = subprocess.Popen(
            build_command(docs, index_dir),
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        until(lambda: second.poll() is not None or waiting_for_the_lock(second.pid, lock))
        assert second.poll() is None, ("it did not wait for the lock", second.communicate())
        out, err = first.communicate("go on\n", timeout=120)
        assert first.returncode == 0 and "Built index of 6 documents" in out, err
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0 and out.startswith("Built index of 6 documents"), err
    finally:
        for child in (first, second):
            if child is not None and child.poll() is None:
                child.kill()
                child.wait()
    assert_intact(docs, index_dir, expected)
    assert leftovers(index_dir) == []
    tally["faults: concurrent builds"] += 1


def test_loading_while_another_build_replaces_the_generation(small, monkeypatch):
    """The generation being read is deleted by a build that just finished: read the new one."""
    docs, index_dir, expected = small
    real = disk._load_generation
    calls = []

    def racing(gen: Path):
        if not calls:
            calls.append(gen)
            open_index(docs, index_dir, rebuild=True)  # replaces and deletes `gen`
        return real(gen)

    monkeypatch.setattr(disk, "_load_generation", racing)
    again = open_index(docs, index_dir)
    assert again.report.built is False and answers(again) == expected
    assert not calls[0].exists()


# (c) An index folder that cannot be written ----------------------------------------------------


def test_an_unwritable_index_folder_serves_from_memory_and_says_so(small, tmp_path, capsys):
    docs, _, expected = small
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")  # root ignores permissions; no one can mkdir under a file
    index_dir = blocker / "index"
    idx = open_index(docs, index_dir)
    assert idx.report.built and answers(idx) == expected
    (warning,) = [w for w in idx.report.warnings if "serving from memory" in w]
    assert warning.startswith(f"could not save the index to {index_dir}")
    code = main(["ask", "--docs", str(docs), "--index", str(index_dir), QUESTIONS[0]])
    out, err = capsys.readouterr()
    assert code == 0 and "**14**" in out
    assert "serving from memory" in err and "Traceback" not in err


@pytest.mark.asyncio
async def test_the_bot_reloads_into_memory_and_says_so(small, tmp_path, tally: Counter):
    docs, _, _ = small
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings = Settings(
        docs=docs,
        index_dir=blocker / "index",
        cooldown_seconds=0,
    )
    bot = await make_bot(settings, await asyncio.to_thread(open_index, docs, tmp_path / "index"))
    recorder = Recorder()
    await dispatch(bot, recorder, command_payload("reload", permissions=MANAGE_GUILD))
    await dispatch(bot, recorder, command_payload("ask", {"question": QUESTIONS[0]}))
    reload, answer = (c.payload for c in recorder.of("followup"))
    assert reload["content"].startswith("Reloaded. Built index of 6 documents")
    assert "could not save the index to" in reload["content"]
    assert "serving from memory" in reload["content"]
    assert "**14**" in answer["embeds"][0]["fields"][0]["value"]
    check_sent(recorder)
    await bot.close()
    tally["faults: unwritable index folder"] += 1


def test_the_console_serves_from_memory_and_says_so(small, tmp_path, monkeypatch, capsys):
    docs, _, _ = small
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{QUESTIONS[0]}\n/reload\n"))
    for name in ("DISCORD_TOKEN", "VERBATIM_DOCS", "VERBATIM_INDEX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert bot_main(["--console", "--docs", str(docs), "--index", str(blocker / "index")]) == 0
    out, err = capsys.readouterr()
    assert "**14**" in out
    assert "serving from memory" in err  # at start, on stderr
    assert "Reloaded. Built index of 6 documents" in out and "serving from memory" in out


@pytest.mark.parametrize(
    "error",
    [PermissionError(errno.EACCES, "Permission denied"), OSError(errno.EROFS, "Read-only")],
    ids=["EACCES", "EROFS"],
)
def test_a_refused_switch_keeps_the_old_index_and_leaves_nothing(
    small, monkeypatch, error, tally: Counter
):
    docs, index_dir, expected = small
    before = (index_dir / CURRENT).resolve()

    def refuse(*args, **kwargs):
        raise error

    monkeypatch.setattr(disk.os, "replace", refuse)
    idx = open_index(docs, index_dir, rebuild=True)
    assert answers(idx) == expected
    assert any("serving from memory" in w for w in idx.report.warnings)
    monkeypatch.undo()
    assert (index_dir / CURRENT).resolve() == before
    assert leftovers(index_dir) == []
    assert_intact(docs, index_dir, expected)
    tally["faults: unwritable index folder"] += 1


# (d) A full disk while saving ------------------------------------------------------------------


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def after_first(real):
    """`real`, failing with ENOSPC from its second call on."""
    calls = []

    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            no_space()
        return real(*args, **kwargs)

    return wrapper


FULL_DISK = {
    "second array": (np, "save", after_first(np.save)),
    "manifest": (disk, "_write_json", no_space),
    "fsync": (disk.os, "fsync", after_first(os.fsync)),
    "rename": (disk.os, "rename", no_space),
    "link": (disk.os, "symlink", no_space),
    "lock file": (disk, "locked", no_space),
}


@pytest.mark.parametrize("where", list(FULL_DISK))
def test_a_full_disk_while_saving_keeps_the_old_index(small, monkeypatch, where, tally: Counter):
    docs, index_dir, expected = small
    before = (index_dir / CURRENT).resolve()
    target, name, fake = FULL_DISK[where]
    monkeypatch.setattr(target, name, fake)
    idx = open_index(docs, index_dir, rebuild=True)
    assert answers(idx) == expected  # served from memory
    (warning,) = [w for w in idx.report.warnings if "serving from memory" in w]
    assert "No space left on device" in warning
    monkeypatch.undo()
    assert (index_dir / CURRENT).resolve() == before
    assert leftovers(index_dir) == []  # no temporary folder, no orphan generation, no stray link
    assert_intact(docs, index_dir, expected)
    tally["faults: full disk while saving"] += 1
