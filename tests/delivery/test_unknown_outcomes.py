"""A send whose outcome is unknown keeps the at-least-once promise.

A timeout after the request was written, a connection cut mid-answer, a 5xx: the message
may have arrived or not. It is sent again with backoff (a duplicate is better than a
loss) until it succeeds, or until it has been unknown for `give_up_after_seconds`; only
then is the row failed, saying why. What a restart needs is in the row.

The real Telegram adapter (PTB, httpx), worker and store against the fake Bot API.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from telegram.error import NetworkError, TimedOut

from bot.core.outcome import Kind
from bot.platforms.telegram.errors import classify
from bot.store import Store, open_store
from tests.delivery.helpers import add_chat, add_story, telegram_config
from tests.fakes.telegram_api import SERVER_ERROR, FakeTelegram
from tests.platforms.telegram.helpers import FAST, running

READER = 3131


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


def row(store: Store) -> tuple[str, int, float | None, str | None]:
    with store.db.reading() as conn:
        found = conn.execute(
            "SELECT status, ambiguous, ambiguous_since, last_error FROM deliveries"
        ).fetchone()
    return found[0], found[1], found[2], found[3]


async def test_sends_cut_off_mid_answer_are_sent_again_until_delivered(
    tmp_path: Path, tg: FakeTelegram, database_url: str
) -> None:
    config = telegram_config(tmp_path, tg, database_url=database_url)
    store = open_store(config)
    try:
        add_chat(store, READER)
        add_story(store, "Cao tốc Dầu Giây – Liên Khương thông xe", image=None)
        tg.drop(READER, times=3)  # read, never answered in full: lost three times
        async with running(config, store) as platform:
            await platform.worker.drain(10)
        assert len(tg.calls_to("sendMessage", READER)) == 4
        assert len(tg.delivered(READER)) == 1
        status, ambiguous, since, error = row(store)
        assert (status, ambiguous, error) == ("sent", 3, None)
        assert since is not None and since <= time.time()
    finally:
        store.close()


async def test_read_timeouts_and_server_errors_are_sent_again_not_failed(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    config = telegram_config(tmp_path, tg)
    store = open_store(config)
    try:
        add_chat(store, READER)
        add_chat(store, READER + 1)
        add_story(store, "Đà Lạt đón mưa sớm", image=None)
        tg.slow(READER, 0.6, times=2)  # arrives after our read timeout, twice
        tg.fail("sendMessage", SERVER_ERROR, chat_id=READER + 1, times=2)
        async with running(config, store, read_timeout=0.3) as platform:
            await platform.worker.drain(10)
            await asyncio.sleep(0.7)  # the slow fake records a call once it has answered
        assert len(tg.calls_to("sendMessage", READER)) == 3  # a duplicate beats a loss
        assert len(tg.calls_to("sendMessage", READER + 1)) == 3
        assert store.sync.deliveries.counts() == {"sent": 2}
        with store.db.reading() as conn:
            counts = [r[0] for r in conn.execute("SELECT ambiguous FROM deliveries ORDER BY id")]
        assert counts == [2, 2]
    finally:
        store.close()


async def test_a_restart_between_attempts_keeps_the_count_and_its_start(
    tmp_path: Path, tg: FakeTelegram, database_url: str
) -> None:
    config = telegram_config(tmp_path, tg, database_url=database_url)
    store = open_store(config)
    try:
        add_chat(store, READER)
        add_story(store, "Hồ Tuyền Lâm", image=None)
        tg.drop(READER, times=1)
        async with running(config, store):
            await wait_for_row(store, lambda r: r[1] == 1)
        first = row(store)
        assert first[0] == "pending" and first[2] is not None
        assert first[3] is not None and "outcome unknown 1 times" in first[3]
    finally:
        store.close()
    store = open_store(config)  # a new process: only the database remembers
    try:
        tg.drop(READER, times=1)
        async with running(config, store) as platform:
            await platform.worker.drain(10)
        status, ambiguous, since, _ = row(store)
        assert (status, ambiguous, since) == ("sent", 2, first[2])  # counted since the first
        assert len(tg.delivered(READER)) == 1
    finally:
        store.close()


async def test_a_story_unknown_for_longer_than_the_give_up_time_is_failed_with_the_reason(
    tmp_path: Path, tg: FakeTelegram, database_url: str
) -> None:
    config = telegram_config(tmp_path, tg, database_url=database_url)
    store = open_store(config)
    try:
        add_chat(store, READER)
        add_story(store, "Lễ hội hoa", image=None)
        with store.db.transaction() as conn:  # a previous run met an unknown outcome 7 h ago
            conn.execute(
                "UPDATE deliveries SET ambiguous = 4, ambiguous_since = ?",
                (time.time() - 7 * 3600,),
            )
        tg.drop(READER, times=1)
        settings = replace(FAST, give_up_after_seconds=6 * 3600)
        async with running(config, store, worker_settings=settings) as platform:
            await platform.worker.drain(10)
        status, ambiguous, _, error = row(store)
        assert (status, ambiguous) == ("failed", 4)
        assert error is not None
        assert "network: ClientPayloadError" in error and "5 times in 7.0 h" in error
        assert "may have arrived" in error
        assert len(tg.calls_to("sendMessage", READER)) == 1  # no more tries after giving up
    finally:
        store.close()


async def wait_for_row(store: Store, condition: object, timeout: float = 10.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition(row(store)):
        assert time.monotonic() < deadline, f"row is {row(store)}"
        await asyncio.sleep(0.02)


@pytest.mark.parametrize(
    ("cause", "maybe_sent"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("slow connect"), False),
        (httpx.PoolTimeout("no connection free"), False),
        (httpx.WriteTimeout("request not written"), False),
        (httpx.WriteError("request not written"), False),
        (httpx.ReadTimeout("no answer"), True),
        (httpx.ReadError("reset"), True),
        (httpx.RemoteProtocolError("cut off mid-answer"), True),
        (None, True),  # PTB's NetworkError for a 5xx answer has no httpx cause
    ],
)
def test_what_may_have_arrived_is_told_from_what_never_left(
    cause: Exception | None, maybe_sent: bool
) -> None:
    error = TimedOut() if isinstance(cause, httpx.TimeoutException) else NetworkError("Bad Gateway")
    error.__cause__ = cause
    outcome = classify(error)
    assert outcome.kind is Kind.RETRY and outcome.maybe_sent is maybe_sent
