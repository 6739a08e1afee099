"""`python -m index bench --update`: how fast a change to the folder becomes answerable.

After the benchmark's full build, three changes are made to the documents folder, one at a time,
and each is followed by a fresh `python -m index ask` that must answer from the changed folder:
its wall time counts from the command's start (import, folder scan, update, load, answer) and its
peak memory is the update's. The answer is checked: an added file is quoted, a removed one never,
an edited one with its new words. The folder is put back as it was at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from index.errors import VerbatimError

ADDED = 10
MARKER = "zqxbenchmark"  # a word no real document holds: finds exactly the changed text


def _ask(docs: Path, index_dir: Path, question: str, env: dict) -> tuple[dict, float, int]:
    """(answer JSON, wall seconds, peak RSS bytes) of one fresh `python -m index ask --json`."""
    command = [sys.executable, "-m", "index", "ask", question, "--json", "-k", "10"]
    command += ["--docs", str(docs), "--index", str(index_dir)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, env=env)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if proc.stdout:
        proc.stdout.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise VerbatimError(f"`python -m index ask` failed after an update ({question!r})")
    return json.loads(out.decode("utf-8").splitlines()[-1]), wall, usage.ru_maxrss * 1024


def measure(docs: Path, index_dir: Path, env: dict) -> dict:
    """Add 10 files, remove 1, edit 1: each timed as a fresh ask that sees it; folder restored."""
    files = sorted(p for p in docs.rglob("*.txt") if p.is_file())
    if len(files) < 3:
        raise VerbatimError("--update needs a folder of at least 3 .txt documents")
    out: dict = {}
    added = [docs / f"{MARKER}-added-{n:02d}.txt" for n in range(ADDED)]
    removed, edited = files[len(files) // 2], files[len(files) // 3]
    with tempfile.TemporaryDirectory(prefix="verbatim-bench-update-") as tmp:
        keep_removed = Path(tmp) / "removed"
        keep_edited = Path(tmp) / "edited"
        shutil.copy2(edited, keep_edited)
        try:
            for n, path in enumerate(added):
                path.write_text(
                    f"The {MARKER} harbour ferry number {n} carries {100 + n} passengers.\n\n"
                    + files[n % len(files)].read_text(encoding="utf-8", errors="replace"),
                    encoding="utf-8",
                )
            answer, wall, peak = _ask(docs, index_dir, f"{MARKER} harbour ferry passengers", env)
            quoted = {p["document"] for p in answer["passages"]}
            out["add_10"] = _row(wall, peak, len(quoted & {p.name for p in added}) == 10)

            question = _question_for(removed)
            shutil.move(removed, keep_removed)
            answer, wall, peak = _ask(docs, index_dir, question, env)
            gone = all(p["document"] != removed.name for p in answer["passages"])
            out["remove_1"] = _row(wall, peak, gone)

            with open(edited, "a", encoding="utf-8") as f:
                f.write(f"\nThe {MARKER} lighthouse keeper counted 4242 gulls.\n")
            answer, wall, peak = _ask(
                docs, index_dir, f"how many gulls did the {MARKER} keeper count", env
            )
            first = answer["passages"][0] if answer["passages"] else {}
            right = (
                first.get("document") == str(edited.relative_to(docs))
                and first.get("answer") == "4242"
            )
            out["edit_1"] = _row(wall, peak, right)
        finally:
            for path in added:
                path.unlink(missing_ok=True)
            if keep_removed.exists():
                shutil.move(keep_removed, removed)
            shutil.copy2(keep_edited, edited)
    return out


def _question_for(path: Path) -> str:
    """Words of the file's first sentence: a question it would answer before it is removed."""
    text = path.read_text(encoding="utf-8", errors="replace")
    words = [w for w in text.split()[:12] if w.isalpha()]
    return " ".join(words[:8]) or "document"


def _row(wall: float, peak: int, checked: bool) -> dict:
    return {"wall_s": round(wall, 3), "peak_rss_bytes": peak, "answer_checked": checked}
