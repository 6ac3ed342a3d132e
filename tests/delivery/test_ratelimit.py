"""The limiter keeps the configured pace: globally, per private chat, per group, on a 429."""

from __future__ import annotations

import asyncio
import time

from bot.delivery.ratelimit import Limits, RateLimiter


async def test_global_rate_spreads_sends_evenly() -> None:
    limiter = RateLimiter(Limits(messages_per_second=100.0, private_chat_per_second=1000.0))
    began = time.monotonic()
    times: list[float] = []

    async def one(chat: int) -> None:
        await limiter.acquire(str(chat), private=True)
        times.append(time.monotonic() - began)

    await asyncio.gather(*(one(chat) for chat in range(50)))
    assert 0.45 <= max(times) < 0.7  # 50 sends at 100/s
    times.sort()
    for a, b in zip(times, times[10:], strict=False):
        assert b - a >= 0.07  # no catch-up burst: releases at least 3/4 of an interval apart


async def test_private_chat_gets_one_per_second_and_group_twenty_per_minute() -> None:
    limits = Limits(
        messages_per_second=1000.0, private_chat_per_second=10.0, group_per_minute=600.0
    )
    limiter = RateLimiter(limits)
    began = time.monotonic()
    for _ in range(3):
        await limiter.acquire("42", private=True)
    assert 0.19 <= time.monotonic() - began < 0.3  # 10/s in one private chat
    began = time.monotonic()
    for _ in range(3):
        await limiter.acquire("-100", private=False)
    assert 0.19 <= time.monotonic() - began < 0.3  # 600/min = 10/s in one group
    assert limits.chat_interval(private=False) == 0.1
    assert Limits().chat_interval(private=False) == 3.0  # the default 20/min


async def test_other_chats_do_not_wait_for_a_busy_one() -> None:
    limiter = RateLimiter(Limits(messages_per_second=1000.0, private_chat_per_second=2.0))
    await limiter.acquire("busy", private=True)
    slow = asyncio.create_task(limiter.acquire("busy", private=True))
    began = time.monotonic()
    await limiter.acquire("other", private=True)
    assert time.monotonic() - began < 0.05
    await slow


async def test_a_pause_holds_every_send_including_ones_already_waiting() -> None:
    limiter = RateLimiter(Limits(messages_per_second=20.0, private_chat_per_second=1000.0))
    began = time.monotonic()
    waiting = [asyncio.create_task(limiter.acquire(str(i), private=True)) for i in range(3)]
    await asyncio.sleep(0)
    limiter.pause(0.3)
    assert limiter.paused_for > 0.25
    await asyncio.gather(*waiting)
    assert time.monotonic() - began >= 0.3
    assert limiter.paused_for == 0.0
