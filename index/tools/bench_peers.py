"""The peers the bench measures against in the same run: rank-bm25 over the same sentence tokens
(speed and score parity) and tantivy over the same sentence texts."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from index.tools.bench_stats import (
    _QUERY_WORD,
    BLOCK,
    INSTALL_TANTIVY,
    RTOL,
    TANTIVY_HEAP,
    TOP,
    log,
    memory,
    stats,
)


def measure_rank_bm25(data, sent, term_ids: list[list[int]], sample: list[int]) -> dict:
    """rank-bm25 over the same sentence tokens: build time, latency, and score parity."""
    from index.search.bm25 import RankBM25

    a = data.arrays
    before = memory()["rss_bytes"]
    started = time.perf_counter()
    ref = RankBM25(a["sent_indptr"], a["sent_indices"], a["sent_tf"], len(a["sent_len"]))
    build_s = time.perf_counter() - started
    added = memory()["rss_bytes"] - before
    ms, score_fails, top_fails, worst = [], [], [], 0.0
    for i in sample:
        ids = term_ids[i]
        fast_top, _ = sent.top(ids, TOP)  # ties: by sentence, as rank-bm25's order here
        started = time.perf_counter()
        ref_top, _ = ref.top(ids, TOP)
        ms.append((time.perf_counter() - started) * 1000)
        ref_ids, ref_scores = ref.score(ids)  # rank-bm25's get_scores, cached from the call above
        fast_ids, fast_scores = sent.score_all("sent", ids)  # the fast engine's, exhaustive
        same = np.array_equal(ref_ids, fast_ids) and np.allclose(
            fast_scores, ref_scores, rtol=RTOL, atol=0.0
        )
        if same and len(ref_scores):
            scale = np.maximum(np.abs(ref_scores), np.finfo(np.float64).tiny)
            worst = max(worst, float(np.max(np.abs(fast_scores - ref_scores) / scale)))
        if not same:
            score_fails.append(i)
        if not np.array_equal(fast_top, ref_top):
            top_fails.append(i)
    return {
        "build_s": round(build_s, 3),
        "build_note": "from the index's sentence tokens (not from the raw documents)",
        "rss_added_bytes": added,
        "query": stats(ms),
        "parity": {
            "checked": len(sample),
            "scores_equal": len(sample) - len(score_fails),
            "top_equal": len(sample) - len(top_fails),
            "failed_questions": sorted(set(score_fails) | set(top_fails)),
            "max_relative_difference": worst,
            "rule": f"same ids and np.allclose(rtol={RTOL}, atol=0); same top-{TOP} ids in order",
            "pass": not score_fails and not top_fails,
        },
    }


def tantivy_query(question: str, drop_stopwords: bool = True) -> str:
    """The question's words OR-ed, letters and digits only, so tantivy's parser never errors."""
    from index.analysis.tokens import STOPWORDS, words
    from index.search.searcher import MAX_QUERY_TERMS

    if drop_stopwords:  # the words our engine searches for
        chosen = [w for w in words(question) if w not in STOPWORDS][:MAX_QUERY_TERMS]
    else:
        chosen = [question.lower()]
    return " OR ".join(_QUERY_WORD.findall(" ".join(chosen)))


def measure_tantivy(idx, questions: list[str], k: int, warmup: int) -> dict:
    """tantivy over the same sentence texts (en_stem): indexing time and top-10 query latency."""
    try:
        import tantivy
    except ImportError:
        return {"skipped": f"tantivy is not installed: {INSTALL_TANTIVY}"}
    rows = zip(
        idx._sent_doc.tolist(), idx._sent_start.tolist(), idx._sent_end.tolist(), strict=True
    )
    texts = [idx.document_text(d)[start:end] for d, start, end in rows]
    log(f"tantivy: indexing {len(texts):,} sentences, then {len(questions)} questions")
    with tempfile.TemporaryDirectory(prefix="verbatim-bench-tantivy-") as folder:
        started, cpu = time.perf_counter(), time.process_time()
        schema = tantivy.SchemaBuilder()
        schema.add_text_field("body", stored=False, tokenizer_name="en_stem")
        index = tantivy.Index(schema.build(), path=folder)
        writer = index.writer(heap_size=TANTIVY_HEAP, num_threads=0)  # tantivy's defaults
        for text in texts:
            writer.add_document(tantivy.Document(body=text))
        writer.commit()
        index_s, index_cpu_s = time.perf_counter() - started, time.process_time() - cpu
        writer.wait_merging_threads()
        merged_s = time.perf_counter() - started
        index.reload()
        searcher = index.searcher()
        size = sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())
        documents = searcher.num_docs

        # Alternate the whole ask and the two tantivy queries in blocks of BLOCK questions: a
        # change of load on a shared machine hits all three alike, and within a block each runs
        # with its own caches warm (one query each in turn would hand each a cache the others
        # just emptied).
        same = [tantivy_query(q) for q in questions]
        every = [tantivy_query(q, drop_stopwords=False) for q in questions]
        for i in range(min(warmup, len(questions))):
            idx.ask(questions[i], k)
            _tantivy_ms(index, searcher, same[i])
            _tantivy_ms(index, searcher, every[i])
        ask_ms, same_ms, every_ms = [], [], []
        for lo in range(0, len(questions), BLOCK):
            for q in questions[lo : lo + BLOCK]:
                started = time.perf_counter()
                idx.ask(q, k)
                ask_ms.append((time.perf_counter() - started) * 1000)
            same_ms += [_tantivy_ms(index, searcher, q) for q in same[lo : lo + BLOCK]]
            every_ms += [_tantivy_ms(index, searcher, q) for q in every[lo : lo + BLOCK]]
    return {
        "documents": documents,
        "sentences": len(texts),
        "index_s": round(index_s, 3),
        "index_cpu_s": round(index_cpu_s, 3),
        "index_note": "schema, add every sentence, commit (texts prepared beforehand)",
        "writer": {"heap_size": TANTIVY_HEAP, "num_threads": "0 (tantivy chooses)"},
        "merged_s": round(merged_s, 3),
        "index_bytes": size,
        "query": _tantivy_stats(same_ms, same),
        "query_note": "parse + top-10 search (no count) of the words our engine searches for",
        "query_all_words": _tantivy_stats(every_ms, every),
        "ask_same_loop": stats(ask_ms),
    }


def _tantivy_ms(index, searcher, query: str) -> float | None:
    """Milliseconds to parse `query` and find its top 10; None if it has no word or cannot parse."""
    if not query:
        return None
    started = time.perf_counter()
    try:
        searcher.search(index.parse_query(query, ["body"]), TOP, count=False)
    except ValueError:
        return None
    return (time.perf_counter() - started) * 1000


def _tantivy_stats(ms: list[float | None], queries: list[str]) -> dict:
    """Latency figures, and how many questions had no word or failed to parse."""
    timed = [x for x in ms if x is not None]
    empty = sum(not q for q in queries)
    return stats(timed) | {"no_words": empty, "parse_errors": len(ms) - len(timed) - empty}


# -- report ----------------------------------------------------------------------------------------
