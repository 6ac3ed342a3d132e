"""What every handler is given besides the request: the store, the admins, local time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.replies import Request

if TYPE_CHECKING:
    from bot.admin.ops import AdminOps
    from bot.core.ports import StorePort


@dataclass(slots=True)
class Context:
    """What every handler may use: the store, the admins, local time."""

    store: StorePort
    timezone: str = "Asia/Ho_Chi_Minh"
    default_language: str = "vi"
    admins: dict[str, frozenset[str]] = field(default_factory=dict)
    # The name the bot greets with ("Chào mừng bạn đến với Bantin!"): the newsroom's own.
    bot_name: str = "Bantin"
    # The admin room's operations, with the platform's rights checks and message editors;
    # None: a bare one (no test fetch, no channel checks, so those commands refuse).
    admin_ops: AdminOps | None = None

    def is_admin(self, request: Request) -> bool:
        """Fail closed: an empty admin list means nobody."""
        return request.user_id is not None and request.user_id in self.admins.get(
            request.platform, frozenset()
        )
