"""What every handler is given besides the request: the store, the admins, local time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.replies import Request
from bot.core.settings import CardConfig

if TYPE_CHECKING:
    from bot.core.admin_ports import AdminPort
    from bot.core.dashboard import DashboardLinks
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
    # `[card]`: what a story card shows (summary length, image, source, time, album).
    card: CardConfig = field(default_factory=CardConfig)
    # The admin room, with the platform's rights checks and message editors: the
    # composition root puts it here. None only where no admin command can come.
    admin: AdminPort | None = None
    # One-time dashboard sign-in links (`/dashboard`); None while `[dashboard] listen` is off.
    dashboard: DashboardLinks | None = None

    def is_admin(self, request: Request) -> bool:
        """Fail closed: an empty admin list means nobody."""
        return request.user_id is not None and request.user_id in self.admins.get(
            request.platform, frozenset()
        )
