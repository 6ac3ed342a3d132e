"""The review desk: an editor publishes, corrects or drops a story held for review.

Chat buttons, `bantin review …` and a dashboard all come here; each decision is one
audit row naming the editor (and the edited text). `ReviewAnnouncer` puts each waiting
story in front of the editors as the card readers would get, with the three buttons,
and publishes what nobody decided on once `[publish] auto_publish_after_minutes` passed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.admin.audit import AuditTrail
from bot.core.outcome import Kind
from bot.core.platform_ports import Messenger
from bot.core.ports import StorePort
from bot.core.records import AdminReply, Article, Caller, Chat
from bot.core.replies import Reply
from bot.core.review import PUBLISHED, ReviewDecision, ReviewItem

log = logging.getLogger(__name__)

refused = AdminReply.refused
SUMMARY_MAX = 1000
AUTO_PUBLISHER = Caller(actor="auto-publish")
PreviewFn = Callable[[Article, ReviewItem], Reply]


def _number(ref: str) -> int | None:
    try:
        return int(ref.strip().lstrip("#"))
    except ValueError:
        return None


class ReviewAdmin:
    def __init__(
        self, store: StorePort, audited: AuditTrail, *, timezone: str = "Asia/Ho_Chi_Minh"
    ) -> None:
        self.store = store
        self.audited = audited
        self.zone = ZoneInfo(timezone)

    def _clock(self, at: float | None) -> str:
        if at is None:
            return ""
        return datetime.fromtimestamp(at, self.zone).strftime("%H:%M %d/%m")

    async def show(self, limit: int = 50) -> AdminReply:
        waiting = await self.store.review.waiting(limit)
        if not waiting:
            return AdminReply(True, "Không có tin nào chờ duyệt.", {"waiting": []})
        lines = [f"{len(waiting)} tin chờ duyệt (cũ nhất trước):"]
        for item in waiting:
            edited = " · đã sửa tóm tắt" if item.summary is not None else ""
            lines.append(
                f"#{item.article_id} “{item.title}” — từ {self._clock(item.created_at)}{edited}"
            )
        data: dict[str, object] = {"waiting": [i.article_id for i in waiting]}
        return AdminReply(True, "\n".join(lines), data)

    async def approve(self, caller: Caller, ref: str) -> AdminReply:
        return await self._decide(caller, ref, publish=True)

    async def drop(self, caller: Caller, ref: str) -> AdminReply:
        return await self._decide(caller, ref, publish=False)

    async def _decide(self, caller: Caller, ref: str, *, publish: bool) -> AdminReply:
        action = "review.publish" if publish else "review.drop"
        number = _number(ref)
        if number is None:
            reply = refused(f"Không có tin mã “{ref}” trong hàng chờ duyệt.")
            return await self.audited(caller, action, ref, reply)
        decision = await self.store.review.decide(number, publish, caller.actor)
        reply = self._decision_reply(number, decision, publish=publish)
        return await self.audited(caller, action, f"#{number}", reply)

    def _decision_reply(
        self, number: int, decision: ReviewDecision, *, publish: bool
    ) -> AdminReply:
        item = decision.item
        if decision.outcome == "missing" or item is None:
            return refused(f"Không có tin mã #{number} trong hàng chờ duyệt.")
        if decision.outcome == "already":
            return refused(self.decided_line(item))
        data: dict[str, object] = {"queued": decision.queued, "article_id": number}
        if publish:
            return AdminReply(
                True,
                f"Đã đăng tin #{number} “{item.title}”: gửi tới {decision.queued} chat.",
                data,
            )
        return AdminReply(True, f"Đã bỏ tin #{number} “{item.title}”; không gửi cho ai.", data)

    def decided_line(self, item: ReviewItem) -> str:
        """ "Tin #12 đã được telegram:1 (Lan) đăng lúc 08:15 03/12." for whoever is late."""
        verb = "đăng" if item.status == PUBLISHED else "bỏ"
        return (
            f"Tin #{item.article_id} đã được {item.decided_by or '?'} {verb} "
            f"lúc {self._clock(item.decided_at)}."
        )

    async def edit(self, caller: Caller, ref: str, text: str) -> AdminReply:
        """The editor's summary replaces the machine's; it is what readers get on publish."""
        number = _number(ref)
        summary = " ".join(text.split()) if "\n" not in text.strip() else text.strip()
        if number is None:
            reply = refused(f"Không có tin mã “{ref}” trong hàng chờ duyệt.")
        elif not summary:
            reply = refused("Tóm tắt mới đang trống; tóm tắt cũ được giữ nguyên.")
        elif len(summary) > SUMMARY_MAX:
            reply = refused(
                f"Tóm tắt dài {len(summary)} ký tự, quá {SUMMARY_MAX}; hãy rút gọn rồi gửi lại."
            )
        else:
            decision = await self.store.review.set_summary(number, summary)
            if decision.outcome == "missing" or decision.item is None:
                reply = refused(f"Không có tin mã #{number} trong hàng chờ duyệt.")
            elif decision.outcome == "already":
                reply = refused(self.decided_line(decision.item))
            else:
                reply = AdminReply(
                    True,
                    f"Đã sửa tóm tắt tin #{number}. Xem lại rồi bấm “✅ Đăng”.",
                    {"article_id": number, "summary": summary},
                )
        return await self.audited(caller, "review.edit", f"#{ref.strip()}: {summary}", reply)

    async def begin_edit(self, caller: Caller, chat_id: str, ref: str) -> AdminReply:
        """The editor's next message in this chat becomes the story's summary."""
        number = _number(ref)
        item = await self.store.review.get(number) if number is not None else None
        if number is None or item is None or caller.platform is None or caller.user_id is None:
            return refused(f"Không có tin mã “{ref}” trong hàng chờ duyệt.")
        if not item.waiting:
            return refused(self.decided_line(item))
        await self.store.review.begin_edit(caller.platform, chat_id, caller.user_id, number)
        return AdminReply(
            True,
            f"Mời gửi tóm tắt mới cho tin #{number} trong tin nhắn tiếp theo.\n"
            "Trong nhóm, hãy trả lời (reply) tin nhắn này để bot nhận được.",
        )

    async def publish_overdue(self, minutes: int, at: float | None = None) -> int:
        """Publish every story that waited `minutes` with nobody deciding; 0 never does."""
        if minutes <= 0:
            return 0
        moment = at if at is not None else time.time()
        published = 0
        for article_id in await self.store.review.overdue(moment - minutes * 60):
            answer = await self.approve(AUTO_PUBLISHER, str(article_id))
            published += int(answer.ok)
        return published


class ReviewAnnouncer:
    """Sends each waiting story's preview to the editors' chat (or each admin), once."""

    def __init__(
        self,
        store: StorePort,
        desk: ReviewAdmin,
        messenger: Messenger | None,
        editors: Sequence[str],
        preview: PreviewFn,
        *,
        language: str = "vi",
        auto_publish_after_minutes: int = 0,
    ) -> None:
        self.store = store
        self.desk = desk
        self.messenger = messenger
        self.editors = [e for e in editors if e]
        self.preview = preview
        self.language = language
        self.auto_publish_after_minutes = auto_publish_after_minutes

    def _chat(self, chat_id: str) -> Chat:
        return Chat(
            id=0,
            platform=self.messenger.platform if self.messenger else "telegram",
            chat_id=chat_id,
            kind="private" if not chat_id.startswith(("-", "@")) else "group",
            title=None,
            language=self.language,
            active=True,
            is_channel=False,
            mode="instant",
            digest_hour=7,
            quiet_start=None,
            quiet_end=None,
            inactive_reason=None,
        )

    async def tick(self) -> None:
        """One round: auto-publish the overdue, then announce what is new in the queue."""
        published = await self.desk.publish_overdue(self.auto_publish_after_minutes)
        if published:
            log.info("review: auto-published %d stories nobody decided on", published)
        if self.messenger is None or not self.editors:
            return
        announced: list[int] = []
        for item in await self.store.review.unannounced():
            article = await self.store.articles.get(item.article_id)
            if article is None:
                continue
            reply = self.preview(article, item)
            reached = 0
            for editor in self.editors:
                outcome = await self.messenger.send(self._chat(editor), reply)
                if outcome.kind is Kind.SENT:
                    reached += 1
                else:
                    log.warning(
                        "review: preview of article %d not sent to editors' chat %s: %s",
                        item.article_id,
                        editor,
                        outcome.reason,
                    )
            if reached:
                announced.append(item.article_id)
                log.info("review: article %d shown to %d editors' chats", item.article_id, reached)
        if announced:
            await self.store.review.mark_announced(announced)
