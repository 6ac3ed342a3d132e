"""Can one reader stall the bot? A 4,000-character /search beside the outbox.

    .venv/bin/python bench/stall.py --articles 20000 --chats 3000

Builds a store of synthetic stories (bench/search.py's corpus, from the VietNews dev
sample) and one story queued for `--chats` chats. Then, for each query, it runs the search
while an outbox claim (`deliveries.claim`, one row) is taken every 5 ms, and prints the
search's answer time and the claims' extra delay over a quiet baseline (median and max):

- "/search (handler)": the reader's path, `handlers.search.search_command` (the cap
  answers at once);
- "store search, read connection": the same text sent to the store past the cap (as a
  page button or a future caller might), on the readers' own connection and thread,
  stopped by the time budget;
- "store search, writer thread": for contrast, the same search on the writer's thread,
  where every search ran before issue 13;
- "store search of x*100,000": the issue's worst query, past the cap, on the read path.

Targets (issue 13): the /search answers within 1 s; a claim is delayed by under 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import reproduce_line
from bench.search import DEFAULT_DATA, Corpus, build
from bot.core.records import SearchTimedOut, StoryRecord
from bot.core.replies import Request
from bot.store import Store
from bot.store.articles import insert_article
from bot.store.fanout import enqueue_article
from handlers.base import Context
from handlers.search import search_command

CLAIM_EVERY = 0.005


def queue_for_chats(store: Store, chats: int) -> None:
    for n in range(chats):
        chat = store.sync.chats.upsert("telegram", str(1000 + n))
        store.sync.chats.subscribe(chat.id)
    story = StoryRecord(
        key="stall-bench",
        url="https://bao.example.vn/stall.html",
        title="Tin thử",
        lead="",
        body="",
        summary="",
        image=None,
        section=None,
        published_at=time.time(),
    )
    at = time.time()
    with store.db.transaction() as conn:
        article_id = insert_article(conn, None, story, at)
        assert article_id is not None
        enqueue_article(conn, article_id, None, at, "Asia/Ho_Chi_Minh")


async def claims_during(
    store: Store, work: Callable[[], Awaitable[Any]]
) -> tuple[float, list[float], str]:
    """Run `work` while claiming; its seconds, each claim's seconds, how it ended."""
    timings: list[float] = []
    done = asyncio.Event()

    async def claimer() -> None:
        while not done.is_set():
            started = time.perf_counter()
            await store.deliveries.claim("telegram", 1)
            timings.append(time.perf_counter() - started)
            await asyncio.sleep(CLAIM_EVERY)

    task = asyncio.create_task(claimer())
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    try:
        result = await work()
        ended = f"{len(result)} replies/hits" if isinstance(result, list | tuple) else "done"
    except SearchTimedOut:
        ended = "stopped by the time budget"
    elapsed = time.perf_counter() - started
    await asyncio.sleep(0.05)
    done.set()
    await task
    return elapsed, timings, ended


async def run(store: Store, text: str, words: int) -> None:
    quiet: list[float] = []
    for _ in range(100):
        started = time.perf_counter()
        await store.deliveries.claim("telegram", 1)
        quiet.append(time.perf_counter() - started)
        await asyncio.sleep(CLAIM_EVERY / 5)
    base = statistics.median(quiet)
    print(f"claim alone: median {base * 1000:.2f} ms, max {max(quiet) * 1000:.2f} ms")
    print(f"query: {len(text):,} characters, {words:,} words")
    ctx = Context(store=store)
    request = Request(platform="telegram", chat_id="1000", text="/search " + text)
    cases: dict[str, Callable[[], Awaitable[Any]]] = {
        "/search (handler)": lambda: search_command(request, ctx),
        "store search, read connection": lambda: store.search.search_page(text, limit=5),
        "store search, writer thread": lambda: store.db.call(
            store.sync.search.search_page, text, limit=5
        ),
    }
    huge = "x" * 100_000
    cases["store search of x*100,000"] = lambda: store.search.search_page(huge, limit=5)
    for name, work in cases.items():
        elapsed, timings, ended = await claims_during(store, work)
        extra = [max(0.0, t - base) for t in timings]
        print(
            f"{name:<32} answered in {elapsed * 1000:7.1f} ms ({ended}); "
            f"{len(timings)} claims beside it, extra delay median "
            f"{statistics.median(extra) * 1000:.2f} ms, max {max(extra) * 1000:.1f} ms"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--chats", type=int, default=3_000)
    parser.add_argument("--chars", type=int, default=4_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    corpus = Corpus(args.data, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "stall.sqlite3")
        try:
            seconds = build(store, corpus, args.articles)
            print(f"built {args.articles:,} stories in {seconds:.1f} s", file=sys.stderr)
            queue_for_chats(store, args.chats)
            words: list[str] = []
            for title in corpus.real_titles:
                words.extend(title.split())
                if sum(len(w) + 1 for w in words) >= args.chars:
                    break
            text = " ".join(words)[: args.chars]
            asyncio.run(run(store, text, len(text.split())))
        finally:
            store.close()
    print(reproduce_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
