"""Admin commands through real PTB, our router and the fake Bot API on loopback."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import Config, FeedConfig
from bot.delivery.worker import WorkerSettings
from bot.platforms.telegram import TelegramPlatform
from bot.store import Store
from tests.delivery.helpers import add_chat, telegram_config
from tests.fakes.news_site import FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram

ADMIN = 111
STRANGER = 999
FAST = WorkerSettings(max_in_flight=20, idle_seconds=0.05, backoff_base=0.05, backoff_cap=0.2)


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@asynccontextmanager
async def running(config: Config, store: Store) -> AsyncIterator[TelegramPlatform]:
    platform = TelegramPlatform(
        config, store, worker_settings=FAST, timeouts=(1.0, 2.0), poll_timeout=1
    )
    await platform.start()
    try:
        yield platform
    finally:
        await platform.stop()


async def wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def buttons(call: Any) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [button for row in (markup or {}).get("inline_keyboard", []) for button in row]


async def test_a_stranger_is_refused_and_nothing_changes(tmp_path: Path, tg: FakeTelegram) -> None:
    config = telegram_config(tmp_path, tg, admins=(ADMIN,))
    store = Store(config.storage_path)
    try:
        feed = store.feeds.add(FeedConfig(name="Thời sự", url="https://example.vn/rss"))
        async with running(config, store):
            tg.push_update(tg.message_update(STRANGER, f"/pausefeed {feed.id}"))
            await wait_for(lambda: tg.replies(STRANGER))
        assert "Bạn không phải quản trị viên" in tg.replies(STRANGER)[0]
        paused = store.feeds.get(feed.id)
        assert paused is not None and not paused.paused
        assert store.audit.recent(1)[0].result.startswith("refused")
    finally:
        store.close()


async def test_broadcast_is_confirmed_with_the_button_and_reaches_every_chat_once(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    config = telegram_config(tmp_path, tg, admins=(ADMIN,))
    store = Store(config.storage_path)
    try:
        readers = [501, 502, -1001234]
        for chat_id in readers:
            add_chat(store, chat_id, kind="channel" if chat_id < 0 else "private")
        async with running(config, store):
            tg.push_update(tg.message_update(ADMIN, "/broadcast Tòa soạn nghỉ Tết"))
            await wait_for(lambda: tg.delivered(ADMIN))
            preview = tg.delivered(ADMIN)[0]
            assert "3 chat" in preview.text
            await asyncio.sleep(0.3)
            assert not any(tg.delivered(chat) for chat in readers)  # nothing before "Xác nhận"
            confirm = next(b for b in buttons(preview) if b["text"] == "Xác nhận")
            tg.push_update(tg.callback_update(ADMIN, confirm["callback_data"]))
            tg.push_update(tg.callback_update(ADMIN, confirm["callback_data"]))  # a double tap
            await wait_for(lambda: all(tg.delivered(chat) for chat in readers))
            await asyncio.sleep(0.3)
        for chat in readers:
            assert tg.replies(chat) == ["Tòa soạn nghỉ Tết"]
        actions = [e.action for e in store.audit.recent(10)]
        assert actions == ["broadcast.preview", "broadcast.send", "broadcast.send"]
    finally:
        store.close()


async def test_a_failing_feed_alerts_the_admins_once_through_the_bot_api(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    with FakeNewsSite() as site:
        config = telegram_config(tmp_path, tg, admins=(ADMIN,))
        text = Path(config.source).read_text(encoding="utf-8")
        text = text.replace(
            "interval_seconds = 3600", "interval_seconds = 60\nalert_after_failures = 2"
        )
        text += (
            '\n[fetch]\ntrusted_networks = ["127.0.0.1/32"]\ntimeout_seconds = 2.0\n'
            f'\n[[feeds]]\nname = "Hỏng"\nurl = "{site.error_url}"\n'
        )
        from bot.config import parse_config

        config = parse_config(text, config.source)
        app = App(config)
        try:
            platform = app.platforms[0]
            await platform.start()
            try:
                for _ in range(4):
                    with app.store.db.transaction() as conn:
                        conn.execute("UPDATE feeds SET next_check_at = 0")
                    await app.poller.poll_due()
            finally:
                await platform.stop()
        finally:
            await app.close()
    alerts = tg.replies(ADMIN)
    assert len(alerts) == 1
    assert "Hỏng" in alerts[0] and "500" in alerts[0]
