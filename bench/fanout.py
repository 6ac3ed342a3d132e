"""Fan-out benchmark: one new story to N subscribed chats through the real worker and PTB.

The fake Bot API enforces Telegram's limits (it answers 429 past them), so the figures say
whether our limiter keeps to the configured rate without being told off. Prints achieved
messages/s against the configured limit, the 429s, the time to write the outbox rows, and
peak RSS (bot and fake server share this process).

    .venv/bin/python bench/fanout.py                      # 10,000 chats at 30/s (~6 min)
    .venv/bin/python bench/fanout.py --chats 600
    .venv/bin/python bench/fanout.py --outbox-only --chats 100000
    .venv/bin/python bench/fanout.py --database auto --chats 1000000   # SQLite | PostgreSQL

`--database URL` (bench/fanout_db.py): the outbox write and the claim on SQLite and on
that PostgreSQL database (`auto`: a throwaway server), side by side; no sending.
    .venv/bin/python bench/fanout.py --unlimited --sends 20000   # the send path's own speed
    .venv/bin/python bench/fanout.py --unlimited --zalo --sends 5000

`--unlimited` measures our send path alone: the fake runs in a process of its own with no
limits, and the figures (msg/s, CPU ms per send, peak RSS) are this process's only.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import backends, fanout_db
from bot.config import parse_config
from bot.core.records import StoryRecord
from bot.store import Store
from bot.store.articles import insert_article
from bot.store.fanout import enqueue_article
from tests.fakes.telegram_api import FakeTelegram, Limits
from tests.fakes.zalo_api import FakeZalo


def add_chats(store: Store, count: int) -> None:
    """Subscribers, written in bulk: setting up is not what is measured."""
    now = time.time()
    with store.db.transaction() as conn:
        conn.executemany(
            "INSERT INTO chats (platform, chat_id, kind, language, active, created_at, "
            "changed_at) VALUES ('telegram', ?, 'private', 'vi', 1, ?, ?)",
            [(str(1_000_000 + i), now, now) for i in range(count)],
        )
        conn.execute(
            "INSERT INTO subscriptions (chat_ref, feed_id, created_at) "
            "SELECT id, NULL, ? FROM chats",
            (now,),
        )


def write_story(store: Store) -> tuple[int, float]:
    """The poller's transaction for one new story: article, index, one row per chat."""
    story = StoryRecord(
        key=f"bench-{time.time_ns()}",
        url="https://baolamdong.vn/thoi-su/bench.html",
        title="Lâm Đồng: mưa lớn kéo dài, nhiều tuyến đường sạt lở",
        lead="",
        body="Mưa lớn kéo dài từ đêm qua gây sạt lở nhiều tuyến đường.",
        summary="Mưa lớn kéo dài từ đêm qua gây sạt lở nhiều tuyến đường. Lực lượng chức năng "
        "đang khắc phục.",
        image="https://baolamdong.vn/anh/mua.jpg",
        section="thoi-su",
        published_at=time.time(),
    )
    began = time.perf_counter()
    at = time.time()
    with store.db.transaction() as conn:
        article_id = insert_article(conn, None, story, at)
        assert article_id is not None
        rows = enqueue_article(conn, article_id, None, at, "Asia/Ho_Chi_Minh")
    return rows, time.perf_counter() - began


async def fan_out(store: Store, fake: FakeTelegram, tmp: Path, rate: float, chats: int) -> None:
    from bot.outlets import make_context, telegram_outlet

    text = f"""
[storage]
path = "{tmp / "bench.sqlite3"}"
[telegram]
token = "{fake.token}"
api_base_url = "{fake.url}"
messages_per_second = {rate}
"""
    config = parse_config(text, "<bench>")

    async def nothing(*_: object) -> list[object]:
        return []

    platform = telegram_outlet(
        config,
        make_context(config, store),
        handle=nothing,  # type: ignore[arg-type]
        commands={},
    )
    await platform.start()
    began = time.monotonic()
    try:
        last_report = began
        while True:
            done = len(fake.delivered())
            if done >= chats:
                break
            now = time.monotonic()
            if now - last_report >= 30:
                print(
                    f"  … {done}/{chats} sent, {done / (now - began):.1f}/s, "
                    f"429s so far: {fake.too_many}",
                    flush=True,
                )
                last_report = now
            await asyncio.sleep(0.1)
    finally:
        await platform.stop()
    sends = fake.delivered()
    span = sends[-1].at - sends[0].at
    achieved = (len(sends) - 1) / span if span > 0 else float("inf")
    counts = store.sync.deliveries.counts()
    print(
        f"sent: {len(sends)} messages to {len({c.chat_id for c in sends})} chats "
        f"in {span:.1f} s (outbox: {counts})"
    )
    print(
        f"achieved: {achieved:.2f} msg/s against a configured {rate:g}/s "
        f"({100 * achieved / rate:.1f} %)"
    )
    print(f"429 answers: {fake.too_many}")


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """`--database` and what goes with it (bench/fanout_db.py)."""
    backends.add_arguments(parser)
    parser.add_argument("--claims", type=int, default=200, help="with --database: claims timed")
    parser.add_argument("--claim-batch", type=int, default=60, help="with --database: rows a claim")


def _serve_fake(pipe: Any, platform: str) -> None:
    """The child process of `--unlimited`: a fake with no limits, until told to stop."""
    fake: FakeTelegram | FakeZalo = FakeTelegram() if platform == "telegram" else FakeZalo()
    with fake:
        pipe.send((fake.url, fake.token))
        pipe.recv()
        pipe.send((len(fake.delivered()), _cpu()))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _send_unlimited(
    store: Store, platform: str, url: str, token: str, tmp: Path, sends: int
) -> None:
    """The real outlet at the paid lane's rate (1,000/s), timed from the first send out."""
    from bot.outlets import make_context, telegram_outlet, zalo_outlet

    text = f"""
[storage]
path = "{tmp / "bench.sqlite3"}"
[{platform}]
token = "{token}"
api_base_url = "{url}"
messages_per_second = 1000
"""
    config = parse_config(text, "<bench>", env={})

    async def nothing(*_: object) -> list[object]:
        return []

    context = make_context(config, store)
    outlet = (
        telegram_outlet(config, context, handle=nothing, commands={})  # type: ignore[arg-type]
        if platform == "telegram"
        else zalo_outlet(config, context, handle=nothing)  # type: ignore[arg-type]
    )
    await outlet.start()
    worker = outlet.worker
    began = cpu_began = 0.0
    try:
        while worker.sent == 0:
            await asyncio.sleep(0.001)
        began, cpu_began, first = time.monotonic(), _cpu(), worker.sent
        while worker.sent < sends:
            await asyncio.sleep(0.05)
        span, cpu = time.monotonic() - began, _cpu() - cpu_began
        done = worker.sent - first
    finally:
        await outlet.stop()
    print(f"sent: {worker.sent} messages; 429s/flood waits: {worker.flood_waits}")
    print(
        f"achieved: {done / span:.0f} msg/s sustained over {span:.1f} s; "
        f"CPU {1000 * cpu / done:.3f} ms per send ({100 * cpu / span:.0f} % of one core)"
    )


def unlimited(sends: int, platform: str = "telegram") -> None:
    """`--unlimited`: how fast one process sends when the far side sets no limit."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=_serve_fake, args=(theirs, platform), daemon=True)
    child.start()
    url, token = ours.recv()
    try:
        with tempfile.TemporaryDirectory() as directory:
            tmp = Path(directory)
            store = Store(tmp / "bench.sqlite3")
            try:
                add_chats(store, sends)
                if platform != "telegram":
                    with store.db.transaction() as conn:
                        conn.execute("UPDATE chats SET platform = ?", (platform,))
                rows, seconds = write_story(store)
                print(f"outbox: {rows} rows written in {seconds:.3f} s; fake pid {child.pid}")
                asyncio.run(_send_unlimited(store, platform, url, token, tmp, sends))
            finally:
                store.close()
        ours.send("stop")
        received, fake_cpu = ours.recv()
        print(f"the fake received {received} sends, using {fake_cpu:.1f} s of CPU")
    finally:
        child.join(timeout=10)
        if child.is_alive():
            child.kill()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{platform}, pid {os.getpid()}, sends only (the fake is another process)")
    print(f"load average during the run: {load} on {os.cpu_count()} cores")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30.0, help="[telegram] messages_per_second")
    parser.add_argument("--outbox-only", action="store_true", help="only time the outbox write")
    add_database_arguments(parser)
    parser.add_argument(
        "--unlimited",
        action="store_true",
        help="the send path alone, against a fake with no limits",
    )
    parser.add_argument("--sends", type=int, default=20_000, help="with --unlimited")
    parser.add_argument("--zalo", action="store_true", help="with --unlimited: the Zalo client")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.database:
        return fanout_db.compare_backends(args)
    command = "  .venv/bin/python bench/fanout.py " + " ".join(sys.argv[1:])
    if args.unlimited:
        unlimited(args.sends, "zalo" if args.zalo else "telegram")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS: {peak:.0f} MB (the sending process)")
        print(f"reproduce:\n{command}")
        return 0
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        store = Store(tmp / "bench.sqlite3")
        try:
            add_chats(store, args.chats)
            rows, seconds = write_story(store)
            print(
                f"outbox: {rows} rows for {args.chats} chats written in {seconds:.3f} s "
                f"(one transaction with the story)"
            )
            if not args.outbox_only:
                with FakeTelegram(enforce_limits=True, limits=Limits(per_second=30.0)) as fake:
                    asyncio.run(fan_out(store, fake, tmp, args.rate, args.chats))
        finally:
            store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB (bot and fake server in one process)")
    print(f"reproduce:\n{command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
