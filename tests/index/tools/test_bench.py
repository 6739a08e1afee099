"""`python -m index bench` on a few real documents: every figure is there and sane (no timings)."""

import json
from pathlib import Path

import pytest

from index.tools.cli import main

SEED_QUESTIONS = Path(__file__).parents[1] / "seed_questions.jsonl"


@pytest.fixture
def questions(tmp_path: Path) -> Path:
    """Five seed questions and one about the telescope, as JSON lines."""
    lines = SEED_QUESTIONS.read_text(encoding="utf-8").splitlines()[:5]
    lines.append(json.dumps({"question": "When was the telescope launched?"}))
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stats_ok(stats: dict, n: int) -> None:
    assert stats["n"] == n
    assert 0 < stats["p50_ms"] <= stats["p99_ms"] <= stats["max_ms"]


def test_bench_reports_every_figure_and_scores_equal_to_rank_bm25(
    capsys, docs, questions, tmp_path
):
    out = tmp_path / "bench.json"
    argv = ["bench", "--docs", str(docs), "--questions", str(questions)]
    code = main([*argv, "--json", str(out), "--reference-questions", "3"])
    table, _ = capsys.readouterr()
    assert code == 0
    r = json.loads(out.read_text(encoding="utf-8"))

    assert r["data"]["documents"] == 4 and r["data"]["sentences"] > 20
    assert r["data"]["questions"] == 6 and r["data"]["answered"] >= 5
    b = r["build"]
    assert b["wall_s"] > 0 and b["cpu_s"] > 0 and b["index_bytes"] > 1000
    assert 10 * 2**20 < b["peak_rss_bytes"] < 2**32
    s = r["serve"]
    assert s["startup_s"] > 0 and s["load_s"] > 0 and s["first_ask_ms"] > 0
    for name in ("ask", "tokenize", "retrieval"):
        _stats_ok(s[name], 6)
    assert 10 * 2**20 < s["rss_after_load_bytes"] <= s["peak_rss_bytes"] < 2**32
    assert 10 * 2**20 < s["rss_bytes"] <= s["peak_rss_bytes"]
    assert s["rss_anon_bytes"] + s["rss_file_bytes"] <= s["rss_bytes"] + 2**20
    assert r["cli_ask"]["wall_s"] > 0

    ref = r["rank_bm25"]
    assert ref["build_s"] >= 0
    _stats_ok(ref["query"], 3)
    assert ref["parity"] | {"max_relative_difference": 0} == {
        "checked": 3,
        "scores_equal": 3,
        "top_equal": 3,
        "failed_questions": [],
        "max_relative_difference": 0,
        "rule": ref["parity"]["rule"],
        "pass": True,
    }
    assert ref["parity"]["max_relative_difference"] <= 1e-9
    assert r["ratios"]["rank_bm25_over_fast_retrieval"] > 0

    tantivy = r["tantivy"]  # an optional peer: skipped with the way to install it when absent
    if "skipped" in tantivy:
        assert "scripts/setup bench" in tantivy["skipped"]
        skipped = [line for line in table.splitlines() if line.startswith("tantivy: ")]
        assert len(skipped) == 1 and "scripts/setup bench" in skipped[0]
    else:
        assert tantivy["documents"] == tantivy["sentences"] == r["data"]["sentences"]
        assert tantivy["index_s"] > 0 and tantivy["index_cpu_s"] > 0 and tantivy["index_bytes"] > 0
        _stats_ok(tantivy["query"], 6)
        assert tantivy["query"]["parse_errors"] == 0
        assert r["ratios"]["ask_over_tantivy_query"] > 0
        assert r["ratios"]["build_over_tantivy_indexing"] > 0
        assert r["ratios"]["build_cpu_over_tantivy_indexing_cpu"] > 0

    assert r["machine"]["cores"] >= 1 and r["machine"]["python"] and r["machine"]["numpy"]
    figures = {row["figure"] for row in r["targets"]}
    assert any(f.startswith("whole ask p50") for f in figures) and "whole ask p99" in figures
    assert all(row["met"] in ("yes", "NO", "") for row in r["targets"])
    assert "PASS 3/3" in table and "retrieval alone p99" in table and r["machine"]["cpu"] in table


def test_bench_no_peers_skips_them(capsys, docs, questions):
    code = main(["bench", "--docs", str(docs), "--questions", str(questions), "--no-peers"])
    table, _ = capsys.readouterr()
    assert code == 0
    rows = [line.split() for line in table.splitlines()]
    assert ["rank-bm25:", "--no-peers", "skipped"] in rows
    assert ["tantivy:", "--no-peers", "skipped"] in rows


@pytest.mark.parametrize("missing", ["docs", "questions"])
def test_bench_missing_input_is_one_line_with_exit_2(capsys, docs, questions, tmp_path, missing):
    paths = {"docs": str(docs), "questions": str(questions)}
    paths[missing] = str(tmp_path / "nowhere")
    code = main(["bench", "--docs", paths["docs"], "--questions", paths["questions"]])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and "nowhere" in err


def test_bench_update_times_three_changes_that_the_answers_show_and_restores_the_folder(
    capsys, docs, questions, tmp_path
):
    for n in range(3):  # the update needs a few .txt documents to add from, remove and edit
        (docs / f"extra-{n}.txt").write_text(f"Extra note {n} about harbour ferries.\n")
    before = {p: p.read_bytes() for p in docs.rglob("*") if p.is_file()}
    out = tmp_path / "bench.json"
    argv = ["bench", "--docs", str(docs), "--questions", str(questions), "--no-peers"]
    assert main([*argv, "--update", "--json", str(out)]) == 0
    table, _ = capsys.readouterr()
    u = json.loads(out.read_text(encoding="utf-8"))["update"]
    for key in ("add_10", "remove_1", "edit_1"):
        assert u[key]["answer_checked"] is True, key  # each fresh ask saw its change
        assert u[key]["wall_s"] > 0 and u[key]["peak_rss_bytes"] > 0
    assert "update: 10 files added" in table and "1 file edited" in table
    assert {p: p.read_bytes() for p in docs.rglob("*") if p.is_file()} == before
