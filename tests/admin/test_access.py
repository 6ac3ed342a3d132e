"""Who may use the admin room from chat: refusals, the menu, the audit of every action."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest

from bot.admin.desk import AdminDesk
from bot.store import Store
from handlers import admin as admin_handlers
from handlers.base import Context
from tests.admin.conftest import (
    ADMIN,
    PARAGRAPHS,
    STRANGER,
    FakeAccess,
    FakeEditor,
    request,
    say,
    seed,
    snapshot,
)
from tests.fakes.news_site import VN_TZ, FakeNewsSite

EVERY_COMMAND = [
    "/admin",
    "/feeds",
    "/addfeed https://example.vn/rss",
    "/removefeed 1",
    "/pausefeed 1",
    "/resumefeed 1",
    "/channels",
    "/addchannel @kenh",
    "/removechannel @kenh",
    "/route @kenh all",
    "/broadcast Xin chào",
    "/xacnhan 1",
    "/post 1",
    "/correct 1",
    "/retract 1",
    "/stats",
]


@pytest.mark.parametrize("text", EVERY_COMMAND)
async def test_a_stranger_is_refused_every_admin_command_and_nothing_changes(
    store: Store, ctx: Context, editor: FakeEditor, text: str
) -> None:
    seed(store)
    before = snapshot(store)
    reply = await say(ctx, text, user=STRANGER)
    assert reply.plain.startswith("Bạn không phải quản trị viên")
    assert "\n" not in reply.plain  # one line says why
    assert not reply.buttons
    assert snapshot(store) == before
    assert not editor.edits and not editor.deletes
    last = store.sync.audit.recent(1)[0]
    assert last.actor.startswith(f"telegram:{STRANGER}") and last.result.startswith("refused")


async def test_the_confirm_button_is_refused_to_a_stranger(store: Store, ctx: Context) -> None:
    seed(store)
    preview = await say(ctx, "/broadcast Thông báo")
    callback = preview.buttons[0][0].callback
    assert callback is not None
    before = snapshot(store)
    reply = await say(ctx, user=STRANGER, callback=callback)
    assert reply.plain.startswith("Bạn không phải quản trị viên")
    assert snapshot(store) == before


async def test_an_empty_admin_list_refuses_everyone(store: Store, desk: AdminDesk) -> None:
    seed(store)
    before = snapshot(store)
    nobody = Context(store=store, admins={}, admin=desk)
    also_nobody = Context(store=store, admins={"telegram": frozenset()}, admin=desk)
    for context in (nobody, also_nobody):
        for user in (ADMIN, STRANGER):
            reply = await say(context, "/pausefeed 1", user=user)
            assert reply.plain.startswith("Bạn không phải quản trị viên")
    assert snapshot(store) == before


async def test_a_user_id_is_an_admin_on_its_own_platform_only(store: Store, ctx: Context) -> None:
    reply = await say(ctx, "/feeds", platform="zalo")
    assert reply.plain.startswith("Bạn không phải quản trị viên")


async def test_commands_that_are_not_admin_ones_are_left_to_the_router(ctx: Context) -> None:
    assert await admin_handlers.handle_admin(request("/start"), ctx) is None
    assert await admin_handlers.handle_admin(request("hello"), ctx) is None
    assert await admin_handlers.handle_admin(request(callback="set:lang"), ctx) is None


async def test_admin_menu_and_its_buttons(store: Store, ctx: Context) -> None:
    menu = await say(ctx, "/admin")
    assert "/addfeed" in menu.plain and "/broadcast" in menu.plain
    callbacks = [b.callback for b in menu.buttons[0]]
    assert callbacks == ["adm:cmd:feeds", "adm:cmd:channels", "adm:cmd:stats"]
    feeds = await say(ctx, callback="adm:cmd:feeds")
    assert feeds.plain.startswith("Chưa có nguồn tin nào")
    stats = await say(ctx, callback="adm:cmd:stats")
    assert stats.plain.startswith("📊 Bantin")


async def test_the_audit_log_has_every_action(
    store: Store, ctx: Context, access: FakeAccess, site: FakeNewsSite
) -> None:
    _, article_id = seed(store)
    site.add_story("a", "Tin A", "Mở đầu.", PARAGRAPHS, published=datetime.now(VN_TZ))
    access.chat_admins.add(("-1001", ADMIN))
    access.postable.add("-1001")
    script = [
        (f"/addfeed {site.feed_url} Mới", "feeds.add"),
        ("/pausefeed Mới", "feeds.pause"),
        ("/resumefeed Mới", "feeds.resume"),
        ("/addchannel -1001", "channels.add"),
        ("/route -1001 Mới", "channels.route"),
        ("/broadcast Chào cả nhà", "broadcast.preview"),
        (f"/post {article_id}", "story.post"),
        (f"/retract {article_id}", "story.retract"),
        ("/removechannel -1001", "channels.remove"),
        ("/removefeed Mới", "feeds.remove"),
    ]
    for text, _ in script:
        await say(ctx, text)
    entries = store.sync.audit.recent(100)
    assert [e.action for e in entries] == [action for _, action in script]
    assert all(e.actor == f"telegram:{ADMIN} (Lan)" for e in entries)
    assert all(e.result == "ok" for e in entries), [(e.action, e.result) for e in entries]
    assert all(e.at > 0 for e in entries)
    assert entries[0].detail.startswith(site.feed_url)


def test_a_duplicate_chat_row_is_impossible(store: Store) -> None:
    store.sync.chats.upsert("telegram", "1")
    with pytest.raises(sqlite3.IntegrityError), store.db.transaction() as conn:
        conn.execute(
            "INSERT INTO chats (platform, chat_id, created_at, changed_at) "
            "VALUES ('telegram', '1', 0, 0)"
        )


async def test_a_context_without_the_admin_room_is_a_wiring_error(store: Store) -> None:
    """No bare fallback: the composition root always puts the admin room in the context."""
    unwired = Context(store=store, admins={"telegram": frozenset({ADMIN})})
    with pytest.raises(LookupError, match="composition root"):
        await admin_handlers.handle_admin(request("/feeds"), unwired)
    assert await admin_handlers.handle_admin(request("/start"), unwired) is None
    assert store.sync.audit.recent(1) == []
