"""The channels desk from chat: /addchannel with the platform's checks, /route, /removechannel."""

from __future__ import annotations

from bot.admin.access import CachedChatAccess
from bot.admin.desk import AdminDesk
from bot.core.records import ChatInfo
from bot.core.settings import FeedConfig
from bot.store import Store
from handlers.base import Context
from tests.admin.conftest import (
    ADMIN,
    FakeAccess,
    channel_id,
    say,
    seed,
)


async def test_addchannel_needs_the_caller_to_be_admin_there_and_the_bot_to_post(
    store: Store, ctx: Context, access: FakeAccess
) -> None:
    kenh = channel_id("@kenh")
    not_there = await say(ctx, "/addchannel @kenh")
    assert "không phải quản trị viên của kênh" in not_there.plain
    access.chat_admins.add((kenh, ADMIN))
    cannot_post = await say(ctx, "/addchannel @kenh")
    assert "bot chưa được quyền đăng" in cannot_post.plain
    assert "\n" not in cannot_post.plain
    assert store.sync.chats.channels() == []
    assert store.sync.chats.get("telegram", kenh) is None

    access.postable.add(kenh)
    added = await say(ctx, "/addchannel @kenh")
    assert added.plain.startswith("Đã thêm kênh")
    channel = store.sync.chats.get("telegram", kenh)
    assert channel is not None and channel.is_channel and channel.active
    assert store.sync.chats.subscribed_feeds(channel.id) == [None]
    results = [e.result for e in store.sync.audit.recent(10) if e.action == "channels.add"]
    assert results[0].startswith("refused") and results[1].startswith("refused")
    assert results[2] == "ok"


async def test_a_channel_check_that_errors_is_a_refusal(
    store: Store, ctx: Context, desk: AdminDesk
) -> None:
    class Broken(FakeAccess):
        async def can_post(self, platform: str, chat_id: str) -> bool:
            raise RuntimeError("Bad Request: chat not found")

    broken = Broken(chat_admins={("-1001", ADMIN)})
    desk.channels.access = broken
    reply = await say(ctx, "/addchannel -1001")
    assert "chat not found" in reply.plain
    assert store.sync.chats.channels() == []


async def test_without_a_platform_check_no_channel_is_added_from_chat(
    store: Store, ctx: Context, desk: AdminDesk
) -> None:
    desk.channels.access = None
    reply = await say(ctx, "/addchannel -1001")
    assert "không kiểm tra được quyền" in reply.plain
    assert store.sync.chats.channels() == []


async def test_addchannel_typed_inside_a_group_adds_that_group(
    store: Store, ctx: Context, access: FakeAccess
) -> None:
    access.chat_admins.add(("-2002", ADMIN))
    access.postable.add("-2002")
    reply = await say(ctx, "/addchannel", chat_id="-2002", chat_kind="supergroup")
    assert reply.plain.startswith("Đã thêm kênh")
    assert [(c.chat_id, c.kind) for c in store.sync.chats.channels()] == [("-2002", "supergroup")]


async def test_route_and_remove_channel(store: Store, ctx: Context, access: FakeAccess) -> None:
    feed_id, _ = seed(store)
    other = store.sync.feeds.add(
        FeedConfig(name="Xã hội", url="https://example.vn/rss/xa-hoi", section="xa-hoi")
    )
    kenh = channel_id("@kenh")
    access.chat_admins.add((kenh, ADMIN))
    access.postable.add(kenh)
    await say(ctx, "/addchannel @kenh")
    channel = store.sync.chats.get("telegram", kenh)
    assert channel is not None

    routed = await say(ctx, "/route @kenh xa-hoi")  # by section
    assert routed.plain.startswith("Kênh «@kenh» chỉ nhận: «Xã hội»")
    assert store.sync.chats.subscribed_feeds(channel.id) == [other.id]
    both = await say(ctx, f"/route @kenh {feed_id},{other.id}")
    assert both.ok if hasattr(both, "ok") else both.plain.startswith("Kênh")
    assert store.sync.chats.subscribed_feeds(channel.id) == sorted([feed_id, other.id])
    unknown = await say(ctx, "/route @kenh the-thao")
    assert unknown.plain.startswith("Không có nguồn tin hay chuyên mục «the-thao»")
    assert store.sync.chats.subscribed_feeds(channel.id) == sorted([feed_id, other.id])
    listing = await say(ctx, "/channels")
    assert "Thời sự" in listing.plain and "Xã hội" in listing.plain
    await say(ctx, "/route @kenh all")
    assert store.sync.chats.subscribed_feeds(channel.id) == [None]

    access.chat_admins.clear()
    refused = await say(ctx, "/removechannel @kenh")
    assert "không phải quản trị viên của kênh" in refused.plain
    access.chat_admins.add((kenh, ADMIN))
    removed = await say(ctx, "/removechannel @kenh")
    assert removed.plain.startswith("Đã gỡ kênh")
    gone = store.sync.chats.get("telegram", kenh)
    assert gone is not None and not gone.active and not gone.is_channel


async def test_the_channel_check_is_cached_briefly(
    store: Store, ctx: Context, access: FakeAccess, desk: AdminDesk
) -> None:
    clock = [0.0]
    desk.channels.access = CachedChatAccess(access, ttl=60, clock=lambda: clock[0])
    access.chat_admins.add(("-1001", ADMIN))
    access.postable.add("-1001")
    await say(ctx, "/addchannel -1001")
    await say(ctx, "/route -1001 all")
    assert [c[0] for c in access.calls] == ["is_admin", "can_post"]
    clock[0] = 61.0
    access.chat_admins.clear()
    refused = await say(ctx, "/route -1001 all")
    assert "không phải quản trị viên của kênh" in refused.plain
    assert ChatInfo("-1").kind == "channel"
