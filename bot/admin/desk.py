"""The admin room, composed: one desk per area, and the audit step they all end with.

Each operation checks what it needs, does one thing, writes one audit row (who, what,
result) and answers with an `AdminReply`: one Vietnamese line saying what happened or why
not, then details. Nothing here knows Telegram or Zalo: per-chat rights come through
`ChatAccess`, edits and deletes through `MessageEditor`, both implemented by adapters.
Changes are rows in the store, which the poller and the fan-out read every time, so they
apply to a running bot without a restart.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.admin.audit import AuditTrail
from bot.admin.backup import BackupAdmin
from bot.admin.broadcasts import BroadcastAdmin
from bot.admin.channels import ChannelAdmin
from bot.admin.feeds import FeedAdmin
from bot.admin.probe import FeedProbe, StoryRefresher
from bot.admin.review import ReviewAdmin
from bot.admin.stories import StoryAdmin
from bot.core.platform_ports import ChatAccess, MessageEditor
from bot.core.ports import StorePort
from bot.core.records import AdminReply, Caller


class AdminDesk:
    """What `AdminPort` (bot.core.admin_ports) promises: feeds, channels, broadcasts, stories,
    backup."""

    def __init__(
        self,
        store: StorePort,
        *,
        probe: FeedProbe | None = None,
        refresher: StoryRefresher | None = None,
        access: ChatAccess | None = None,
        editors: Mapping[str, MessageEditor] | None = None,
        timezone: str = "Asia/Ho_Chi_Minh",
        bot_name: str = "Bantin",
    ) -> None:
        self.bot_name = bot_name
        self._audited = AuditTrail(store.audit)
        self.feeds = FeedAdmin(store, self._audited, probe=probe)
        self.channels = ChannelAdmin(store, self._audited, access=access)
        self.broadcasts = BroadcastAdmin(store, self._audited)
        self.stories = StoryAdmin(store, self._audited, refresher=refresher, editors=editors)
        self.backup = BackupAdmin(store, self._audited)
        self.review = ReviewAdmin(store, self._audited, timezone=timezone)

    async def refuse_not_admin(self, caller: Caller, action: str, detail: str) -> AdminReply:
        """Someone not on the admin list tried an admin command: say so, and audit it."""
        reply = AdminReply.refused(f"Bạn không phải quản trị viên của {self.bot_name}.")
        return await self._audited(caller, action, detail, reply)
