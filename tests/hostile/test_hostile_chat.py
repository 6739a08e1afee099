"""A document written to attack the chat, asked through the real bot path and the console.

Quotes from it must ping nobody, stay within Discord's limits, and leave no formatting open:
every backtick, bar, tilde, underscore, bracket and `<` from the document arrives escaped, and no
line starts a heading, a quote or a list.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import discord.ext.test as dpytest
import pytest
import pytest_asyncio
from fakediscord import (
    Recorder,
    check_payload,
    check_sent,
    command_payload,
    dispatch,
    make_bot,
    start_dpytest,
)

from bot.console import Console
from bot.render import answer_card, to_embed
from bot.settings import Settings
from index import Index, open_index

ATTACK = (
    "---\n"
    'title: "@everyone ||free nitro|| ``` <@&456>"\n'
    "---\n"
    "# Raid night\n\n"
    "The raid starts at 9 p.m. and @everyone must bring 12 potions; tell @here, <@123>, <@!124>, "
    "<@&456> and <#789> now.\n"
    "Join the raid at https://discord.gg/raidparty or discord.gg/abcdef before 10 p.m. sharp.\n"
    "The vault password is ```rm -rf / and the guard captain is ||Zed the bold and **never** "
    "closes it.\n"
    "The dragon sleeps under the old oak tree\u202e which is 40 metres from the gate.\n"
    "Zero\u200bwidth\u200c joiners\u200d and \u2066isolates wrap the 7 dragons in the cave.\n"
    "> quoted line about 3 goblins in the mine\n"
    "# heading about 5 trolls under the bridge\n"
    "-# subtext about 8 imps in the attic\n"
    "1. a list of 2 orcs in the tower\n"
    "[click here](https://evil.example/steal) for 6 free swords from the smith.\n"
    "<t:1700000000:R> and <:emoji:123> and <a:anim:456> show 4 clocks on the wall.\n"
    "See https://example.org/x`y`|z|~~w for the 11 pipes of the organ.\n"
    "~~strike~~ __under__ *em* _em_ `code` spell the 13 runes of the door.\n"
    "\\`escaped\\` backslashes hold the 14 keys of the gate ```\n"
)
QUESTIONS = (
    "when does the raid start?",
    "who must bring potions?",
    "where do we join the raid?",
    "what is the vault password?",
    "where does the dragon sleep?",
    "how many dragons are in the cave?",
    "how many goblins are in the mine?",
    "how many trolls are under the bridge?",
    "how many imps are in the attic?",
    "how many orcs are in the tower?",
    "how many free swords from the smith?",
    "how many clocks on the wall?",
    "how many pipes does the organ have?",
    "how many runes on the door?",
    "how many keys of the gate?",
)
SPECIAL = "`|~_<[]"
DIRECTION = re.compile("[\u202a-\u202e\u2066-\u2069]")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LINE_MARK = re.compile(r"^\s*(?:[#>+\-]|\d+\.\s)")
OUR_LINK = re.compile(r"\[[^\]\\]+\]\(https?://[^)\s]+\)")  # the source link we write ourselves


def unescaped(text: str) -> list[str]:
    """The characters of `text` that Discord reads as markup: not preceded by a backslash."""
    out, escaped = [], False
    for c in text:
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        else:
            out.append(c)
    return out


def assert_inert(text: str) -> None:
    """Document text as rendered for Discord: nothing in it can format or reorder the message."""
    assert not DIRECTION.search(text) and not CONTROL.search(text), text
    for line in text.split("\n"):
        line = OUR_LINK.sub("", line)
        body = line[2:] if line.startswith("> ") else line  # the quote mark is ours
        assert not LINE_MARK.match(body) or body.startswith("Source: "), line
        live = "".join(unescaped(body))
        bare = live.replace("**", "")  # the bold answer is ours, opened and closed on one line
        assert live.count("**") % 2 == 0, line
        assert not any(c in bare for c in SPECIAL + "*"), line


def embed_texts(embed: dict) -> list[str]:
    texts = [embed.get("title", ""), embed.get("description", "")]
    for f in embed.get("fields", []):
        texts += [re.sub(r"^\d+\. ", "", f["name"]), f["value"]]  # the number is ours
    return [*texts, embed.get("footer", {}).get("text", "")]


@pytest.fixture(scope="module")
def attack_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    docs = tmp_path_factory.mktemp("attack")
    (docs / "raid.md").write_text(ATTACK, encoding="utf-8")
    (docs / "@here `x` ||y.md").write_text("# ||Spoiler `name\n\nThe moat holds 15 eels.\n")
    (docs / "owls.txt").write_text("Barn owls eat about four voles a night.\n")
    return open_index(docs, tmp_path_factory.mktemp("attack-index"))


@pytest_asyncio.fixture
async def attack_bot(attack_index: Index, tmp_path: Path):
    settings = Settings(docs=Path("unused"), cooldown_seconds=0)
    bot = await make_bot(settings, attack_index)
    yield bot
    await bot.close()


@pytest.mark.asyncio
async def test_quotes_from_the_attack_ping_nobody_and_close_everything(
    attack_bot, attack_index: Index, tally: Counter
):
    recorder = Recorder()
    questions = (*QUESTIONS, "how many eels are in the moat?", "zebra quantum xylophone?")
    for question in questions:
        await dispatch(attack_bot, recorder, command_payload("ask", {"question": question}))
    await dispatch(attack_bot, recorder, command_payload("sources"))
    sent = check_sent(recorder)  # {"parse": []} on every message, every size within limits
    embeds = [e for payload in sent for e in payload.get("embeds", [])]
    assert len(embeds) == len(questions) + 1  # one reply each, and the sources page
    for embed in embeds:
        for text in embed_texts(embed):
            assert_inert(text)
    quoted = "\n".join(f["value"] for e in embeds for f in e.get("fields", []))
    assert "@everyone must bring" in quoted  # the words are kept; allowed_mentions stops pings
    assert "\\<@123>" in quoted and "\\<#789>" in quoted  # shown as written, escaped
    assert "https://discord.gg/raidparty" in quoted  # a plain link, not hidden behind a label
    assert "\\[click here\\](https://evil.example/steal)" in quoted
    assert not any("went wrong" in str(c.payload) for c in recorder.calls)
    tally["chat: attack questions through raw interactions"] += len(questions) + 1


def test_every_passage_of_the_attack_renders_inert(attack_index: Index):
    for question in QUESTIONS:
        answer = attack_index.ask(question, k=10)
        assert answer.found, question
        embed = to_embed(answer_card(answer)).to_dict()
        for text in embed_texts(embed):
            assert_inert(text)


def test_the_console_shows_the_attack_as_written_without_terminal_controls(
    attack_index: Index, tally: Counter
):
    console = Console(attack_index, Settings(docs=Path("unused")))
    shown = [console.reply(q) or "" for q in QUESTIONS]
    for out in shown:
        assert not DIRECTION.search(out) and not CONTROL.search(out)
    text = "\n".join(shown)
    assert "@everyone must bring 12 potions" in text  # harmless in a terminal: as written
    assert "```rm -rf /" in text and "||Zed the bold" in text
    tally["chat: attack questions through the console"] += len(QUESTIONS)


def test_an_unbalanced_override_in_a_question_cannot_reorder_the_reply(attack_index: Index):
    answer = attack_index.ask("\u202ehow many dragons are in the cave?\x1b[2J")
    embed = to_embed(answer_card(answer)).to_dict()
    assert embed["title"] == "how many dragons are in the cave?\ufffd\\[2J"
    for text in embed_texts(embed):
        assert_inert(text)


@pytest.mark.asyncio
async def test_a_prefix_command_reply_pings_nobody(attack_index: Index, tmp_path: Path):
    """`!ask` through dpytest's fake gateway builds the same embed; its reply pings nobody."""
    settings = Settings(
        docs=Path("unused"),
        message_content=True,
        cooldown_seconds=0,
    )
    _, sent = await start_dpytest(settings, attack_index)
    try:
        await dpytest.message("!ask who must bring potions?")
        await dpytest.message("!ask how many runes on the door?")
    finally:
        await dpytest.empty_queue()
    assert len(sent) == 2
    for payload in sent:
        check_payload(payload)
        for embed in payload["embeds"]:
            for text in embed_texts(embed):
                assert_inert(text)
