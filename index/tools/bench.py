"""`python -m index bench`: build, load and query an index, and measure it against its peers.

The build and the serving each run in a fresh process, so their time and memory are their own:

    build    `python -m index build --rebuild`: wall, CPU, peak memory, size on disk
    serve    `python -m index.tools.bench_serve` (a worker): load, first question, `ask` and retrieval
             latency after a warm-up, memory; then, in the same process and only after its memory
             is read, the peers: rank-bm25 over the same sentence tokens (speed ratio and a score
             parity check) and tantivy over the same sentence texts, if it is installed.

The worker reads its request as JSON on stdin and writes its figures as JSON on stdout.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

from index.errors import DocumentsError, VerbatimError
from index.tools.bench_report import ratios, render, target_rows
from index.tools.bench_stats import TOP, log

HELP = "measure build, load, latency and memory, against rank-bm25 and tantivy"
ROOT = Path(__file__).resolve().parents[2]  # the folder holding the `index` package


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The bench command's options."""
    p.add_argument("--docs", required=True, help="documents folder to index")
    p.add_argument("--questions", required=True, help='JSON lines with "question" (or plain lines)')
    p.add_argument("--index", help="index folder to build into (default: a temporary folder)")
    p.add_argument("-k", type=int, default=3, help="passages per ask (default 3)")
    p.add_argument("--warmup", type=int, default=20, help="untimed questions first (default 20)")
    p.add_argument(
        "--reference-questions",
        type=int,
        default=20,
        help="questions timed and checked with rank-bm25, ~0.8 s each at 1M sentences (default 20)",
    )
    p.add_argument("--no-peers", action="store_true", help="skip rank-bm25 and tantivy")
    p.add_argument(
        "--update",
        action="store_true",
        help="also time updates: 10 files added, 1 removed, 1 edited (the folder is put back)",
    )
    p.add_argument("--json", metavar="OUT", help="also write every figure to this JSON file")


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the benchmark, print the table, write the JSON if asked."""
    result = run(args)
    print(render(result))
    if args.json:
        Path(args.json).expanduser().write_text(
            json.dumps(result, indent=2) + "\n", encoding="utf-8"
        )
    return 0


def run(args: argparse.Namespace) -> dict:
    """Every figure of one benchmark run, as a JSON-able dict."""
    docs = Path(args.docs).expanduser()
    if not docs.is_dir():
        what = "does not exist" if not docs.exists() else "is not a folder"
        raise DocumentsError(f"documents folder {docs} {what}: pass --docs DIR")
    questions = read_questions(Path(args.questions).expanduser())
    if args.k < 1 or args.warmup < 0 or args.reference_questions < 0:
        raise VerbatimError("-k must be at least 1, --warmup and --reference-questions at least 0")
    if args.json and not Path(args.json).expanduser().parent.is_dir():
        raise VerbatimError(f"cannot write {args.json}: its folder does not exist")
    started = time.time()
    result: dict = {
        "command": command_line(args),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %z", time.localtime(started)),
        "machine": machine(),
        "settings": {
            "docs": str(docs),
            "questions_file": str(args.questions),
            "questions": len(questions),
            "k": args.k,
            "warmup": args.warmup,
            "reference_questions": min(args.reference_questions, len(questions)),
            "top": TOP,
            "peers": not args.no_peers,
        },
    }
    with tempfile.TemporaryDirectory(prefix="verbatim-bench-") as tmp:
        index_dir = Path(args.index).expanduser() if args.index else Path(tmp) / "index"
        log(f"building the index of {docs} into {index_dir} (a fresh process)")
        result["build"] = build_index(docs, index_dir)
        result["pdf"] = pdf_figures(docs, result["build"])
        log("timing a one-shot `python -m index ask` (a fresh process)")
        result["cli_ask"] = cli_ask(docs, index_dir, questions[0], args.k)
        log("serving (a fresh process)" + ("" if args.no_peers else ", then the peers"))
        request = {
            "index": str(index_dir),
            "questions": questions,
            "k": args.k,
            "warmup": args.warmup,
            "reference_questions": args.reference_questions,
            "peers": not args.no_peers,
        }
        worker = serve(request)
        if args.update:
            from index.tools import bench_update

            log("timing updates: 10 files added, 1 removed, 1 edited (fresh processes)")
            result["update"] = bench_update.measure(docs, index_dir, _env())
    result["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    result["data"] = worker.pop("data")
    result.update(worker)
    result["ratios"] = ratios(result)
    result["targets"] = [
        {"figure": f, "value": v, "target": t, "met": m} for f, v, t, m in target_rows(result)
    ]
    result["seconds"] = round(time.time() - started, 1)
    return result


def command_line(args: argparse.Namespace) -> str:
    """The command that reproduces this run."""
    parts = ["python", "-m", "index", "bench", "--docs", args.docs, "--questions", args.questions]
    parts += ["--index", args.index] if args.index else []
    parts += ["-k", str(args.k), "--warmup", str(args.warmup)]
    parts += ["--reference-questions", str(args.reference_questions)]
    parts += ["--no-peers"] if args.no_peers else []
    parts += ["--update"] if getattr(args, "update", False) else []
    parts += ["--json", args.json] if args.json else []
    return shlex.join(parts)


def read_questions(path: Path) -> list[str]:
    """The questions of a JSON lines file (`{"question": ...}`) or of a plain file, one a line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise VerbatimError(
            f'question file {path} does not exist: pass JSON lines with "question"'
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise VerbatimError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    out = []
    for line in lines:
        text = line.strip()
        if text.startswith("{"):
            with contextlib.suppress(ValueError, KeyError, TypeError):
                text = str(json.loads(text)["question"]).strip()
        if text:
            out.append(text)
    if not out:
        raise VerbatimError(f'no questions in {path}: write JSON lines with "question"')
    return out


# -- machine ---------------------------------------------------------------------------------------


def machine() -> dict:
    """The CPU, cores, memory, software versions and load: what the figures depend on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "ram_bytes": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "rank_bm25": _version("rank-bm25"),
        "tantivy": _version("tantivy"),
        "code": _git_describe(),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git_describe() -> str | None:
    """The commit the code is at, `-dirty` if the working tree differs from it."""
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


# -- the two fresh processes ----------------------------------------------------------------------


def _env() -> dict[str, str]:
    """The environment of the child processes: they import this very `index` package."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def build_index(docs: Path, index_dir: Path) -> dict:
    """Build from the raw documents in a fresh process: wall and CPU seconds, peak RSS, size."""
    command = [sys.executable, "-m", "index", "build", "--rebuild"]
    command += ["--docs", str(docs), "--index", str(index_dir)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=_env())
    summary = proc.stdout.read() if proc.stdout else ""
    # wait4 gives this child's own resource use (and that of the workers it reaped), where
    # getrusage(RUSAGE_CHILDREN) would mix in every child this process ever waited for.
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stdout:
        proc.stdout.close()
    if proc.returncode != 0:
        raise VerbatimError(f"the build failed (exit {proc.returncode}); its error is above")
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_bytes": usage.ru_maxrss * 1024,  # KiB on Linux
        "peak_rss_note": "the largest single process; the build also uses worker processes",
        "index_bytes": sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()),
        "summary": summary.strip(),
    }


def _size(path: Path) -> int:
    return path.stat().st_size


def pdf_figures(docs: Path, built: dict) -> dict:
    """When the folder holds PDFs: pages per second of the build, and pypdfium2 alone extracting
    their text in a fresh process (`index.tools.pdfbench`), the floor the build is compared to;
    then the project's PDF reader alone against pypdfium2's plain text on the folder's largest
    PDF (CPU, best of 3, one fresh process): what reading a page as a reader sees it costs."""
    if not any(p.suffix.lower() == ".pdf" for p in docs.rglob("*")):
        return {}
    log("timing pypdfium2 alone on the same PDFs (a fresh process)")
    command = [sys.executable, "-m", "index.tools.pdfbench", "pdfium", str(docs)]
    proc = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=_env())
    if proc.returncode != 0:
        raise VerbatimError(f"timing pypdfium2 failed (exit {proc.returncode})")
    alone = json.loads(proc.stdout)
    largest = max((p for p in docs.rglob("*") if p.suffix.lower() == ".pdf"), key=_size)
    log(f"timing the PDF reader against pypdfium2's plain text on {largest.name}")
    command = [sys.executable, "-m", "index.tools.pdfbench", "reader", str(largest)]
    proc = subprocess.run(command, stdout=subprocess.PIPE, text=True, env=_env())
    if proc.returncode != 0:
        raise VerbatimError(f"timing the PDF reader failed (exit {proc.returncode})")
    return alone | {
        "reader": json.loads(proc.stdout),
        "pages_per_s": round(alone["pages"] / built["wall_s"], 1),
        "build_over_pdfium": round(built["wall_s"] / max(alone["seconds"], 1e-9), 2),
        "build_cpu_over_pdfium_cpu": round(built["cpu_s"] / max(alone["cpu_s"], 1e-9), 2),
    }


def cli_ask(docs: Path, index_dir: Path, question: str, k: int) -> dict:
    """Wall seconds of one `python -m index ask` in a fresh process: what a one-shot user waits."""
    command = [sys.executable, "-m", "index", "ask", question, "-k", str(k)]
    command += ["--docs", str(docs), "--index", str(index_dir)]
    started = time.perf_counter()
    proc = subprocess.run(command, stdout=subprocess.DEVNULL, env=_env())
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise VerbatimError(f"`python -m index ask` failed (exit {proc.returncode})")
    return {"wall_s": round(wall, 3)}


def serve(request: dict) -> dict:
    """Run the serving worker in a fresh process and return its figures."""
    request = dict(request, spawned=time.time())
    proc = subprocess.run(
        [sys.executable, "-m", "index.tools.bench_serve"],
        input=json.dumps(request),
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    if proc.returncode != 0:
        raise VerbatimError(f"the serving benchmark failed (exit {proc.returncode}); see above")
    return json.loads(proc.stdout)


# -- inside the serving worker ---------------------------------------------------------------------
