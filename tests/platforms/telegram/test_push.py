"""Pushes end to end: the store's outbox → our worker → real PTB → the fake Bot API."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.core.replies import Reply, Request, Span
from bot.core.settings import Config
from bot.outlets import Outlet
from bot.store import Store
from handlers.base import Context
from tests.delivery.helpers import add_chat, add_story, telegram_config
from tests.fakes.telegram_api import (
    BAD_REQUEST,
    BLOCKED,
    CHAT_NOT_FOUND,
    HTML_REFUSED,
    MIGRATE,
    RETRY_AFTER,
    FakeTelegram,
)
from tests.platforms.telegram.helpers import running as start_telegram


async def echo(request: Request, ctx: Context) -> list[Reply]:
    return [Reply(body=(Span(f"echo {request.command or request.text}"),))]


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@asynccontextmanager
async def running(config: Config, store: Store, read_timeout: float = 2.0) -> AsyncIterator[Outlet]:
    store.sync.chats.sync_channels("telegram", config.telegram.channels)
    async with start_telegram(
        config,
        store,
        handle=echo,
        commands={"start": {"vi": "Nhận tin", "en": "Subscribe"}},
        read_timeout=read_timeout,
    ) as platform:
        yield platform


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bantin.sqlite3")
    yield s
    s.close()


async def test_story_reaches_private_chats_group_and_channel_once(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg, channels=("@bantin_news",))
    store.sync.chats.sync_channels("telegram", config.telegram.channels)  # as App does at start
    add_chat(store, 101)
    add_chat(store, 102, language="en")
    add_chat(store, -100300, kind="supergroup")
    photo_story = add_story(store, "Đà Lạt đón mưa lớn", image="https://baolamdong.vn/a.jpg")
    text_story = add_story(store, "Giá rau tăng", image=None, url="https://baolamdong.vn/rau.html")
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    for chat in ("101", "102", "-100300", "@bantin_news"):
        sends = tg.delivered(chat)
        assert [c.method for c in sends] == ["sendPhoto", "sendMessage"], chat
        photo, text = sends
        assert photo.params["photo"] == "https://baolamdong.vn/a.jpg"
        assert photo.params["parse_mode"] == "HTML"
        assert photo.params["caption"].startswith("<b>Đà Lạt đón mưa lớn</b>")
        buttons = photo.params["reply_markup"]["inline_keyboard"][0]
        assert buttons[0]["url"].startswith("https://baolamdong.vn/")
        assert buttons[1]["switch_inline_query"] == f"a_{photo_story}"
        assert text.params["link_preview_options"]["url"] == "https://baolamdong.vn/rau.html"
        assert "<b>Giá rau tăng</b>" in text.params["text"]
    vi_buttons = tg.delivered("101")[0].params["reply_markup"]["inline_keyboard"][0]
    assert vi_buttons[0]["text"] == "Đọc tiếp" and vi_buttons[1]["text"] == "Chia sẻ"
    assert store.sync.deliveries.counts() == {"sent": 8}
    assert text_story > photo_story
    # setMyCommands: Vietnamese by default, English for language_code en.
    commands = tg.calls_to("setMyCommands")
    assert [c.params.get("language_code") for c in commands] == [None, "en"]
    assert commands[0].params["commands"] == [{"command": "start", "description": "Nhận tin"}]


async def test_flood_wait_pauses_every_send_and_loses_nothing(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    # 20/s: the ten sends would span half a second without the pause, so sends that
    # ignored it would land inside the window below; the one send that may already be on
    # the wire when the 429 is heard lands within a slot (50 ms) of it, even on a loaded
    # machine well before 0.2 s.
    config = telegram_config(tmp_path, tg, per_second=20.0)
    for chat in range(201, 211):
        add_chat(store, chat)
    add_story(store, image=None)
    tg.fail("sendMessage", RETRY_AFTER(1), chat_id=203)
    async with running(config, store) as platform:
        await platform.worker.drain(10)
        assert platform.worker.flood_waits == 1
    flood = next(c for c in tg.calls if c.status == 429)
    during = [c for c in tg.calls if c.method == "sendMessage" and 0.2 < c.at - flood.at < 0.95]
    later = [c for c in tg.calls if c.method == "sendMessage" and c.at - flood.at >= 0.95]
    assert during == [] and later
    assert all(len(tg.delivered(chat)) == 1 for chat in range(201, 211))
    assert store.sync.deliveries.counts() == {"sent": 10}
    with store.db.reading() as conn:
        attempts = {row[0] for row in conn.execute("SELECT attempts FROM deliveries")}
    assert attempts == {1}  # the wait is not the row's fault


async def test_blocked_and_missing_chats_are_deactivated_not_retried(
    tmp_path: Path, tg: FakeTelegram, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    config = telegram_config(tmp_path, tg)
    add_chat(store, 301)
    add_chat(store, 302)
    add_chat(store, -303, kind="group")
    tg.fail(None, BLOCKED, chat_id=302, times=None)
    tg.fail(None, CHAT_NOT_FOUND, chat_id=-303, times=None)
    add_story(store)
    add_story(store)
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    assert len(tg.delivered(301)) == 2
    assert len(tg.calls_to("sendPhoto", 302)) == 1
    assert len(tg.calls_to("sendPhoto", -303)) == 1
    for chat_id in ("302", "-303"):
        chat = store.sync.chats.get("telegram", chat_id)
        assert chat is not None and not chat.active
    assert store.sync.deliveries.counts() == {"sent": 2, "failed": 2, "cancelled": 2}
    assert "chat telegram:302 deactivated: Forbidden: bot was blocked by the user" in caplog.text


async def test_migrated_group_gets_the_story_at_its_new_id(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    add_chat(store, -400, kind="group")
    tg.fail(None, MIGRATE(-100400), chat_id=-400, times=None)
    add_story(store)
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    assert tg.delivered(-400) == []
    assert len(tg.delivered(-100400)) == 1
    assert store.sync.chats.get("telegram", "-400") is None
    moved = store.sync.chats.get("telegram", "-100400")
    assert moved is not None and moved.active and moved.kind == "supergroup"
    assert store.sync.deliveries.counts() == {"sent": 1}


async def test_refused_photo_falls_back_to_text_with_preview(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    add_chat(store, 501)
    tg.reject_photos = True
    add_story(store, "Hoa dã quỳ nở", url="https://baolamdong.vn/hoa.html")
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    (sent,) = tg.delivered(501)
    assert sent.method == "sendMessage"
    assert sent.params["link_preview_options"]["url"] == "https://baolamdong.vn/hoa.html"
    assert store.sync.deliveries.counts() == {"sent": 1}


async def test_html_hostile_title_arrives_escaped(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    add_chat(store, 601)
    hostile = "<b>&amp;</script> <a href='javascript:alert(1)'>x</a>"
    add_story(store, hostile, summary="1 < 2 && 3 > 2 <i>", image=None, url="javascript:alert(1)")
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    (sent,) = tg.delivered(601)  # the fake refuses HTML Telegram would refuse
    text = sent.params["text"]
    assert text.startswith("<b>&lt;b&gt;&amp;amp;&lt;/script&gt; &lt;a href='javascript")
    assert "1 &lt; 2 &amp;&amp; 3 &gt; 2 &lt;i&gt;" in text
    assert "javascript" not in str(sent.params.get("reply_markup"))
    assert "url" not in sent.params["link_preview_options"]


async def test_html_refused_falls_back_to_plain_text_once(
    tmp_path: Path, tg: FakeTelegram, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    config = telegram_config(tmp_path, tg)
    add_chat(store, 701)
    tg.fail("sendMessage", HTML_REFUSED, chat_id=701, when="parse_mode")
    add_story(store, "Tin <nóng>", image=None)
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    (sent,) = tg.delivered(701)
    assert "parse_mode" not in sent.params
    assert sent.params["text"].startswith("Tin <nóng>")
    assert "Telegram refused our HTML" in caplog.text


async def test_other_bad_requests_are_rejected_and_admins_told_once(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg, admins=(9001,))
    add_chat(store, 801)
    add_chat(store, 802)
    tg.fail("sendPhoto", BAD_REQUEST, times=None)
    add_story(store)
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    assert store.sync.deliveries.counts() == {"failed": 2}
    assert len(tg.calls_to("sendPhoto")) == 2  # rejected, not retried
    alerts = tg.delivered(9001)
    assert len(alerts) == 1 and "message must be non-empty" in alerts[0].text.lower()
    chat = store.sync.chats.get("telegram", "801")
    assert chat is not None and chat.active


async def test_stories_reach_a_chat_in_publication_order(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    add_chat(store, 901)
    now = time.time()
    add_story(store, "Thứ ba", image=None, published_at=now - 10)
    add_story(store, "Thứ nhất", image=None, published_at=now - 30)
    add_story(store, "Thứ hai", image=None, published_at=now - 20)
    tg.fail("sendMessage", RETRY_AFTER(1), chat_id=901)  # a flood wait must not reorder
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    titles = [c.params["text"].split("</b>")[0].removeprefix("<b>") for c in tg.delivered(901)]
    assert titles == ["Thứ nhất", "Thứ hai", "Thứ ba"]


async def test_digest_chat_gets_one_message_with_a_line_per_story(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    chat = add_chat(store, 1001, mode="digest")
    add_chat(store, 1002)
    for title in ("Một", "Hai", "Ba"):
        add_story(store, title)
    with store.db.transaction() as conn:  # the digest hour has come
        conn.execute("UPDATE deliveries SET due_at = 0 WHERE chat_ref = ?", (chat.id,))
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    (digest,) = tg.delivered(1001)
    assert digest.method == "sendMessage"
    lines = [line for line in digest.params["text"].split("\n") if line.startswith("• ")]
    assert len(lines) == 3 and "Một" in lines[0] and "Ba" in lines[2]
    assert len(tg.delivered(1002)) == 3
    assert store.sync.deliveries.counts() == {"sent": 6}
