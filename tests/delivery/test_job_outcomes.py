"""One job, one outcome: a digest's rows change together, 429s are bounded, a stop during
the digest claim releases what it claimed.

The real worker, limiter and store (a temp file, or a real PostgreSQL server: each test
runs on both); only the platform is a small fake, since the platform is not what is under
test here.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bot.core.outcome import SendOutcome
from bot.core.records import Chat, Delivery
from bot.core.replies import Reply
from bot.delivery.jobs import WorkerSettings
from bot.delivery.ratelimit import Limits, RateLimiter
from bot.delivery.worker import MAX_FLOOD_WAITS, DeliveryWorker
from bot.store import Store
from tests.delivery.helpers import add_chat, add_story

FAST = Limits(messages_per_second=1000.0, private_chat_per_second=1000.0, group_per_minute=60_000)
SETTINGS = WorkerSettings(max_in_flight=8, idle_seconds=0.05, stop_grace_seconds=2.0)
STORIES = 5


class FakeMessenger:
    """Answers every send with `answer()`; remembers what it was asked to send."""

    platform = "telegram"

    def __init__(self, answer: Callable[[], SendOutcome]) -> None:
        self.answer = answer
        self.sent: list[tuple[Chat, Reply]] = []

    async def send(self, chat: Chat, reply: Reply) -> SendOutcome:
        self.sent.append((chat, reply))
        await asyncio.sleep(0)
        return self.answer()


@pytest.fixture
def store(new_store: Callable[[], Store]) -> Store:
    return new_store()


def digest_chat(store: Store, chat_id: int = 4242) -> Chat:
    """A digest chat with STORIES stories due now (its digest hour has come)."""
    chat = add_chat(store, chat_id, mode="digest")
    for number in range(STORIES):
        add_story(store, f"Tin số {number}", image=None, published_at=time.time() - 60 + number)
    with store.db.transaction() as conn:
        conn.execute("UPDATE deliveries SET due_at = 0 WHERE chat_ref = ?", (chat.id,))
    return chat


def rows(store: Store) -> list[tuple[str, str | None, int, str | None]]:
    with store.db.reading() as conn:
        found = conn.execute(
            "SELECT status, message_id, attempts, last_error FROM deliveries ORDER BY id"
        ).fetchall()
    return [(r["status"], r["message_id"], r["attempts"], r["last_error"]) for r in found]


def trace(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every statement the store's connection runs, from now on.

    SQLite's own trace on its one connection; on PostgreSQL, every statement run inside
    the store's transactions, each transaction opened by a "BEGIN".
    """
    statements: list[str] = []
    if hasattr(store.db, "conn"):
        store.db.conn.set_trace_callback(statements.append)
        return statements
    real = store.db.transaction

    class Traced:
        def __init__(self, conn: Any) -> None:
            self.conn = conn
            self.dialect = conn.dialect

        def execute(self, sql: str, *args: Any) -> Any:
            statements.append(sql)
            return self.conn.execute(sql, *args)

        def executemany(self, sql: str, *args: Any) -> Any:
            statements.append(sql)
            return self.conn.executemany(sql, *args)

    @contextmanager
    def traced() -> Iterator[Any]:
        with real() as conn:
            statements.append("BEGIN")
            yield Traced(conn)

    monkeypatch.setattr(store.db, "transaction", traced)
    return statements


def transactions_touching(statements: list[str], *fragments: str) -> set[int]:
    """The numbers of the transactions (counted by BEGIN) that ran a matching statement."""
    number = 0
    found: set[int] = set()
    for statement in statements:
        if statement.startswith("BEGIN"):
            number += 1
        elif any(fragment in statement for fragment in fragments):
            found.add(number)
    return found


async def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_a_digest_is_recorded_sent_in_one_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest_chat(store)
    messenger = FakeMessenger(lambda: SendOutcome.sent(777))
    worker = DeliveryWorker(store, messenger, RateLimiter(FAST), SETTINGS)
    statements = trace(store, monkeypatch)
    worker.start()
    try:
        await worker.drain(5.0)
    finally:
        await worker.stop()
    assert len(messenger.sent) == 1  # one message for the whole digest
    assert rows(store) == [("sent", "777", 1, None)] * STORIES
    assert len(transactions_touching(statements, "SET status = 'sent'")) == 1


async def test_a_gone_digest_chat_is_deactivated_with_its_rows_in_one_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = digest_chat(store)
    messenger = FakeMessenger(lambda: SendOutcome.gone("blocked by the user"))
    worker = DeliveryWorker(store, messenger, RateLimiter(FAST), SETTINGS)
    statements = trace(store, monkeypatch)
    worker.start()
    try:
        await worker.drain(5.0)
    finally:
        await worker.stop()
    assert len(messenger.sent) == 1
    assert [(s, e) for s, _, _, e in rows(store)] == [("failed", "blocked by the user")] * STORIES
    gone = store.sync.chats.by_ref(chat.id)
    assert gone is not None and not gone.active
    touched = transactions_touching(statements, "SET status = 'failed'", "SET active = 0")
    assert len(touched) == 1


async def test_a_digest_put_back_for_later_goes_back_in_one_transaction(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest_chat(store)
    messenger = FakeMessenger(lambda: SendOutcome.retry("Bad Gateway"))
    worker = DeliveryWorker(store, messenger, RateLimiter(FAST), SETTINGS)
    statements = trace(store, monkeypatch)
    worker.start()
    try:
        await wait_until(
            lambda: bool(messenger.sent) and store.sync.deliveries.counts() == {"pending": STORIES}
        )
    finally:
        await worker.stop()
    assert len(messenger.sent) == 1
    assert rows(store) == [("pending", None, 1, "Bad Gateway")] * STORIES
    assert len(transactions_touching(statements, "SET status = 'pending', due_at")) == 1


async def test_endless_flood_waits_put_the_row_back_without_counting_an_attempt(
    store: Store,
) -> None:
    add_chat(store, 5151)
    add_story(store, "Đèo Prenn thông xe", image=None)
    messenger = FakeMessenger(lambda: SendOutcome.retry("flood wait 0.05 s", retry_after=0.05))
    worker = DeliveryWorker(store, messenger, RateLimiter(FAST), SETTINGS)
    worker.start()
    try:
        await wait_until(
            lambda: bool(messenger.sent) and store.sync.deliveries.counts() == {"pending": 1}
        )
        await asyncio.sleep(0.3)  # long enough for several more 429 rounds, were it looping
    finally:
        await worker.stop()
    assert len(messenger.sent) == MAX_FLOOD_WAITS == 3
    assert worker.flood_waits == MAX_FLOOD_WAITS
    ((status, _, attempts, error),) = rows(store)
    assert (status, attempts) == ("pending", 0)  # a 429 is not the row's fault
    assert error is not None and "flood wait" in error
    with store.db.reading() as conn:
        due = conn.execute("SELECT due_at FROM deliveries").fetchone()[0]
    assert due > time.time()  # back in the queue for later, not sent again at once


async def test_stop_during_the_digest_claim_releases_the_rows_it_claimed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    digest_chat(store)
    claimed = threading.Event()
    real_claim_digest = store.sync.deliveries.claim_digest

    def slow_claim_digest(
        delivery_id: int, limit: int = 30, at: float | None = None, **lease: Any
    ) -> list[Delivery]:
        # The claim has committed, but the call is still on the database thread when the
        # stop cancels the job.
        more = real_claim_digest(delivery_id, limit, at, **lease)
        claimed.set()
        time.sleep(0.5)
        return more

    monkeypatch.setattr(store.sync.deliveries, "claim_digest", slow_claim_digest)
    messenger = FakeMessenger(lambda: SendOutcome.sent(1))
    worker = DeliveryWorker(store, messenger, RateLimiter(FAST), SETTINGS)
    worker.start()
    stopped = False
    try:
        await wait_until(claimed.is_set)
        assert store.sync.deliveries.counts() == {"sending": STORIES}
        await worker.stop()
        stopped = True
    finally:
        if not stopped:
            await worker.stop()
    assert messenger.sent == []
    assert rows(store) == [("pending", None, 0, None)] * STORIES
