"""Ingest throughput: N VietNews stories served from loopback in the first user's page
chrome, through the real poller: fetch → parse → extract → summarize → store.

The stage functions are wrapped with timers (not replaced), so the figures are those of
the code Bantin runs. Pages are fetched `--concurrency` at a time, as in production.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import feeds.ingest as ingest_module
from bench.common import peak_rss_mib, progress, reproduce_line, vietnews
from bot.app import App
from bot.config import parse_config
from tests.fakes.news_site import VN_TZ, FakeNewsSite

STAGES = ("fetch", "parse", "extract", "summarize", "store")


class StageClock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def sync(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - began
                self.calls[stage] += 1

        return timed

    def coro(self, stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(fn)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return await fn(*args, **kwargs)
            finally:
                self.seconds[stage] += time.perf_counter() - began
                self.calls[stage] += 1

        return timed


def printable(text: str) -> str:
    """VietNews has a few control characters that no HTML page could carry."""
    return "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")


def publish(site: FakeNewsSite, count: int) -> None:
    rows = list(vietnews())
    start = datetime(2024, 1, 1, 6, 0, tzinfo=VN_TZ)
    for i in range(count):
        row = rows[i % len(rows)]
        sentences = [printable(s) for s in row["body_sents"]]  # type: ignore[attr-defined]
        paragraphs = [" ".join(sentences[j : j + 3]) for j in range(0, len(sentences), 3)]
        site.add_story(
            f"tin-{i}",
            printable(str(row["title"])),
            printable(f"(Lamdongtv.vn) - {row['sapo']}"),
            paragraphs,
            published=start + timedelta(minutes=i),
        )
        progress(i + 1, count, "publishing stories on the fake site")


async def run(args: argparse.Namespace, feed_url: str, folder: Path) -> None:
    config = parse_config(
        f"""
[storage]
path = "{folder / "ingest.sqlite3"}"
[poll]
max_new_per_poll = {args.stories}
page_concurrency = {args.concurrency}
[fetch]
trusted_networks = ["127.0.0.1/32"]
max_bytes = 50000000
timeout_seconds = 60
[[feeds]]
name = "bench"
url = "{feed_url}"
""",
        "<bench>",
    )
    clock = StageClock()
    async with App(config) as app:
        store = app.store
        for i in range(args.chats):
            chat = store.sync.chats.upsert("telegram", str(10_000 + i))
            store.sync.chats.subscribe(chat.id)
        with store.db.transaction() as conn:
            conn.execute("UPDATE feeds SET primed = 1")
        poller = app.poller
        poller.fetcher.fetch = clock.coro("fetch", poller.fetcher.fetch)  # type: ignore[method-assign]
        poller.summarizer = clock.coro("summarize", poller.summarizer)
        store.sync.articles.record_poll = clock.sync("store", store.sync.articles.record_poll)  # type: ignore[method-assign]
        originals = {
            name: getattr(ingest_module, name) for name in ("parse_feed", "extract_article")
        }
        ingest_module.parse_feed = clock.sync("parse", originals["parse_feed"])
        ingest_module.extract_article = clock.sync("extract", originals["extract_article"])
        try:
            print(f"ingesting {args.stories} stories ...", file=sys.stderr)
            began = time.perf_counter()
            (report,) = await app.poll_once()
            elapsed = time.perf_counter() - began
        finally:
            for name, fn in originals.items():
                setattr(ingest_module, name, fn)
        stored = store.sync.articles.count()
        deliveries = sum(store.sync.deliveries.counts().values())

    total = sum(clock.seconds[s] for s in STAGES)
    print(
        f"\n{stored} stories stored ({report.parked} parked), {deliveries} outbox rows for "
        f"{args.chats} chats, in {elapsed:.1f} s: {stored / elapsed:.0f} stories/s"
    )
    print("\n| stage | calls | seconds | share |")
    print("|---|---|---|---|")
    for stage in STAGES:
        share = clock.seconds[stage] / total if total else 0.0
        print(f"| {stage} | {clock.calls[stage]} | {clock.seconds[stage]:.2f} | {share:.0%} |")
    print("\n(fetch seconds add up concurrent waits on the loopback site, which runs in its own")
    print(" process on the same 2 cores; extract, summarize and store are the bot's CPU time.)")
    print(f"peak RSS {peak_rss_mib():.0f} MiB (the bot's process)")
    print(reproduce_line())


def serve_site(count: int, pipe: Connection) -> None:
    """The fake site in its own process, so it does not share the bot's interpreter lock."""
    with FakeNewsSite() as site:
        publish(site, count)
        pipe.send(site.feed_url)
        pipe.recv()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--chats", type=int, default=100, help="subscribed chats to fan out to")
    args = parser.parse_args()
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve_site, args=(args.stories, theirs), daemon=True)
    server.start()
    try:
        feed_url = ours.recv()
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(run(args, feed_url, Path(tmp)))
    finally:
        ours.send("stop")
        server.join(timeout=10)


if __name__ == "__main__":
    main()
