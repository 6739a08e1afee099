"""The bot under a burst, at any scale: N /ask interactions at once beside a /reload.

The load tests run this on the small test documents; this script runs it on any folder (the 1M
benchmark), through discord.py's real dispatch with only the network faked, and prints whether
every question got one answer and how long the event loop was ever blocked:

    .venv/bin/python tests/hostile/burst.py --docs /tmp/bench/1m/docs \\
        --questions /tmp/bench/1m/questions.jsonl [--index DIR] [-n 100] [--rebuild]

The /reload re-reads the folder: a load of the saved index; with --update (which touches the
first document just before) an update that reads that one file again; with --rebuild a full
rebuild, while the burst is answered from the current index.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "bot")]

from fakediscord import MANAGE_GUILD, command_payload, make_bot, settle  # noqa: E402
from test_hostile_load import LoopSampler, TokenRecorder, feed  # noqa: E402

from bot.client import freeze_startup_objects  # noqa: E402
from bot.settings import Settings  # noqa: E402
from index import open_index  # noqa: E402


class BurstRecorder(TokenRecorder):
    """Keeps the reload's reply as its text; every other reply by its kind."""

    def note(self, token: str, payload: dict) -> None:
        if token == "reload":
            self.replies[token].append(payload.get("content") or "")
        else:
            super().note(token, payload)


async def burst(
    docs: Path,
    index_dir: Path | None,
    questions: list[str],
    n: int,
    rebuild: bool = False,
    update: bool = False,
) -> dict:
    """Feed a /reload then `n` questions, one gateway event each, and wait for every reply."""
    freeze_startup_objects()  # as `python -m bot` does before it loads the index
    index = await asyncio.to_thread(open_index, docs, index_dir)  # off the loop, as the bot does
    settings = Settings(docs=docs, index_dir=index_dir)
    load = (lambda: open_index(docs, index_dir, rebuild=True)) if rebuild else None
    bot = await make_bot(settings, index, load=load)
    recorder = BurstRecorder()
    if update:  # a newer time on one document: the reload reads it again
        (docs / index.documents[0].id).touch()
    sampler = LoopSampler()
    sampling = asyncio.create_task(sampler.run())
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    payload = command_payload("reload", permissions=MANAGE_GUILD, user_id=999)
    payload["token"] = "reload"
    feed(bot, recorder, payload)
    await asyncio.sleep(0)
    reloading = bot.reloading
    tokens = []
    for i in range(n):
        question = questions[i % len(questions)]
        payload = command_payload("ask", {"question": question}, user_id=5000 + i)
        payload["token"] = f"burst{i}"
        tokens.append(payload["token"])
        feed(bot, recorder, payload)
        await asyncio.sleep(0)
    await settle()
    seconds = time.perf_counter() - started
    sampling.cancel()
    await bot.close()
    gc.unfreeze()
    return {
        "questions": n,
        "reload_running_when_the_burst_began": reloading,
        "replies_per_question": dict(Counter(len(recorder.replies.get(t, [])) for t in tokens)),
        "replies_by_kind": dict(Counter(r[0] for t in tokens if (r := recorder.replies.get(t)))),
        "reload_reply": (recorder.replies.get("reload") or ["(none)"])[0],
        "seconds_until_every_reply": round(seconds, 3),
        "longest_event_loop_block_ms": round(sampler.worst * 1000, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True, help='JSON lines with "question"')
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("-n", type=int, default=100, help="questions in the burst (default 100)")
    parser.add_argument("--rebuild", action="store_true", help="make the /reload rebuild")
    parser.add_argument("--update", action="store_true", help="make the /reload read a file again")
    args = parser.parse_args(argv)
    lines = args.questions.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    result = asyncio.run(burst(args.docs, args.index, questions, args.n, args.rebuild, args.update))
    for key, value in result.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
