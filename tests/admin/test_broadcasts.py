"""The broadcasts desk from chat: a preview, then one confirmation queues it for every chat."""

from __future__ import annotations

from bot.store import Store
from handlers.base import Context
from tests.admin.conftest import (
    ADMIN,
    say,
    seed,
)


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
        store=store, admins={"telegram": frozenset({ADMIN, "222"})}, admin=ctx.admin
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
