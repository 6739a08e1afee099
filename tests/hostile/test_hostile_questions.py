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

from bot.answering import EMPTY_QUESTION
from bot.gate import QUESTION_LIMIT
from bot.settings import Settings
from index import Index, QuestionError, open_index
from index.search.question.typos import correct
from index.tools.cli import main

ROOT = Path(__file__).resolve().parents[2]
TROOPS = "how many troops will Mexico train?"
SEED = "000_44c18b5492aa5800.txt"
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
SEED_TITLE = "A first group of 150 Haitian soldiers departed…"  # opening words: a hash-like name
# What each question must give, through the core, the CLI and the bot:
#   "700"       the seed's passage first, its answer **700** marked;
#   "troops"    the seed's passage about the troops first (no "how many": nothing to mark);
#   "four"      the barn owls' passage first, its answer "four" marked;
#   "closest X" no passage (most of the question's IDF weight is in words no document has: the
#               README's quarter rule) but document X named as the closest;
#   "nothing"   no passage and no document named: no word of the question is in the documents;
#   "blank"     the one-line usage error.
EXPECTED: dict[str, str] = {
    "empty": "blank",
    "whitespace": "blank",
    "one letter": "nothing",
    "one mark": "nothing",
    "10,000 characters": "700",
    "10,000 question marks": "nothing",
    "one 10,000-letter word": "nothing",
    "only stopwords": "nothing",
    "only punctuation": "nothing",
    "emoji": "nothing",
    "Arabic": "nothing",
    "Chinese": "nothing",
    "Devanagari": "nothing",
    "control characters": "700",
    "only control characters": "nothing",
    "regex metacharacters": "nothing",
    "SQL look-alike": f"closest {SEED_TITLE}",
    "SQL tautology": f"closest {SEED_TITLE}",
    "shell look-alike": f"closest {SEED_TITLE}",
    "leading dashes": "nothing",
    "format strings": "nothing",
    "HTML": "closest Barn owls",
    "mentions": "four",
    "direction override": "700",
    "zero-width": "700",
    "lone surrogate": "troops",
    "line breaks": "700",
    "answerable": "700",
}
MARKED = {"700": "**700**", "four": "**four**"}
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
    expected = EXPECTED[name]
    if expected == "blank":
        assert code == 2 and out == ""
        (line,) = err.splitlines()
        assert line.startswith(EMPTY_CLI)
        return
    assert code == 0 and err == "", err
    first = out.splitlines()[0]
    if expected in MARKED:
        assert first.startswith("1. “") and MARKED[expected] in first, out
    elif expected == "troops":
        assert first.startswith("1. “") and "troops" in first and "**" not in first, out
    else:
        assert first == "No passage in the documents answers this question.", out
        closest = expected.removeprefix("closest ")
        assert ("Closest documents: " + closest in out) == expected.startswith("closest"), out
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
    expected = EXPECTED[name]
    if not 1 <= len(question) <= QUESTION_LIMIT:
        assert text == f"Please ask in 1 to {QUESTION_LIMIT} characters."
    elif expected == "blank":  # the bot says the core's QuestionError in the member's words
        assert text == EMPTY_QUESTION
    else:
        (embed,) = embeds
        fields = embed.get("fields") or []
        if expected in MARKED:
            assert MARKED[expected] in fields[0]["value"], embed
        elif expected == "troops":
            assert "troops" in fields[0]["value"] and "**" not in fields[0]["value"], embed
        else:
            assert not fields and "Nothing in the documents answers" in embed["description"]
            closest = "Closest documents: " + expected.removeprefix("closest ")
            assert (closest in embed["description"]) == expected.startswith("closest"), embed
    assert not any("went wrong" in str(c.payload) for c in recorder.calls)
    tally["questions: through the bot (raw interactions)"] += 1


@pytest.mark.parametrize("name", list(QUESTIONS))
def test_core_gives_each_question_its_expected_outcome(name, index: Index):
    expected = EXPECTED[name]
    if expected == "blank":
        with pytest.raises(QuestionError):
            index.ask(QUESTIONS[name])
        return
    answer = index.ask(QUESTIONS[name])
    first = answer.passages[0] if answer.passages else None
    if expected == "700":
        assert first.document == SEED and first.answer == "700", answer
    elif expected == "troops":
        assert first.document == SEED and "troops" in first.text and first.answer is None
    elif expected == "four":
        assert first.document == "owls.txt" and first.answer == "four", answer
    else:
        assert not answer.found and answer.passages == (), answer
        closest = expected.removeprefix("closest ")
        assert list(answer.suggestions[:1]) == ([closest] if expected != "nothing" else [])


def test_a_giant_word_is_not_spelled_out_edit_by_edit():
    calls = 0

    def frequency(word: str) -> int:
        nonlocal calls
        calls += 1
        return 0

    assert correct("x" * 600, frequency) is None
    assert calls <= 1_000, f"{calls} candidate words looked up for one word"
