"""The backup desk: a consistent copy of the database, and the feeds as OPML out and in."""

from __future__ import annotations

from pathlib import Path

from bot.admin.audit import AuditTrail
from bot.admin.feeds import existing_feed
from bot.admin.opml import export_opml, parse_opml
from bot.core.ports import StorePort
from bot.core.records import AdminReply, BackupResult, Caller
from bot.store import IntegrityError

refused = AdminReply.refused


class BackupAdmin:
    def __init__(self, store: StorePort, audited: AuditTrail) -> None:
        self.store = store
        self.audited = audited

    async def copy(self, caller: Caller, target: Path) -> AdminReply:
        reply = _backup_reply(await self.store.backup(target))
        return await self.audited(caller, "backup", str(target), reply)

    async def export_opml(self, caller: Caller) -> str:
        feeds = await self.store.feeds.all()
        await self.audited(caller, "feeds.export", f"{len(feeds)} feeds", AdminReply(True, "ok"))
        return export_opml(feeds)

    async def import_opml(self, caller: Caller, text: str, *, source: str = "") -> AdminReply:
        reply = await self._import_opml(text)
        return await self.audited(caller, "feeds.import", source, reply)

    async def _import_opml(self, text: str) -> AdminReply:
        try:
            entries = parse_opml(text)
        except ValueError as exc:
            return refused(f"Không nhập được OPML: {exc}.")
        added, skipped = [], []
        for entry in entries:
            feed = entry.feed
            if await existing_feed(self.store.feeds, feed.name, feed.url) is not None:
                skipped.append(feed.name)
                continue
            try:
                stored = await self.store.feeds.add(feed)
            except IntegrityError:
                skipped.append(feed.name)
                continue
            if entry.paused:
                await self.store.feeds.set_paused(stored.id, True)
            added.append(stored.name)
        lines = [f"Đã nhập {len(added)} nguồn tin, bỏ qua {len(skipped)} nguồn đã có."]
        lines += [f"+ {name}" for name in added]
        return AdminReply(True, "\n".join(lines), {"added": added, "skipped": skipped})


def _backup_reply(done: BackupResult) -> AdminReply:
    if done.status == "ok":
        return AdminReply(
            True, f"Đã sao lưu vào {done.path} ({done.size // 1024} KB).", {"bytes": done.size}
        )
    if done.status == "same_file":
        return refused("Không sao lưu đè lên chính cơ sở dữ liệu đang chạy.")
    if done.status == "no_directory":
        return refused(f"Không có thư mục {done.detail}.")
    if done.status == "corrupt":
        return refused(f"Bản sao lưu hỏng: {done.detail}.")
    return refused(f"Không sao lưu được: {done.detail}.")
