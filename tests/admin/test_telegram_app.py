"""The admin room wired into the App: Telegram's ChatAccess, ChatDirectory, MessageEditor."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import App
from bot.cli import main
from bot.config import parse_config
from bot.core.settings import Config
from bot.platforms.telegram import TelegramAdapter
from bot.store import Store
from tests.admin.telegram import ADMIN, buttons, wait_for
from tests.delivery.helpers import add_chat
from tests.fakes.news_site import VN_TZ, FakeNewsSite
from tests.fakes.telegram_api import (
    BOT_ID,
    CHAT_NOT_FOUND,
    DELETE_NOT_FOUND,
    PHOTO_REJECTED,
    FakeTelegram,
    check_html,
)

PICTURE = "https://baolamdong.vn/Upload/anh-tin.jpg"


def site_config(tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite) -> Config:
    """A bot on the fake Bot API polling the fake site's first feed, as `bantin run` is set up."""
    text = f"""
[storage]
path = "{tmp_path / "bantin.sqlite3"}"

[poll]
interval_seconds = 60

[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 2.0

[telegram]
token = "{tg.token}"
api_base_url = "{tg.url}"
admins = [{ADMIN}]
messages_per_second = 200
private_chat_per_second = 50
group_per_minute = 3000

[[feeds]]
name = "Tin tức"
url = "{site.feed_url}"
"""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return parse_config(text, str(path))


@asynccontextmanager
async def live(config: Config) -> AsyncIterator[App]:
    """The composition root as `bantin run` builds it, with its Telegram platform started."""
    app = App(config)
    try:
        (platform,) = app.platforms
        await platform.start()
        try:
            yield app
        finally:
            await platform.stop()
    finally:
        await app.close()


def visible(text: str) -> str:
    return check_html(text)[1]


async def ask(tg: FakeTelegram, text: str, user: int = ADMIN) -> str:
    """Type `text` in the bot's private chat; the bot's answer, as the reader sees it."""
    before = len(tg.replies(user))
    tg.push_update(tg.message_update(user, text))
    await wait_for(lambda: len(tg.replies(user)) > before)
    return visible(tg.replies(user)[before])


def story_page(
    site: FakeNewsSite, slug: str, title: str, *, section: str = "tin-tuc", minutes_ago: int = 5
) -> str:
    return site.add_story(
        slug,
        title,
        "(Lamdongtv.vn) - Sáng nay, tỉnh Lâm Đồng thông tin về sự việc.",
        [
            "Sáng nay, tỉnh Lâm Đồng tổ chức họp báo về sự việc với nhiều cơ quan báo chí.",
            "Lãnh đạo tỉnh cho biết sẽ tiếp tục theo dõi và thông tin kịp thời tới người dân.",
        ],
        published=datetime.now(VN_TZ) - timedelta(minutes=minutes_ago),
        image=PICTURE,
        section=section,
    )


async def poll_now(app: App) -> None:
    with app.store.db.transaction() as conn:
        conn.execute("UPDATE feeds SET next_check_at = 0")
    await app.poller.poll_due()


def article_id(store: Store, title: str) -> int:
    with store.db.reading() as conn:
        row = conn.execute("SELECT id FROM articles WHERE title = ?", (title,)).fetchone()
    assert row is not None, title
    return int(row[0])


async def deliver_a_story(app: App, tg: FakeTelegram, site: FakeNewsSite) -> int:
    """Readers 501 (gets the photo card) and 502 (Telegram refuses the photo: text card)."""
    for reader in (501, 502):
        add_chat(app.store, reader)
    story_page(site, "cu", "Tin cũ", minutes_ago=60)
    await poll_now(app)  # the first poll only stores
    story_page(site, "sat-lo", "Sạt lở đèo Prenn")
    tg.fail("sendPhoto", PHOTO_REJECTED, chat_id=502)
    await poll_now(app)
    await wait_for(lambda: tg.delivered(501) and len(tg.delivered(502)) == 1)
    assert tg.delivered(501)[0].method == "sendPhoto"
    assert tg.delivered(502)[0].method == "sendMessage"
    return article_id(app.store, "Sạt lở đèo Prenn")


def sent_message(tg: FakeTelegram, chat: int) -> dict[str, Any] | None:
    call = tg.delivered(chat)[0]
    assert call.message_id is not None
    return tg.message(chat, call.message_id)


async def test_correct_edits_the_delivered_photo_and_text_cards(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    with FakeNewsSite() as site:
        async with live(site_config(tmp_path, tg, site)) as app:
            story = await deliver_a_story(app, tg, site)
            story_page(site, "sat-lo", "Sạt lở đèo Prenn: đã thông xe một làn")  # corrected
            answer = await ask(tg, f"/correct {story}")
            assert answer.startswith(f"Đã sửa tin #{story}"), answer
            assert "2/2 chat" in answer

            photo = sent_message(tg, 501)
            assert photo is not None and "đã thông xe một làn" in photo["caption"]
            text = sent_message(tg, 502)
            assert text is not None and "đã thông xe một làn" in text["text"]
            # Rendered as the push renders it: bold title, the buttons kept.
            edit = tg.calls_to("editMessageCaption", 501)[-1]
            assert edit.ok and "<b>Sạt lở đèo Prenn: đã thông xe một làn</b>" in edit.text
            assert [b["text"] for b in buttons(edit)] == [
                b["text"] for b in buttons(tg.delivered(501)[0])
            ]
            # The text card was tried as a caption first, then edited as text.
            assert [c.ok for c in tg.calls_to("editMessageCaption", 502)] == [False]
            assert tg.calls_to("editMessageText", 502)[-1].ok

            again = await ask(tg, f"/correct {story}")  # nothing changed: "not modified"
            assert "2/2 chat" in again
            assert app.store.sync.audit.recent(1)[0].action == "story.correct"


async def test_retract_deletes_the_delivered_messages(tmp_path: Path, tg: FakeTelegram) -> None:
    with FakeNewsSite() as site:
        async with live(site_config(tmp_path, tg, site)) as app:
            story = await deliver_a_story(app, tg, site)
            tg.fail("deleteMessage", DELETE_NOT_FOUND, chat_id=502)  # the reader deleted it
            answer = await ask(tg, f"/retract {story}")
            assert answer.startswith(f"Đã gỡ tin #{story}"), answer
            assert "1/2 chat" in answer and "502: tin không còn để xóa" in answer
            assert sent_message(tg, 501) is None  # gone from the chat
            assert [c.ok for c in tg.calls_to("deleteMessage", 501)] == [True]
            assert [c.ok for c in tg.calls_to("deleteMessage", 502)] == [False]
            assert app.store.sync.audit.recent(1)[0].action == "story.retract"


async def test_addchannel_checks_the_caller_and_the_bot_with_telegram(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    theirs = tg.add_chat("@cua_nguoi_khac", title="Kênh người khác")  # caller is a member
    mute = tg.add_chat("@chua_cap_quyen", title="Bot chưa được đăng")  # bot cannot post
    tg.set_member(theirs, ADMIN, "member")
    tg.set_member(theirs, BOT_ID, "administrator")
    tg.set_member(mute, ADMIN, "creator")
    tg.set_member(mute, BOT_ID, "administrator", can_post_messages=False)
    ours = tg.add_chat("@tin_lam_dong", title="Tin Lâm Đồng")
    tg.set_member(ours, ADMIN, "administrator")
    tg.set_member(ours, BOT_ID, "administrator")
    tg.fail(None, CHAT_NOT_FOUND, chat_id="@khong_co", times=None)
    with FakeNewsSite() as site:
        async with live(site_config(tmp_path, tg, site)) as app:
            refused = await ask(tg, "/addchannel @cua_nguoi_khac")
            assert "bạn không phải quản trị viên của kênh/nhóm đó" in refused, refused
            refused = await ask(tg, "/addchannel @chua_cap_quyen")
            assert "bot chưa được quyền đăng bài" in refused, refused
            refused = await ask(tg, "/addchannel @khong_co")
            assert "«@khong_co»: không kiểm tra được quyền: Chat not found" in refused, refused
            assert app.store.sync.chats.channels() == []

            added = await ask(tg, "/addchannel @tin_lam_dong")
            assert added.startswith("Đã thêm kênh «Tin Lâm Đồng»"), added
            (channel,) = app.store.sync.chats.channels()
            assert (channel.chat_id, channel.title, channel.kind) == (
                str(ours),
                "Tin Lâm Đồng",
                "channel",
            )
            results = [e.result for e in app.store.sync.audit.recent(10)]
            assert [r.startswith("refused") for r in results] == [True, True, True, False]


def test_bantin_channels_add_asks_telegram_too(tmp_path: Path, tg: FakeTelegram) -> None:
    """The CLI's `make_chat_access`: the shell is trusted, the bot's right to post is not."""
    mute = tg.add_chat("@chua_cap_quyen")
    ours = tg.add_chat("@tin_lam_dong", title="Tin Lâm Đồng")
    tg.set_member(ours, BOT_ID, "administrator")
    with FakeNewsSite() as site:
        config = site_config(tmp_path, tg, site).source
        assert main(["channels", "add", "@chua_cap_quyen", "--config", config]) == 1
        assert main(["channels", "add", "@tin_lam_dong", "--config", config]) == 0
    store = Store(tmp_path / "bantin.sqlite3")
    try:
        assert [c.chat_id for c in store.sync.chats.channels()] == [str(ours)]
    finally:
        store.close()
    asked = {c.params.get("chat_id") for c in tg.calls_to("getChatMember")}
    assert asked == {str(mute), str(ours)}  # the bot's own rights, by numeric id


async def test_done_means_a_feed_added_and_routed_from_chat_reaches_only_its_channel(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    kenh = tg.add_chat("@kenh_xa_hoi", title="Kênh Xã hội")
    khac = tg.add_chat("@kenh_thoi_su", title="Kênh Thời sự")
    for channel in (kenh, khac):
        tg.set_member(channel, ADMIN, "administrator")
        tg.set_member(channel, BOT_ID, "administrator")
    with FakeNewsSite() as site:
        config = site_config(tmp_path, tg, site)
        story_page(site, "tt-1", "Tin tức cũ", minutes_ago=60)
        story_page(site, "xh-1", "Xã hội cũ", section="xa-hoi", minutes_ago=60)
        async with live(config) as app:
            add_chat(app.store, 501)  # a reader of everything
            await poll_now(app)

            added = await ask(tg, f"/addfeed {site.section_feed_url('xa-hoi')} Xã hội")
            assert added.startswith("Đã thêm nguồn tin") and "• Xã hội cũ" in added, added
            for name in ("@kenh_xa_hoi", "@kenh_thoi_su"):
                assert (await ask(tg, f"/addchannel {name}")).startswith("Đã thêm kênh")
            routed = await ask(tg, "/route @kenh_xa_hoi Xã hội")
            assert routed == "Kênh «Kênh Xã hội» chỉ nhận: «Xã hội».", routed
            assert (await ask(tg, "/route @kenh_thoi_su Tin tức")).startswith("Kênh «Kênh Thời sự»")

            await poll_now(app)  # the new feed's first poll stores, sends nothing
            story_page(site, "xh-2", "Xã hội mới", section="xa-hoi")
            await poll_now(app)
            await wait_for(lambda: tg.delivered(kenh) and tg.delivered(501))
            (platform,) = app.platforms
            assert isinstance(platform.platform, TelegramAdapter)
            await platform.worker.drain(5.0)
            await asyncio.sleep(0.3)
            assert ["Xã hội mới" in visible(t) for t in tg.replies(kenh)] == [True]
            assert tg.replies(khac) == []
            assert ["Xã hội mới" in visible(t) for t in tg.replies(501)] == [True]

            # `bantin stats` and `/stats` agree, line for line (but the time they were made).
            slash = (await ask(tg, "/stats")).splitlines()
            assert slash[0].startswith("📊")
            shell = await asyncio.to_thread(_stats_text, config.source)
            assert slash[1:] == shell.splitlines()[1:]
            assert any("Xã hội" in line for line in slash)


def _stats_text(config: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["stats", "--config", config]) == 0
    return out.getvalue().strip()
