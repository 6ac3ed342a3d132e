"""Zalo's 429 names no wait: every send pauses adaptively, and one 429 counts once.

From about a second, doubling while 429s continue, up to `[zalo] quota_pause_seconds`;
the sends already in flight that meet the same 429 do not double it again. Before, every
429 paused all sends for 60 s: three in a row held a push to 20 readers three minutes.
The real worker, limiter, httpx client and store against the fake Zalo.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.settings import Config
from bot.delivery.ratelimit import Limits, RateLimiter
from bot.outlets import make_context, zalo_outlet
from bot.store import Store
from tests.delivery.helpers import add_story
from tests.fakes.zalo_api import QUOTA, FakeZalo
from tests.platforms.zalo.test_end_to_end import FAST, add_zalo_chat, zalo_config

READERS = 20


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bantin.sqlite3")
    yield s
    s.close()


async def push(config: Config, store: Store) -> tuple[float, RateLimiter]:
    """One story to every reader with Zalo's default quota pause (60 s); how long it took."""
    zalo = replace(config.zalo, poll_timeout_seconds=1, quota_pause_seconds=60.0)
    platform = zalo_outlet(
        replace(config, zalo=zalo), make_context(config, store), worker_settings=FAST
    )
    began = time.monotonic()
    await platform.start()
    try:
        add_story(store, "Giá rau Đà Lạt tăng mạnh", image=None)
        await platform.worker.drain(30)
    finally:
        await platform.stop()
    return time.monotonic() - began, platform.worker.limiter


async def test_sends_in_flight_that_meet_the_same_429_count_once(
    tmp_path: Path, store: Store
) -> None:
    with FakeZalo(send_delay=0.05) as zalo:
        config = zalo_config(tmp_path, zalo)
        for reader in range(READERS):
            add_zalo_chat(store, f"r{reader}")
        zalo.fail("sendMessage", QUOTA, times=3)  # three sends side by side meet the quota
        took, limiter = await push(config, store)
        assert len({c.chat_id for c in zalo.delivered()}) == READERS
    assert limiter.quota_pauses == 1  # one pause of about a second, not three of 60
    assert took < 5.0
    assert store.sync.deliveries.counts() == {"sent": READERS}


async def test_429s_in_a_row_double_the_pause_from_a_second(tmp_path: Path, store: Store) -> None:
    with FakeZalo() as zalo:
        config = zalo_config(tmp_path, zalo)
        add_zalo_chat(store, "lan")
        zalo.fail("sendMessage", QUOTA, times=2)  # one reader: each resend meets a new 429
        took, limiter = await push(config, store)
        assert len(zalo.delivered("lan")) == 1
        first, second, sent = zalo.calls_to("sendMessage", "lan")
    assert limiter.quota_pauses == 2
    assert 0.9 <= second.at - first.at < 1.6  # about a second
    assert 1.9 <= sent.at - second.at < 2.6  # then doubled
    assert took < 6.0


def test_the_pause_doubles_up_to_the_cap_and_eases_after_successes() -> None:
    now = [100.0]
    limiter = RateLimiter(Limits(quota_pause_seconds=5.0), clock=lambda: now[0])
    assert limiter.slow_down(released_at=99.0) == 1.0
    assert limiter.slow_down(released_at=99.5) == 1.0  # left before that 429 was heard
    pauses = []
    for _ in range(4):
        now[0] += 10
        pauses.append(limiter.slow_down(released_at=now[0]))
    assert pauses == [2.0, 4.0, 5.0, 5.0]  # doubling, capped at quota_pause_seconds
    assert limiter.quota_pauses == 5
    limiter.sped_up(released_at=now[0] - 1)  # a success of a send that met the same quota
    now[0] += 10
    for _ in range(3):
        limiter.sped_up(released_at=now[0])  # 5 → 2.5 → 1.25 → full speed
    assert limiter.paused_for == 0
    assert limiter.slow_down(released_at=now[0]) == 1.0  # a new 429 starts from a second
