"""/alert, "theo dõi …" and the new /settings choices through `router.handle`, on a real
store: buttons on Telegram, typed words on Zalo, clear refusals, groups' admins decide."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.alerts import MAX_ALERTS
from bot.core.records import StoryRecord
from bot.core.replies import Reply, Request
from bot.core.settings import FeedConfig
from bot.store import Store
from bot.store.articles import insert_article
from handlers.base import Context
from handlers.intents import match_intent
from handlers.router import handle, needs_group_admin, parse_command


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "b.sqlite3")
    feed = store.sync.feeds.add(FeedConfig(name="Thời sự", url="https://baold.example/rss"))
    with store.db.transaction() as conn:
        for number, section in enumerate(("thoi-su", "kinh-te")):
            insert_article(
                conn,
                feed.id,
                StoryRecord(
                    f"k{number}", f"https://baold.example/{number}.html", f"Tin {number}",
                    "", "", "", None, section, 1_764_000_000.0,
                ),
                1_764_000_000.0,
            )  # fmt: skip
    yield store
    store.close()


@pytest.fixture
def ctx(store: Store) -> Context:
    return Context(store=store)


def telegram(text: str, **kw: object) -> Request:
    parsed = parse_command(text)
    base = Request(platform="telegram", chat_id="100", user_id="100", text=text)
    if parsed is not None:
        base = replace(base, command=parsed[0], args=parsed[1])
    return replace(base, **kw)  # type: ignore[arg-type]


def zalo(text: str) -> Request:
    return Request(platform="zalo", chat_id="z1", user_id="z1", text=text, buttons=False)


def press(data: str) -> Request:
    return Request(platform="telegram", chat_id="100", user_id="100", callback=data)


def one(replies: list[Reply]) -> Reply:
    assert len(replies) == 1
    return replies[0]


def callbacks(reply: Reply) -> list[str]:
    return [b.callback for row in reply.buttons for b in row if b.callback]


def test_typed_phrases_map_to_alert_commands() -> None:
    assert match_intent("theo dõi sạt lở") is not None
    assert match_intent("theo doi sat lo").args == ("sat", "lo")  # type: ignore[union-attr]
    assert match_intent("bỏ theo dõi 2").command == "unalert"  # type: ignore[union-attr]
    assert match_intent("Theo dõi").args == ()  # type: ignore[union-attr]


async def test_zalo_reader_adds_lists_and_removes_by_words(ctx: Context, store: Store) -> None:
    added = one(await handle(zalo("theo dõi sạt lở"), ctx)).plain
    assert "Đã theo dõi “sạt lở”" in added and "chỉ nhận tin theo dõi" in added
    one(await handle(zalo("theo doi bao loc -bong"), ctx))
    listing = one(await handle(zalo("theo dõi"), ctx))
    assert "1. sạt lở" in listing.plain and "2. bao loc -bong" in listing.plain
    assert "bỏ theo dõi N" in listing.plain and listing.buttons == ()
    removed = one(await handle(zalo("bỏ theo dõi 1"), ctx)).plain
    assert "Đã bỏ theo dõi “sạt lở”" in removed and "1. bao loc -bong" in removed
    missing = one(await handle(zalo("bỏ theo dõi 7"), ctx)).plain
    assert "Không có cụm theo dõi số 7" in missing
    chat = store.sync.chats.get("zalo", "z1")
    assert chat is not None and len(store.sync.alerts.of_chat(chat.id)) == 1


async def test_refusals_are_clear_and_keep_what_was_there(ctx: Context, store: Store) -> None:
    assert "không chỉ các từ loại trừ" in one(await handle(zalo("theo dõi -bong"), ctx)).plain
    assert "“theo dõi sạt lở”" in one(await handle(zalo("/alert ..."), ctx)).plain
    assert "ví dụ: /alert sạt lở" in one(await handle(telegram("/alert ?!"), ctx)).plain
    assert "quá dài" in one(await handle(telegram("/alert " + "a " * 12), ctx)).plain
    for number in range(MAX_ALERTS):
        one(await handle(telegram(f"/alert tu khoa {number}"), ctx))
    refused = one(await handle(telegram("/alert mot nua"), ctx)).plain
    assert f"tối đa {MAX_ALERTS}" in refused
    again = one(await handle(telegram("/alert Tu Khoa 3"), ctx)).plain
    assert "đã theo dõi “Tu Khoa 3” rồi" in again
    chat = store.sync.chats.get("telegram", "100")
    assert chat is not None and len(store.sync.alerts.of_chat(chat.id)) == MAX_ALERTS


async def test_telegram_buttons_remove_and_switch(ctx: Context, store: Store) -> None:
    one(await handle(telegram("/start"), ctx))
    one(await handle(telegram("/alert sạt lở"), ctx))
    listing = one(await handle(telegram("/alert"), ctx))
    (remove, only, everything) = callbacks(listing)
    assert remove.startswith("alert:del:") and (only, everything) == ("alert:only", "alert:all")
    switched = one(await handle(press(only), ctx))
    assert switched.edit and "chỉ tin có từ khóa theo dõi" in switched.plain
    gone = one(await handle(press(remove), ctx))
    assert gone.edit and "chưa theo dõi từ khóa nào nên sẽ chưa nhận tin nào" in gone.plain
    assert one(await handle(press(remove), ctx)).notice  # pressed twice: an out-of-date button
    back = one(await handle(telegram("/alert all"), ctx)).plain
    assert "mọi tin của các nguồn" in back


async def test_group_members_cannot_change_alerts(ctx: Context, store: Store) -> None:
    member = telegram("/alert sạt lở", chat_id="-5", chat_kind="supergroup")
    assert needs_group_admin(member)
    assert "quản trị viên" in one(await handle(member, ctx)).plain
    admin = replace(member, is_chat_admin=True)
    assert "Đã theo dõi" in one(await handle(admin, ctx)).plain


async def test_settings_offer_sections_receive_and_quiet_style(ctx: Context, store: Store) -> None:
    one(await handle(telegram("/start"), ctx))
    view = one(await handle(telegram("/settings"), ctx))
    data = callbacks(view)
    assert {"set:receive:alerts", "set:quietstyle:silent", "set:section:kinh-te"} <= set(data)
    chosen = one(await handle(press("set:section:kinh-te"), ctx))
    assert chosen.edit and "Mục: kinh-te" in chosen.plain
    quiet = one(await handle(press("set:quietstyle:silent"), ctx))
    assert "gửi không chuông" in quiet.plain
    alerts_only = one(await handle(press("set:receive:alerts"), ctx))
    assert "Bạn chưa theo dõi từ khóa nào" in alerts_only.plain
    typed = one(await handle(zalo("/settings section Thời-sự"), ctx)).plain
    assert "Mục: thoi-su" in typed and "“/settings section thoi-su”" in typed
    assert (
        "không hợp lệ" in one(await handle(zalo("/settings section the-thao"), ctx)).plain.lower()
    )
    chat = store.sync.chats.get("telegram", "100")
    assert chat is not None and chat.receive == "alerts" and chat.quiet_style == "silent"
    assert store.sync.alerts.chosen_sections(chat.id) == ["kinh-te"]
