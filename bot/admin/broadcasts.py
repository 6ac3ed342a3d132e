"""The broadcasts desk: a message to every active chat, previewed, then confirmed once."""

from __future__ import annotations

from bot.admin.audit import AuditTrail
from bot.core.ports import StorePort
from bot.core.records import AdminReply, Caller

BROADCAST_MAX = 2000  # Zalo's limit; Telegram's is 4096

refused = AdminReply.refused


class BroadcastAdmin:
    def __init__(self, store: StorePort, audited: AuditTrail) -> None:
        self.store = store
        self.audited = audited

    async def preview(self, caller: Caller, text: str) -> AdminReply:
        """A draft with no deliveries yet: nothing goes out before confirmation."""
        text = text.strip()
        if not text:
            reply = refused("Cần nội dung thông báo: /broadcast NỘI DUNG.")
        elif len(text) > BROADCAST_MAX:
            reply = refused(f"Thông báo dài {len(text)} ký tự, tối đa {BROADCAST_MAX}.")
        else:
            people = await self.store.broadcasts.audience()
            if people.total == 0:
                reply = refused("Chưa có ai nhận tin: không có chat nào đang hoạt động.")
            else:
                draft = await self.store.broadcasts.draft(text, caller.actor)
                split = ", ".join(f"{n} {p}" for p, n in sorted(people.by_platform.items()))
                reply = AdminReply(
                    True,
                    f"Xem trước thông báo #{draft} — sẽ gửi tới {people.total} chat ({split}):\n"
                    f"\n{text}\n\nBấm «Xác nhận» để gửi (hoặc gõ /xacnhan {draft}).",
                    {"broadcast_id": draft, "audience": people.total},
                    (("Xác nhận", f"bc:ok:{draft}"), ("Hủy", f"bc:no:{draft}")),
                )
        return await self.audited(caller, "broadcast.preview", _short(text), reply)

    async def confirm(self, caller: Caller, broadcast_id: int) -> AdminReply:
        done = await self.store.broadcasts.confirm(broadcast_id, caller.actor)
        reply = {
            "queued": AdminReply(
                True,
                f"Đã xếp hàng thông báo #{broadcast_id} cho {done.queued} chat.",
                {"queued": done.queued},
            ),
            "already": AdminReply(
                True, f"Thông báo #{broadcast_id} đã được gửi rồi ({done.queued} chat)."
            ),
            "missing": refused(f"Không có bản nháp thông báo #{broadcast_id}."),
            "expired": refused(f"Bản nháp #{broadcast_id} đã quá 1 giờ: hãy soạn lại."),
            "not_author": refused(f"Thông báo #{broadcast_id} do người khác soạn."),
        }[done.status]
        return await self.audited(caller, "broadcast.send", f"#{broadcast_id}", reply)

    async def cancel(self, caller: Caller, broadcast_id: int) -> AdminReply:
        dropped = await self.store.broadcasts.cancel(broadcast_id, caller.actor)
        reply = (
            AdminReply(True, f"Đã hủy bản nháp thông báo #{broadcast_id}.")
            if dropped
            else refused(f"Không hủy được #{broadcast_id}: không có bản nháp chưa gửi.")
        )
        return await self.audited(caller, "broadcast.cancel", f"#{broadcast_id}", reply)


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
