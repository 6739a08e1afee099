"""Persistence: a safe format, atomic writes, reuse when current, rebuild when not."""

import json
import os
import stat

import numpy as np
import pytest

from index import open_index
from index.store import FILENAME


def test_second_open_loads_instead_of_building(docs, index_dir):
    first = open_index(docs, index_dir)
    second = open_index(docs, index_dir)
    assert first.report.built and not second.report.built
    assert second.report.sentences == first.report.sentences
    assert [f.name for f in index_dir.iterdir()] == [FILENAME]  # no temporary file left behind


def test_index_has_no_pickled_object(docs, index_dir):
    open_index(docs, index_dir)
    with np.load(index_dir / FILENAME, allow_pickle=False) as npz:
        for name in npz.files:
            assert npz[name].dtype != object
        meta = json.loads(npz["meta"].tobytes())
    assert meta["format"] >= 1 and len(meta["fingerprint"]) == 64


def test_changed_document_triggers_rebuild(docs, index_dir):
    open_index(docs, index_dir)
    (docs / "guides" / "bread.txt").write_text("Rye bread needs a longer proof of 16 hours.\n")
    idx = open_index(docs, index_dir)
    assert idx.report.built
    assert idx.ask("how long does rye bread proof").passages[0].answer == "16 hours"
    assert not idx.ask("sourdough starter ferment").found or all(
        p.document != "guides/bread.txt" for p in idx.ask("sourdough starter ferment").passages
    )


def test_added_and_removed_documents_trigger_rebuild(docs, index_dir):
    before = open_index(docs, index_dir).report.documents
    (docs / "telescope.html").unlink()
    assert open_index(docs, index_dir).report.documents == before - 1
    (docs / "new.md").write_text("# New\n\nA new page about glaciers.\n")
    assert open_index(docs, index_dir).report.documents == before


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"not a zip file at all",
        b"PK\x03\x04" + b"\x00" * 100,
    ],
)
def test_corrupt_index_is_rebuilt_with_one_line(docs, index_dir, capsys, damage):
    open_index(docs, index_dir)
    (index_dir / FILENAME).write_bytes(damage)
    idx = open_index(docs, index_dir)
    assert idx.report.built
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "rebuilding" in err and "Traceback" not in err
    assert idx.ask("how many troops will Mexico train?").passages[0].answer == "700"


def test_truncated_index_is_rebuilt(docs, index_dir, capsys):
    open_index(docs, index_dir)
    path = index_dir / FILENAME
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert open_index(docs, index_dir).report.built
    assert "rebuilding" in capsys.readouterr().err


def test_old_format_is_rebuilt(docs, index_dir, capsys):
    open_index(docs, index_dir)
    meta = np.frombuffer(json.dumps({"format": 0}).encode(), dtype=np.uint8)
    np.savez(index_dir / FILENAME, meta=meta)
    assert open_index(docs, index_dir).report.built
    assert "format 0" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_read_only_index_folder_serves_from_memory(docs, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        idx = open_index(docs, locked / "index")
        assert any("serving from memory" in w for w in idx.report.warnings)
        assert idx.ask("how many troops will Mexico train?").found
    finally:
        locked.chmod(stat.S_IRWXU)


def test_unwritable_index_path_serves_from_memory(docs, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the index folder should be")
    idx = open_index(docs, blocker / "index")
    assert any("serving from memory" in w for w in idx.report.warnings)
    assert idx.ask("how many troops will Mexico train?").passages[0].answer == "700"
