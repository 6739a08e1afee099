"""tests/hostile/burst.py, the burst measured at any scale, runs on a folder it is given."""

from pathlib import Path

from fakediscord import write_docs
from test_hostile_load import QUESTIONS


def test_the_burst_script_runs_on_any_folder(tmp_path: Path, capsys):
    import burst

    docs = write_docs(tmp_path / "docs")
    questions = tmp_path / "questions.jsonl"
    questions.write_text("".join(f'{{"question": "{q}"}}\n' for q in QUESTIONS[:3]))
    args = ["--docs", str(docs), "--questions", str(questions), "--index", str(tmp_path / "i")]
    assert burst.main([*args, "-n", "12"]) == 0
    out = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert out["replies_per_question"] == "{1: 12}"
    assert out["replies_by_kind"] == "{'answer': 12}"
    assert out["reload_reply"].startswith("Reloaded. Loaded index of 3 documents")
    assert out["reload_running_when_the_burst_began"] == "True"
    assert burst.main([*args, "-n", "5", "--rebuild"]) == 0
    out = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert out["reload_reply"].startswith("Reloaded. Built index of 3 documents")
    assert burst.main([*args, "-n", "5", "--update"]) == 0
    out = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
    assert out["reload_reply"].startswith("Reloaded. +0 added · \\~1 changed · −0 removed")
    assert out["replies_per_question"] == "{1: 5}"
