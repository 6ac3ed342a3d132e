"""Admin commands in chat, through handlers.admin.handle_admin as the router calls it."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from bot.admin.access import ChatInfo
from bot.admin.ops import AdminOps
from bot.core.records import StoryRecord
from bot.core.settings import FeedConfig
from bot.store import Store
from handlers import admin as admin_handlers
from handlers.base import Context
from tests.admin.conftest import ADMIN, STRANGER, FakeAccess, FakeEditor, channel_id, request, say
from tests.fakes.news_site import VN_TZ, FakeNewsSite

PARAGRAPHS = [
    "Sáng nay, tỉnh Lâm Đồng tổ chức hội nghị tổng kết công tác năm với nhiều đại biểu.",
    "Hội nghị đánh giá kết quả đạt được và đề ra nhiệm vụ trọng tâm cho năm tới.",
]


def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every table an admin command could change, except the audit log itself."""
    tables = ["feeds", "chats", "subscriptions", "broadcasts", "deliveries", "articles"]
    with store.db.reading() as conn:
        return {
            t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY id")] for t in tables
        }


def story(key: str, title: str = "Tin thử") -> StoryRecord:
    return StoryRecord(
        key=key,
        url=f"https://example.vn/{key}.html",
        title=title,
        lead="Mở đầu.",
        body="Thân bài.",
        summary="Tóm tắt.",
        image=None,
        section=None,
        published_at=datetime.now(VN_TZ).timestamp() - 120,
    )


def seed(store: Store) -> tuple[int, int]:
    """A feed, two active readers, one stored article delivered to both: (feed, article)."""
    feed = store.sync.feeds.add(FeedConfig(name="Thời sự", url="https://example.vn/rss/thoi-su"))
    for chat_id in ("501", "502"):
        chat = store.sync.chats.upsert("telegram", chat_id)
        store.sync.chats.subscribe(chat.id)
    outcome = store.sync.articles.record_poll(
        feed.id,
        [(story("k1"), True)],
        [],
        etag=None,
        last_modified=None,
        next_check_at=0,
    )
    article_id = outcome.article_ids[0]
    for number, delivery in enumerate(store.sync.deliveries.claim("telegram", 10), start=70):
        store.sync.deliveries.mark_sent(delivery.id, str(number))
    return feed.id, article_id


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


async def test_an_empty_admin_list_refuses_everyone(store: Store, ops: AdminOps) -> None:
    seed(store)
    before = snapshot(store)
    nobody = Context(store=store, admins={})
    also_nobody = Context(store=store, admins={"telegram": frozenset()})
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


async def test_addfeed_of_a_good_url_shows_the_three_newest_titles(
    store: Store, ctx: Context, site: FakeNewsSite
) -> None:
    now = datetime.now(VN_TZ)
    for day in range(5):
        site.add_story(
            f"tin-{day}",
            f"Tin xã hội số {day}",
            "(Lamdongtv.vn) - Mở đầu.",
            PARAGRAPHS,
            published=now - timedelta(days=day),
            section="xa-hoi",
        )
    url = site.section_feed_url("xa-hoi")
    reply = await say(ctx, f"/addfeed {url} Xã hội")
    text = reply.plain
    assert text.startswith("Đã thêm nguồn tin")
    assert "«Xã hội»" in text
    assert [line for line in text.splitlines() if line.startswith("• ")] == [
        "• Tin xã hội số 0",
        "• Tin xã hội số 1",
        "• Tin xã hội số 2",
    ]
    feed = store.sync.feeds.find(url)
    assert feed is not None and feed.name == "Xã hội" and feed.origin == "admin"
    assert not feed.paused and feed.next_check_at == 0  # polled on the next tick


@pytest.mark.parametrize(
    ("make_url", "reason"),
    [
        (lambda site: site.error_url, "không tải được"),
        (lambda site: site.url("/tin-tuc/khong-co.html"), "không tải được"),
        (lambda site: site.url("/hostile/landed"), "không phải nguồn RSS/Atom"),
        (lambda site: "ftp://example.vn/rss", "không phải địa chỉ http(s)"),
        (lambda site: "http://10.0.0.1/rss", "private address"),
    ],
)
async def test_addfeed_of_a_bad_url_says_why_and_adds_nothing(
    store: Store, ctx: Context, site: FakeNewsSite, make_url: object, reason: str
) -> None:
    url = make_url(site)  # type: ignore[operator]
    reply = await say(ctx, f"/addfeed {url}")
    assert reason in reply.plain, reply.plain
    assert "\n" not in reply.plain
    assert store.sync.feeds.all() == []
    assert store.sync.audit.recent(1)[0].result.startswith("refused")


async def test_addfeed_twice_is_refused(store: Store, ctx: Context, site: FakeNewsSite) -> None:
    site.add_story("a", "Tin A", "Mở đầu.", PARAGRAPHS, published=datetime.now(VN_TZ))
    assert (await say(ctx, f"/addfeed {site.feed_url}")).plain.startswith("Đã thêm")
    again = await say(ctx, f"/addfeed {site.feed_url} Tên khác")
    assert again.plain.startswith("Đã có nguồn tin này")
    assert len(store.sync.feeds.all()) == 1


async def test_remove_pause_resume_feeds(store: Store, ctx: Context) -> None:
    feed_id, _ = seed(store)
    store.sync.feeds.sync_config([FeedConfig(name="Từ config", url="https://example.vn/rss/cfg")])
    config_feed = store.sync.feeds.find("Từ config")
    assert config_feed is not None

    assert (await say(ctx, f"/pausefeed {feed_id}")).plain.startswith("Đã tạm dừng")
    assert store.sync.feeds.due(10**12) == [config_feed] or all(
        f.id != feed_id for f in store.sync.feeds.due(10**12)
    )
    assert (await say(ctx, "/resumefeed Thời sự")).plain.startswith("Đã chạy lại")
    assert any(f.id == feed_id for f in store.sync.feeds.due(10**12))

    refused = await say(ctx, f"/removefeed {config_feed.id}")
    assert "config.toml" in refused.plain and "\n" not in refused.plain
    assert (await say(ctx, f"/removefeed {feed_id}")).plain.startswith("Đã xóa")
    assert store.sync.feeds.get(feed_id) is None
    assert (await say(ctx, "/removefeed 12345")).plain.startswith("Không có nguồn tin")
    listing = await say(ctx, "/feeds")
    assert "Từ config" in listing.plain and "Thời sự" not in listing.plain


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
    store: Store, ctx: Context, ops: AdminOps
) -> None:
    class Broken(FakeAccess):
        async def can_post(self, platform: str, chat_id: str) -> bool:
            raise RuntimeError("Bad Request: chat not found")

    broken = Broken(chat_admins={("-1001", ADMIN)})
    ops.access = broken
    reply = await say(ctx, "/addchannel -1001")
    assert "chat not found" in reply.plain
    assert store.sync.chats.channels() == []


async def test_without_a_platform_check_no_channel_is_added_from_chat(
    store: Store, ctx: Context, ops: AdminOps
) -> None:
    ops.access = None
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
    store: Store, ctx: Context, access: FakeAccess, ops: AdminOps
) -> None:
    from bot.admin.access import CachedChatAccess

    clock = [0.0]
    ops.access = CachedChatAccess(access, ttl=60, clock=lambda: clock[0])
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


async def test_broadcast_needs_confirmation_and_reaches_every_active_chat_once(
    store: Store, ctx: Context
) -> None:
    seed(store)
    gone = store.sync.chats.upsert("telegram", "503")
    store.sync.chats.subscribe(gone.id)
    store.sync.chats.deactivate(gone.id, "blocked")
    zalo = store.sync.chats.upsert("zalo", "z-1")
    store.sync.chats.subscribe(zalo.id)
    channel = store.sync.chats.upsert("telegram", "-1009", kind="channel")
    store.sync.chats.subscribe(channel.id)

    preview = await say(ctx, "/broadcast Tòa soạn nghỉ Tết\ntừ ngày 8/2.")
    assert "4 chat" in preview.plain
    assert "Tòa soạn nghỉ Tết\ntừ ngày 8/2." in preview.plain
    labels = [b.text for b in preview.buttons[0]]
    assert labels == ["Xác nhận", "Hủy"]
    with store.db.reading() as conn:
        assert (
            conn.execute(
                "SELECT COUNT(*) FROM deliveries WHERE broadcast_id IS NOT NULL"
            ).fetchone()[0]
            == 0
        )

    confirm = preview.buttons[0][0].callback
    assert confirm is not None
    sent = await say(ctx, callback=confirm)
    assert sent.edit and sent.plain.startswith("Đã xếp hàng thông báo")
    again = await say(ctx, callback=confirm)
    assert "đã được gửi rồi" in again.plain
    with store.db.reading() as conn:
        rows = conn.execute(
            "SELECT c.platform, c.chat_id, b.text FROM deliveries d JOIN chats c ON c.id = d.chat_ref "
            "JOIN broadcasts b ON b.id = d.broadcast_id ORDER BY c.id"
        ).fetchall()
    assert [(r[0], r[1]) for r in rows] == [
        ("telegram", "501"),
        ("telegram", "502"),
        ("zalo", "z-1"),
        ("telegram", "-1009"),
    ]
    assert {r[2] for r in rows} == {"Tòa soạn nghỉ Tết\ntừ ngày 8/2."}
    claimed = store.sync.deliveries.claim("telegram", 10)
    assert {d.broadcast_text for d in claimed} == {"Tòa soạn nghỉ Tết\ntừ ngày 8/2."}


async def test_a_cancelled_or_foreign_broadcast_draft_is_not_sent(
    store: Store, ctx: Context
) -> None:
    seed(store)
    preview = await say(ctx, "/broadcast Không gửi")
    cancel = preview.buttons[0][1].callback
    assert cancel is not None
    assert (await say(ctx, callback=cancel)).plain.startswith("Đã hủy bản nháp")
    number = cancel.rsplit(":", 1)[1]
    assert (await say(ctx, f"/xacnhan {number}")).plain.startswith("Không có bản nháp")

    other_admin = Context(
        store=store, admins={"telegram": frozenset({ADMIN, "222"})}, admin_ops=ctx.admin_ops
    )
    draft = await say(other_admin, "/broadcast Của người khác")
    number = (draft.buttons[0][0].callback or "").rsplit(":", 1)[1]
    assert "người khác" in (await say(other_admin, f"/xacnhan {number}", user="222")).plain
    with store.db.reading() as conn:
        assert (
            conn.execute(
                "SELECT COUNT(*) FROM deliveries WHERE broadcast_id IS NOT NULL"
            ).fetchone()[0]
            == 0
        )


async def test_broadcast_with_nothing_to_say_or_nobody_to_hear(store: Store, ctx: Context) -> None:
    assert (await say(ctx, "/broadcast")).plain.startswith("Cách dùng")
    assert "không có chat nào" in (await say(ctx, "/broadcast Xin chào")).plain
    seed(store)
    assert "tối đa 2000" in (await say(ctx, "/broadcast " + "a" * 2001)).plain


async def test_post_again_queues_the_chats_that_do_not_have_it(store: Store, ctx: Context) -> None:
    _, article_id = seed(store)
    newcomer = store.sync.chats.upsert("telegram", "504")
    store.sync.chats.subscribe(newcomer.id)
    reply = await say(ctx, f"/post {article_id}")
    assert "cho 1 chat (2 chat đã nhận trước đó)" in reply.plain
    pending = store.sync.deliveries.claim("telegram", 10)
    assert [d.chat.chat_id for d in pending] == ["504"]
    assert (await say(ctx, "/post 999")).plain.startswith("Không có tin mã")


async def test_correct_refetches_and_edits_every_sent_message(
    store: Store, ctx: Context, site: FakeNewsSite, editor: FakeEditor
) -> None:
    feed = store.sync.feeds.add(FeedConfig(name="Tin tức", url=site.feed_url))
    url = site.add_story(
        "dinh-chinh-1",
        "Tiêu đề sai",
        "(Lamdongtv.vn) - Mở đầu.",
        PARAGRAPHS,
        published=datetime.now(VN_TZ),
    )
    record = StoryRecord(
        key="dc1",
        url=url,
        title="Tiêu đề sai",
        lead="",
        body="",
        summary="",
        image=None,
        section=None,
        published_at=None,
    )
    for chat_id in ("501", "502"):
        chat = store.sync.chats.upsert("telegram", chat_id)
        store.sync.chats.subscribe(chat.id)
    article_id = store.sync.articles.record_poll(
        feed.id,
        [(record, True)],
        [],
        etag=None,
        last_modified=None,
        next_check_at=0,
    ).article_ids[0]
    for number, delivery in enumerate(store.sync.deliveries.claim("telegram", 10), start=80):
        store.sync.deliveries.mark_sent(delivery.id, str(number))

    site.add_story(
        "dinh-chinh-1",
        "Tiêu đề đã đính chính",
        "(Lamdongtv.vn) - Mở đầu.",
        PARAGRAPHS,
        published=datetime.now(VN_TZ),
    )
    reply = await say(ctx, f"/correct {article_id}")
    assert reply.plain.startswith("Đã sửa tin")
    assert "2/2 chat" in reply.plain
    assert sorted(editor.edits) == [
        ("501", "80", "Tiêu đề đã đính chính"),
        ("502", "81", "Tiêu đề đã đính chính"),
    ]
    stored = store.sync.articles.get(article_id)
    assert stored is not None and stored.title == "Tiêu đề đã đính chính"
    assert store.sync.search.search("dinh chinh", limit=5)[0].article.id == article_id

    site.fail(url, times=1, status=500)
    failed = await say(ctx, f"/correct {article_id}")
    assert "không tải lại được trang" in failed.plain and "\n" not in failed.plain
    assert len(editor.edits) == 2


async def test_retract_deletes_the_sent_messages_and_cancels_the_rest(
    store: Store, ctx: Context, editor: FakeEditor
) -> None:
    _, article_id = seed(store)
    late = store.sync.chats.upsert("telegram", "505")
    store.sync.chats.subscribe(late.id)
    await say(ctx, f"/post {article_id}")  # one more row, still pending
    reply = await say(ctx, f"/retract {article_id}")
    assert "2/2 chat" in reply.plain and "hủy 1 lượt" in reply.plain
    assert sorted(editor.deletes) == [("501", "70"), ("502", "71")]
    assert store.sync.deliveries.claim("telegram", 10) == []


async def test_a_platform_without_edits_is_reported_not_crashed(
    store: Store, ctx: Context, ops: AdminOps
) -> None:
    _, article_id = seed(store)
    ops.editors = {}
    reply = await say(ctx, f"/retract {article_id}")
    assert "0/2 chat" in reply.plain and "không xóa được" in reply.plain


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
