"""Faults while the index is written: a build killed part-way, two builds at once, an index folder
that cannot be written, a full disk. The previous index must stay loadable and give the same
answers, and nothing half-written may stay behind.
"""

from __future__ import annotations

import errno
import io
import json
import os
import signal
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
from index import open_index, store
from index.cli import main
from index.store import CURRENT

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
    """What is in the index folder besides the lock, `current` and the generation it names."""
    keep = {".lock", CURRENT, (index_dir / CURRENT).resolve().name}
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


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, float]:
    """A folder whose build takes a second or two here, its answers, and its build time."""
    docs = write_corpus(tmp_path_factory.mktemp("big") / "docs", 300)
    started = time.perf_counter()
    reference = open_index(docs, tmp_path_factory.mktemp("reference"))
    return docs, answers(reference), time.perf_counter() - started


@pytest.fixture
def small(tmp_path: Path) -> tuple[Path, Path, list]:
    docs = write_corpus(tmp_path / "docs", 3)
    index_dir = tmp_path / "index"
    return docs, index_dir, answers(open_index(docs, index_dir))


# (a) A build killed part-way --------------------------------------------------------------------


def test_a_build_killed_at_any_moment_leaves_the_previous_index(big, tmp_path, tally: Counter):
    docs, expected, seconds = big
    index_dir = tmp_path / "index"
    open_index(docs, index_dir)
    took = seconds + 1.0  # and about a second to start Python and import numpy and nltk
    for share in (0.3, 0.65, 0.9):
        child = subprocess.Popen(
            build_command(docs, index_dir),
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(share * took)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert_intact(docs, index_dir, expected)
        tally["faults: build killed (timed SIGKILL)"] += 1
    open_index(docs, index_dir, rebuild=True)
    assert leftovers(index_dir) == []  # the next build clears what killed ones left


# The child stops right after one step of store.save and waits to be killed there.
STOP_AT = """
import os, sys, time, types
from index import store
step, count = sys.argv[1], int(sys.argv[2])
seen = 0

def stop_after(name):
    real = getattr(os, name)
    def wrapper(*args, **kwargs):
        global seen
        result = real(*args, **kwargs)
        if name == step:
            seen += 1
            if seen == count:
                print("stopped", flush=True)
                time.sleep(120)
        return result
    return wrapper

fake = types.SimpleNamespace(**vars(os))
for name in ("fsync", "rename", "symlink", "replace"):
    setattr(fake, name, stop_after(name))
store.os = fake
from index.cli import main
sys.exit(main(["build", "--rebuild", "--docs", sys.argv[3], "--index", sys.argv[4]]))
"""


STEPS = {  # where the child stops: the n-th call of one of store.save's system calls
    "after the first array": ("fsync", 1),
    "after the fifth array": ("fsync", 5),
    "after the generation is renamed": ("rename", 1),
    "after the new link is made": ("symlink", 1),
    "after the switch, before cleaning up": ("replace", 1),
}


def test_a_build_killed_at_each_step_of_saving(tmp_path, tally: Counter):
    """One child per step, all at once: each stops at its step and is killed there."""
    runs = []
    for n, (step, count) in enumerate(STEPS.values()):
        docs = write_corpus(tmp_path / f"docs{n}", 3)
        index_dir = tmp_path / f"index{n}"
        expected = answers(open_index(docs, index_dir))
        child = subprocess.Popen(
            [sys.executable, "-c", STOP_AT, step, str(count), str(docs), str(index_dir)],
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        runs.append((docs, index_dir, expected, child))
    for (docs, index_dir, expected, child), where in zip(runs, STEPS, strict=True):
        try:
            assert child.stdout.readline() == "stopped\n", (where, child.stderr.read())
        finally:
            child.kill()
            child.wait()
        assert_intact(docs, index_dir, expected)
        open_index(docs, index_dir, rebuild=True)
        assert leftovers(index_dir) == [], where
        tally["faults: build killed (at a step of saving)"] += 1


# (b) Two builds at once ----------------------------------------------------------------------------


def test_two_builds_at_once_leave_one_good_index(big, tmp_path, tally: Counter):
    docs, expected, _ = big
    index_dir = tmp_path / "index"
    children = [
        subprocess.Popen(
            build_command(docs, index_dir),
            cwd=ROOT,
            env=child_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert out.startswith("Built index of 303 documents") and "Traceback" not in err
    assert_intact(docs, index_dir, expected)
    assert leftovers(index_dir) == []
    tally["faults: concurrent builds"] += 1


def test_loading_while_another_build_replaces_the_generation(small, monkeypatch):
    """The generation being read is deleted by a build that just finished: read the new one."""
    docs, index_dir, expected = small
    real = store._load_generation
    calls = []

    def racing(gen: Path, fingerprint):
        if not calls:
            calls.append(gen)
            open_index(docs, index_dir, rebuild=True)  # replaces and deletes `gen`
        return real(gen, fingerprint)

    monkeypatch.setattr(store, "_load_generation", racing)
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
    bot = await make_bot(settings, open_index(docs, tmp_path / "index"))
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

    monkeypatch.setattr(store.os, "replace", refuse)
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
    "manifest": (json, "dump", no_space),
    "fsync": (store.os, "fsync", after_first(os.fsync)),
    "rename": (store.os, "rename", no_space),
    "link": (store.os, "symlink", no_space),
    "lock file": (store, "_locked", no_space),
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
