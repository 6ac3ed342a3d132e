"""SIGTERM mid-push at a low rate: only the sends already written to the platform finish.

`bantin run` is a real subprocess against the fake Bot API. The sends still waiting for
their turn (in the rate limiter, or for a connection) are released at once: the fake
sees no more than what it had at the signal plus what was on the wire then, and the next
run delivers the rest, each chat once.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from bot.core.outcome import SendOutcome, mark_written
from bot.core.records import Chat, Delivery
from bot.core.replies import Reply
from bot.core.settings import ZaloConfig
from bot.delivery.jobs import WorkerSettings
from bot.delivery.ratelimit import Limits, RateLimiter
from bot.delivery.worker import DeliveryWorker
from bot.platforms.zalo.client import ZaloClient
from bot.platforms.zalo.send import ZaloMessenger, ZaloSender
from bot.store import Store, open_store
from tests.delivery.helpers import add_chat, add_story, telegram_config
from tests.delivery.test_shutdown import start, wait_for
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

CHATS = 120
RATE = 10.0  # messages per second: the push takes 12 s, the signal lands after about 1
ON_THE_WIRE = 4


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(send_delay=0.05) as fake:
        yield fake


def sends(tg: FakeTelegram) -> int:
    return len(tg.calls_to("sendMessage"))


def test_sigterm_releases_what_waits_and_finishes_what_is_written(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    config = telegram_config(tmp_path, tg, per_second=RATE, private_per_second=5.0)
    store = open_store(config)
    try:
        for chat in range(1, CHATS + 1):
            add_chat(store, 20_000 + chat)
        add_story(store, "Mưa lớn ở Đà Lạt", image=None)
    finally:
        store.close()
    config_path = tmp_path / "config.toml"
    log_path = tmp_path / "bantin.log"
    process = start(config_path, log_path)
    try:
        wait_for(lambda: sends(tg) >= 10, 20)
    except AssertionError:
        process.kill()
        raise
    process.send_signal(signal.SIGTERM)
    at_signal = sends(tg)
    began = time.monotonic()
    assert process.wait(10) == 0
    assert time.monotonic() - began < 10
    after = sends(tg) - at_signal
    # At 10 a second with a 50 ms answer, one send is on the wire at a time; a little room
    # for a loaded machine, none for the queue behind the limiter.
    assert after <= ON_THE_WIRE, f"{after} sends went out after SIGTERM"
    reopened = open_store(load_config(str(config_path)))
    try:
        counts = reopened.sync.deliveries.counts()
    finally:
        reopened.close()
    assert counts.get("sending", 0) == 0
    assert counts["sent"] == len(tg.delivered())
    assert counts["pending"] == CHATS - counts["sent"]

    process = start(config_path, log_path)
    try:
        wait_for(lambda: len({c.chat_id for c in tg.delivered()}) == CHATS, 30)
        time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    assert max(Counter(c.chat_id for c in tg.delivered()).values()) == 1


async def test_a_send_waiting_for_a_connection_is_released_at_stop_not_sent(
    tmp_path: Path,
) -> None:
    """One connection to Zalo: the first send is written and slow, the second has left the
    limiter but waits for the connection. A stop lets the first finish and drops the
    second at once: it had written nothing."""
    with FakeZalo(send_delay=1.0) as zalo:
        store = Store(tmp_path / "bantin.sqlite3")
        client = ZaloClient(zalo.token, zalo.url, max_connections=1, read_timeout=5.0)
        try:
            for reader in ("a", "b"):
                chat = store.sync.chats.upsert("zalo", reader, kind="private")
                store.sync.chats.subscribe(chat.id)
            add_story(store, "Sương mù ở Bảo Lộc", image=None)
            worker = DeliveryWorker(
                store,
                ZaloMessenger(ZaloSender(client, ZaloConfig())),
                RateLimiter(Limits(messages_per_second=1000.0, private_chat_per_second=1000.0)),
                WorkerSettings(max_in_flight=4, idle_seconds=0.05, stop_grace_seconds=5.0),
            )
            worker.start()
            deadline = time.monotonic() + 5
            while store.sync.deliveries.counts().get("sending") != 2:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.3)  # both have left the limiter; one holds the connection
            began = time.monotonic()
            await worker.stop()
            took = time.monotonic() - began
            await asyncio.sleep(1.2)  # were the second still going, it would arrive now
            assert len(zalo.calls_to("sendMessage")) == 1
            assert took < 1.5  # only the written send was waited for
            assert store.sync.deliveries.counts() == {"sent": 1, "pending": 1}
            with store.db.reading() as conn:
                attempts = conn.execute(
                    "SELECT attempts FROM deliveries WHERE status = 'pending'"
                ).fetchone()[0]
            assert attempts == 0  # released, not counted as a failed try
        finally:
            await client.aclose()
            store.close()


class WritingMessenger:
    """Says each request is written, as the platforms' HTTP clients do, and answers sent."""

    platform = "telegram"

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, chat: Chat, reply: Reply) -> SendOutcome:
        mark_written()
        self.sent.append(chat.chat_id)
        await asyncio.sleep(0.01)
        return SendOutcome.sent(len(self.sent))


async def test_a_stop_while_the_claim_waits_for_the_database_sends_nothing_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim loop is stuck behind a busy database when the stop comes: the sends that
    wait for the limiter are released then, not sent one by one until the claim returns."""
    store = Store(tmp_path / "bantin.sqlite3")
    try:
        for chat in range(12):
            add_chat(store, 30_000 + chat)
        add_story(store, "Hoa dã quỳ nở rộ", image=None)
        stuck = threading.Event()
        real_claim = store.sync.deliveries.claim

        def slow_claim(
            platform: str, limit: int, at: float | None = None, **lease: Any
        ) -> list[Delivery]:
            claimed = real_claim(platform, limit, at, **lease)
            if not claimed or stuck.is_set():
                return claimed
            if len(messenger.sent) >= 1:  # the second claim: the database is busy
                stuck.set()
                time.sleep(1.5)
            return claimed

        monkeypatch.setattr(store.sync.deliveries, "claim", slow_claim)
        messenger = WritingMessenger()
        worker = DeliveryWorker(
            store,
            messenger,
            RateLimiter(Limits(messages_per_second=5.0, private_chat_per_second=100.0)),
            WorkerSettings(max_in_flight=6, idle_seconds=0.05),
        )
        worker.start()
        deadline = time.monotonic() + 5
        while not stuck.is_set():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        at_stop = len(messenger.sent)
        await worker.stop()
        assert len(messenger.sent) - at_stop <= 1  # at most the one already on the wire
        counts = store.sync.deliveries.counts()
        assert counts.get("sending", 0) == 0
        assert counts["sent"] == len(messenger.sent)
    finally:
        store.close()
