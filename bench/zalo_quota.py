"""Zalo 429 burst: one story to N readers when Zalo answers "Quota exceeded" K times in a row.

Zalo's 429 names no wait. Before, every 429 paused all sends for `quota_pause_seconds`
(60 s): three in a row held a push to 20 readers for three minutes. Now the pause starts at
about a second and doubles while 429s continue (up to `quota_pause_seconds`), and the
sends in flight that meet the same 429 count once. Real worker, limiter, httpx client and
store against the fake Zalo, at Zalo's default 5 messages/s.

    .venv/bin/python bench/zalo_quota.py                 # 20 readers, 3 429s in a row
    .venv/bin/python bench/zalo_quota.py --readers 200 --quota 6
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import reproduce_line
from bot.config import parse_config
from bot.store import Store
from tests.delivery.helpers import add_story
from tests.fakes.zalo_api import QUOTA, FakeZalo


async def push(readers: int, quota: int, rate: float, pause: float) -> None:
    from bot.outlets import make_context, zalo_outlet

    with FakeZalo() as zalo, tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        text = f"""
[storage]
path = "{tmp / "bench.sqlite3"}"
[zalo]
token = "{zalo.token}"
api_base_url = "{zalo.url}"
messages_per_second = {rate}
quota_pause_seconds = {pause}
poll_timeout_seconds = 1
"""
        config = parse_config(text, "<bench>", env={})
        store = Store(tmp / "bench.sqlite3")
        try:
            for number in range(readers):
                chat = store.sync.chats.upsert("zalo", f"reader{number}", kind="private")
                store.sync.chats.subscribe(chat.id)
            zalo.fail("sendMessage", QUOTA, times=quota)
            platform = zalo_outlet(config, make_context(config, store))
            await platform.start()
            try:
                began = time.monotonic()
                add_story(store, "Lâm Đồng: mưa lớn, nhiều tuyến đường sạt lở", image=None)
                await platform.worker.drain(readers / rate + quota * pause + 60)
                took = time.monotonic() - began
            finally:
                await platform.stop()
            limiter = platform.worker.limiter
            delivered = len({c.chat_id for c in zalo.delivered()})
            print(f"readers: {readers}, 429s answered: {quota}, rate {rate:g}/s")
            print(f"push done in {took:.1f} s (without 429s: {readers / rate:.1f} s)")
            print(f"pauses counted: {limiter.quota_pauses}; delivered to {delivered} readers")
            print(f"outbox: {store.sync.deliveries.counts()}")
            print(f"before this change: at least {quota * pause:.0f} s of pauses alone")
        finally:
            store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--quota", type=int, default=3, help="429s in a row")
    parser.add_argument("--rate", type=float, default=5.0, help="[zalo] messages_per_second")
    parser.add_argument("--pause", type=float, default=60.0, help="[zalo] quota_pause_seconds")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(push(args.readers, args.quota, args.rate, args.pause))
    print(reproduce_line())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
