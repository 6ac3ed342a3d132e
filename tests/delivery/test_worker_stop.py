"""A stop that lands between a send's answer and the record of it must record it.

Found in `bench/fanout.py` (10,000 chats): the fake had every message, yet one outbox row
was left 'pending' (the next start would have sent it again). The send had come back and
its `mark_sent` was queued behind another query on the database thread when `stop()`
cancelled the job as "not on the wire": the queued write never ran and the row was
released. Here the database thread is kept busy on purpose to hold that moment open.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.delivery.jobs import WorkerSettings
from bot.store import open_store
from tests.delivery.helpers import add_chat, add_story, telegram_config
from tests.fakes.telegram_api import FakeTelegram
from tests.platforms.telegram.helpers import telegram

READER = 4242
# A long idle tick: the claim loop is asleep, not queued on the database thread, at stop.
IDLE = WorkerSettings(max_in_flight=4, idle_seconds=10.0, stop_grace_seconds=5.0)


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


async def wait_until(condition: object, timeout: float = 5.0) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_a_send_answered_before_stop_is_recorded_as_sent(
    tmp_path: Path, tg: FakeTelegram, database_url: str
) -> None:
    config = telegram_config(tmp_path, tg, database_url=database_url)
    store = open_store(config)
    try:
        add_chat(store, READER)
        add_story(store, "Đèo Prenn thông xe", image=None)
        tg.slow(READER, 0.4)  # the answer comes 0.4 s after the request
        platform = telegram(config, store, worker_settings=IDLE, read_timeout=3.0)
        await platform.start()
        stopped = False
        try:
            await wait_until(lambda: store.sync.deliveries.counts().get("sending") == 1)
            # The database threads are busy when the answer arrives: mark_sent waits in line.
            busy = asyncio.gather(
                *(store.db.call(time.sleep, 1.5) for _ in range(store.db.threads))
            )
            await wait_until(lambda: len(tg.delivered(READER)) == 1)
            await asyncio.sleep(0.2)  # answered; the outcome is queued, not yet written
            assert store.sync.deliveries.counts() == {"sending": 1}
            await platform.stop()
            stopped = True
            await busy
        finally:
            if not stopped:
                await platform.stop()
        assert store.sync.deliveries.counts() == {"sent": 1}
        assert len(tg.delivered(READER)) == 1
    finally:
        store.close()
