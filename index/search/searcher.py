"""An index in memory (`Index`): answer a question with ranked, verbatim, non-overlapping passages.
Opening one (build, refresh or load) is `opening.py`."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from index.analysis import flags
from index.analysis.languages import AUTO, prepare_questions
from index.analysis.tokens import ENGLISH, stem
from index.answer import citations
from index.answer.copies import plainness
from index.answer.model import Answer, BuildReport, Conversation, Document, Passage
from index.answer.passages import build_passages
from index.errors import QuestionError
from index.search import associations, ranking, structure, windows
from index.search.order import history, naming
from index.search.question import answers, followups, reading
from index.store import disk
from index.store.build import LEVELS
from index.store.segments import Segments, _one_or_concat

ENGINES = ("bm25", "rank-bm25")
MAX_QUESTION_CHARS = 2000  # longer questions are read up to here
MAX_QUERY_TERMS = reading.MAX_QUERY_TERMS
MIN_COVERAGE = 0.25  # share of the question's IDF mass the best passage must contain

# Control characters, and zero-width ones, which would glue "how\u200bmany" into one word for the
# question-type rules (the tokenizer already splits there).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")


class Index:
    """A loaded index: answers questions; safe to share between threads."""

    @disk.collecting_later
    def __init__(
        self,
        data: disk.Generation,
        report: BuildReport,
        engine: str = "bm25",
        docs_url: str | None = None,
    ):
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
        self.engine = engine
        self.report = report
        self.generation = data.name  # the saved generation served, None when built in memory
        segs = self._segs = Segments(data, engine)
        datas = data.segments
        self._terms = segs.terms
        self._doc_ids: list[str] = [d for x in datas for d in x.meta["doc_ids"]]
        self._doc_number = {self._doc_ids[d]: d for d in segs.live_doc_order}
        self._titles: list[str] = [t for x in datas for t in x.meta["titles"]]
        # The language each document was read in; questions are read in these, most first.
        doc_langs = [g for x in datas for g in x.meta["languages"]]
        counts: dict[str, int] = {}
        for d in segs.live_doc_order:
            counts[doc_langs[d]] = counts.get(doc_langs[d], 0) + 1
        self.language_counts = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        self.languages: list[str] = list(self.language_counts)
        self.language_setting: str = data.commit.get("language", AUTO)
        self._sources: list[str | None] = [u for x in datas for u in x.meta["sources"]]
        offsets, doc_shift = segs.offsets["sent"], segs.offsets["doc"].tolist()
        para_shift = segs.offsets["para"].tolist()

        def joined(key: str, shifts: list[int] | None = None):
            parts = [x.arrays[key] for x in datas]
            return _one_or_concat(parts, offsets, shifts or [0] * len(parts))

        self._sent_doc = joined("sent_doc", doc_shift)
        self._sent_start = joined("sent_start")
        self._sent_end = joined("sent_end")
        self._sent_para = joined("sent_para", para_shift)
        self._sent_flags = joined("sent_flags")
        # Which flags any sentence has: the order rules for code and headings cost nothing in an
        # index without code units or headings (structure.structure_order).
        self.flags_present = int(np.bitwise_or.reduce(np.asarray(self._sent_flags), initial=0))
        self._n_sent = int(offsets[-1])
        df, n = segs.df["sent"], segs.n_units["sent"]
        self._df = df
        # Always positive, for coverage only; unknown and vanished terms weigh the most.
        self._idf_sent = np.log((n - df + 0.5) / (df + 0.5) + 1.0)
        self._idf_unknown = float(self._idf_sent[df > 0].max(initial=1.0))
        counts = np.bincount(
            np.concatenate(
                [
                    np.asarray(x.arrays["sent_doc"], dtype=np.int64) + doc_shift[i]
                    for i, x in enumerate(datas)
                ]
            )
            if datas
            else np.zeros(0, np.int64),
            minlength=len(self._doc_ids),
        ).tolist()
        self.docs_url = citations.base_url(docs_url)
        # Files with the same bytes as a stored document (update._copies), by its id, plainest first.
        copies: dict[str, list[str]] = {}
        for name, entry in sorted(data.commit.get("files", {}).items()):
            d = doc_shift[entry[2]] + entry[3]
            if self._doc_ids[d] != name:
                copies.setdefault(self._doc_ids[d], []).append(name)
        self.copies = {d: tuple(sorted(c, key=plainness)) for d, c in copies.items()}
        self.document_sentences = counts  # by document number (copies.py cites the smallest)
        self.documents = tuple(
            Document(self._doc_ids[d], self._titles[d], self._sources[d], counts[d])
            for d in segs.live_doc_order
        )
        # Release notes and changelogs, by document number (ranking.rank reads it).
        self.history_documents = np.concatenate(
            [np.zeros(0, bool)] + [history.of_segment(x.arrays, x.meta["titles"]) for x in datas]
        )
        # The documents each word of a file name or title names (naming.py).
        terms, df = self._terms, self._df  # (a term's frequency without numpy's cost a call)
        self.document_names = naming.Names(
            [(len(x.meta["doc_ids"]), x.arrays) for x in datas],
            lambda t: 0 if (i := terms.get(t)) is None else int(df[i]),
            self._n_sent,
        )
        self._lock = threading.Lock()
        self._heading_runs: tuple[np.ndarray, np.ndarray] | None = None  # section_headings
        # The learned ranker's model (None: the hand-set ranking); read once per process.
        self.ranker_model = ranking.load_model()
        # Trained without the associations (English word pairs): for questions in other languages.
        self.other_languages_model = ranking.load_model(ranking.OTHER_LANGUAGES_MODEL_PATH)
        self.document_text = lru_cache(maxsize=256)(self._document_text)
        self.document_info = lru_cache(maxsize=1024)(self._document_info)
        # made now, not on the first question:
        prepare_questions(self.languages, self.language_counts)
        associations.prepare(self)

    @property
    def commit(self) -> dict:
        """The commit this index was loaded from: its file table says what each document was."""
        return self._segs.gen.commit

    def _document_text(self, d: int) -> str:
        s, local = self._segs.segment_of("doc", int(d))
        a = self._segs.gen.segments[s].arrays
        lo, hi = a["text_offsets"][local], a["text_offsets"][local + 1]
        return a["text"][lo:hi].tobytes().decode("utf-8")

    def _document_info(self, d: int) -> citations.DocInfo:
        s, local = self._segs.segment_of("doc", int(d))
        return citations.parse(citations.stored(self._segs.gen.segments[s].arrays, local))

    def text_of(self, document_id: str) -> str:
        """The text of a document, as the offsets of its passages index it."""
        return self.document_text(self._doc_number[document_id])

    # -- asking -----------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        k: int = 3,
        *,
        context: Conversation | None = None,
        boosts: Mapping[tuple[str, int], float] | None = None,
    ) -> Answer:
        """The top `k` passages that answer `question`, best first, or none if nothing does.

        `context`: the conversation a follow-up continues (see `_follow`). `boosts`: a score
        adjustment (positive ranks higher) by (document id, start of the passage's best sentence).
        """
        started = time.perf_counter()
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("the question is empty: ask something in plain words")
        k = max(1, min(int(k), 50))
        text = _CONTROL.sub(" ", question)[:MAX_QUESTION_CHARS].strip()
        lang, (term_ids, corrections, missing) = self._read_question(text)
        qtype = answers.question_type(text, lang)
        passages: tuple[Passage, ...] = ()
        suggestions: tuple[str, ...] = ()
        if term_ids:
            qterms = self._qterms(text, corrections, lang)
            follow = self._followed(context, term_ids) if context else None
            with self._lock:  # the kernel's accumulator is shared
                ranked, doc_scores, near = self._rank(term_ids, qtype, qterms, text, follow, boosts)
            qset = frozenset(qterms)
            named = reading.code_names(self, text) if lang == ENGLISH else frozenset()
            ranked, covered = structure.covered_first(
                self,
                ranked,
                lambda sid: self._covered(sid, term_ids, missing, near.get(sid), named),
            )
            if covered:
                ranked = structure.code_after_prose(self, ranked, qset, text)
                voted_down = set()
                if boosts:  # a passage voted down is not pulled back in by a neighbour
                    sids = np.array([sid for sid, _ in ranked], dtype=np.int64)
                    voted_down = set(sids[self.boost_of(sids, boosts) < 0].tolist())
                passages = build_passages(self, ranked, k, qtype, qset, text, voted_down)
            else:
                suggestions = doc_scores
        elapsed = (time.perf_counter() - started) * 1000
        following = context.questions[-1] if context and context.questions else None
        return Answer(question, passages, corrections, round(elapsed, 3), suggestions, following)

    def _followed(self, context: Conversation, own: list[int]) -> followups.Followed:
        """The conversation in this index's numbers (index/search/question/followups.py)."""
        return followups.followed(self, context, own)

    def leans_on(self, question: str, context: Conversation) -> bool:
        """Whether `question` reads as a follow-up of `context` (followups.leans_on): for callers
        that must decide, as the console does, rather than know (a thread, a reply)."""
        return followups.leans_on(self, context, question, self._question_ids(question))

    def _question_ids(self, question: str) -> list[int]:
        """Term ids of an earlier question of a conversation, read as a question is."""
        return self._read_question(_CONTROL.sub(" ", question)[:MAX_QUESTION_CHARS])[1][0]

    def _read_question(self, text: str) -> tuple[str, tuple[list[int], dict[str, str], int]]:
        """The language a question is read in and its `_query_terms` (question/reading.py)."""
        return reading.read_question(self, text)

    def _qterms(self, text: str, corrections: dict[str, str], lang: str = ENGLISH) -> list[str]:
        """The question's terms with typos corrected, for answer marking."""
        return reading.qterms(text, corrections, lang)

    def _query_terms(self, text: str, lang: str = ENGLISH) -> tuple[list[int], dict[str, str], int]:
        """Term ids of the question (in order, repeats kept), typo corrections, unknown word count."""
        return reading.query_terms(self, text, lang)

    def _term_id(self, term: str) -> int | None:
        """The id of a term some live sentence holds, else None (as if it were never indexed)."""
        tid = self._terms.get(term)
        return tid if tid is not None and self._df[tid] > 0 else None

    def _frequencies(self, terms: list[str]) -> np.ndarray:
        """How many live sentences hold each term (0 for a term the index lacks)."""
        ids = self.term_ids(terms)
        return np.where(ids >= 0, self._df[ids.clip(0)] if len(self._df) else 0, 0)

    def _frequency(self, word: str, lang: str = ENGLISH) -> int:
        """How many sentences hold the word (by its stem): what "frequent" means for typos (asked
        of each of a typo's hundreds of variants, so their stems are not kept)."""
        tid = self._terms.get(stem(word, lang, remember=False))
        return 0 if tid is None else int(self._df[tid])

    def unit_scores(self, terms: Sequence[str], level: str) -> dict[tuple[str, int], float]:
        """BM25Okapi score of every unit of `level` ("sent", "para" or "doc") that holds one of
        `terms` (index terms, as tokens.terms gives them), keyed by (document id, number of the
        unit within its document, counting from 0; always 0 for "doc"); summed in the order of
        `terms`, a repeated term counting again, as rank-bm25 does. Exhaustive: for checks."""
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}; choose one of {', '.join(LEVELS)}")
        ids = [t for t in (self._term_id(term) for term in terms) if t is not None]
        units, scores = self._segs.score_all(level, ids)
        out: dict[tuple[str, int], float] = {}
        for unit, score in zip(units.tolist(), scores.tolist(), strict=True):
            out[self._segs.unit_key(level, unit)] = score
        return out

    def _rank(
        self,
        term_ids: list[int],
        qtype: answers.QuestionType,
        qterms: list[str],
        text: str,
        follow: followups.Followed | None = None,
        boosts: Mapping[tuple[str, int], float] | None = None,
    ):
        """Sentence ids ranked best first with their scores, the best documents' titles, and the
        candidates' shares of the question's weight with their neighbours (ranking.rank)."""
        model = self.ranker_model if qtype.lang == ENGLISH else self.other_languages_model
        ranked, best_docs, near = ranking.rank(
            self, term_ids, qtype, frozenset(qterms), text, model, follow, boosts
        )
        return ranked, tuple(self._titles[i] for i in best_docs), near

    # -- what the ranker reads (index/search/ranking.py's interface; keep it narrow) -------------------

    def shortlist(
        self, term_ids: list[int], n: int, follow: followups.Followed | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """The `n` best sentences by their own BM25 (a follow-up's context words weighed in, in
        the same kernel pass), best first (ties: order key), their scores, and a follow-up's
        bonus (else None): the one place a conversation weighs in (index/search/question/followups.py)."""
        if follow is None:
            cand, s = self._segs.top(term_ids, n)
            return cand, s, None
        terms = term_ids + [t for t, _ in follow.terms]
        weights = [1.0] * len(term_ids) + [w for _, w in follow.terms]
        cand, s = self._segs.top(terms, n, weights)
        return cand, s, followups.bonus(self, follow, cand)

    def boost_of(self, sids: np.ndarray, boosts: Mapping[tuple[str, int], float]) -> np.ndarray:
        """The votes' adjustment of each sentence: boosts[(document id, sentence start)]."""
        return np.array(
            [
                boosts.get(
                    (self._doc_ids[int(self._sent_doc[sid])], int(self._sent_start[sid])), 0.0
                )
                for sid in np.asarray(sids).tolist()
            ],
            dtype=np.float64,
        )

    def level_scores(self, level: str, term_ids: list[int], sids: np.ndarray) -> np.ndarray:
        """BM25 of each sentence ("sent"), or of the paragraph ("para") or document ("doc") that
        holds it."""
        units = {"sent": None, "para": self._sent_para, "doc": self._sent_doc}[level]
        units = np.asarray(sids if units is None else units[sids], dtype=np.int64)
        return self._segs.score_units(level, term_ids, units)[0]

    def documents_of(self, sids: np.ndarray) -> np.ndarray:
        """The document number of each sentence."""
        return np.asarray(self._sent_doc[sids], dtype=np.int64)

    def order_key(self, sids: np.ndarray) -> np.ndarray:
        """What breaks ties between equal scores, lower first: document name, then position."""
        return self._segs.order_key(sids)

    def sentence_terms(self, sid: int) -> list[int]:
        """The term ids of a sentence, in order, stopwords left out."""
        return self._sentence_terms(sid)

    def sentence_text(self, sid: int) -> str:
        """The text of a sentence, verbatim."""
        return self._sentence_text(sid)

    def term_windows(self, sids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each sentence's terms with its neighbours' in the same document: (int32 term ids, the
        windows one after another; int64 rows of (window start, sentence start, sentence end,
        window end) in them). See index/search/windows.py."""
        return windows.read(self._segs, self._sent_doc, self._n_sent, sids)

    def term_id(self, term: str) -> int | None:
        """The id of a term (a stem), or None if no sentence has it."""
        return self._term_id(term)

    def term_ids(self, terms: Sequence[str]) -> np.ndarray:
        """The ids of many terms at once (int64), -1 for a term no live sentence has."""
        get = self._terms.get
        ids = np.array([get(t, -1) for t in terms], dtype=np.int64)
        known = np.flatnonzero(ids >= 0)
        ids[known[self._df[ids[known]] <= 0]] = -1
        return ids

    def sentence_flags(self, sids: np.ndarray) -> np.ndarray:
        """Each sentence's flags.sentence_flags (uint8), found when it was indexed."""
        return np.asarray(self._sent_flags[np.asarray(sids, dtype=np.int64)], dtype=np.uint8)

    def section_headings(self, sids: np.ndarray) -> np.ndarray:
        """Rows of (first, last) sentence of the heading over each sentence: the run of HEADING
        sentences that last came before it in its document; (-1, -1) for none, and for a
        heading sentence itself."""
        sids = np.asarray(sids, dtype=np.int64)
        if not self.flags_present & flags.HEADING:  # (no runs to find)
            return np.full((len(sids), 2), -1, dtype=np.int64)
        first, last = self._runs()
        return np.stack([first[sids], last[sids]], axis=1).astype(np.int64)

    def heading_of(self, sid: int) -> int:
        """The last sentence of the heading over one sentence (`section_headings`), -1 for none:
        the passage code asks it sentence by sentence."""
        return int(self._runs()[1][sid]) if self.flags_present & flags.HEADING else -1

    def _runs(self) -> tuple[np.ndarray, np.ndarray]:
        if self._heading_runs is None:
            self._heading_runs = windows.heading_runs(self._sent_flags, self._sent_doc)
        return self._heading_runs

    def sentence_positions(self, sids: np.ndarray) -> np.ndarray:
        """Rows of (index in paragraph, paragraph index in document, sentence index in document)."""
        sids = np.asarray(sids, dtype=np.int64)
        out = np.empty((len(sids), 3), dtype=np.int64)
        for s, pick, local in self._segs.by_segment(sids):
            a = self._segs.gen.segments[s].arrays
            sent_para = a["sent_para"]
            para = sent_para[local]
            doc_first = self._segs.first_sent[s][a["sent_doc"][local]]
            # A segment numbers its sentences and paragraphs in reading order, so the first
            # sentence of a paragraph is found by bisection.
            para_first = np.searchsorted(sent_para, para, side="left")
            out[pick] = np.stack(
                [local - para_first, para - sent_para[doc_first], local - doc_first], axis=1
            )
        return out

    def term_weights(self, term_ids: list[int]) -> np.ndarray:
        """Each term's sentence-level IDF, always positive: a question word's weight."""
        return self._idf_sent[np.asarray(term_ids, dtype=np.int64)]

    @property
    def sentence_count(self) -> int:
        """How many sentences the index holds (sentence ids run from 0 to this, exclusive)."""
        return self._n_sent

    @property
    def unknown_weight(self) -> float:
        """What a question word the index does not know weighs."""
        return self._idf_unknown

    def _sentence_terms(self, sid: int) -> list[int]:
        """The term ids of a sentence, in order (stopwords left out), as stored at build time."""
        return self._segs.sentence_terms(sid)

    def _holds_name(self, sid: int, named: frozenset[int]) -> bool:
        """Whether the sentence, its neighbours or the heading over it hold a term of `named`."""
        first, last = self.section_headings(np.array([sid]))[0].tolist()
        sids = [sid, *range(first, last + 1)] if first >= 0 else [sid]
        terms, _ = self.term_windows(np.array(sids, dtype=np.int64))
        return not named.isdisjoint(terms.tolist())

    def _sentence_text(self, sid: int) -> str:
        return self.document_text(int(self._sent_doc[sid]))[
            self._sent_start[sid] : self._sent_end[sid]
        ]

    def _answer_in(
        self, sid: int, qtype: answers.QuestionType, qset: frozenset[str]
    ) -> tuple[int, int] | None:
        return answers.best_answer(qtype, self._sentence_text(sid), qset)

    def _covered(
        self,
        sid: int,
        term_ids: list[int],
        missing: int,
        share: float | None = None,
        named: frozenset[int] = frozenset(),
    ) -> bool:
        """Whether the sentence with its neighbours holds enough of the question's weight
        (unknown words count). `share`: of the known words' weight, if the ranker found it.
        `named`: the names the question writes as code (`reading.code_names`); a sentence that
        holds one, or stands under a heading that does, answers about it however chatty the
        question's other words are."""
        if named and self._holds_name(sid, named):
            return True
        unique = list(dict.fromkeys(term_ids))
        known = float(self._idf_sent[unique].sum())
        total = known + missing * self._idf_unknown
        if share is None:
            present = set(self.term_windows(np.array([sid]))[0].tolist())
            got = (
                float(self._idf_sent[[t for t in unique if t in present]].sum()) if present else 0.0
            )
        else:
            got = share * known
        return total > 0 and got / total >= MIN_COVERAGE
