"""Paid broadcast against the fake Bot API, which holds paid sends to 1,000/s and the
rest to 30/s (429 beyond): the lane carries a long queue fast, never past the day's
budget (counted in the database, shared by restarts and senders), then back to 30/s."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.core.settings import Config
from bot.store import Store, open_store
from bot.store.paid import PaidPlan
from handlers.stats import format_stats
from tests.delivery.helpers import add_story, telegram_config
from tests.fakes.telegram_api import Call, FakeTelegram, Limits
from tests.platforms.telegram.helpers import running

# 0.05 min at 30/s: a queue longer than 90 sends is long. 30 Stars: 300 paid sends a day.
AFTER_MINUTES = 0.05
STARS = 30


def paid_config(
    tmp_path: Path, tg: FakeTelegram, database_url: str, *, stars: float | None
) -> Config:
    base = telegram_config(
        tmp_path, tg, per_second=30.0, private_per_second=1.0, database_url=database_url
    )
    path = tmp_path / "config.toml"
    text = path.read_text(encoding="utf-8")
    if stars is not None:
        assert text.count("[telegram]\n") == 1
        text = text.replace(
            "[telegram]\n",
            "[telegram]\n"
            f"paid_broadcast_stars_per_day = {stars}\n"
            f"paid_broadcast_after_minutes = {AFTER_MINUTES}\n",
        )
    path.write_text(text, encoding="utf-8")
    config = parse_config(text, str(path))
    assert config.telegram.messages_per_second == base.telegram.messages_per_second
    return config


def add_readers(store: Store, count: int) -> None:
    """Subscribers in one transaction: setting up is not what is tested."""
    at = time.time()
    with store.db.transaction() as conn:
        conn.executemany(
            "INSERT INTO chats (platform, chat_id, kind, language, active, created_at, "
            "changed_at) VALUES ('telegram', ?, 'private', 'vi', 1, ?, ?)",
            [(str(60_000 + i), at, at) for i in range(count)],
        )
        conn.execute(
            "INSERT INTO subscriptions (chat_ref, feed_id, created_at) "
            "SELECT id, NULL, ? FROM chats",
            (at,),
        )


def rate(calls: list[Call]) -> float:
    if len(calls) < 2:
        return 0.0
    return (len(calls) - 1) / (calls[-1].at - calls[0].at)


def free(tg: FakeTelegram) -> list[Call]:
    paid = {id(c) for c in tg.paid()}
    return [c for c in tg.delivered() if id(c) not in paid]


async def until(condition: object, timeout: float) -> None:
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


@pytest.fixture
async def tg() -> object:
    async with FakeTelegram(enforce_limits=True, limits=Limits(per_second=30.0)) as fake:
        yield fake


async def test_a_long_queue_goes_paid_until_the_budget_is_spent_then_30_a_second(
    tmp_path: Path, tg: FakeTelegram, database_url: str
) -> None:
    config = paid_config(tmp_path, tg, database_url, stars=STARS)
    store = open_store(config)
    try:
        add_readers(store, 600)  # 20 s at 30/s: far beyond 0.05 min
        add_story(store, "Lâm Đồng: mưa lớn, nhiều tuyến đường sạt lở")
        async with running(config, store):
            await until(lambda: len(tg.paid()) >= 300, timeout=10)
            await asyncio.sleep(1.5)  # what comes next is free, at 30/s
            paid, later = tg.paid(), free(tg)
        assert len(paid) == 300  # 30 Stars at 0.1 Star a send, not one more
        first_second = [c for c in paid if c.at - paid[0].at <= 1.0]
        assert len(first_second) >= 100  # the free rate carries 30 in a second
        assert all(c.params.get("allow_paid_broadcast") is None for c in later)
        assert later and rate(later) <= 31.5
        assert tg.too_many == 0  # neither lane went past its limit
        assert store.sync.paid.spent() == 300
        assert len({c.chat_id for c in tg.delivered()}) == len(tg.delivered())  # each once
        stats = store.sync.stats.collect()
        assert stats.stars_today == 30.0
        assert stats.drain_seconds is not None and stats.drain_seconds > 0
        text = format_stats(stats, config.timezone)
        assert "Phát tin trả phí hôm nay: 30,0 / 30,0 Sao" in text
        assert "Hàng đợi Telegram gửi hết sau khoảng" in text
    finally:
        store.close()


async def test_the_budget_is_the_days_across_restarts_and_senders(
    tmp_path: Path, tg: FakeTelegram, database_url: str
) -> None:
    config = paid_config(tmp_path, tg, database_url, stars=STARS)
    store = open_store(config)
    try:
        # Another sender (or this one before a restart) spent 25 of the 30 Stars today.
        assert store.sync.paid.reserve(250, 300)[1] == 250
        add_readers(store, 400)
        add_story(store)
        async with running(config, store):
            await until(lambda: len(tg.paid()) >= 50, timeout=10)
            await asyncio.sleep(0.5)
        assert len(tg.paid()) == 50
        async with running(config, store):  # a restart: the day's count is in the store
            sent = len(tg.delivered())
            await until(lambda: len(tg.delivered()) >= sent + 20, timeout=10)
        assert len(tg.paid()) == 50
        assert store.sync.paid.spent() == 300
        assert tg.too_many == 0
    finally:
        store.close()


async def test_paid_broadcast_is_off_by_default_and_for_a_short_queue(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    config = paid_config(tmp_path, tg, "", stars=None)
    assert config.telegram.paid_broadcast_stars_per_day == 0
    store = open_store(config)
    try:
        add_readers(store, 300)
        add_story(store)
        async with running(config, store) as outlet:
            assert outlet.worker.paid_lane is None
            await until(lambda: len(tg.delivered()) >= 45, timeout=10)
        assert tg.paid() == [] and tg.too_many == 0
        assert rate(tg.delivered()) <= 31.5
        assert store.sync.paid.spent() == 0
        text = format_stats(store.sync.stats.collect(), config.timezone)
        assert "Phát tin trả phí: tắt (0,0 Sao hôm nay)" in text
    finally:
        store.close()


async def test_a_queue_the_free_rate_drains_in_time_is_never_paid(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    config = paid_config(tmp_path, tg, "", stars=STARS)
    store = open_store(config)
    try:
        add_readers(store, 60)  # 2 s at 30/s: under 0.05 min
        add_story(store)
        async with running(config, store):
            await until(lambda: len(tg.delivered()) >= 60, timeout=10)
        assert tg.paid() == [] and tg.too_many == 0
    finally:
        store.close()


def test_reservations_never_pass_the_cap_and_each_day_has_its_own(
    tmp_path: Path, tg: FakeTelegram, database_url: str
) -> None:
    config = paid_config(tmp_path, tg, database_url, stars=STARS)
    one, two = open_store(config), open_store(config)  # two senders, one database
    try:
        day, granted = one.sync.paid.reserve(100, 150)
        assert granted == 100
        assert two.sync.paid.reserve(100, 150) == (day, 50)
        assert one.sync.paid.reserve(100, 150) == (day, 0)
        two.sync.paid.give_back(day, 30)
        assert one.sync.paid.spent() == 120
        tomorrow = time.time() + 86_400
        assert one.sync.paid.reserve(100, 150, at=tomorrow)[1] == 100
        assert one.sync.paid.spent() == 120
    finally:
        one.close()
        two.close()


def test_the_projected_drain_uses_the_paid_rate_while_the_budget_lasts() -> None:
    plan = PaidPlan(free_rate=30.0, stars_per_day=30, after_minutes=AFTER_MINUTES)
    assert plan.daily_messages == 300 and plan.threshold == 90
    assert plan.drain_seconds(600, 0) == pytest.approx(300 / 1000 + 300 / 30)
    assert plan.drain_seconds(600, 300) == pytest.approx(600 / 30)  # budget spent
    assert plan.drain_seconds(60, 0) == pytest.approx(2.0)  # short: free
    assert PaidPlan().drain_seconds(600, 0) == pytest.approx(20.0)  # off
