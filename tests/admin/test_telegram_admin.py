"""Admin commands through real PTB, our router and the fake Bot API on loopback."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import App
from bot.config import parse_config
from bot.core.settings import FeedConfig
from bot.store import Store
from tests.admin.telegram import ADMIN, STRANGER, buttons, running, wait_for
from tests.delivery.helpers import add_chat, telegram_config
from tests.fakes.news_site import FakeNewsSite
from tests.fakes.telegram_api import (
    FakeTelegram,
)


async def test_a_stranger_is_refused_and_nothing_changes(tmp_path: Path, tg: FakeTelegram) -> None:
    config = telegram_config(tmp_path, tg, admins=(ADMIN,))
    store = Store(config.storage_path)
    try:
        feed = store.sync.feeds.add(FeedConfig(name="Thời sự", url="https://example.vn/rss"))
        async with running(config, store):
            tg.push_update(tg.message_update(STRANGER, f"/pausefeed {feed.id}"))
            await wait_for(lambda: tg.replies(STRANGER))
        assert "Bạn không phải quản trị viên" in tg.replies(STRANGER)[0]
        paused = store.sync.feeds.get(feed.id)
        assert paused is not None and not paused.paused
        assert store.sync.audit.recent(1)[0].result.startswith("refused")
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
        actions = [e.action for e in store.sync.audit.recent(10)]
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
