"""Load or build an index, and answer a question with ranked, verbatim, non-overlapping passages."""

from __future__ import annotations

import re
import sys
import threading
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from index import answers, ranking, store
from index.bm25 import LookupBM25, RankBM25, SparseBM25
from index.build import LEVELS, IndexData, build, fingerprint, term_list
from index.documents import scan
from index.errors import DocumentsError, QuestionError
from index.model import Answer, BuildReport, Document, Passage
from index.paths import docs_folder, index_folder
from index.tokens import STOPWORDS, normalize, stem, words
from index.typos import correct

ENGINES = ("bm25", "rank-bm25")
MAX_QUESTION_CHARS = 2000  # longer questions are read up to here
MAX_QUERY_TERMS = 48
MAX_CORRECTIONS = 8  # unknown words of one question that typo correction looks at
NEIGHBOUR_SHARE = 0.8  # a neighbour scoring this share of the best sentence joins its passage
MIN_COVERAGE = 0.25  # share of the question's IDF mass the best passage must contain
_ANAPHORA = frozenset(
    """
    it its this that these those they them their he his she her him such however but also
    meanwhile then thus therefore moreover furthermore instead yet still there here so and
    or nevertheless nonetheless besides otherwise accordingly consequently hence
    """.split()
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Index:
    """A loaded index: answers questions; safe to share between threads."""

    def __init__(self, data: IndexData, report: BuildReport, engine: str = "bm25"):
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
        a, m = data.arrays, data.meta
        self.engine = engine
        self.report = report
        self._terms = _numbered(term_list(a))
        self._doc_ids: list[str] = m["doc_ids"]
        self._doc_number = {doc_id: i for i, doc_id in enumerate(self._doc_ids)}
        self._titles: list[str] = m["titles"]
        self._sources: list[str | None] = m["sources"]
        self._sent_doc = a["sent_doc"]
        self._sent_start = a["sent_start"]
        self._sent_end = a["sent_end"]
        self._sent_para = a["sent_para"]
        self._text = a["text"]
        self._text_offsets = a["text_offsets"]
        self._levels: dict[str, SparseBM25 | RankBM25] = {}
        n_units = {
            "sent": len(a["sent_doc"]),
            "para": len(a["para_doc"]),
            "doc": len(self._doc_ids),
        }
        for level in LEVELS:
            ptr, idx = a[f"{level}_indptr"], a[f"{level}_indices"]
            if engine == "bm25" and level == "sent":
                self._levels[level] = SparseBM25(
                    ptr, idx, a[f"{level}_weights"], a[f"{level}_bound"], n_units[level]
                )
            elif engine == "bm25":
                self._levels[level] = LookupBM25(
                    ptr, idx, a[f"{level}_tf"], a[f"{level}_len"], a[f"{level}_idf"]
                )
            else:
                self._levels[level] = RankBM25(ptr, idx, a[f"{level}_tf"], n_units[level])
        self._idf_sent = self._sentence_idf(a)
        self._idf_unknown = float(self._idf_sent.max(initial=1.0))  # what an unknown word weighs
        self._sent_terms = a["sent_terms"]
        self._sent_term_start = a["sent_term_start"]
        self._df = np.diff(a["sent_indptr"])
        counts = np.bincount(a["sent_doc"], minlength=len(self._doc_ids)).tolist()
        self.documents = tuple(
            Document(i, t, s, n)
            for i, t, s, n in zip(self._doc_ids, self._titles, self._sources, counts, strict=True)
        )
        self._lock = threading.Lock()
        # The learned ranker's model (None: the hand-set ranking); read once per process.
        self.ranker_model = ranking.load_model()
        self.document_text = lru_cache(maxsize=256)(self._document_text)

    @staticmethod
    def _sentence_idf(a: dict[str, np.ndarray]) -> np.ndarray:
        df = np.diff(a["sent_indptr"]).astype(np.float64)
        n = len(a["sent_doc"])
        return np.log((n - df + 0.5) / (df + 0.5) + 1.0)  # always positive: for coverage only

    def _document_text(self, d: int) -> str:
        lo, hi = self._text_offsets[d], self._text_offsets[d + 1]
        return self._text[lo:hi].tobytes().decode("utf-8")

    def text_of(self, document_id: str) -> str:
        """The text of a document, as the offsets of its passages index it."""
        return self.document_text(self._doc_number[document_id])

    # -- asking -----------------------------------------------------------------------------------

    def ask(self, question: str, k: int = 3) -> Answer:
        """The top `k` passages that answer `question`, best first, or none if nothing does."""
        started = time.perf_counter()
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("the question is empty: ask something in plain words")
        k = max(1, min(int(k), 50))
        text = _CONTROL.sub(" ", question)[:MAX_QUESTION_CHARS].strip()
        qtype = answers.question_type(text)
        term_ids, corrections, missing = self._query_terms(text)
        passages: tuple[Passage, ...] = ()
        suggestions: tuple[str, ...] = ()
        if term_ids:
            qterms = self._qterms(text, corrections)
            with self._lock:  # the kernel's accumulator is shared
                ranked, doc_scores = self._rank(term_ids, qtype, qterms, text)
            qset = frozenset(qterms)
            if ranked and self._covered(ranked[0], term_ids, missing):
                passages = self._passages(ranked, k, qtype, qset, text)
            else:
                suggestions = doc_scores
        elapsed = (time.perf_counter() - started) * 1000
        return Answer(question, passages, corrections, round(elapsed, 3), suggestions)

    def _qterms(self, text: str, corrections: dict[str, str]) -> list[str]:
        """The question's terms with typos corrected, for answer marking."""
        fixed = [corrections.get(w, w) for w in words(text) if w not in STOPWORDS]
        return [stem(w) for w in fixed]

    def _query_terms(self, text: str) -> tuple[list[int], dict[str, str], int]:
        """Term ids of the question (in order, repeats kept), typo corrections, unknown word count."""
        ids: list[int] = []
        corrections: dict[str, str] = {}
        missing = 0
        attempts = 0
        for w in [w for w in words(text) if w not in STOPWORDS][:MAX_QUERY_TERMS]:
            tid = self._terms.get(stem(w))
            if tid is None and attempts < MAX_CORRECTIONS:
                attempts += 1
                fixed = correct(w, self._frequency)
                if fixed is not None:
                    tid = self._terms.get(stem(fixed))
                    if tid is not None:
                        corrections[w] = fixed
            if tid is None:
                missing += 1
            else:
                ids.append(tid)
        return ids, corrections, missing

    def _frequency(self, word: str) -> int:
        """How many sentences hold the word (by its stem): what "frequent" means for typos."""
        tid = self._terms.get(stem(word))
        return 0 if tid is None else int(self._df[tid])

    def _rank(self, term_ids: list[int], qtype: answers.QuestionType, qterms: list[str], text: str):
        """Sentence ids ranked best first with their scores, and the best documents' titles."""
        ranked, best_docs = ranking.rank(
            self, term_ids, qtype, frozenset(qterms), text, self.ranker_model
        )
        return ranked, tuple(self._titles[i] for i in best_docs)

    # -- what the ranker reads (index/ranking.py's interface; keep it narrow) -------------------

    def shortlist(self, term_ids: list[int], n: int) -> tuple[np.ndarray, np.ndarray]:
        """The `n` best sentences by their own BM25, best first (ties: order key), and the scores."""
        return self._levels["sent"].top(term_ids, n)

    def unit_scores(self, level: str, term_ids: list[int], sids: np.ndarray) -> np.ndarray:
        """BM25 of the paragraph ("para") or document ("doc") that holds each sentence."""
        units = (self._sent_para if level == "para" else self._sent_doc)[sids].astype(np.int64)
        return self._levels[level].score_units(term_ids, units)[0]

    def documents_of(self, sids: np.ndarray) -> np.ndarray:
        """The document number of each sentence."""
        return self._sent_doc[sids].astype(np.int64)

    def order_key(self, sids: np.ndarray) -> np.ndarray:
        """What breaks ties between equal scores, lower first: the sentence id."""
        return np.asarray(sids, dtype=np.int64)

    def sentence_terms(self, sid: int) -> list[int]:
        """The term ids of a sentence, in order, stopwords left out."""
        return self._sentence_terms(sid)

    def sentence_text(self, sid: int) -> str:
        """The text of a sentence, verbatim."""
        return self._sentence_text(sid)

    def terms_of(self, sids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The term ids of many sentences at once: (all terms in order, where each sentence starts
        in them, plus the end)."""
        sids = np.asarray(sids, dtype=np.int64)
        bounds = self._sent_term_start
        lo = bounds[sids]
        n = bounds[sids + 1] - lo
        starts = np.concatenate(([0], np.cumsum(n)))
        at = np.repeat(lo - starts[:-1], n) + np.arange(starts[-1])  # positions in sent_terms
        # The terms are read from disk by slices: one read per run of consecutive sentences.
        uniq = np.unique(sids)
        cut = np.flatnonzero(np.diff(uniq) != 1) + 1
        first, last = uniq[np.r_[0, cut]], uniq[np.r_[cut - 1, len(uniq) - 1]]
        run_lo, run_hi = bounds[first], bounds[last + 1]
        buffer = np.concatenate(
            [self._sent_terms[a:b] for a, b in zip(run_lo.tolist(), run_hi.tolist(), strict=True)]
        )
        run_at = np.concatenate(([0], np.cumsum(run_hi - run_lo)))
        run = np.searchsorted(run_lo, at, side="right") - 1
        return buffer[at - run_lo[run] + run_at[run]].astype(np.int64), starts

    def term_id(self, term: str) -> int | None:
        """The id of a term (a stem), or None if no sentence has it."""
        return self._terms.get(term)

    def sentence_lengths(self, sids: np.ndarray) -> np.ndarray:
        """How many terms (stopwords left out) each sentence has."""
        sids = np.asarray(sids, dtype=np.int64)
        return self._sent_term_start[sids + 1] - self._sent_term_start[sids]

    def sentence_positions(self, sids: np.ndarray) -> np.ndarray:
        """Rows of (index in paragraph, paragraph index in document, sentence index in document)."""
        sids = np.asarray(sids, dtype=np.int64)
        para = self._sent_para[sids]
        doc = self._sent_doc[sids]
        # Sentences, paragraphs and documents are numbered in reading order, so the first
        # sentence of a paragraph or document is found by bisection.
        para_first = np.searchsorted(self._sent_para, para, side="left")
        doc_first = np.searchsorted(self._sent_doc, doc, side="left")
        doc_first_para = self._sent_para[doc_first]
        return np.stack([sids - para_first, para - doc_first_para, sids - doc_first], axis=1)

    def term_weights(self, term_ids: list[int]) -> np.ndarray:
        """Each term's sentence-level IDF, always positive: a question word's weight."""
        return self._idf_sent[np.asarray(term_ids, dtype=np.int64)]

    @property
    def sentence_count(self) -> int:
        """How many sentences the index holds (sentence ids run from 0 to this, exclusive)."""
        return len(self._sent_doc)

    @property
    def unknown_weight(self) -> float:
        """What a question word the index does not know weighs."""
        return self._idf_unknown

    def _sentence_terms(self, sid: int) -> list[int]:
        """The term ids of a sentence, in order (stopwords left out), as stored at build time."""
        lo, hi = self._sent_term_start[sid], self._sent_term_start[sid + 1]
        return self._sent_terms[lo:hi].tolist()

    def _sentence_text(self, sid: int) -> str:
        return self.document_text(int(self._sent_doc[sid]))[
            self._sent_start[sid] : self._sent_end[sid]
        ]

    def _answer_in(
        self, sid: int, qtype: answers.QuestionType, qset: frozenset[str]
    ) -> tuple[int, int] | None:
        return answers.best_answer(qtype, self._sentence_text(sid), qset)

    def _covered(self, best: tuple[int, float], term_ids: list[int], missing: int) -> bool:
        """Whether the best sentence's neighbourhood holds enough of the question's weight."""
        sid = best[0]
        unique = list(dict.fromkeys(term_ids))
        total = float(self._idf_sent[unique].sum()) + missing * self._idf_unknown
        present: set[int] = set()
        for n in (sid - 1, sid, sid + 1):
            if 0 <= n < len(self._sent_doc) and self._sent_doc[n] == self._sent_doc[sid]:
                present.update(self._sentence_terms(n))
        got = float(self._idf_sent[[t for t in unique if t in present]].sum()) if present else 0.0
        return total > 0 and got / total >= MIN_COVERAGE

    def _passages(
        self,
        ranked: list[tuple[int, float]],
        k: int,
        qtype: answers.QuestionType,
        qset: frozenset[str],
        question: str,
    ) -> tuple[Passage, ...]:
        taken: set[int] = set()
        out: list[Passage] = []
        scores = dict(ranked)
        why = bool(re.match(r"\s*(why|how come)\b", normalize(question)))
        for sid, score in ranked:
            if len(out) >= k:
                break
            if sid in taken:
                continue
            first, last = self._expand(sid, qtype, qset, taken, why, scores)
            taken.update(range(first, last + 1))
            out.append(self._passage(sid, first, last, score, qtype, qset))
        return tuple(out)

    def _same_para(self, a: int, b: int) -> bool:
        n = len(self._sent_para)
        return 0 <= a < n and 0 <= b < n and self._sent_para[a] == self._sent_para[b]

    def _expand(
        self, sid: int, qtype, qset, taken: set[int], why: bool, scores: dict[int, float]
    ) -> tuple[int, int]:
        """The neighbours a sentence needs: the one before an anaphoric start, the one after a lead-in."""
        first = last = sid
        text = self._sentence_text(sid)
        lead = words(text[:40])
        prev_ok = self._same_para(sid - 1, sid) and (sid - 1) not in taken
        next_ok = self._same_para(sid + 1, sid) and (sid + 1) not in taken
        if prev_ok and lead and lead[0] in _ANAPHORA:
            first = sid - 1
        short = len(words(text)) < 10 or text.rstrip().endswith(":")
        if next_ok and (short or why):
            last = sid + 1
        bar = NEIGHBOUR_SHARE * scores[sid]
        if prev_ok and first == sid and scores.get(sid - 1, -1.0) >= bar:
            first = sid - 1
        if next_ok and last == sid and scores.get(sid + 1, -1.0) >= bar:
            last = sid + 1
        if qtype.kind is not None and self._answer_in(sid, qtype, qset) is None:
            if next_ok and last == sid and self._answer_in(sid + 1, qtype, qset) is not None:
                last = sid + 1
            elif prev_ok and first == sid and self._answer_in(sid - 1, qtype, qset) is not None:
                first = sid - 1
        return first, last

    def _passage(self, sid: int, first: int, last: int, score: float, qtype, qset) -> Passage:
        d = int(self._sent_doc[sid])
        doc_text = self.document_text(d)
        start, end = int(self._sent_start[first]), int(self._sent_end[last])
        answer = None
        a_start = a_end = None
        if qtype.kind is not None:
            for n in [sid] + [x for x in range(first, last + 1) if x != sid]:
                span = self._answer_in(n, qtype, qset)
                if span is not None:
                    a_start = int(self._sent_start[n]) + span[0]
                    a_end = int(self._sent_start[n]) + span[1]
                    answer = doc_text[a_start:a_end]
                    break
        return Passage(
            document=self._doc_ids[d],
            title=self._titles[d],
            source=self._sources[d],
            start=start,
            end=end,
            text=doc_text[start:end],
            sentence_start=int(self._sent_start[sid]),
            sentence_end=int(self._sent_end[sid]),
            score=round(score, 6),
            answer=answer,
            answer_start=a_start,
            answer_end=a_end,
        )


def _numbered(terms: list[str], step: int = 20_000) -> dict[str, int]:
    """{term: position}, built a slice at a time: one call over 300k terms would hold the GIL for
    about 0.17 s, and a reload runs beside the bot's event loop."""
    out: dict[str, int] = {}
    for lo in range(0, len(terms), step):
        chunk = terms[lo : lo + step]
        out.update(zip(chunk, range(lo, lo + len(chunk)), strict=True))
    return out


def open_index(
    docs: str | Path | None = None,
    index_dir: str | Path | None = None,
    engine: str = "bm25",
    progress: bool = False,
    rebuild: bool = False,
) -> Index:
    """Load the saved index of `docs` if it is current, else build and save it; return it loaded."""
    folder = docs_folder(docs)
    if not folder.exists():
        raise DocumentsError(
            f"documents folder {folder} does not exist: create it or pass --docs DIR"
        )
    if not folder.is_dir():
        raise DocumentsError(f"{folder} is not a folder: pass a folder of .txt, .md or .html files")
    found = scan(folder)
    if not found:
        raise DocumentsError(
            f"no documents in {folder}: add .txt, .md or .html files, or pass --docs DIR"
        )
    target = index_folder(folder, index_dir)
    started = time.perf_counter()
    fp = fingerprint(folder, found)
    data = None
    warnings: list[str] = []
    if not rebuild:
        try:
            data = store.load(target, fp)
        except store.StaleIndex as why:
            if str(why) not in ("no index yet", "documents changed"):
                print(f"verbatim: the index in {target} {why}; rebuilding it", file=sys.stderr)
    built = data is None
    if data is None:
        data = build(folder, progress=progress)
        if not data.meta["doc_ids"]:
            reasons = "; ".join(f"{d}: {r}" for d, r in data.meta["skipped"][:3])
            raise DocumentsError(f"no readable document in {folder} ({reasons})")
        try:
            store.save(data, target)
        except OSError as exc:
            warnings.append(
                f"could not save the index to {target} ({exc.strerror or exc}); serving from memory"
            )
    report = BuildReport(
        built=built,
        documents=len(data.meta["doc_ids"]),
        sentences=len(data.arrays["sent_doc"]),
        seconds=time.perf_counter() - started,
        index_path=str(target),
        skipped=tuple((d, r) for d, r in data.meta["skipped"]),
        # Documents' warnings are news when they are read, not each time the index is loaded.
        warnings=tuple(warnings) + tuple(f"{d}: {r}" for d, r in data.meta["warnings"] if built),
    )
    return Index(data, report, engine)
