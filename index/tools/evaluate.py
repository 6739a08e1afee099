"""Measure answer quality: hit@1/3/5 and MRR of passages and best sentences against known answers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from index.analysis.tokens import normalize
from index.answer.model import Answer, Conversation, Passage
from index.errors import VerbatimError
from index.store.paths import index_folder

CUTOFFS = (1, 3, 5)


@dataclass(frozen=True)
class Case:
    """One question with its answer: strings, or character spans in one document."""

    question: str
    answers: tuple[str, ...] = ()
    doc_id: str | None = None
    spans: tuple[tuple[int, int], ...] = ()


def read_cases(path: Path) -> list[Case]:
    """JSON lines with "question" and either "answers" or "answer_spans" plus "doc_id"."""
    cases = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                cases.append(
                    Case(
                        question=row["question"],
                        answers=tuple(row.get("answers") or ()),
                        doc_id=row.get("doc_id"),
                        spans=tuple(tuple(s) for s in row.get("answer_spans") or ()),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise VerbatimError(
                    f'{path}:{n}: not a JSON line with a "question" ({exc})'
                ) from exc
    if not cases:
        raise VerbatimError(f"{path} holds no questions")
    return cases


def _same_doc(document: str, doc_id: str) -> bool:
    return document == doc_id or document.rsplit(".", 1)[0] == doc_id


def hit(case: Case, passage: Passage, whole: bool = True) -> bool:
    """Whether the passage (or only its best sentence) holds one of the case's answers."""
    start, end = (
        (passage.start, passage.end) if whole else (passage.sentence_start, passage.sentence_end)
    )
    if case.spans and case.doc_id is not None:
        if not _same_doc(passage.document, case.doc_id):
            return False
        return any(s < end and start < e for s, e in case.spans)
    text = passage.text if whole else passage.text[start - passage.start : end - passage.start]
    hay = normalize(text)
    return any(normalize(a) in hay for a in case.answers if a.strip())


def score(cases: list[Case], answers: list[Answer], k: int) -> dict[str, dict[str, float]]:
    """Hit rates at 1/3/5 (and k) and MRR, for passages and for best sentences."""
    cutoffs = sorted(set(CUTOFFS) | {k})
    out: dict[str, dict[str, float]] = {}
    for label, whole in (("passage", True), ("sentence", False)):
        hits = dict.fromkeys(cutoffs, 0)
        rr = 0.0
        for case, answer in zip(cases, answers, strict=True):
            rank = next((i for i, p in enumerate(answer.passages, 1) if hit(case, p, whole)), None)
            if rank is not None:
                rr += 1 / rank
                for c in cutoffs:
                    hits[c] += rank <= c
        n = len(cases)
        out[label] = {f"hit@{c}": hits[c] / n for c in cutoffs} | {"mrr": rr / n}
    out["found"] = {"rate": sum(a.found for a in answers) / len(answers)}
    return out


def threads(cases: list[Case], size: int = 5) -> list[list[int]]:
    """Positions of `cases` as conversations: each document's questions in file order, `size` to
    a thread (a shorter last one is kept if it has a follow-up)."""
    by_doc: dict[str | None, list[int]] = {}
    for i, case in enumerate(cases):
        by_doc.setdefault(case.doc_id, []).append(i)
    out = []
    for positions in by_doc.values():
        out += [positions[i : i + size] for i in range(0, len(positions), size)]
    return [t for t in out if len(t) > 1]


def thread_figures(ask, cases: list[Case], alone: list[Answer], size: int, k: int) -> dict:
    """Sentence hit@1 of follow-ups asked in their thread against the same questions asked alone;
    and of a question from another document asked right after each thread (a topic switch).

    `ask(question, k, context)` answers; `alone` holds each case's answer asked without context.
    """
    convos = threads(cases, size)
    followed: dict[int, Answer] = {}
    switched: list[tuple[int, Answer]] = []
    for n, thread in enumerate(convos):
        conversation = Conversation()
        for i in thread:
            answer = ask(cases[i].question, k, conversation if conversation.questions else None)
            if conversation.questions:
                followed[i] = answer
            conversation = conversation.after(answer)
        # the next thread about another document: its first question switches topic
        doc = cases[thread[0]].doc_id
        later = (t for t in convos[n + 1 :] + convos[:n] if cases[t[0]].doc_id != doc)
        nxt = next(later, None)
        if nxt is not None:
            switched.append((nxt[0], ask(cases[nxt[0]].question, k, conversation)))

    def hit1(pairs: list[tuple[int, Answer]]) -> float:
        hits = sum(bool(a.passages) and hit(cases[i], a.passages[0], False) for i, a in pairs)
        return hits / max(1, len(pairs))

    out = {}
    for label, pairs in (("followup", list(followed.items())), ("switch", switched)):
        out[label] = {
            "questions": len(pairs),
            "alone": hit1([(i, alone[i]) for i, _ in pairs]),
            "followed": hit1(pairs),
        }
    return out


def materialize(documents_jsonl: Path) -> Path:
    """Write a `documents.jsonl` ({"doc_id", "text"}) as `<doc_id>.txt` files; return the folder."""
    raw = documents_jsonl.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()[:12]
    folder = index_folder(documents_jsonl.parent).parent / f"eval-docs-{digest}"
    if not (folder / ".complete").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for line in raw.decode("utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                name = row["doc_id"].replace("/", "_") + ".txt"
                (folder / name).write_text(row["text"], encoding="utf-8", newline="")
        (folder / ".complete").write_text("")
    return folder
