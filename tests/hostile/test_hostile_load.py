"""Load: 50 users send 1,000 questions over the bot's real dispatch path, with a /reload midway;
and 100 users ask at the same instant, while a /reload rebuilds the index.

Every question gets exactly one reply (an answer, "no answer", or a cooldown notice), none is lost,
and no index work runs on the event loop. That last promise is checked structurally (tests/bot/
offloop.py: `Index.ask`, loads and builds fail when called on the loop's thread), not by timing,
which a shared machine can break and a few-millisecond search on the loop would not.

How long the loop was blocked is still measured (a sampler task sleeps 10 ms in a loop and records
how late it wakes) and reported in the run's summary ("hostile inputs tried"). Its bound is
relative and generous: the worst lateness may be at most 50 times the run's median lateness (how
busy the machine is right now), and never fails under one second: only a loop frozen for a
second or more fails it, never a busy machine.
"""

from __future__ import annotations

import asyncio
import gc
import random
import statistics
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from discord.webhook.async_ import async_context
from fakediscord import MANAGE_GUILD, Recorder, command_payload, make_bot, settle, write_docs

from bot.client import freeze_startup_objects
from bot.settings import Settings
from index import open_index

pytestmark = pytest.mark.asyncio

USERS = 50
QUESTIONS_EACH = 20
COOLDOWN = 0.15  # seconds: users asking faster than this get the cooldown notice
QUESTIONS = (
    "how many troops will Mexico train?",
    "how many voles do barn owls eat?",
    "how many clay pots does the greenhouse hold?",
    "when should I water the tomatoes?",
    "who do I ping when the first frost comes?",
    "how many zeppelins fly over Lakehurst?",  # only in the document added before the reload
    "zebra quantum xylophone?",
)
ADDED = "Airships\n\nEvery May, 3 zeppelins fly over Lakehurst.\n"


class TokenRecorder(Recorder):
    """The recorder, keeping per interaction (by its token) only what each reply was.

    Keeping every payload, as the bot's tests do, would make this test's own memory what the
    garbage collector spends its pauses on.
    """

    def __init__(self) -> None:
        super().__init__()
        self.replies: dict[str, list[str]] = defaultdict(list)
        self.pinging: list[dict] = []  # replies without allowed_mentions {"parse": []}

    def note(self, token: str, payload: dict[str, Any]) -> None:
        self.replies[token].append(kind(payload))
        if payload.get("allowed_mentions") != {"parse": []}:
            self.pinging.append(payload)

    async def create_interaction_response(self, interaction_id, token, *, params, **kwargs):
        payload = params.payload
        if payload["type"] == 4:  # a message: here, a cooldown notice
            self.note(token, payload["data"])
        message = self.message_json(payload.get("data")) if payload["type"] in (4, 5) else None
        data: dict[str, Any] = {"interaction": {"id": str(interaction_id), "type": 2}}
        if message is not None:
            data["interaction"]["response_message_id"] = message["id"]
            data["interaction"]["response_message_loading"] = payload["type"] == 5
            data["resource"] = {"type": payload["type"], "message": message}
        return data

    async def execute_webhook(self, webhook_id, token, *, payload=None, wait=False, **kwargs):
        self.note(token, payload)
        return self.message_json(payload) if wait else None

    async def delete_original_interaction_response(self, application_id, token, **kwargs):
        pass


def feed(bot, recorder: Recorder, payload: dict) -> None:
    """Hand one raw interaction to discord.py as the gateway would (fakediscord.feed without its
    task bookkeeping, which lists every pending task and would itself block the loop at 1,000)."""
    token = async_context.set(recorder)  # the tasks discord.py creates copy this context
    try:
        bot._connection.parse_interaction_create(payload)
    finally:
        async_context.reset(token)


class LoopSampler:
    """Sleeps `period` seconds in a loop and records the worst lateness: the longest block."""

    def __init__(self, period: float = 0.01) -> None:
        self.period = period
        self.worst = 0.0
        self.samples = 0
        self.lateness: list[float] = []

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.period)
            late = loop.time() - started - self.period
            self.worst = max(self.worst, late)
            self.lateness.append(late)
            self.samples += 1

    @property
    def bound(self) -> float:
        """The generous, relative bound on the worst lateness (see the module's docstring)."""
        return max(1.0, 50 * statistics.median(self.lateness))

    def check(self, min_samples: int) -> None:
        assert self.samples >= min_samples, self.samples  # the sampler ran throughout
        assert self.worst < self.bound, (
            f"the event loop was blocked for {self.worst * 1000:.0f} ms "
            f"(median lateness {statistics.median(self.lateness) * 1000:.1f} ms)"
        )


async def test_a_thousand_questions_from_fifty_users_with_a_reload(tmp_path: Path, tally: Counter):
    docs = write_docs(tmp_path / "docs")
    index_dir = tmp_path / "index"
    freeze_startup_objects()  # as `python -m bot` does before it loads the index
    try:
        await run_load(docs, index_dir, tmp_path, tally)
    finally:
        gc.unfreeze()


async def run_load(docs: Path, index_dir: Path, tmp_path: Path, tally: Counter) -> None:
    old = await asyncio.to_thread(open_index, docs, index_dir)
    settings = Settings(
        docs=docs,
        index_dir=index_dir,
        cooldown_seconds=COOLDOWN,
    )
    bot = await make_bot(settings, old)
    recorder = TokenRecorder()
    sampler = LoopSampler()
    sampling = asyncio.create_task(sampler.run())
    fed = during = 0
    halfway = asyncio.Event()
    rng = random.Random(5)
    waits = [[rng.uniform(0.05, 0.35) for _ in range(QUESTIONS_EACH)] for _ in range(USERS)]
    picks = [[rng.choice(QUESTIONS) for _ in range(QUESTIONS_EACH)] for _ in range(USERS)]

    async def user(n: int) -> None:
        nonlocal fed, during
        for i in range(QUESTIONS_EACH):
            await asyncio.sleep(waits[n][i])
            payload = command_payload("ask", {"question": picks[n][i]}, user_id=1000 + n)
            payload["token"] = f"user{n}-question{i}"
            feed(bot, recorder, payload)
            fed += 1
            during += bot.reloading
            if fed == USERS * QUESTIONS_EACH // 2:
                halfway.set()

    async def admin() -> None:
        await halfway.wait()
        (docs / "airships.txt").write_text(ADDED)  # so the reload really rebuilds
        payload = command_payload("reload", permissions=MANAGE_GUILD, user_id=999)
        payload["token"] = "reload"
        feed(bot, recorder, payload)

    started = time.perf_counter()
    await asyncio.gather(admin(), *(user(n) for n in range(USERS)))
    await settle()
    seconds = time.perf_counter() - started
    sampling.cancel()

    tokens = {f"user{n}-question{i}" for n in range(USERS) for i in range(QUESTIONS_EACH)}
    assert fed == len(tokens) == 1000
    counts = Counter(len(recorder.replies.get(t, [])) for t in tokens)
    assert counts == {1: 1000}, counts  # every question one reply: none lost, none doubled
    kinds = Counter(recorder.replies[t][0] for t in tokens)
    assert kinds["answer"] > 300 and kinds["cooldown"] > 0, kinds
    assert set(kinds) <= {"answer", "no answer", "cooldown"}, kinds
    assert recorder.pinging == []
    assert recorder.replies["reload"] == ["reloaded"]
    assert bot.index is not old and not bot.reloading

    sampler.check(min_samples=50)  # 1,000 questions take seconds
    tally["load: questions"] += len(tokens)
    tally["load: questions asked while the reload ran"] += during
    tally["load: users"] += USERS
    tally["load: max event-loop block ms"] = round(sampler.worst * 1000, 1)
    tally["load: median event-loop lateness ms"] = round(
        statistics.median(sampler.lateness) * 1000, 1
    )
    tally["load: seconds for 1,000 questions"] = round(seconds, 1)
    tally["load: replies by kind " + str(dict(sorted(kinds.items())))] += 1
    await bot.close()


async def test_a_hundred_questions_at_once_while_a_reload_rebuilds(tmp_path: Path, tally: Counter):
    """The issue's burst: 100 users ask in the same instant, just after a /reload that rebuilds."""
    freeze_startup_objects()  # as `python -m bot` does before it loads the index
    try:
        await run_burst(tmp_path, tally)
    finally:
        gc.unfreeze()


async def run_burst(tmp_path: Path, tally: Counter) -> None:
    docs = write_docs(tmp_path / "docs")
    index_dir = tmp_path / "index"
    old = await asyncio.to_thread(open_index, docs, index_dir)
    settings = Settings(docs=docs, index_dir=index_dir)
    # The reload rebuilds everything (an added file alone is only read, as an update).
    bot = await make_bot(settings, old, load=lambda: open_index(docs, index_dir, rebuild=True))
    recorder = TokenRecorder()
    sampler = LoopSampler()
    sampling = asyncio.create_task(sampler.run())
    await asyncio.sleep(0.05)  # the sampler is running before the burst

    (docs / "airships.txt").write_text(ADDED)  # so the reload really rebuilds
    payload = command_payload("reload", permissions=MANAGE_GUILD, user_id=999)
    payload["token"] = "reload"
    feed(bot, recorder, payload)
    await asyncio.sleep(0)  # the reload has started
    reloading = bot.reloading
    tokens = []
    for n in range(100):  # one burst: the gateway hands over one event per read of its socket
        payload = command_payload("ask", {"question": QUESTIONS[n % 5]}, user_id=5000 + n)
        payload["token"] = f"burst{n}"
        tokens.append(payload["token"])
        feed(bot, recorder, payload)
        await asyncio.sleep(0)
    await settle()
    sampling.cancel()

    assert reloading
    assert recorder.replies["reload"] == ["reloaded"]
    assert Counter(len(recorder.replies.get(t, [])) for t in tokens) == {1: 100}
    assert all(recorder.replies[t] == ["answer"] for t in tokens), Counter(
        recorder.replies[t][0] for t in tokens
    )
    assert recorder.pinging == []
    sampler.check(min_samples=1)  # the burst can be over in a few samples
    tally["load: burst of questions at once, during a reload"] += len(tokens)
    tally["load: burst max event-loop block ms"] = round(sampler.worst * 1000, 1)
    tally["load: burst median event-loop lateness ms"] = round(
        statistics.median(sampler.lateness) * 1000, 1
    )
    await bot.close()


def kind(reply: dict[str, Any]) -> str:
    """What a reply is: an answer, no answer, a cooldown notice, or the reload's report."""
    content = reply.get("content") or ""
    if content.startswith("Please wait"):
        return "cooldown"
    if content.startswith("Reloaded.") and "index of 4 documents" in content:
        return "reloaded"
    (embed,) = reply["embeds"]
    return "answer" if embed.get("fields") else "no answer"
