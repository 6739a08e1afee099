"""Hostile questions through the CLI, the console and the bot: an answer, a clear "no answer", or
(empty and blank questions) the one-line usage error; never a traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import pytest_asyncio
from fakediscord import Recorder, check_sent, command_payload, dispatch, make_bot, write_docs

from bot.cog import QUESTION_LIMIT
from bot.settings import Settings
from index import Index, open_index
from index.cli import main
from index.typos import correct

ROOT = Path(__file__).resolve().parents[2]
TROOPS = "how many troops will Mexico train?"
QUESTIONS: dict[str, str] = {
    "empty": "",
    "whitespace": " \t \u3000 ",
    "one letter": "a",
    "one mark": "?",
    "10,000 characters": (TROOPS + " ") * (10_000 // (len(TROOPS) + 1)) + "x" * 10,
    "10,000 question marks": "?" * 10_000,
    "one 10,000-letter word": "x" * 10_000,
    "only stopwords": "the of and to a in is it that which was were be been",
    "only punctuation": "?!.,;:-()[]{}'\"…—–«»¿¡",
    "emoji": "🦉🔥💯👍🏽🧑‍🚀 ❤️‍🔥",
    "Arabic": "كم عدد الجنود الذين ستدربهم المكسيك؟",
    "Chinese": "墨西哥将训练多少军队？",
    "Devanagari": "मेक्सिको कितने सैनिकों को प्रशिक्षित करेगा?",
    "control characters": "how many\x00 troops\x07 will\x1b[2J Mexico\x7f train\x85?",
    "only control characters": "\x00\x01\x02\x1b\x7f",
    "regex metacharacters": r".*+?[](){}|^$\ (a+)+$ (?P<x>\1) [^\w]",
    "SQL look-alike": "'; DROP TABLE documents; -- how many troops",
    "SQL tautology": "1' OR '1'='1' UNION SELECT * FROM sentences --",
    "shell look-alike": "$(rm -rf /) `id` && echo pwned | tee /etc/passwd; how many troops?",
    "leading dashes": "--help -k 99 --index /etc",
    "format strings": "%s%s%n {0} {question!r} ${HOME} %(x)s",
    "HTML": "<script>alert(1)</script><img src=x onerror=alert(1)> voles",
    "mentions": "@everyone <@123> <@&456> how many voles do barn owls eat?",
    "direction override": "\u202ehow many troops will Mexico train?\u202c",
    "zero-width": "how\u200bmany\u200btroops\u200dwill\ufeffMexico\u2060train?",
    "lone surrogate": "\ud800 troops \udfff",
    "line breaks": "how many\ntroops will\r\nMexico train?",
    "answerable": TROOPS,
}
BLANK = {"empty", "whitespace"}
NOT_IN_A_LINE = {"lone surrogate"}  # no terminal sends half a UTF-16 pair; see the raw bytes case
EMPTY_CLI = 'error: the question is empty: ask something, e.g. python -m index ask "how many'
EMPTY_CORE = "the question is empty: ask something in plain words"
FOOTER = re.compile(r"^\((?:passages? [\d–]+|no passage found) · \d+ ms", re.MULTILINE)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    docs = write_docs(tmp_path_factory.mktemp("docs"))
    index_dir = tmp_path_factory.mktemp("index")
    open_index(docs, index_dir)
    return docs, index_dir


@pytest.fixture(scope="module")
def index(folders: tuple[Path, Path]) -> Index:
    return open_index(*folders)


@pytest_asyncio.fixture
async def bot(folders: tuple[Path, Path], index: Index, tmp_path: Path):
    docs, index_dir = folders
    settings = Settings(docs=docs, index_dir=index_dir, cooldown_seconds=0)
    bot = await make_bot(settings, index)
    yield bot
    await bot.close()


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_the_cli_answers_or_says_no_answer_or_usage(name, folders, capsys, tally: Counter):
    docs, index_dir = folders
    question = QUESTIONS[name]
    code = main(["ask", "--docs", str(docs), "--index", str(index_dir), "--", question])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if name in BLANK:
        assert code == 2 and out == ""
        (line,) = err.splitlines()
        assert line.startswith(EMPTY_CLI)
    else:
        assert code == 0, err
        assert out.startswith("1. “") or "No passage in the documents answers" in out, out
        assert err == ""
    if name == "answerable":
        assert "**700**" in out
    tally["questions: through the CLI"] += 1


def test_the_console_answers_every_line(folders, tally: Counter):
    """`python -m bot --console` reading every hostile question, and raw bytes no encoding allows."""
    docs, index_dir = folders
    lines = [
        f"/ask {q}" if name in BLANK else " ".join(q.splitlines())
        for name, q in QUESTIONS.items()
        if name not in NOT_IN_A_LINE
    ]
    data = "\n".join(lines).encode() + b"\n\xff\xfe\xc3( how many troops?\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "VERBATIM"))}
    env |= {"PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8:strict"}  # a strict terminal
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--console", "--docs", str(docs), "--index", str(index_dir)],
        input=data,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    out, err = done.stdout.decode(), done.stderr.decode()
    assert done.returncode == 0, err
    assert "Traceback" not in err
    assert err.startswith("Loaded index of 3 documents")
    answered = len(FOOTER.findall(out)) + out.count(EMPTY_CORE)
    assert answered == len(lines) + 1, out
    assert out.count(EMPTY_CORE) == len(BLANK)
    tally["questions: through the console"] += len(lines) + 1


@pytest.mark.asyncio
@pytest.mark.parametrize("name", list(QUESTIONS))
async def test_the_bot_replies_once_to_every_question(name, bot, tally: Counter):
    recorder = Recorder()
    await dispatch(bot, recorder, command_payload("ask", {"question": QUESTIONS[name]}))
    (reply,) = check_sent(recorder)  # exactly one message, no pings, within Discord's limits
    text = reply.get("content") or ""
    embeds = reply.get("embeds") or []
    question = QUESTIONS[name]
    if not 1 <= len(question) <= QUESTION_LIMIT:
        assert text == f"Please ask in 1 to {QUESTION_LIMIT} characters."
    elif name in BLANK:
        assert text == EMPTY_CORE
    else:
        (embed,) = embeds
        found = bool(embed.get("fields"))
        assert found or "Nothing in the documents answers" in embed["description"]
    if name == "answerable":
        assert "**700**" in embeds[0]["fields"][0]["value"]
    assert not any("went wrong" in str(c.payload) for c in recorder.calls)
    tally["questions: through the bot (raw interactions)"] += 1


def test_core_answers_every_question_without_raising(index: Index):
    for name, question in QUESTIONS.items():
        if name in BLANK:
            continue
        answer = index.ask(question)
        assert answer.found or answer.passages == (), name


def test_a_giant_word_is_not_spelled_out_edit_by_edit():
    calls = 0

    def frequency(word: str) -> int:
        nonlocal calls
        calls += 1
        return 0

    assert correct("x" * 600, frequency) is None
    assert calls <= 1_000, f"{calls} candidate words looked up for one word"
