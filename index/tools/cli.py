"""`python -m index`: build, ask, eval, sentences (and bench) from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from index.answer.model import Answer, Conversation, Passage
from index.errors import VerbatimError
from index.read import extract
from index.search.opening import open_index
from index.search.searcher import ENGINES
from index.tools import bench, train  # train imports its training libraries only when it runs

EXAMPLE = 'python -m index ask "how many troops will Mexico train?"'


def _add_common(p: argparse.ArgumentParser, engine: bool = True) -> None:
    p.add_argument("--docs", help="documents folder (default: $VERBATIM_DOCS or seeds/)")
    p.add_argument("--index", help="index folder (default: $VERBATIM_INDEX or a cache folder)")
    if engine:
        p.add_argument("--engine", choices=ENGINES, default="bm25", help="scorer (default: bm25)")
    p.add_argument(
        "--language",
        help="auto (each document's own, detected) or a code such as de, zh that every document"
        " and question is read in (default: $VERBATIM_LANGUAGE or auto)",
    )


def create_parser() -> argparse.ArgumentParser:
    """The command-line parser, one subcommand a job."""
    parser = argparse.ArgumentParser(
        prog="python -m index", description="Answer questions from documents by quoting them."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="build or refresh the index, print a one-line summary")
    _add_common(p)
    p.add_argument("--rebuild", action="store_true", help="rebuild even if the index is current")

    p = sub.add_parser("ask", help="answer a question with quoted passages")
    p.add_argument("question", nargs="?", help="the question, in plain words")
    p.add_argument(
        "--batch",
        metavar="FILE",
        help='one question a line, or JSON lines with "question" (and "thread": lines of one '
        "thread are asked in order as one conversation)",
    )
    p.add_argument("-k", type=int, default=3, help="number of passages (default 3)")
    p.add_argument("--json", action="store_true", help="print JSON")
    _add_common(p)

    p = sub.add_parser("eval", help="hit@1/3/5 and MRR on questions with known answers")
    p.add_argument(
        "file",
        help="JSON lines with questions, or a folder with questions.jsonl and documents.jsonl",
    )
    p.add_argument("-k", type=int, default=5, help="passages per question (default 5)")
    p.add_argument(
        "--threads",
        metavar="N",
        type=int,
        default=0,
        help="also ask each document's questions in order as conversations of N (follow-ups)",
    )
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    _add_common(p)

    p = sub.add_parser("sentences", help="show how documents are split into sentences")
    p.add_argument("files", nargs="+", help="document files")
    p.add_argument("--json", action="store_true", help="one JSON line a file")

    bench.add_arguments(sub.add_parser("bench", help=bench.HELP))
    train.add_arguments(sub.add_parser("train", help=train.HELP))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit code. Errors are one line on stderr."""
    parser = create_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except VerbatimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _settings(args: argparse.Namespace) -> dict:
    """open_index's arguments from the command line, else the environment, else `.env` in the
    working folder (as the bot reads them): VERBATIM_DOCS, VERBATIM_INDEX, VERBATIM_DOCS_URL,
    VERBATIM_LANGUAGE;
    VERBATIM_READ_TIMEOUT sets the time a file may take to read."""
    from dotenv import dotenv_values

    values = {k: v for k, v in dotenv_values(".env").items() if v} if Path(".env").is_file() else {}
    values.update({k: v for k, v in os.environ.items() if v})
    raw = values.get("VERBATIM_READ_TIMEOUT", "").strip()
    if raw:
        try:
            extract.set_time_limit(float(raw))
        except ValueError:
            raise VerbatimError(
                f"VERBATIM_READ_TIMEOUT must be a number of seconds from 1 to 3600, not {raw!r}"
            ) from None
    return {
        "docs": args.docs or values.get("VERBATIM_DOCS"),
        "index_dir": args.index or values.get("VERBATIM_INDEX"),
        "docs_url": values.get("VERBATIM_DOCS_URL"),
        "engine": getattr(args, "engine", "bm25"),
        "language": getattr(args, "language", None) or values.get("VERBATIM_LANGUAGE"),
    }


def _open(args: argparse.Namespace):
    idx = open_index(**_settings(args), progress=True)
    for warning in idx.report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return idx


def cmd_build(args: argparse.Namespace) -> int:
    idx = open_index(**_settings(args), progress=True, rebuild=args.rebuild)
    for warning in idx.report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(idx.report.summary())
    return 0


def _batch_questions(path: str) -> list[tuple[str, str | None]]:
    """(question, thread id or None) of each line: plain text, or JSON with "question" and an
    optional "thread"."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise VerbatimError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from exc
    out = []
    for line in lines:
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                row = json.loads(line)
                thread = row.get("thread")
                out.append((str(row["question"]), None if thread is None else str(thread)))
                continue
            except (ValueError, KeyError, TypeError, AttributeError):
                pass
        out.append((line.strip(), None))
    return out


def cmd_ask(args: argparse.Namespace) -> int:
    if args.batch is None and (args.question is None or not args.question.strip()):
        raise VerbatimError(f"the question is empty: ask something, e.g. {EXAMPLE}")
    if args.k < 1:
        raise VerbatimError("-k must be at least 1")
    idx = _open(args)
    questions = _batch_questions(args.batch) if args.batch else [(args.question, None)]
    threads: dict[str, Conversation] = {}  # lines of one thread are one conversation, in order
    for question, thread in questions:
        if not question.strip():
            continue
        conversation = threads.get(thread, Conversation()) if thread is not None else None
        context = conversation if conversation and conversation.questions else None
        answer = idx.ask(question, k=args.k, context=context)
        if thread is not None and conversation is not None:
            threads[thread] = conversation.after(answer)
        if args.json:
            print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
        else:
            print(render_text(answer), flush=True)
    return 0


def render_text(answer: Answer) -> str:
    """The answer as a person reads it in a terminal: numbered quotes with the answer in bold."""
    lines = []
    if answer.following is not None:
        lines.append(f"(following: {answer.following})")
    if answer.corrections:
        fixed = ", ".join(f"{a} → {b}" for a, b in answer.corrections.items())
        lines.append(f"(searched for: {fixed})")
    if not answer.found:
        lines.append("No passage in the documents answers this question.")
        if answer.suggestions:
            lines.append("Closest documents: " + "; ".join(answer.suggestions))
        return "\n".join(lines)
    for n, p in enumerate(answer.passages, 1):
        text = " ".join(p.text.split())
        if p.answer is not None and p.answer_start is not None:
            a = p.text[: p.answer_start - p.start]
            b = p.text[p.answer_start - p.start : p.answer_end - p.start]
            c = p.text[p.answer_end - p.start :]
            text = " ".join(a.split()) + (" " if a[-1:].isspace() else "") + f"**{b}**"
            text += (" " if c[:1].isspace() else "") + " ".join(c.split())
        if not text.startswith(("“", '"', "‘", "'", "«", "„")):
            text = f"“{text}”"  # a quote that starts with its own quotation mark keeps just that
        lines.append(f"{n}. {text}  ({citation(p)})")
    return "\n".join(lines)


def citation(p: Passage) -> str:
    """Where a passage is, on one line: `handbook.pdf · p. 12 · Returns › Refunds · link`."""
    parts = [p.document]
    if p.pages_label:
        parts.append(f"pp. {p.pages_label}")
    elif p.page is not None:
        parts.append(f"p. {p.page_label or p.page}")
    if p.section:
        parts.append(p.section)
    if p.outlet:
        parts.append(p.outlet)
    if p.link or p.source:
        parts.append(p.link or p.source)
    line = " · ".join(parts)
    if p.also_in:
        n = len(p.also_in)
        line += f"; also in {n} other document{'s' * (n != 1)}"
    return line


def cmd_eval(args: argparse.Namespace) -> int:
    from index.tools.evaluate import materialize, read_cases, score

    path = Path(args.file)
    docs = args.docs
    if path.is_dir():
        if docs is None and (path / "documents.jsonl").exists():
            docs = str(materialize(path / "documents.jsonl"))
        path = path / "questions.jsonl"
    if not path.exists():
        raise VerbatimError(f"{path} does not exist: pass a JSON lines file of questions")
    cases = read_cases(path)
    args.docs = docs
    idx = _open(args)
    started = time.perf_counter()
    answers = [idx.ask(c.question, k=max(args.k, 5)) for c in cases]
    seconds = time.perf_counter() - started
    figures = score(cases, answers, args.k)
    if args.threads > 1:
        from index.tools.evaluate import thread_figures

        def ask(question: str, k: int, context: Conversation | None) -> Answer:
            return idx.ask(question, k=k, context=context)

        figures["threads"] = thread_figures(ask, cases, answers, args.threads, max(args.k, 5))
    if args.json:
        print(json.dumps({"questions": len(cases), "seconds": seconds} | figures))
        return 0
    print(
        f"{len(cases)} questions, {idx.report.documents} documents, {idx.report.sentences} sentences, {seconds:.1f} s"
    )
    for label in ("sentence", "passage"):
        row = "  ".join(f"{key} {value:.3f}" for key, value in figures[label].items())
        print(f"{label:9} {row}")
    print(f"found     {figures['found']['rate']:.3f}")
    for label, row in figures.get("threads", {}).items():
        change = (row["followed"] - row["alone"]) * 100
        print(
            f"{label:9} {row['questions']} questions  sentence hit@1 alone {row['alone']:.3f}"
            f"  in thread {row['followed']:.3f} ({change:+.1f} points)"
        )
    return 0


def cmd_sentences(args: argparse.Namespace) -> int:
    from index.analysis.languages import detect_document
    from index.read.documents import read_document
    from index.read.extract import sentences

    status = 0
    for name in args.files:
        doc, note = read_document(Path(name).name, Path(name))
        if doc is None:
            print(f"error: {name}: {note}", file=sys.stderr)
            status = 2
            continue
        # as the build splits it: in the document's language, code blocks and table rows whole
        spans = sentences(doc, detect_document(doc.text))
        if args.json:
            rows = [{"start": s, "end": e, "text": doc.text[s:e]} for s, e, _ in spans]
            print(json.dumps({"document": name, "sentences": rows}, ensure_ascii=False))
        else:
            for n, (s, e, _) in enumerate(spans, 1):
                print(f"{name}:{n} [{s}:{e}] {' '.join(doc.text[s:e].split())}")
    return status


COMMANDS = {
    "build": cmd_build,
    "ask": cmd_ask,
    "eval": cmd_eval,
    "sentences": cmd_sentences,
    "bench": bench.cmd_bench,
    "train": train.cmd_train,
}
