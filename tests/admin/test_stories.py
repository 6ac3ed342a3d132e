"""The stories desk from chat: /post again, /correct where it was sent, /retract."""

from __future__ import annotations

from datetime import datetime

from bot.admin.desk import AdminDesk
from bot.core.records import StoryRecord
from bot.core.settings import FeedConfig
from bot.store import Store
from handlers.base import Context
from tests.admin.conftest import (
    PARAGRAPHS,
    FakeEditor,
    say,
    seed,
)
from tests.fakes.news_site import VN_TZ, FakeNewsSite


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
    store: Store, ctx: Context, desk: AdminDesk
) -> None:
    _, article_id = seed(store)
    desk.stories.editors = {}
    reply = await say(ctx, f"/retract {article_id}")
    assert "0/2 chat" in reply.plain and "không xóa được" in reply.plain
