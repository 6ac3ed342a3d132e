"""Review before push, end to end: the fake news site, the App as `bantin run` builds it,
the fake Bot API. A held story reaches nobody until an editor presses "✅ Đăng"."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import parse_config
from bot.core.settings import Config, FeedConfig
from bot.store import Store
from tests.admin.conftest import story
from tests.admin.shell import run
from tests.admin.telegram import ADMIN, STRANGER, buttons, wait_for
from tests.admin.test_telegram_app import article_id, ask, live, poll_now, story_page, visible
from tests.delivery.helpers import add_chat
from tests.fakes.news_site import FakeNewsSite
from tests.fakes.telegram_api import BOT_ID, BOT_USERNAME, FakeTelegram

EDITOR_2 = 112
READERS = (501, 502)
NEW_SUMMARY = "Đèo Prenn thông xe một làn từ 17 giờ. Người dân nên đi đường khác."


def review_config(tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite, extra: str = "") -> Config:
    text = f"""
[bot]
name = "Lâm Đồng TV"

[storage]
path = "{tmp_path / "bantin.sqlite3"}"

[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 2.0

[publish]
review = true
{extra}

[telegram]
token = "{tg.token}"
api_base_url = "{tg.url}"
admins = [{ADMIN}, {EDITOR_2}]
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


async def hold_a_story(app: App, tg: FakeTelegram, site: FakeNewsSite) -> int:
    for reader in READERS:
        add_chat(app.store, reader)
    story_page(site, "cu", "Tin cũ", minutes_ago=60)
    await poll_now(app)  # the first poll only stores
    story_page(site, "sat-lo", "Sạt lở đèo Prenn")
    await poll_now(app)
    await app.review_tick()
    return article_id(app.store, "Sạt lở đèo Prenn")


async def press(tg: FakeTelegram, user: int, data: str) -> str:
    before = len(tg.replies(user))
    tg.push_update(tg.callback_update(user, data))
    await wait_for(lambda: len(tg.replies(user)) > before)
    return visible(tg.replies(user)[before])


async def test_a_held_story_reaches_readers_once_an_editor_publishes_it_as_edited(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    with FakeNewsSite() as site:
        async with live(review_config(tmp_path, tg, site)) as app:
            story = await hold_a_story(app, tg, site)
            # Both editors got the preview, as readers would see it, with the desk's buttons.
            for editor in (ADMIN, EDITOR_2):
                (preview,) = tg.delivered(editor)
                assert preview.method == "sendPhoto"
                labels = [b["text"] for b in buttons(preview)]
                assert labels == ["Đọc tiếp", "Chia sẻ", "✅ Đăng", "✏️ Sửa tóm tắt", "🗑 Bỏ"]
                assert "<b>Sạt lở đèo Prenn</b>" in preview.text
            await app.review_tick()  # announced once only
            assert len(tg.delivered(ADMIN)) == 1
            await asyncio.sleep(0.8)  # the worker looked at the outbox: nothing for readers
            assert all(tg.delivered(reader) == [] for reader in READERS)
            assert [i.article_id for i in app.store.sync.review.waiting()] == [story]

            # A reader pressing a desk button (a forwarded card) is refused; nothing moves.
            refusal = await press(tg, STRANGER, f"adm:rv:ok:{story}")
            assert "không phải quản trị viên của Lâm Đồng TV" in refusal
            assert "Bantin" not in refusal

            asked = await press(tg, ADMIN, f"adm:rv:edit:{story}")
            assert f"tóm tắt mới cho tin #{story}" in asked
            before = len(tg.delivered(ADMIN))
            tg.push_update(tg.message_update(ADMIN, NEW_SUMMARY))
            await wait_for(lambda: len(tg.delivered(ADMIN)) >= before + 2)
            confirm, again = tg.delivered(ADMIN)[before : before + 2]
            assert "Đã sửa tóm tắt" in visible(confirm.text)
            assert NEW_SUMMARY in visible(again.text)  # shown again for confirmation
            assert "✅ Đăng" in [b["text"] for b in buttons(again)]
            assert all(tg.delivered(reader) == [] for reader in READERS)

            published = await press(tg, ADMIN, f"adm:rv:ok:{story}")
            assert published.startswith(f"Đã đăng tin #{story}"), published
            await wait_for(lambda: all(tg.delivered(reader) for reader in READERS))
            late = await press(tg, EDITOR_2, f"adm:rv:ok:{story}")
            assert f"đã được telegram:{ADMIN} (Lan) đăng" in late, late
            await asyncio.sleep(0.5)
            for reader in READERS:
                (card,) = tg.delivered(reader)  # once, with the editor's summary
                assert NEW_SUMMARY in visible(card.text)
                assert "Bantin" not in visible(card.text)
                assert "✅ Đăng" not in [b["text"] for b in buttons(card)]

            audit = [(e.actor, e.action, e.detail, e.result) for e in app.store.sync.audit.recent()]
            assert (
                f"telegram:{ADMIN} (Lan)",
                "review.edit",
                f"#{story}: {NEW_SUMMARY}",
                "ok",
            ) in audit
            assert (f"telegram:{ADMIN} (Lan)", "review.publish", f"#{story}", "ok") in audit
            assert any(
                a == f"telegram:{EDITOR_2} (Lan)"
                and act == "review.publish"
                and r.startswith("refused")
                for a, act, _, r in audit
            )


async def test_a_dropped_story_reaches_nobody_and_review_off_pushes_at_once(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    with FakeNewsSite() as site:
        async with live(review_config(tmp_path, tg, site)) as app:
            story = await hold_a_story(app, tg, site)
            dropped = await press(tg, ADMIN, f"adm:rv:drop:{story}")
            assert dropped.startswith(f"Đã bỏ tin #{story}")
            late = await press(tg, EDITOR_2, f"adm:rv:ok:{story}")
            assert "bỏ lúc" in late
            await asyncio.sleep(0.8)
            assert all(tg.delivered(reader) == [] for reader in READERS)
            assert app.store.sync.review.waiting() == []


async def test_a_story_nobody_decided_on_is_published_after_the_configured_wait(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    with FakeNewsSite() as site:
        config = review_config(tmp_path, tg, site, "auto_publish_after_minutes = 1")
        async with live(config) as app:
            story = await hold_a_story(app, tg, site)
            assert await app.admin.review.publish_overdue(1) == 0  # not a minute yet
            with app.store.db.transaction() as conn:
                conn.execute("UPDATE reviews SET created_at = created_at - 61")
            await app.review_tick()
            await wait_for(lambda: all(tg.delivered(reader) for reader in READERS))
            item = app.store.sync.review.get(story)
            assert item is not None and (item.status, item.decided_by) == (
                "published",
                "auto-publish",
            )


def test_review_verbs_from_the_shell(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\npath = "bantin.sqlite3"\n\n[publish]\nreview = true\n')
    store = Store(tmp_path / "bantin.sqlite3", review=True)
    try:
        feed = store.sync.feeds.add(FeedConfig(name="Thời sự", url="https://example.vn/rss"))
        add_chat(store, 501)
        ids = store.sync.articles.record_poll(
            feed.id,
            [(story("k1", "Tin một"), True), (story("k2", "Tin hai"), True)],
            [],
            etag=None,
            last_modified=None,
            next_check_at=0,
        ).article_ids
    finally:
        store.close()
    first, second = ids
    args = ("--config", str(config))
    code, out, _ = run(capsys, "review", "list", *args)
    assert code == 0 and f"#{first} “Tin một”" in out and f"#{second} “Tin hai”" in out
    code, out, _ = run(capsys, "review", "edit", str(first), "Tóm", "tắt", "mới.", *args)
    assert code == 0 and out.startswith(f"Đã sửa tóm tắt tin #{first}")
    code, out, _ = run(capsys, "review", "approve", f"#{first}", *args)
    assert code == 0 and "gửi tới 1 chat" in out
    code, _, err = run(capsys, "review", "approve", str(first), *args)
    assert code == 1 and "đã được cli:" in err
    code, out, _ = run(capsys, "review", "drop", str(second), *args)
    assert code == 0 and out.startswith(f"Đã bỏ tin #{second}")
    code, _, err = run(capsys, "review", "edit", "abc", "x", *args)
    assert code == 1 and "Không có tin mã" in err
    code, out, _ = run(capsys, "review", "list", *args)
    assert out.strip() == "Không có tin nào chờ duyệt."

    store = Store(tmp_path / "bantin.sqlite3")
    try:
        article = store.sync.articles.get(first)
        assert article is not None and article.summary == "Tóm tắt mới."
        assert store.sync.deliveries.pending_count() == 1
        actions = [e.action for e in store.sync.audit.recent()]
        assert actions.count("review.publish") == 2 and "review.drop" in actions
    finally:
        store.close()


async def test_with_the_newsrooms_name_no_reader_sees_bantin(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    with FakeNewsSite() as site:
        async with live(review_config(tmp_path, tg, site)) as app:
            del app
            answers = [await ask(tg, text, user=777) for text in ("/start", "/help", "/stats")]
            answers.append(await ask(tg, "/khonglenhnay", user=777))
            assert "Chào mừng bạn đến với Lâm Đồng TV!" in answers[0]
            assert "Lâm Đồng TV" in answers[1] and "Lâm Đồng TV" in answers[2]
            assert all("Bantin" not in answer for answer in answers), answers


def reply_to_bot(update: dict[str, Any]) -> dict[str, Any]:
    """A group message replying to one of the bot's (privacy mode lets only these through)."""
    bot = {"id": BOT_ID, "is_bot": True, "first_name": "Bantin", "username": BOT_USERNAME}
    message = update["message"]
    message["reply_to_message"] = {
        "message_id": 1,
        "date": message["date"],
        "chat": message["chat"],
        "from": bot,
        "text": "…",
    }
    return update


async def test_the_editors_group_gets_the_previews_and_decides_there(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    desk = -1001234
    group = {"kind": "supergroup"}
    with FakeNewsSite() as site:
        config = review_config(tmp_path, tg, site, f"editors_chat = {desk}")
        async with live(config) as app:
            story = await hold_a_story(app, tg, site)
            (preview,) = tg.delivered(desk)
            assert tg.delivered(ADMIN) == []  # not to each admin when there is a desk
            assert "🗑 Bỏ" in [b["text"] for b in buttons(preview)]
            edit = tg.callback_update(desk, f"adm:rv:edit:{story}", user_id=EDITOR_2, **group)
            tg.push_update(edit)
            await wait_for(lambda: len(tg.delivered(desk)) == 2)
            # The editor's next message replying to the bot is the summary; a member's
            # reply, or the editor's message that replies to nobody, is not.
            member = tg.message_update(desk, "Bình luận.", user_id=777, **group)
            tg.push_update(reply_to_bot(member))
            tg.push_update(tg.message_update(desk, "Chào cả nhà.", user_id=EDITOR_2, **group))
            summary = tg.message_update(desk, NEW_SUMMARY, user_id=EDITOR_2, **group)
            tg.push_update(reply_to_bot(summary))
            await wait_for(lambda: len(tg.delivered(desk)) == 4)
            assert "Đã sửa tóm tắt" in visible(tg.delivered(desk)[2].text)
            assert NEW_SUMMARY in visible(tg.delivered(desk)[3].text)
            publish = tg.callback_update(desk, f"adm:rv:ok:{story}", user_id=EDITOR_2, **group)
            tg.push_update(publish)
            await wait_for(lambda: all(tg.delivered(reader) for reader in READERS))
            for reader in READERS:
                assert NEW_SUMMARY in visible(tg.delivered(reader)[0].text)
            assert len(tg.delivered(desk)) == 5  # nothing said to the member's messages
