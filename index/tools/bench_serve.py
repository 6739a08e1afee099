"""The bench's serving worker (`python -m index.tools.bench_serve`): loads the index, asks, and
measures latency and memory in a fresh process; then the peers, after its memory is read."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from index.tools import bench_stats
from index.tools.bench_peers import measure_rank_bm25, measure_tantivy
from index.tools.bench_stats import TOP, log, stats


def _worker_main() -> int:
    """Entry of the worker process: request JSON on stdin, figures JSON on stdout."""
    entered = time.time()
    request = json.loads(sys.stdin.read())
    json.dump(measure(request, entered), sys.stdout)
    return 0


def measure(request: dict, entered: float) -> dict:
    """Serving figures, then (unless turned off) the peers', in this one process."""
    from index.answer.model import BuildReport
    from index.search.searcher import MAX_QUESTION_CHARS, Index
    from index.store import disk

    folder = Path(request["index"])
    questions: list[str] = request["questions"]
    k, warmup, n = request["k"], request["warmup"], len(questions)
    started = time.perf_counter()
    gen = disk.load(folder)
    data = gen.segments[0]  # a build from scratch is one segment
    report = BuildReport(
        built=False,
        documents=len(data.meta["doc_ids"]),
        sentences=len(data.arrays["sent_doc"]),
        seconds=0.0,
        index_path=str(folder),
    )
    idx = Index(gen, report)
    load_s = time.perf_counter() - started
    loaded = bench_stats.memory()

    started = time.perf_counter()
    idx.ask(questions[0], k)
    first_ms = (time.perf_counter() - started) * 1000
    for i in range(warmup):
        idx.ask(questions[i % n], k)
    ask_ms, found = [], 0
    for q in questions:
        started = time.perf_counter()
        answer = idx.ask(q, k)
        ask_ms.append((time.perf_counter() - started) * 1000)
        found += answer.found

    sent = idx._segs
    term_ids, tokenize_ms = [], []
    for q in questions:
        started = time.perf_counter()
        term_ids.append(idx._query_terms(q.strip()[:MAX_QUESTION_CHARS])[0])
        tokenize_ms.append((time.perf_counter() - started) * 1000)
    for i in range(warmup):
        sent.top(term_ids[i % n], TOP)
    retrieval_ms = []
    for ids in term_ids:
        started = time.perf_counter()
        sent.top(ids, TOP)
        retrieval_ms.append((time.perf_counter() - started) * 1000)
    memory = bench_stats.memory()  # before any peer is built in this process

    out: dict = {
        "data": {
            "documents": report.documents,
            "sentences": report.sentences,
            "questions": n,
            "questions_without_known_terms": sum(not ids for ids in term_ids),
            "answered": found,
        },
        "serve": {
            "startup_s": round(entered - request["spawned"], 3),
            "load_s": round(load_s, 4),
            "first_ask_ms": round(first_ms, 3),
            "ask": stats(ask_ms),
            "tokenize": stats(tokenize_ms),
            "retrieval": stats(retrieval_ms),
            "rss_after_load_bytes": loaded["rss_bytes"],
        }
        | memory,
    }
    if not request["peers"]:
        skipped = {"skipped": "--no-peers"}
        return out | {"rank_bm25": skipped, "tantivy": skipped}
    sample = bench_stats.sample(n, request["reference_questions"])
    log(f"rank-bm25: indexing {report.sentences:,} sentences, then {len(sample)} questions")
    out["rank_bm25"] = measure_rank_bm25(data, sent, term_ids, sample)
    out["tantivy"] = measure_tantivy(idx, questions, k, warmup)
    return out


if __name__ == "__main__":
    sys.exit(_worker_main())
