"""The feeds desk: list, add (after one test fetch), remove, pause and resume feeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from bot.admin.audit import AuditTrail
from bot.admin.probe import FeedProbe, ProbeResult
from bot.core.ports import FeedsPort, StorePort
from bot.core.records import AdminReply, Caller, Feed
from bot.core.settings import FeedConfig
from bot.store import IntegrityError

refused = AdminReply.refused


class FeedAdmin:
    def __init__(self, store: StorePort, audited: AuditTrail, *, probe: FeedProbe | None) -> None:
        self.store = store
        self.audited = audited
        self.probe = probe

    async def show(self) -> AdminReply:
        feeds = await self.store.feeds.all()
        if not feeds:
            return AdminReply(True, "Chưa có nguồn tin nào.", {"feeds": []})
        lines = [f"Có {len(feeds)} nguồn tin:"]
        lines += [describe_feed(feed) for feed in feeds]
        return AdminReply(True, "\n".join(lines), {"feeds": [feed_json(f) for f in feeds]})

    async def add(
        self,
        caller: Caller,
        url: str,
        name: str | None = None,
        *,
        section: str | None = None,
        kind: str = "rss",
        selectors: Mapping[str, str | None] | None = None,
        check: bool = True,
    ) -> AdminReply:
        detail = f"{url} {name or ''}".strip()
        reply = await self._add(url, name, section, kind, selectors or {}, check)
        return await self.audited(caller, "feeds.add", detail, reply)

    async def _add(
        self,
        url: str,
        name: str | None,
        section: str | None,
        kind: str,
        selectors: Mapping[str, str | None],
        check: bool,
    ) -> AdminReply:
        url = url.strip()
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return refused(f"«{url}» không phải địa chỉ http(s).")
        if kind == "html" and not selectors.get("item"):
            return refused("Nguồn dạng trang HTML cần bộ chọn cho từng tin (item).")
        name = (name or "").strip() or default_name(url)
        existing = await existing_feed(self.store.feeds, name, url)
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
        except IntegrityError:  # added meanwhile, by another admin or the CLI
            return refused(f"Đã có nguồn tin trùng tên hoặc địa chỉ với «{name}».")
        lines = [f"Đã thêm nguồn tin #{feed.id} «{feed.name}»."]
        if probe is not None and probe.count:
            lines.append(f"Tìm thấy {probe.count} tin; mới nhất:")
            lines += [f"• {title}" for title in probe.titles]
        elif probe is not None:
            lines.append("Nguồn tin đọc được nhưng chưa có bài nào.")
        lines.append("Lần lấy tin đầu tiên chỉ lưu, không gửi tin cũ.")
        return AdminReply(
            True,
            "\n".join(lines),
            {"feed": feed_json(feed), "titles": list(probe.titles) if probe else []},
        )

    async def remove(self, caller: Caller, ref: str) -> AdminReply:
        feed = await self.store.feeds.find(ref.strip())
        if feed is None:
            reply = refused(f"Không có nguồn tin «{ref}» (xem /feeds).")
        elif feed.origin == "config":
            reply = refused(
                f"«{feed.name}» nằm trong config.toml: xóa ở tệp cấu hình, "
                "hoặc tạm dừng bằng /pausefeed."
            )
        else:
            await self.store.feeds.remove(feed.id)
            reply = AdminReply(True, f"Đã xóa nguồn tin #{feed.id} «{feed.name}».")
        return await self.audited(caller, "feeds.remove", ref, reply)

    async def set_paused(self, caller: Caller, ref: str, paused: bool) -> AdminReply:
        action = "feeds.pause" if paused else "feeds.resume"
        feed = await self.store.feeds.find(ref.strip())
        if feed is None:
            reply = refused(f"Không có nguồn tin «{ref}» (xem /feeds).")
        elif feed.paused == paused:
            state = "đang tạm dừng" if paused else "đang chạy"
            reply = AdminReply(True, f"«{feed.name}» {state} rồi.")
        else:
            await self.store.feeds.set_paused(feed.id, paused)
            verb = "Đã tạm dừng" if paused else "Đã chạy lại"
            reply = AdminReply(True, f"{verb} nguồn tin #{feed.id} «{feed.name}».")
        return await self.audited(caller, action, ref, reply)


async def existing_feed(feeds: FeedsPort, name: str, url: str) -> Feed | None:
    """The feed that already has this URL or this name: a second one would clash."""
    return await feeds.find(url) or await feeds.find(name)


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
