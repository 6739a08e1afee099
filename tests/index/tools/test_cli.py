"""The command line, through main([...]), as other tools and tests rely on it."""

import json
from pathlib import Path

import pytest
from independent import collapsed, visible_text

from index.tools.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def common(docs, index_dir) -> list[str]:
    return ["--docs", str(docs), "--index", str(index_dir)]


def test_ask_prints_quoted_passages_with_the_answer_in_bold(capsys, common):
    code, out, _err = run(capsys, "ask", "how many troops will Mexico train?", *common)
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("1. “") and "**700**" in first and "(000_44c18b5492aa5800.txt" in first
    assert len([line for line in out.splitlines() if line[:2] in ("1.", "2.", "3.")]) == 3


def test_ask_json_matches_the_documented_schema(capsys, common, docs):
    code, out, _ = run(
        capsys, "ask", "When was the telescope launched?", "--json", "-k", "2", *common
    )
    assert code == 0
    answer = json.loads(out)
    assert set(answer) == {"question", "found", "corrections", "elapsed_ms", "passages"}
    assert answer["found"] is True and len(answer["passages"]) == 2
    keys = {"document", "title", "source", "start", "end", "text", "sentence_start", "sentence_end"}
    for p in answer["passages"]:
        cite = {"page", "page_label", "pages", "pages_label", "section", "link", "outlet"}
        cite |= {"code", "also_in"}
        assert set(p) == keys | {"score", "answer"} | cite
        if p["document"].endswith(".html"):  # the page's visible text, read independently
            assert collapsed(p["text"]) in visible_text(docs / p["document"])
        else:
            text = (docs / p["document"]).read_text(encoding="utf-8")
            assert text[p["start"] : p["end"]] == p["text"]
    assert answer["passages"][0]["answer"] == "December 25, 2021"
    assert answer["passages"][0]["title"] == "The James Webb Space Telescope"


def test_ask_batch_prints_one_json_line_per_question_in_order(capsys, common, tmp_path):
    batch = tmp_path / "questions.txt"
    batch.write_text(
        'how many troops will Mexico train?\n{"question": "What does MSS stand for?"}\n\n'
        "What is the capital of France?\n"
    )
    code, out, _ = run(capsys, "ask", "--batch", str(batch), "--json", *common)
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["question"] for r in rows] == [
        "how many troops will Mexico train?",
        "What does MSS stand for?",
        "What is the capital of France?",
    ]
    assert [r["found"] for r in rows] == [True, True, False]


def test_no_answer_exits_zero(capsys, common):
    code, out, _ = run(capsys, "ask", "What is the capital of France?", *common)
    assert code == 0 and "No passage" in out
    code, out, _ = run(capsys, "ask", "What is the capital of France?", "--json", *common)
    assert json.loads(out)["found"] is False and json.loads(out)["passages"] == []


def test_typo_correction_is_shown(capsys, common):
    _code, out, _ = run(capsys, "ask", "how many troups will mexico train", *common)
    assert "troups → troops" in out and "**700**" in out


def test_build_prints_one_line_then_loads(capsys, common):
    code, out, _ = run(capsys, "build", *common)
    assert code == 0 and out.count("\n") == 1 and out.startswith("Built index of 4 documents")
    code, out, _ = run(capsys, "build", *common)
    assert out.startswith("Loaded index of 4 documents")


def test_rank_bm25_engine_runs_the_same_pipeline(capsys, common):
    code, out, _ = run(
        capsys, "ask", "how many troops will Mexico train?", "--engine", "rank-bm25", *common
    )
    assert code == 0 and "**700**" in out


@pytest.mark.parametrize("question", ["", "   "])
def test_empty_question_is_a_one_line_error(capsys, common, question):
    code, out, err = run(capsys, "ask", question, *common)
    assert code == 2 and out == "" and err.count("\n") == 1 and "empty" in err


def test_missing_and_empty_folders_are_one_line_errors(capsys, tmp_path):
    code, _, err = run(capsys, "ask", "anything", "--docs", str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in err and err.count("\n") == 1
    (tmp_path / "empty").mkdir()
    code, _, err = run(capsys, "ask", "anything", "--docs", str(tmp_path / "empty"))
    assert code == 2 and "no documents" in err and err.count("\n") == 1


def test_folder_of_only_unreadable_files_is_an_error(capsys, tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "blob.txt").write_bytes(b"\x00\x01\x02" * 100)
    code, _, err = run(capsys, "build", "--docs", str(tmp_path / "bad"))
    assert code == 2 and "no readable document" in err and "binary" in err


def test_binary_and_latin1_files_in_the_folder(capsys, docs, common):
    (docs / "blob.txt").write_bytes(bytes(range(256)) * 8)
    (docs / "legacy.txt").write_bytes("La crème brûlée coûte 5 €.".encode("latin-1", "replace"))
    code, out, err = run(capsys, "build", *common)
    assert code == 0 and "blob.txt (binary)" in out
    assert "legacy.txt: not UTF-8" in err
    code, out, _ = run(capsys, "ask", "combien coute la creme brulee", *common)
    assert "legacy.txt" in out


def test_docs_default_from_environment(capsys, docs, monkeypatch):
    monkeypatch.setenv("VERBATIM_DOCS", str(docs))
    code, out, _ = run(capsys, "ask", "When did Laki erupt?")
    assert code == 0 and "volcanoes.md" in out


def test_eval_with_spans_and_with_answer_strings(capsys, common, tmp_path, docs):
    text = (docs / "000_44c18b5492aa5800.txt").read_text(encoding="utf-8")
    at = text.index("700 Haitian soldiers")
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        json.dumps(
            {
                "question": "how many troops will Mexico train?",
                "doc_id": "000_44c18b5492aa5800",
                "answer_spans": [[at, at + 3]],
            }
        )
        + "\n"
        + json.dumps({"question": "When did Laki erupt?", "answers": ["1783"]})
        + "\n"
        + json.dumps({"question": "What is the capital of France?", "answers": ["Paris"]})
        + "\n"
    )
    code, out, _ = run(capsys, "eval", str(cases), "--json", *common)
    figures = json.loads(out)
    assert code == 0 and figures["questions"] == 3
    assert figures["passage"]["hit@5"] == pytest.approx(2 / 3)
    code, out, _ = run(capsys, "eval", str(cases), *common)
    assert "hit@1" in out and "hit@3" in out and "hit@5" in out and "mrr" in out


def test_eval_on_a_folder_with_documents_jsonl(capsys, tmp_path):
    folder = tmp_path / "set"
    folder.mkdir()
    doc = "The bridge opened in 1932.\n\nIt is 503 metres long."
    (folder / "documents.jsonl").write_text(
        json.dumps({"doc_id": "bridge", "title": "Bridge", "text": doc}) + "\n"
    )
    (folder / "questions.jsonl").write_text(
        json.dumps(
            {"question": "How long is the bridge?", "doc_id": "bridge", "answer_spans": [[34, 44]]}
        )
        + "\n"
    )
    code, out, _ = run(capsys, "eval", str(folder), "--json")
    assert code == 0 and json.loads(out)["passage"]["hit@1"] == 1.0


def test_sentences_json(capsys, docs):
    path = docs / "000_44c18b5492aa5800.txt"
    _code, out, _ = run(capsys, "sentences", str(path), "--json")
    row = json.loads(out)
    text = path.read_text(encoding="utf-8")
    assert row["document"] == str(path)
    assert all(text[s["start"] : s["end"]] == s["text"] for s in row["sentences"])
    assert len(row["sentences"]) == 28  # the URL and "Source: CNN" lines are not sentences
    assert not any("http" in s["text"] or "Source:" in s["text"] for s in row["sentences"])


def test_sentences_text(capsys, docs):
    code, out, _ = run(capsys, "sentences", str(docs / "guides" / "bread.txt"))
    assert code == 0 and out.count("\n") == 6


def test_python_m_index_runs_as_a_process(docs, index_dir):
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "index",
            "ask",
            "What does MSS stand for?",
            "--docs",
            str(docs),
            "--index",
            str(index_dir),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    )
    assert result.returncode == 0 and "**Multinational Security Support**" in result.stdout


def test_python_m_index_ask_reads_dot_env_in_the_working_folder(docs, tmp_path):
    """As the bot does: VERBATIM_DOCS and VERBATIM_INDEX from `.env` where the command runs
    (without it, the CLI would answer from the seed folder and not find the volcano)."""
    import subprocess
    import sys

    work = tmp_path / "work"
    work.mkdir()
    index_dir = tmp_path / "from-dotenv-index"
    (work / ".env").write_text(
        f"VERBATIM_DOCS={docs}\nVERBATIM_INDEX={index_dir}\n", encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "index", "ask", "When did Laki erupt?"],
        capture_output=True,
        text=True,
        cwd=work,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "volcanoes.md" in result.stdout and "**1783**" in result.stdout
    assert index_dir.is_dir() and any(index_dir.iterdir())  # the index went where .env said


def test_the_readme_cli_sample_is_what_the_cli_prints(tmp_path):
    """Each `$ python -m index ask ...` of the README's marked sample, run over a copy of seeds/
    (the default folder) where no .env is, prints the lines shown under it."""
    import os
    import re
    import shlex
    import shutil
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    readme = (root / "README.md").read_text(encoding="utf-8")
    marker = "<!-- cli sample:"
    assert readme.count(marker) == 1, "the README marks one command-line sample"
    block = re.search(r"```text\n(.*?)```", readme[readme.index(marker) :], re.S).group(1)
    runs = re.findall(r"^\$ (python -m index ask .*)\n((?:.+\n)+)", block, re.M)
    assert len(runs) == 3 and len(block.split("\n$ ")) == 3, block
    shutil.copytree(root / "seeds", tmp_path / "seeds")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "VERBATIM"))}
    env |= {"PYTHONPATH": str(root), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for command, shown in runs:
        argv = shlex.split(command, comments=True)
        assert argv[:3] == ["python", "-m", "index"]
        done = subprocess.run(
            [sys.executable, *argv[1:]],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout == shown, command


def test_training_without_its_extra_says_how_to_install_it(capsys, tmp_path):
    import importlib.util

    if importlib.util.find_spec("lightgbm") is not None:
        pytest.skip("the train extra is installed here")
    code, out, err = run(capsys, "train", str(tmp_path), "--kind", "trees")
    assert code == 2 and out == ""
    assert err.strip() == (
        "error: training the trees ranker needs lightgbm, in the train extra: scripts/setup train"
    )
