"""Many processes, one index: one writes a new generation, the others follow it."""

import subprocess
import sys
import textwrap
from pathlib import Path

from index import open_index
from index.store import live

READER = textwrap.dedent(
    """
    import sys, time
    from index.store import live
    from index.search.opening import load_saved
    docs, index_dir, question = sys.argv[1:4]
    idx = load_saved(index_dir)
    print("ready", idx.generation, flush=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        newer = live.follow(idx, docs, index_dir)
        if newer is not None:
            idx = newer
            answer = idx.ask(question, k=1)
            print("swapped", idx.generation, answer.passages[0].document, flush=True)
            break
        time.sleep(0.2)
    """
)


def test_two_readers_follow_what_a_writer_saves(docs, index_dir, tmp_path):
    first = open_index(docs, index_dir)
    script = tmp_path / "reader.py"
    script.write_text(READER)
    question = "what do the harbour ferries carry?"
    readers = [
        subprocess.Popen(
            [sys.executable, str(script), str(docs), str(index_dir), question],
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for reader in readers:
            assert reader.stdout.readline().split() == ["ready", first.generation]
        (docs / "ferries.txt").write_text("The harbour ferries carry cars and 300 passengers.\n")
        writer = subprocess.run(
            [
                sys.executable,
                "-m",
                "index",
                "build",
                "--docs",
                str(docs),
                "--index",
                str(index_dir),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert writer.stdout.startswith("+1 added · ~0 changed · −0 removed")
        saved = live.saved_generation(docs, index_dir)
        assert saved != first.generation
        for reader in readers:
            line = reader.stdout.readline().split()
            assert line == ["swapped", saved, "ferries.txt"]  # the new generation, answering
        # The writer removed the old generation while both readers still had it mapped.
        assert not (index_dir / first.generation).exists()
        assert first.ask("how many troops will Mexico train?").passages[0].answer == "700"
    finally:
        for reader in readers:
            reader.kill()
            reader.wait()


def test_follow_without_a_new_generation_loads_nothing(docs, index_dir):
    idx = open_index(docs, index_dir)
    assert live.follow(idx, docs, index_dir) is None
    newer, pending = live.refresh(idx, docs, index_dir)
    assert newer is None and pending is False
    (docs / "more.txt").write_text("More about glaciers.\n")
    newer, pending = live.refresh(idx, docs, index_dir, settle=0.0)
    assert newer is not None and newer.report.added == 1 and not pending
    assert live.describe(newer.report).startswith("documents updated: +1 added")


def test_two_updates_take_turns(docs, index_dir, tmp_path):
    """Two processes update one index at once: the lock makes them take turns, one reads the
    new file, the other finds the index current, and both end on the same generation."""
    open_index(docs, index_dir)
    (docs / "ferries.txt").write_text("The harbour ferries carry 300 passengers.\n")
    command = [sys.executable, "-m", "index", "build", "--docs", str(docs)]
    command += ["--index", str(index_dir)]
    both = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outs = sorted(p.communicate()[0] for p in both)
    assert all(p.returncode == 0 for p in both)
    assert sum(out.startswith("+1 added") for out in outs) == 1, outs
    assert sum(out.startswith("Loaded index of 5 documents") for out in outs) == 1, outs
    idx = open_index(docs, index_dir)
    assert not idx.report.built and idx.report.documents == 5
    kept = sorted(p.name for p in Path(index_dir).iterdir() if p.name.startswith("gen-"))
    assert kept == [idx.generation]
