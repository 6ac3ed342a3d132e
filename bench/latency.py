"""Publication → first push: how long after a story appears does the first reader get it?

`bantin run` (the real App: scheduler, poller, WebSub receiver, delivery worker, PTB)
against two fake news sites on loopback, one plain (polled) and one whose feed advertises
the fake WebSub hub, and the fake Bot API. Stories are published at random moments (so
they fall anywhere in the poll cycle); the latency of each is the time from its
publication to the fake Telegram receiving its card. Prints p50/p95 for each kind of
feed and the command to reproduce.

    .venv/bin/python bench/latency.py                 # the defaults ([poll] 60 s), ~6 min
    .venv/bin/python bench/latency.py --interval 6    # the same cycle at a tenth, ~40 s
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import socket
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.app import App
from bot.config import parse_config
from bot.core.settings import PollConfig
from bot.scheduler import tick_seconds
from bot.store import Store
from tests.fakes.news_site import VN_TZ, FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.websub_hub import FakeHub

READER = 4242
PARAGRAPHS = [
    "Sáng nay, mưa lớn kéo dài gây sạt lở trên đèo Prenn, nhiều xe phải quay đầu.",
    "Lực lượng chức năng đã có mặt để phân luồng và khắc phục sự cố trong ngày.",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def publish(site: FakeNewsSite, slug: str, title: str) -> float:
    site.add_story(
        slug, title, "(Lamdongtv.vn) - Tin mới.", PARAGRAPHS, published=datetime.now(VN_TZ)
    )
    return time.monotonic()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(
    tmp: Path,
    tg: FakeTelegram,
    polled: FakeNewsSite,
    pushed: FakeNewsSite,
    args: argparse.Namespace,
) -> dict[str, list[float]]:
    port = free_port()
    interval = f"interval_seconds = {args.interval}" if args.interval else ""
    text = f"""
[storage]
path = "{tmp / "bench.sqlite3"}"

[poll]
{interval}

[fetch]
trusted_networks = ["127.0.0.1/32"]

[websub]
callback_url = "http://127.0.0.1:{port}/websub"
listen = "127.0.0.1:{port}"

[telegram]
token = "{tg.token}"
api_base_url = "{tg.url}"

[[feeds]]
name = "Polled"
url = "{polled.feed_url}"

[[feeds]]
name = "WebSub"
url = "{pushed.feed_url}"
"""
    config = parse_config(text, str(tmp / "config.toml"))
    store = Store(config.storage_path)
    chat = store.sync.chats.upsert("telegram", str(READER))
    store.sync.chats.subscribe(chat.id)
    store.close()
    app = App(config)
    stop = asyncio.Event()
    runner = asyncio.create_task(app.run(stop))
    published: dict[str, tuple[str, float]] = {}
    try:
        # The first poll of each feed primes it (what it already lists is not pushed).
        deadline = time.monotonic() + 30
        while app.store.sync.articles.count() < 2 or app.store.sync.websub.get(2) is None:
            if time.monotonic() > deadline:
                raise SystemExit("the first polls did not happen in 30 s")
            await asyncio.sleep(0.1)
        period = config.poll.interval_seconds
        for n in range(args.stories):
            # Anywhere in the poll cycle: wait a random part of it, then publish on both.
            await asyncio.sleep(random.uniform(0, period))
            for kind, site in (("polled", polled), ("websub", pushed)):
                title = f"Tin {kind} số {n + 1}: mưa lớn ở Đà Lạt"
                published[title] = (kind, publish(site, f"{kind}-{n}", title))
        deadline = time.monotonic() + 2 * period + 60
        while len(arrived(tg, published)) < len(published) and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(runner, 15)
        await app.close()
    latencies: dict[str, list[float]] = {"polled": [], "websub": []}
    for title, at in arrived(tg, published).items():
        kind, sent = published[title]
        latencies[kind].append(at - sent)
    return latencies


def arrived(tg: FakeTelegram, published: dict[str, tuple[str, float]]) -> dict[str, float]:
    """Each published title's first card at the fake Bot API (monotonic time)."""
    first: dict[str, float] = {}
    for call in tg.delivered(READER):
        for title in published:
            if title in call.text and title not in first:
                first[title] = call.at
    return first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--interval", type=int, default=0, help="[poll] interval_seconds (default: the default)"
    )
    parser.add_argument("--stories", type=int, default=12, help="stories per feed")
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    random.seed(args.seed)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    command = "  .venv/bin/python bench/latency.py " + " ".join(sys.argv[1:])
    interval = args.interval or PollConfig().interval_seconds
    with (
        tempfile.TemporaryDirectory() as directory,
        FakeTelegram(updates_wait=0.5) as tg,
        FakeNewsSite() as polled,
        FakeNewsSite() as pushed,
        FakeHub() as hub,
    ):
        hub.attach(pushed)
        publish(polled, "cu", "Tin đã có trước")
        publish(pushed, "cu", "Tin đã có trước")
        began = time.monotonic()
        latencies = asyncio.run(measure(Path(directory), tg, polled, pushed, args))
        took = time.monotonic() - began
    print(
        f"publication → first push, [poll] interval_seconds = {interval} "
        f"(scheduler tick {tick_seconds(interval):g} s), {args.stories} stories per feed, "
        f"{took:.0f} s in all"
    )
    for kind, values in latencies.items():
        if not values:
            print(f"  {kind:7}: no story arrived")
            continue
        print(
            f"  {kind:7}: p50 {statistics.median(values):6.2f} s   p95 "
            f"{percentile(values, 0.95):6.2f} s   max {max(values):6.2f} s   "
            f"({len(values)}/{args.stories} arrived)"
        )
    print(f"reproduce:\n{command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
