"""Frozen value objects the retrieval core returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One indexed document: its id (path relative to the folder), title and source link."""

    id: str
    title: str
    source: str | None
    sentences: int


@dataclass(frozen=True)
class Copy:
    """Another document that holds the same passage (a copy, or the story from another outlet)."""

    document: str
    title: str
    link: str | None

    def to_json(self) -> dict:
        """The copy as the documented JSON object."""
        return {"document": self.document, "title": self.title, "link": self.link}


@dataclass(frozen=True)
class Passage:
    """A verbatim span of one to three sentences of one document, with its best sentence."""

    document: str
    title: str
    source: str | None
    start: int
    end: int
    text: str
    sentence_start: int
    sentence_end: int
    score: float
    answer: str | None = None
    answer_start: int | None = None  # document offsets of the answer phrase, if any
    answer_end: int | None = None
    page: int | None = None  # 1-based page of the best sentence (PDF), for links
    page_label: str | None = None  # the page's printed label when the PDF has its own (`iv`)
    pages: tuple[int, int] | None = None  # first and last page the quote is printed on (PDF)
    pages_label: str | None = None  # those pages as printed, "18–19", when the quote spans two
    section: str | None = None  # heading path above the best sentence: "Returns › Refunds"
    link: str | None = None  # opens the document at the passage where one can be made
    outlet: str | None = None  # who published it, from a `Source: CNN` line
    code: bool = False  # the passage is a code block: show it as code
    also_in: tuple[Copy, ...] = ()  # other documents holding the same passage, not shown again

    def to_json(self) -> dict:
        """The passage as the documented JSON object."""
        return {
            "document": self.document,
            "title": self.title,
            "source": self.source,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "sentence_start": self.sentence_start,
            "sentence_end": self.sentence_end,
            "score": self.score,
            "answer": self.answer,
            "page": self.page,
            "page_label": self.page_label,
            "pages": list(self.pages) if self.pages else None,
            "pages_label": self.pages_label,
            "section": self.section,
            "link": self.link,
            "outlet": self.outlet,
            "code": self.code,
            "also_in": [c.to_json() for c in self.also_in],
        }


@dataclass(frozen=True)
class Conversation:
    """What a follow-up continues: its recent questions and the documents that answered them,
    each most recent last."""

    questions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    # Where the answers were: (document, start of the first passage's best sentence).
    places: tuple[tuple[str, int], ...] = ()

    def after(self, answer: Answer, keep: int = 3) -> Conversation:
        """The conversation once `answer` is given: its question and its first passage's document
        and place added, the last `keep` of each kept."""
        top = [p.document for p in answer.passages[:1]]
        documents = [d for d in self.documents if d not in top] + top
        places = (*self.places, *((p.document, p.sentence_start) for p in answer.passages[:1]))
        return Conversation(
            (*self.questions, answer.question)[-keep:],
            tuple(documents[-keep:]),
            tuple(places[-keep:]),
        )


@dataclass(frozen=True)
class Answer:
    """The result of one question: ranked passages, spelling corrections, and timing."""

    question: str
    passages: tuple[Passage, ...]
    corrections: dict[str, str] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    suggestions: tuple[str, ...] = ()  # closest document titles when nothing answers
    following: str | None = None  # the previous question, when asked as a follow-up

    @property
    def found(self) -> bool:
        """Whether any passage answers the question."""
        return bool(self.passages)

    def to_json(self) -> dict:
        """The answer as the documented JSON object."""
        return {
            "question": self.question,
            "found": self.found,
            "corrections": dict(self.corrections),
            "elapsed_ms": self.elapsed_ms,
            "passages": [p.to_json() for p in self.passages],
        } | ({"following": self.following} if self.following is not None else {})


@dataclass(frozen=True)
class BuildReport:
    """What loading or building the index did, for a one-line summary."""

    built: bool
    documents: int
    sentences: int
    seconds: float
    index_path: str
    skipped: tuple[tuple[str, str], ...] = ()  # (document id, reason)
    warnings: tuple[str, ...] = ()
    added: int = 0  # document files read for the first time by this refresh
    changed: int = 0  # read again because they changed
    removed: int = 0  # gone from the folder: never quoted again
    unsettled: int = 0  # still being written: taken when they settle
    newly_skipped: tuple[tuple[str, str], ...] = ()  # read by this refresh, not indexed, and why
    languages: tuple[tuple[str, int], ...] = ()  # (language, live documents), most first

    @property
    def updated(self) -> bool:
        """Whether this refresh changed a saved index in place (not a build from scratch)."""
        return not self.built and bool(
            self.added or self.changed or self.removed or self.newly_skipped
        )

    def changes(self) -> str:
        """What changed, as python-discord's refreshdoc says it: "+3 added · ~1 changed · −2
        removed", then the files read but not indexed: "· skipped 1: a.pdf (why)"."""
        line = f"+{self.added} added · ~{self.changed} changed · −{self.removed} removed"
        if self.newly_skipped:
            line += " · " + _skipped(self.newly_skipped)
        return line

    def skipped_items(self) -> list[str]:
        """The skipped files as the summary lists them (see `_grouped`)."""
        return _grouped(self.skipped)

    def summary(self) -> str:
        """One line saying what happened."""
        verb = "Built" if self.built else ("Updated" if self.updated else "Loaded")
        line = f"{verb} index of {self.documents} document{'s' * (self.documents != 1)}, "
        line += f"{self.sentences} sentences in {self.seconds:.2f} s ({self.index_path})"
        if self.updated:
            line = f"{self.changes()} · {self.seconds:.1f} s. " + line
        if self.languages and [lang for lang, _ in self.languages] != ["en"]:
            line += "; languages: " + ", ".join(f"{lang} {n}" for lang, n in self.languages)
        if self.unsettled:
            line += f"; {self.unsettled} still being written, taken when they settle"
        if self.skipped:
            line += "; " + _skipped(self.skipped)
        return line


def _grouped(items: tuple[tuple[str, str], ...]) -> list[str]:
    """Skipped files as listed: "a.pdf (unreadable)", and a reason shared by 3 or more files (a
    site's generated pages) once, with its count and a first file."""
    count: dict[str, int] = {}
    for _, why in items:
        count[why] = count.get(why, 0) + 1
    listed, said = [], set()
    for doc, why in items:
        if count[why] < 3:
            listed.append(f"{doc} ({why})")
        elif why not in said:
            said.add(why)
            listed.append(f"{count[why]} {why}: {doc}, …")
    return listed


def _skipped(items: tuple[tuple[str, str], ...]) -> str:
    """ "skipped 2: a.pdf (why), b.txt (why)" (five listed at most)"""
    listed = _grouped(items)
    more = f" and {len(listed) - 5} more" if len(listed) > 5 else ""
    return f"skipped {len(items)}: {', '.join(listed[:5])}{more}"
