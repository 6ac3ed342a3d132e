"""The channels desk: channels and groups that get stories, and which feeds go where.

Managing a channel needs the caller to administer it and the bot to be allowed to post
there; only the platform knows, through `ChatAccess` (and `ChatDirectory` for "@name").
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.admin.audit import AuditTrail
from bot.admin.feeds import match_feeds
from bot.core.platform_ports import ChatAccess, ChatDirectory
from bot.core.ports import StorePort
from bot.core.records import AdminReply, Caller, Chat, ChatInfo, Feed

log = logging.getLogger(__name__)

ALL_FEEDS = {"all", "*", "tat-ca", "tất-cả", "tatca", "tấtcả"}

refused = AdminReply.refused


class ChannelAdmin:
    def __init__(self, store: StorePort, audited: AuditTrail, *, access: ChatAccess | None) -> None:
        self.store = store
        self.audited = audited
        self.access = access

    async def show(self) -> AdminReply:
        channels = await self.store.chats.channels()
        if not channels:
            return AdminReply(True, "Chưa có kênh nào.", {"channels": []})
        lines = [f"Có {len(channels)} kênh/nhóm:"]
        data: list[dict[str, object]] = []
        for chat in channels:
            routes = await self.store.chats.channel_routes(chat.id)
            shown = "mọi nguồn" if routes == ["*"] else ", ".join(routes) or "không nguồn nào"
            state = "" if chat.active else f" (ngừng: {chat.inactive_reason or '?'})"
            lines.append(f"• {chat.platform}:{chat.chat_id} «{chat.title or ''}» ← {shown}{state}")
            data.append(
                {
                    "platform": chat.platform,
                    "chat_id": chat.chat_id,
                    "title": chat.title,
                    "active": chat.active,
                    "feeds": routes,
                }
            )
        return AdminReply(True, "\n".join(lines), {"channels": data})

    async def add(
        self,
        caller: Caller,
        ref: str,
        *,
        platform: str = "telegram",
        check: bool = True,
        kind: str | None = None,
        title: str | None = None,
    ) -> AdminReply:
        """`kind`/`title`: what the caller already knows (typed inside that very group)."""
        reply = await self._add(caller, ref.strip(), platform, check, kind, title)
        return await self.audited(caller, "channels.add", f"{platform}:{ref}", reply)

    async def _add(
        self,
        caller: Caller,
        ref: str,
        platform: str,
        check: bool,
        kind: str | None,
        title: str | None,
    ) -> AdminReply:
        if platform != "telegram":
            return refused("Zalo chưa có kênh hay nhóm: chỉ Telegram có kênh.")
        if not ref:
            return refused("Cần tên kênh (@ten_kenh) hoặc mã số kênh.")
        if not check and not caller.is_shell:
            return refused("Chỉ dòng lệnh mới được bỏ qua kiểm tra quyền.")
        info = await self._resolve(platform, ref) if check else None
        if check and info is None and not _looks_like_chat_id(ref):
            return refused(f"Không tìm thấy kênh «{ref}».")
        info = info or ChatInfo(chat_id=ref, title=ref if ref.startswith("@") else None)
        if kind is not None or title is not None:
            info = ChatInfo(info.chat_id, title or info.title, kind or info.kind)
        if check:
            reason = await self._check_rights(caller, platform, info.chat_id, need_post=True)
            if reason is not None:
                return refused(f"Không thêm kênh «{ref}»: {reason}.")
        chat = await self.store.chats.add_channel(platform, info.chat_id, info.kind, info.title)
        routes = await self.store.chats.channel_routes(chat.id)
        shown = "mọi nguồn" if routes == ["*"] else ", ".join(routes)
        return AdminReply(
            True,
            f"Đã thêm kênh «{chat.title or chat.chat_id}» ({chat.chat_id}); nhận: {shown}.",
            {"chat_id": chat.chat_id},
        )

    async def remove(self, caller: Caller, ref: str, *, platform: str = "telegram") -> AdminReply:
        chat = await self._find(platform, ref)
        if chat is None:
            reply = refused(f"Không có kênh «{ref}» (xem /channels).")
        else:
            reason = (
                None
                if caller.is_shell
                else await self._check_rights(caller, platform, chat.chat_id, need_post=False)
            )
            if reason is not None:
                reply = refused(f"Không gỡ kênh «{ref}»: {reason}.")
            else:
                await self.store.chats.remove_channel(chat.id, f"removed by {caller.actor}")
                reply = AdminReply(True, f"Đã gỡ kênh «{chat.title or chat.chat_id}».")
        return await self.audited(caller, "channels.remove", f"{platform}:{ref}", reply)

    async def route(
        self, caller: Caller, ref: str, feed_refs: Sequence[str], *, platform: str = "telegram"
    ) -> AdminReply:
        """Which feeds (by id, name, URL or section) go to a channel; "all" for every feed."""
        detail = f"{platform}:{ref} ← {' '.join(feed_refs)}"
        reply = await self._route(caller, ref, feed_refs, platform)
        return await self.audited(caller, "channels.route", detail, reply)

    async def _route(
        self, caller: Caller, ref: str, feed_refs: Sequence[str], platform: str
    ) -> AdminReply:
        chat = await self._find(platform, ref)
        if chat is None:
            return refused(f"Không có kênh «{ref}» (thêm bằng /addchannel trước).")
        if not feed_refs:
            return refused("Cần danh sách nguồn tin (số, tên, chuyên mục) hoặc «all».")
        if not caller.is_shell:
            reason = await self._check_rights(caller, platform, chat.chat_id, need_post=False)
            if reason is not None:
                return refused(f"Không đổi kênh «{ref}»: {reason}.")
        parts = [p.strip() for p in " ".join(feed_refs).split(",") if p.strip()]
        if any(word.lower() in ALL_FEEDS for part in parts for word in part.split()):
            await self.store.chats.subscribe(chat.id, None)
            return AdminReply(True, f"Kênh «{chat.title or chat.chat_id}» nhận mọi nguồn tin.")
        feeds = await self.store.feeds.all()
        chosen: dict[int, Feed] = {}
        for part in parts:
            # "Xã hội" is one feed's name; "3 4 xa-hoi" are three references.
            matches = match_feeds(feeds, part)
            if not matches:
                for word in part.split():
                    found = match_feeds(feeds, word)
                    if not found:
                        return refused(f"Không có nguồn tin hay chuyên mục «{word}».")
                    matches += found
            chosen.update((f.id, f) for f in matches)
        await self.store.chats.subscribe(chat.id, sorted(chosen))
        names = ", ".join(f"«{f.name}»" for f in chosen.values())
        return AdminReply(True, f"Kênh «{chat.title or chat.chat_id}» chỉ nhận: {names}.")

    async def _check_rights(
        self, caller: Caller, platform: str, chat_id: str, *, need_post: bool
    ) -> str | None:
        """The reason this caller may not manage that chat, or None when they may."""
        if self.access is None:
            return "không kiểm tra được quyền trong kênh (nền tảng chưa kết nối)"
        try:
            if (
                not caller.is_shell
                and caller.user_id is not None
                and not await self.access.is_admin(platform, chat_id, caller.user_id)
            ):
                return "bạn không phải quản trị viên của kênh/nhóm đó"
            if need_post and not await self.access.can_post(platform, chat_id):
                return "bot chưa được quyền đăng bài ở kênh/nhóm đó"
        except Exception as exc:  # the platform's answer, whatever it was, is the reason
            return f"không kiểm tra được quyền: {exc}"
        return None

    async def _resolve(self, platform: str, ref: str) -> ChatInfo | None:
        if isinstance(self.access, ChatDirectory):
            try:
                found = await self.access.resolve(platform, ref)
            except Exception:
                log.exception("resolve %s:%s failed", platform, ref)
                found = None
            if found is not None:
                return found
        if _looks_like_chat_id(ref) or ref.startswith("@"):
            return ChatInfo(chat_id=ref, title=ref if ref.startswith("@") else None)
        return None

    async def _find(self, platform: str, ref: str) -> Chat | None:
        channels = await self.store.chats.channels(platform)
        wanted = ref.strip()
        for chat in channels:
            if wanted in (chat.chat_id, chat.title, str(chat.id)):
                return chat
        info = await self._resolve(platform, wanted) if wanted.startswith("@") else None
        if info is not None:
            for chat in channels:
                if chat.chat_id == info.chat_id:
                    return chat
        return None


def _looks_like_chat_id(ref: str) -> bool:
    return ref.lstrip("-").isdigit()
