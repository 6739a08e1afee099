"""Persistence: a safe format, atomic writes, reuse when current, rebuild when not."""

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index import open_index
from index.store.disk import CURRENT

ROOT = Path(__file__).resolve().parents[3]


def current(index_dir):
    return (index_dir / CURRENT).resolve()


def segments(index_dir):
    commit = json.loads((current(index_dir) / "commit.json").read_text())
    return [index_dir / name for name in commit["segments"]]


def test_second_open_loads_instead_of_building(docs, index_dir):
    first = open_index(docs, index_dir)
    second = open_index(docs, index_dir)
    assert first.report.built and not second.report.built
    assert second.report.sentences == first.report.sentences
    entries = [p.name for p in index_dir.iterdir() if not p.name.startswith(".lock")]
    expected = [CURRENT, current(index_dir).name, *(p.name for p in segments(index_dir))]
    assert sorted(entries) == sorted(expected)  # nothing half-written left


def test_index_is_plain_arrays_and_json(docs, index_dir):
    open_index(docs, index_dir)
    commit = json.loads((current(index_dir) / "commit.json").read_text())
    assert commit["format"] >= 8 and sorted(commit["files"]) == [
        "000_44c18b5492aa5800.txt",
        "guides/bread.txt",
        "telescope.html",
        "volcanoes.md",
    ]
    (segment,) = segments(index_dir)
    meta = json.loads((segment / "meta.json").read_text())
    for name in meta["arrays"]:
        array = np.load(segment / f"{name}.npy", allow_pickle=False)
        assert array.dtype != object


def test_changed_document_is_read_again_alone(docs, index_dir):
    open_index(docs, index_dir)
    (docs / "guides" / "bread.txt").write_text("Rye bread needs a longer proof of 16 hours.\n")
    idx = open_index(docs, index_dir)
    assert not idx.report.built and idx.report.updated
    assert (idx.report.added, idx.report.changed, idx.report.removed) == (0, 1, 0)
    assert "~1 changed" in idx.report.summary()
    assert idx.ask("how long does rye bread proof").passages[0].answer == "16 hours"
    assert all(
        p.document != "guides/bread.txt" for p in idx.ask("sourdough starter ferment", k=5).passages
    )


def test_added_and_removed_documents_are_applied(docs, index_dir):
    before = open_index(docs, index_dir).report.documents
    (docs / "telescope.html").unlink()
    idx = open_index(docs, index_dir)
    assert idx.report.documents == before - 1 and idx.report.removed == 1
    assert all(p.document != "telescope.html" for p in idx.ask("telescope mirror", k=10).passages)
    (docs / "new.md").write_text("# New\n\nA new page about glaciers.\n")
    idx = open_index(docs, index_dir)
    assert idx.report.documents == before and idx.report.added == 1
    assert idx.ask("glaciers").passages[0].document == "new.md"


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize(
    "damage",
    [
        lambda gen, seg: (gen / "commit.json").write_text("{not json"),
        lambda gen, seg: (gen / "commit.json").unlink(),
        lambda gen, seg: (seg / "meta.json").write_text("[]"),
        lambda gen, seg: _truncate(seg / "sent_tf.npy"),
        lambda gen, seg: (seg / "sent_indices.npy").write_bytes(b"garbage"),
        lambda gen, seg: (seg / "text.npy").unlink(),
        lambda gen, seg: _truncate(seg / "text.npy"),
        lambda gen, seg: (seg / "sent_terms.npy").write_bytes(b"\x93NUMPY garbage"),
        lambda gen, seg: shutil.rmtree(gen),
        lambda gen, seg: shutil.rmtree(seg),
    ],
    ids=[
        "bad-json",
        "no-commit",
        "bad-segment-meta",
        "truncated-array",
        "garbage-array",
        "missing-array",
        "truncated-read-on-demand",
        "garbage-read-on-demand",
        "missing-generation",
        "missing-segment",
    ],
)
def test_corrupt_index_is_rebuilt_with_one_line(docs, index_dir, capsys, damage):
    open_index(docs, index_dir)
    damage(current(index_dir), segments(index_dir)[0])
    idx = open_index(docs, index_dir)
    assert idx.report.built
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rebuilding" in err and "Traceback" not in err
    assert idx.ask("how many troops will Mexico train?").passages[0].answer == "700"
    assert not open_index(docs, index_dir).report.built  # and the rebuilt one is saved


def test_old_format_is_rebuilt(docs, index_dir, capsys):
    open_index(docs, index_dir)
    meta_path = current(index_dir) / "commit.json"
    meta = json.loads(meta_path.read_text())
    meta["format"] = 0
    meta_path.write_text(json.dumps(meta))
    assert open_index(docs, index_dir).report.built
    assert "format 0" in capsys.readouterr().err


# Make the folder read-only for the kernel (a bind mount in a private mount namespace), then run
# the rest of the command there; 97 says the mount itself failed (no privilege to mount here).
READ_ONLY = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 97; shift; exec "$@"'


def test_read_only_index_folder_serves_from_memory(docs, tmp_path):
    """The index folder's parent cannot be written: the answer comes from memory, and says so.

    A user gets a folder without write permission. Root ignores permissions, so for root the
    folder is a read-only bind mount (the kernel refuses every write: EROFS), seen only by the
    command run in its own mount namespace.
    """
    locked = tmp_path / "locked"
    locked.mkdir()
    question = "how many troops will Mexico train?"
    if os.geteuid() != 0:
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        try:
            idx = open_index(docs, locked / "index")
            assert any("serving from memory" in w for w in idx.report.warnings)
            assert idx.ask(question).passages[0].answer == "700"
        finally:
            locked.chmod(stat.S_IRWXU)
        return
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("root, and no unshare(1) to make a read-only mount")
    where = ["--docs", str(docs), "--index", str(locked / "index")]
    namespace = [unshare, "--mount", "--propagation", "private", "sh", "-c", READ_ONLY, "sh"]
    done = subprocess.run(
        [*namespace, str(locked), sys.executable, "-m", "index", "ask", *where, question],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    if done.returncode == 97:
        pytest.skip(f"root, but cannot make a read-only mount here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert "**700**" in done.stdout
    (line,) = done.stderr.splitlines()
    assert "could not save the index" in line and "Read-only file system" in line, line
    assert "serving from memory" in line
    assert list(locked.iterdir()) == []  # nothing was written


def test_unwritable_index_path_serves_from_memory(docs, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the index folder should be")
    idx = open_index(docs, blocker / "index")
    assert any("serving from memory" in w for w in idx.report.warnings)
    assert idx.ask("how many troops will Mexico train?").passages[0].answer == "700"


def test_text_and_sentence_terms_are_read_not_mapped(docs, index_dir):
    """Slices of the read-on-demand arrays equal the built ones, and those files are never mapped."""
    from index.read.documents import list_files
    from index.store.build import build_segment
    from index.store.disk import load

    read_on_demand = ("text", "sent_terms")

    built = build_segment(list_files(docs))
    open_index(docs, index_dir)
    (loaded,) = load(index_dir).segments
    for name in read_on_demand:
        whole = built.arrays[name]
        assert len(loaded.arrays[name]) == len(whole)
        for lo, hi in ((0, 0), (0, 7), (5, 40), (len(whole) - 3, len(whole) + 10)):
            assert np.array_equal(loaded.arrays[name][lo:hi], whole[lo:hi])
    idx = open_index(docs, index_dir)
    assert idx.ask("how many troops will Mexico train?").passages[0].answer == "700"
    if os.path.exists("/proc/self/maps"):
        with open("/proc/self/maps") as maps:
            mapped = {line.split()[-1] for line in maps if "/" in line}
        assert not any(path.endswith(f"/{name}.npy") for path in mapped for name in read_on_demand)
        assert any(path.endswith("/sent_tf.npy") for path in mapped)
