"""The newsroom's admin operations, shared word for word by chat commands and the CLI.

Each operation checks what it needs, does one thing, writes one audit row (who, what,
result) and answers with an `Outcome`: one Vietnamese line saying what happened or why
not, then details. Nothing here knows Telegram or Zalo: per-chat rights come through
`ChatAccess`, edits and deletes through `MessageEditor`, both implemented by adapters.
Changes are rows in the store, which the poller and the fan-out read every time, so
they apply to a running bot without a restart.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.admin import queries
from bot.admin.access import Caller, ChatDirectory, ChatInfo
from bot.admin.opml import export_opml, parse_opml
from bot.admin.probe import FeedProbe, ProbeResult, StoryRefresher
from bot.core.ports import ChatAccess, MessageEditor
from bot.core.records import Article, Chat, Feed, Stats
from bot.core.settings import FeedConfig
from bot.store import Store

log = logging.getLogger(__name__)

BROADCAST_MAX = 2000  # Zalo's limit; Telegram's is 4096
ALL_FEEDS = {"all", "*", "tat-ca", "tất-cả", "tatca", "tấtcả"}


@dataclass(frozen=True, slots=True)
class Outcome:
    """`text`: first line is the answer (or the refusal, with its reason), then details.

    `actions` are follow-ups as (label, action) pairs, e.g. ("Xác nhận", "bc:ok:12"); chat
    renders them as buttons, the CLI ignores them.
    """

    ok: bool
    text: str
    data: dict[str, object] = field(default_factory=dict)
    actions: tuple[tuple[str, str], ...] = ()

    @property
    def headline(self) -> str:
        return self.text.splitlines()[0] if self.text else ""


def refused(reason: str) -> Outcome:
    return Outcome(False, reason)


class AdminOps:
    def __init__(
        self,
        store: Store,
        *,
        probe: FeedProbe | None = None,
        refresher: StoryRefresher | None = None,
        access: ChatAccess | None = None,
        editors: Mapping[str, MessageEditor] | None = None,
        timezone: str = "Asia/Ho_Chi_Minh",
    ) -> None:
        self.store = store
        self.probe = probe
        self.refresher = refresher
        self.access = access
        self.editors: dict[str, MessageEditor] = dict(editors or {})
        self.timezone = timezone

    # ---- audit ---------------------------------------------------------------------

    async def audit(self, caller: Caller, action: str, detail: str, outcome: Outcome) -> Outcome:
        result = "ok" if outcome.ok else "refused: " + outcome.headline
        await self.store.audit.record(caller.actor, action, detail, result)
        log.info("admin %s: %s %s → %s", caller.actor, action, detail, result)
        return outcome

    async def refuse_not_admin(self, caller: Caller, action: str, detail: str) -> Outcome:
        """Someone not on the admin list tried an admin command: say so, and log it."""
        return await self.audit(
            caller, action, detail, refused("Bạn không phải quản trị viên của Bantin.")
        )

    # ---- feeds ---------------------------------------------------------------------

    async def list_feeds(self) -> Outcome:
        feeds = await self.store.feeds.all()
        if not feeds:
            return Outcome(True, "Chưa có nguồn tin nào.", {"feeds": []})
        lines = [f"Có {len(feeds)} nguồn tin:"]
        lines += [describe_feed(feed) for feed in feeds]
        return Outcome(True, "\n".join(lines), {"feeds": [feed_json(f) for f in feeds]})

    async def add_feed(
        self,
        caller: Caller,
        url: str,
        name: str | None = None,
        *,
        section: str | None = None,
        kind: str = "rss",
        selectors: Mapping[str, str | None] | None = None,
        check: bool = True,
    ) -> Outcome:
        detail = f"{url} {name or ''}".strip()
        outcome = await self._add_feed(caller, url, name, section, kind, selectors or {}, check)
        return await self.audit(caller, "feeds.add", detail, outcome)

    async def _add_feed(
        self,
        caller: Caller,
        url: str,
        name: str | None,
        section: str | None,
        kind: str,
        selectors: Mapping[str, str | None],
        check: bool,
    ) -> Outcome:
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return refused(f"«{url}» không phải địa chỉ http(s).")
        if kind == "html" and not selectors.get("item"):
            return refused("Nguồn dạng trang HTML cần bộ chọn cho từng tin (item).")
        name = (name or "").strip() or default_name(url)
        existing = await self.store.run(self._clash, name, url)
        if existing is not None:
            return refused(f"Đã có nguồn tin này: #{existing.id} «{existing.name}».")
        probe: ProbeResult | None = None
        if check:
            if self.probe is None:
                return refused("Không thể tải thử nguồn tin lúc này (chưa cấu hình bộ tải).")
            probe = await self.probe.probe(url, kind=kind, selectors=selectors)
            if not probe.ok:
                return refused(f"Không thêm «{name}»: {probe.reason}.")
        config = FeedConfig(
            name=name,
            url=url,
            kind=kind,
            section=section,
            item=selectors.get("item"),
            link=selectors.get("link") or "a",
            title=selectors.get("title"),
        )
        try:
            feed = await self.store.feeds.add(config)
        except sqlite3.IntegrityError:
            return refused(f"Đã có nguồn tin trùng tên hoặc địa chỉ với «{name}».")
        lines = [f"Đã thêm nguồn tin #{feed.id} «{feed.name}»."]
        if probe is not None and probe.count:
            lines.append(f"Tìm thấy {probe.count} tin; mới nhất:")
            lines += [f"• {title}" for title in probe.titles]
        elif probe is not None:
            lines.append("Nguồn tin đọc được nhưng chưa có bài nào.")
        lines.append("Lần lấy tin đầu tiên chỉ lưu, không gửi tin cũ.")
        return Outcome(
            True,
            "\n".join(lines),
            {"feed": feed_json(feed), "titles": list(probe.titles) if probe else []},
        )

    def _clash(self, name: str, url: str) -> Feed | None:
        return self.store.sync.feeds.find(url) or self.store.sync.feeds.find(name)

    async def _feed(self, ref: str) -> Feed | None:
        return await self.store.feeds.find(ref.strip())

    async def remove_feed(self, caller: Caller, ref: str) -> Outcome:
        feed = await self._feed(ref)
        if feed is None:
            outcome = refused(f"Không có nguồn tin «{ref}» (xem /feeds).")
        elif feed.origin == "config":
            outcome = refused(
                f"«{feed.name}» nằm trong config.toml: xóa ở tệp cấu hình, "
                "hoặc tạm dừng bằng /pausefeed."
            )
        else:
            await self.store.feeds.remove(feed.id)
            outcome = Outcome(True, f"Đã xóa nguồn tin #{feed.id} «{feed.name}».")
        return await self.audit(caller, "feeds.remove", ref, outcome)

    async def set_paused(self, caller: Caller, ref: str, paused: bool) -> Outcome:
        action = "feeds.pause" if paused else "feeds.resume"
        feed = await self._feed(ref)
        if feed is None:
            outcome = refused(f"Không có nguồn tin «{ref}» (xem /feeds).")
        elif feed.paused == paused:
            state = "đang tạm dừng" if paused else "đang chạy"
            outcome = Outcome(True, f"«{feed.name}» {state} rồi.")
        else:
            await self.store.feeds.set_paused(feed.id, paused)
            verb = "Đã tạm dừng" if paused else "Đã chạy lại"
            outcome = Outcome(True, f"{verb} nguồn tin #{feed.id} «{feed.name}».")
        return await self.audit(caller, action, ref, outcome)

    # ---- channels ------------------------------------------------------------------

    async def list_channels(self) -> Outcome:
        channels = await self.store.chats.channels()
        if not channels:
            return Outcome(True, "Chưa có kênh nào.", {"channels": []})
        lines = [f"Có {len(channels)} kênh/nhóm:"]
        data: list[dict[str, object]] = []
        for chat in channels:
            routes = await self.store.run(queries.channel_routes, self.store, chat)
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
        return Outcome(True, "\n".join(lines), {"channels": data})

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

    async def add_channel(
        self,
        caller: Caller,
        ref: str,
        *,
        platform: str = "telegram",
        check: bool = True,
        kind: str | None = None,
        title: str | None = None,
    ) -> Outcome:
        """`kind`/`title`: what the caller already knows (typed inside that very group)."""
        outcome = await self._add_channel(caller, ref.strip(), platform, check, kind, title)
        return await self.audit(caller, "channels.add", f"{platform}:{ref}", outcome)

    async def _add_channel(
        self,
        caller: Caller,
        ref: str,
        platform: str,
        check: bool,
        kind: str | None,
        title: str | None,
    ) -> Outcome:
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
        chat = await self.store.run(
            queries.add_channel, self.store, platform, info.chat_id, info.kind, info.title
        )
        routes = await self.store.run(queries.channel_routes, self.store, chat)
        shown = "mọi nguồn" if routes == ["*"] else ", ".join(routes)
        return Outcome(
            True,
            f"Đã thêm kênh «{chat.title or chat.chat_id}» ({chat.chat_id}); nhận: {shown}.",
            {"chat_id": chat.chat_id},
        )

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

    async def _find_channel(self, platform: str, ref: str) -> Chat | None:
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

    async def remove_channel(
        self, caller: Caller, ref: str, *, platform: str = "telegram"
    ) -> Outcome:
        chat = await self._find_channel(platform, ref)
        if chat is None:
            outcome = refused(f"Không có kênh «{ref}» (xem /channels).")
        else:
            reason = (
                None
                if caller.is_shell
                else await self._check_rights(caller, platform, chat.chat_id, need_post=False)
            )
            if reason is not None:
                outcome = refused(f"Không gỡ kênh «{ref}»: {reason}.")
            else:
                await self.store.run(
                    queries.remove_channel, self.store, chat.id, f"removed by {caller.actor}"
                )
                outcome = Outcome(True, f"Đã gỡ kênh «{chat.title or chat.chat_id}».")
        return await self.audit(caller, "channels.remove", f"{platform}:{ref}", outcome)

    async def route_channel(
        self, caller: Caller, ref: str, feed_refs: Sequence[str], *, platform: str = "telegram"
    ) -> Outcome:
        """Which feeds (by id, name, URL or section) go to a channel; "all" for every feed."""
        detail = f"{platform}:{ref} ← {' '.join(feed_refs)}"
        outcome = await self._route(caller, ref, feed_refs, platform)
        return await self.audit(caller, "channels.route", detail, outcome)

    async def _route(
        self, caller: Caller, ref: str, feed_refs: Sequence[str], platform: str
    ) -> Outcome:
        chat = await self._find_channel(platform, ref)
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
            return Outcome(True, f"Kênh «{chat.title or chat.chat_id}» nhận mọi nguồn tin.")
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
        return Outcome(True, f"Kênh «{chat.title or chat.chat_id}» chỉ nhận: {names}.")

    # ---- broadcast -----------------------------------------------------------------

    async def audience(self) -> queries.Audience:
        return await self.store.run(queries.audience, self.store)

    async def broadcast_preview(self, caller: Caller, text: str) -> Outcome:
        text = text.strip()
        if not text:
            outcome = refused("Cần nội dung thông báo: /broadcast NỘI DUNG.")
        elif len(text) > BROADCAST_MAX:
            outcome = refused(f"Thông báo dài {len(text)} ký tự, tối đa {BROADCAST_MAX}.")
        else:
            people = await self.store.run(queries.audience, self.store)
            if people.total == 0:
                outcome = refused("Chưa có ai nhận tin: không có chat nào đang hoạt động.")
            else:
                draft = await self.store.run(
                    queries.draft_broadcast, self.store, text, caller.actor
                )
                split = ", ".join(f"{n} {p}" for p, n in sorted(people.by_platform.items()))
                outcome = Outcome(
                    True,
                    f"Xem trước thông báo #{draft} — sẽ gửi tới {people.total} chat ({split}):\n"
                    f"\n{text}\n\nBấm «Xác nhận» để gửi (hoặc gõ /xacnhan {draft}).",
                    {"broadcast_id": draft, "audience": people.total},
                    (("Xác nhận", f"bc:ok:{draft}"), ("Hủy", f"bc:no:{draft}")),
                )
        return await self.audit(caller, "broadcast.preview", _short(text), outcome)

    async def broadcast_confirm(self, caller: Caller, broadcast_id: int) -> Outcome:
        done = await self.store.run(
            queries.confirm_broadcast, self.store, broadcast_id, caller.actor
        )
        outcome = {
            "queued": Outcome(
                True,
                f"Đã xếp hàng thông báo #{broadcast_id} cho {done.queued} chat.",
                {"queued": done.queued},
            ),
            "already": Outcome(
                True, f"Thông báo #{broadcast_id} đã được gửi rồi ({done.queued} chat)."
            ),
            "missing": refused(f"Không có bản nháp thông báo #{broadcast_id}."),
            "expired": refused(f"Bản nháp #{broadcast_id} đã quá 1 giờ: hãy soạn lại."),
            "not_author": refused(f"Thông báo #{broadcast_id} do người khác soạn."),
        }[done.status]
        return await self.audit(caller, "broadcast.send", f"#{broadcast_id}", outcome)

    async def broadcast_cancel(self, caller: Caller, broadcast_id: int) -> Outcome:
        dropped = await self.store.run(
            queries.cancel_broadcast, self.store, broadcast_id, caller.actor
        )
        outcome = (
            Outcome(True, f"Đã hủy bản nháp thông báo #{broadcast_id}.")
            if dropped
            else refused(f"Không hủy được #{broadcast_id}: không có bản nháp chưa gửi.")
        )
        return await self.audit(caller, "broadcast.cancel", f"#{broadcast_id}", outcome)

    # ---- stories -------------------------------------------------------------------

    async def _article(self, ref: str) -> Article | None:
        try:
            article_id = int(ref.strip().lstrip("#"))
        except ValueError:
            return None
        return await self.store.articles.get(article_id)

    async def post_again(self, caller: Caller, ref: str) -> Outcome:
        article = await self._article(ref)
        if article is None:
            outcome = refused(f"Không có tin mã «{ref}».")
        else:
            done = await self.store.run(queries.post_again, self.store, article.id, article.feed_id)
            queued = done.new + done.requeued
            outcome = Outcome(
                True,
                f"Đã xếp hàng tin #{article.id} «{article.title}» cho {queued} chat"
                f" ({done.already_sent} chat đã nhận trước đó).",
                {"queued": queued, "already_sent": done.already_sent},
            )
        return await self.audit(caller, "story.post", ref, outcome)

    async def correct(self, caller: Caller, ref: str, *, refetch: bool = True) -> Outcome:
        outcome = await self._correct(ref, refetch)
        return await self.audit(caller, "story.correct", ref, outcome)

    async def _correct(self, ref: str, refetch: bool) -> Outcome:
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
            fresh = await self.store.articles.get(article.id)
            article = fresh or article
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
        return Outcome(True, "\n".join(lines), {"edited": edited, "sent": len(sent)})

    async def retract(self, caller: Caller, ref: str) -> Outcome:
        outcome = await self._retract(caller, ref)
        return await self.audit(caller, "story.retract", ref, outcome)

    async def _retract(self, caller: Caller, ref: str) -> Outcome:
        article = await self._article(ref)
        if article is None:
            return refused(f"Không có tin mã «{ref}».")
        reason = f"retracted by {caller.actor}"
        cancelled = await self.store.run(queries.cancel_pending, self.store, article.id, reason)
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
        await self.store.run(queries.note_retracted, self.store, article.id, deleted, reason)
        lines = [
            f"Đã gỡ tin #{article.id} «{article.title}» ở {len(deleted)}/{len(sent)} chat; "
            f"hủy {cancelled} lượt chưa gửi."
        ]
        lines += [f"• {p}" for p in _collapse(problems)]
        counts = {"deleted": len(deleted), "sent": len(sent), "cancelled": cancelled}
        return Outcome(True, "\n".join(lines), dict(counts))

    # ---- stats, OPML, backup -------------------------------------------------------

    async def stats(self) -> Stats:
        return await self.store.stats.collect()

    async def export_opml(self, caller: Caller) -> str:
        feeds = await self.store.feeds.all()
        await self.audit(caller, "feeds.export", f"{len(feeds)} feeds", Outcome(True, "ok"))
        return export_opml(feeds)

    async def import_opml(self, caller: Caller, text: str, *, source: str = "") -> Outcome:
        outcome = await self._import_opml(text)
        return await self.audit(caller, "feeds.import", source, outcome)

    async def _import_opml(self, text: str) -> Outcome:
        try:
            entries = parse_opml(text)
        except ValueError as exc:
            return refused(f"Không nhập được OPML: {exc}.")
        added, skipped = [], []
        for entry in entries:
            feed = entry.feed
            if await self.store.run(self._clash, feed.name, feed.url) is not None:
                skipped.append(feed.name)
                continue
            try:
                stored = await self.store.feeds.add(feed)
            except sqlite3.IntegrityError:
                skipped.append(feed.name)
                continue
            if entry.paused:
                await self.store.feeds.set_paused(stored.id, True)
            added.append(stored.name)
        lines = [f"Đã nhập {len(added)} nguồn tin, bỏ qua {len(skipped)} nguồn đã có."]
        lines += [f"+ {name}" for name in added]
        return Outcome(True, "\n".join(lines), {"added": added, "skipped": skipped})

    async def backup(self, caller: Caller, target: Path) -> Outcome:
        outcome = await self.store.run(self._backup, target)
        return await self.audit(caller, "backup", str(target), outcome)

    def _backup(self, target: Path) -> Outcome:
        """Into a temporary file beside the target, then renamed: never a half-written copy."""
        target = target.expanduser()
        if target.resolve() == Path(self.store.db.path).resolve():
            return refused("Không sao lưu đè lên chính cơ sở dữ liệu đang chạy.")
        if not target.parent.is_dir():
            return refused(f"Không có thư mục {target.parent}.")
        handle, temp = tempfile.mkstemp(prefix=".bantin-backup-", dir=target.parent)
        os.close(handle)
        try:
            self.store.db.backup(temp)
            check = sqlite3.connect(temp)
            try:
                verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
                check.execute("PRAGMA journal_mode=DELETE")
            finally:
                check.close()
            if verdict != "ok":
                return refused(f"Bản sao lưu hỏng: {verdict}.")
            os.replace(temp, target)
        except (OSError, sqlite3.Error) as exc:
            return refused(f"Không sao lưu được: {exc}.")
        finally:
            if os.path.exists(temp):
                os.unlink(temp)
        size = target.stat().st_size
        return Outcome(True, f"Đã sao lưu vào {target} ({size // 1024} KB).", {"bytes": size})


def default_name(url: str) -> str:
    parts = urlsplit(url)
    return ((parts.hostname or "") + parts.path).rstrip("/") or url


def describe_feed(feed: Feed) -> str:
    state = "⏸ tạm dừng" if feed.paused else ("⚠️ lỗi" if feed.failures else "✓")
    origin = " (config)" if feed.origin == "config" else ""
    line = f"#{feed.id} {state} «{feed.name}»{origin} — {feed.url}"
    if feed.failures and feed.last_error:
        line += f"\n   lỗi {feed.failures} lần: {feed.last_error}"
    return line


def feed_json(feed: Feed) -> dict[str, object]:
    return {
        "id": feed.id,
        "name": feed.name,
        "url": feed.url,
        "kind": feed.kind,
        "section": feed.section,
        "origin": feed.origin,
        "paused": feed.paused,
        "failures": feed.failures,
        "last_error": feed.last_error,
        "failing_since": feed.failing_since,
    }


def match_feeds(feeds: Sequence[Feed], token: str) -> list[Feed]:
    """A feed by id (with or without #), exact name or URL; else every feed of a section."""
    bare = token.lstrip("#")
    exact = [f for f in feeds if str(f.id) == bare or f.name == token or f.url == token]
    if exact:
        return exact
    folded = token.casefold()
    by_name = [f for f in feeds if f.name.casefold() == folded]
    if by_name:
        return by_name
    return [f for f in feeds if f.section and f.section.casefold() == folded]


def _looks_like_chat_id(ref: str) -> bool:
    return ref.lstrip("-").isdigit()


def _short(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _collapse(problems: list[str], limit: int = 5) -> list[str]:
    unique = list(dict.fromkeys(problems))
    if len(unique) > limit:
        return [*unique[:limit], f"… và {len(unique) - limit} lỗi khác"]
    return unique
