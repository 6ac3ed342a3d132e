"""The stories desk: post a stored story again, correct it where it was sent, retract it.

Edits and deletes go through each platform's `MessageEditor`; a platform without one, or
a message the platform no longer has, is reported in the answer, never a crash.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.admin.audit import AuditTrail
from bot.admin.probe import StoryRefresher
from bot.core.platform_ports import MessageEditor
from bot.core.ports import StorePort
from bot.core.records import AdminReply, Article, Caller

refused = AdminReply.refused


class StoryAdmin:
    def __init__(
        self,
        store: StorePort,
        audited: AuditTrail,
        *,
        refresher: StoryRefresher | None,
        editors: Mapping[str, MessageEditor] | None,
    ) -> None:
        self.store = store
        self.audited = audited
        self.refresher = refresher
        self.editors: dict[str, MessageEditor] = dict(editors or {})

    async def _article(self, ref: str) -> Article | None:
        try:
            article_id = int(ref.strip().lstrip("#"))
        except ValueError:
            return None
        return await self.store.articles.get(article_id)

    async def post_again(self, caller: Caller, ref: str) -> AdminReply:
        article = await self._article(ref)
        if article is None:
            reply = refused(f"Không có tin mã «{ref}».")
        else:
            done = await self.store.articles.post_again(article.id)
            queued = done.new + done.requeued
            reply = AdminReply(
                True,
                f"Đã xếp hàng tin #{article.id} «{article.title}» cho {queued} chat"
                f" ({done.already_sent} chat đã nhận trước đó).",
                {"queued": queued, "already_sent": done.already_sent},
            )
        return await self.audited(caller, "story.post", ref, reply)

    async def breaking(self, caller: Caller, ref: str) -> AdminReply:
        """Mark a story breaking: it goes before every other push, past digests, and
        silently through quiet hours, to every chat that takes its feed."""
        article = await self._article(ref)
        done = None if article is None else await self.store.articles.mark_breaking(article.id)
        if article is None or done is None:
            reply = refused(f"Không có tin mã «{ref}».")
        else:
            queued = done.new + done.requeued
            reply = AdminReply(
                True,
                f"🔴 Tin #{article.id} «{article.title}» là tin nóng: gửi trước mọi tin khác "
                f"tới {queued} chat ({done.already_sent} chat đã nhận trước đó).",
                {"queued": queued, "already_sent": done.already_sent},
            )
        return await self.audited(caller, "story.breaking", ref, reply)

    async def correct(self, caller: Caller, ref: str, *, refetch: bool = True) -> AdminReply:
        reply = await self._correct(ref, refetch)
        return await self.audited(caller, "story.correct", ref, reply)

    async def _correct(self, ref: str, refetch: bool) -> AdminReply:
        article = await self._article(ref)
        if article is None:
            return refused(f"Không có tin mã «{ref}».")
        if refetch:
            if self.refresher is None:
                return refused("Không tải lại được trang lúc này (chưa cấu hình bộ tải).")
            story = await self.refresher.refresh(article.key, article.url, article.section)
            if isinstance(story, str):
                return refused(f"Không sửa tin #{article.id}: {story}.")
            await self.store.articles.update_text(article.id, story)
            article = await self.store.articles.get(article.id) or article
        sent = await self.store.deliveries.sent_messages(article.id)
        edited, problems = 0, []
        for chat, message_id in sent:
            editor = self.editors.get(chat.platform)
            if editor is None:
                problems.append(f"{chat.platform}: không sửa được tin đã gửi")
                continue
            try:
                if await editor.edit_article(chat, message_id, article):
                    edited += 1
                else:
                    problems.append(f"{chat.platform}:{chat.chat_id}: tin không còn để sửa")
            except Exception as exc:
                problems.append(f"{chat.platform}:{chat.chat_id}: {exc}")
        lines = [f"Đã sửa tin #{article.id} «{article.title}» ở {edited}/{len(sent)} chat."]
        lines += [f"• {p}" for p in _collapse(problems)]
        return AdminReply(True, "\n".join(lines), {"edited": edited, "sent": len(sent)})

    async def retract(self, caller: Caller, ref: str) -> AdminReply:
        reply = await self._retract(caller, ref)
        return await self.audited(caller, "story.retract", ref, reply)

    async def _retract(self, caller: Caller, ref: str) -> AdminReply:
        article = await self._article(ref)
        if article is None:
            return refused(f"Không có tin mã «{ref}».")
        reason = f"retracted by {caller.actor}"
        cancelled = await self.store.deliveries.cancel_pending(article.id, reason)
        sent = await self.store.deliveries.sent_messages(article.id)
        deleted: list[int] = []
        problems: list[str] = []
        for chat, message_id in sent:
            editor = self.editors.get(chat.platform)
            if editor is None:
                problems.append(f"{chat.platform}: không xóa được tin đã gửi")
                continue
            try:
                if await editor.delete_message(chat, message_id):
                    deleted.append(chat.id)
                else:
                    problems.append(f"{chat.platform}:{chat.chat_id}: tin không còn để xóa")
            except Exception as exc:
                problems.append(f"{chat.platform}:{chat.chat_id}: {exc}")
        await self.store.deliveries.note_retracted(article.id, deleted, reason)
        lines = [
            f"Đã gỡ tin #{article.id} «{article.title}» ở {len(deleted)}/{len(sent)} chat; "
            f"hủy {cancelled} lượt chưa gửi."
        ]
        lines += [f"• {p}" for p in _collapse(problems)]
        counts = {"deleted": len(deleted), "sent": len(sent), "cancelled": cancelled}
        return AdminReply(True, "\n".join(lines), dict(counts))


def _collapse(problems: list[str], limit: int = 5) -> list[str]:
    unique = list(dict.fromkeys(problems))
    if len(unique) > limit:
        return [*unique[:limit], f"… và {len(unique) - limit} lỗi khác"]
    return unique
