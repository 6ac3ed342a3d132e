"""The send pace of one bot token, shared through PostgreSQL by every sender's limiter."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from bot.delivery.pace import SharedPace, lane_name
from bot.delivery.ratelimit import Limits, RateLimiter
from bot.store import Store
from bot.store.postgres import PostgresDatabase

RATE = 40.0


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    opened = Store(PostgresDatabase(postgres_url))
    try:
        yield opened
    finally:
        opened.close()


def limiter(store: Store, lane: str) -> RateLimiter:
    limits = Limits(messages_per_second=RATE, private_chat_per_second=1000.0)
    made = RateLimiter(limits)
    made.shared = SharedPace(store.fleet, lane, 1.0 / RATE, made.clock)
    return made


async def test_three_limiters_on_one_lane_keep_one_pace_together(store: Store) -> None:
    lane = lane_name("telegram", "123:secret")
    limiters = [limiter(store, lane) for _ in range(3)]
    released: list[float] = []

    async def send(one: RateLimiter, number: int) -> None:
        await one.acquire(f"chat-{number}", True)
        released.append(time.monotonic())

    began = time.monotonic()
    await asyncio.gather(*(send(limiters[n % 3], n) for n in range(120)))
    took = time.monotonic() - began
    # 120 slots at 40/s take about 3 s whoever asks; alone, each would take 1 s.
    assert took >= (120 - 1) / RATE * 0.95
    released.sort()
    for start in range(len(released)):
        window = [t for t in released[start:] if t - released[start] < 1.0]
        assert len(window) <= RATE + 2


async def test_a_pause_heard_by_one_sender_holds_the_others(store: Store) -> None:
    lane = lane_name("telegram", "456:secret")
    first, second = limiter(store, lane), limiter(store, lane)
    await first.acquire("a", True)
    first.pause(1.5)  # a 429 with retry_after, as the worker tells its limiter
    await asyncio.sleep(0.2)  # the pause reaches the lane
    began = time.monotonic()
    await second.acquire("b", True)
    assert time.monotonic() - began >= 1.0


def test_the_lane_names_the_token_by_a_digest_only() -> None:
    name = lane_name("telegram", "123456:AAE-very-secret")
    assert name.startswith("telegram:") and "secret" not in name and "123456" not in name
