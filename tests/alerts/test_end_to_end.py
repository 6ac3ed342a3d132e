"""Alerts, sections and breaking news end to end: the fake news site is polled for real,
readers talk to the bot through the fake Bot API, pushes go out through the real worker."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.admin.access import shell_caller
from bot.app import App
from bot.config import parse_config
from bot.core.settings import Config
from tests.fakes.news_site import VN_TZ, FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram
from tests.platforms.telegram.helpers import quick

ADMIN = 900


@pytest.fixture
def site() -> Iterator[FakeNewsSite]:
    with FakeNewsSite() as running:
        yield running


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(updates_wait=0.1) as fake:
        yield fake


def config_for(tmp_path: Path, site: FakeNewsSite, tg: FakeTelegram) -> Config:
    # No section in the config: each story keeps its page's own (the breadcrumb "Thời sự").
    text = f"""
[storage]
path = "{tmp_path / "bantin.sqlite3"}"

[poll]
interval_seconds = 3600

[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 2.0

[telegram]
token = "{tg.token}"
api_base_url = "{tg.url}"
admins = [{ADMIN}]
messages_per_second = 200
private_chat_per_second = 50

[[feeds]]
name = "Thời sự"
url = "{site.section_feed_url("thoi-su")}"
"""
    return quick(parse_config(text, str(tmp_path / "config.toml")))


async def until(condition: Callable[[], object], timeout: float = 8.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def say(tg: FakeTelegram, chat: int, text: str) -> str:
    before = len(tg.replies(chat))
    tg.push_update(tg.message_update(chat, text))
    await until(lambda: len(tg.replies(chat)) > before)
    return tg.replies(chat)[-1]


def publish(site: FakeNewsSite, slug: str, title: str, body: str, minutes_ago: int) -> None:
    site.add_story(
        slug,
        title,
        f"{title}.",
        [body, "Chính quyền địa phương đã có mặt tại hiện trường để chỉ đạo khắc phục."],
        published=datetime.now(VN_TZ) - timedelta(minutes=minutes_ago),
        section="thoi-su",
    )


async def test_alerts_only_reader_gets_the_landslide_and_a_reader_without_alerts_both(
    tmp_path: Path, site: FakeNewsSite, tg: FakeTelegram
) -> None:
    publish(site, "tin-cu-1", "Hội nghị tổng kết năm", "Hội nghị diễn ra sáng nay.", 600)
    config = config_for(tmp_path, site, tg)
    async with App(config) as app:
        await app.poll_once()  # the first poll stores what the feed lists, pushes nothing
        (outlet,) = app.platforms
        await outlet.start()
        try:
            await say(tg, 501, "/start")
            added = await say(tg, 501, "theo doi sat lo")
            assert "Đã theo dõi “sat lo”" in added
            switched = await say(tg, 501, "/alert only")
            assert "chỉ nhận tin có từ khóa theo dõi" in switched and "1. sat lo" in switched
            await say(tg, 502, "/start")

            publish(
                site,
                "sat-lo-deo-prenn",
                "Sạt lở nghiêm trọng trên đèo Prenn",
                "Mưa lớn kéo dài khiến taluy dương sạt lở, giao thông bị chia cắt.",
                5,
            )
            publish(
                site,
                "giam-sat-quoc-lo-20",
                "Tăng cường giám sát thi công quốc lộ 20",
                "Sở Giao thông yêu cầu nhà thầu bảo đảm tiến độ thi công quốc lộ.",
                4,
            )
            reports = await app.poll_once()
            assert [r.new for r in reports] == [2]
            await outlet.worker.drain(10)

            alerted = tg.delivered(501)
            cards = [c.params.get("caption") or c.params.get("text") for c in alerted]
            stories = [c for c in cards if "đèo Prenn" in c or "quốc lộ 20" in c]
            assert len(stories) == 1 and "Sạt lở nghiêm trọng trên đèo Prenn" in stories[0]
            assert "🔔 Theo dõi: “sat lo”" in stories[0]
            plain = [
                c.params.get("caption") or c.params.get("text")
                for c in tg.delivered(502)
                if "Tăng cường" in (c.params.get("caption") or c.params.get("text") or "")
                or "đèo Prenn" in (c.params.get("caption") or c.params.get("text") or "")
            ]
            assert len(plain) == 2 and not any("Theo dõi" in card for card in plain)

            # Each story kept its page's section: a search by section finds them.
            with app.store.db.reading() as conn:
                sections = {row[0] for row in conn.execute("SELECT section FROM articles")}
            assert sections == {"thoi-su"}
            found = await say(tg, 502, "/search mục:thoi-su quốc lộ")
            assert "quốc lộ 20" in found

            # The list offers a ✖ per alert on Telegram; typed words remove one too.
            listing = next(c for c in tg.delivered(501) if "1. sat lo" in c.params.get("text", ""))
            keyboard = listing.params["reply_markup"]["inline_keyboard"]
            assert keyboard[0][0]["callback_data"].startswith("alert:del:")
            removed = await say(tg, 501, "bỏ theo dõi 1")
            assert "Đã bỏ theo dõi “sat lo”" in removed and "chưa theo dõi" in removed
        finally:
            await outlet.stop()


async def test_a_breaking_story_overtakes_a_queued_broadcast_and_is_silent_at_night(
    tmp_path: Path, site: FakeNewsSite, tg: FakeTelegram
) -> None:
    publish(site, "tin-cu-2", "Tin cũ", "Một tin đã đăng từ trước.", 600)
    config = config_for(tmp_path, site, tg)
    config = replace(config, telegram=replace(config.telegram, messages_per_second=30))
    async with App(config) as app:
        await app.poll_once()
        store = app.store.sync
        chats = []
        for number in range(1, 41):
            chat = store.chats.upsert("telegram", str(700 + number))
            store.chats.subscribe(chat.id)
            chats.append(chat)
        # One reader sleeps: quiet hours from this hour on (held, the default).
        hour = datetime.now(VN_TZ).hour
        store.chats.update_settings(chats[0].id, quiet_hours=(hour, (hour + 2) % 24))
        draft = store.broadcasts.draft("Thông báo bảo trì hệ thống", f"telegram:{ADMIN}")
        assert store.broadcasts.confirm(draft, f"telegram:{ADMIN}").queued == 40
        (old,) = store.articles.latest(1)
        # Marked breaking (as `bantin breaking ID` does) while the broadcast waits in line.
        marked = await app.admin.stories.breaking(shell_caller(), str(old.id))
        assert marked.ok and marked.data["queued"] == 40
        (outlet,) = app.platforms
        await outlet.start()
        try:
            await outlet.worker.drain(20)
            answer = await say(tg, ADMIN, f"/breaking {old.id}")
            assert "là tin nóng" in answer and "40 chat đã nhận" in answer
        finally:
            await outlet.stop()
    for chat in chats:
        texts = [
            c.params.get("caption") or c.params.get("text") or ""
            for c in tg.delivered(chat.chat_id)
        ]
        assert "TIN NÓNG" in texts[0] and "Tin cũ" in texts[0], chat.chat_id
        assert len(texts) == 2 and "bảo trì" in texts[1], chat.chat_id
    asleep = tg.delivered(chats[0].chat_id)
    assert asleep[0].params.get("disable_notification") == "true"  # form-encoded, as PTB sends it
    assert "disable_notification" not in tg.delivered(chats[1].chat_id)[0].params
