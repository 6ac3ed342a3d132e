"""Who may manage what: the bot's admins from config, and per-chat rights from the platform.

Being in `[telegram] admins` makes someone an admin of Bantin; managing a channel or
group also needs them to be an administrator *there* and the bot to be allowed to post
there. Only the platform knows the latter, so adapters implement `ChatAccess`.
"""

from __future__ import annotations

import getpass
import time
from collections.abc import Callable

from bot.core.platform_ports import ChatAccess, ChatDirectory
from bot.core.records import Caller, ChatInfo
from bot.core.settings import Config


class CachedChatAccess:
    """Remembers answers for `ttl` seconds: getChatMember is rate limited and slow-ish.

    Short on purpose: a demoted admin loses the right within a minute.
    """

    def __init__(
        self, inner: ChatAccess, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.inner = inner
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[tuple[str, ...], tuple[float, bool]] = {}

    def _get(self, key: tuple[str, ...]) -> bool | None:
        hit = self._cache.get(key)
        if hit is None or self.clock() - hit[0] > self.ttl:
            return None
        return hit[1]

    def _put(self, key: tuple[str, ...], value: bool) -> bool:
        self._cache[key] = (self.clock(), value)
        return value

    async def is_admin(self, platform: str, chat_id: str, user_id: str) -> bool:
        key = ("admin", platform, chat_id, user_id)
        cached = self._get(key)
        if cached is not None:
            return cached
        return self._put(key, await self.inner.is_admin(platform, chat_id, user_id))

    async def can_post(self, platform: str, chat_id: str) -> bool:
        key = ("post", platform, chat_id)
        cached = self._get(key)
        if cached is not None:
            return cached
        return self._put(key, await self.inner.can_post(platform, chat_id))

    async def resolve(self, platform: str, ref: str) -> ChatInfo | None:
        if isinstance(self.inner, ChatDirectory):
            return await self.inner.resolve(platform, ref)
        return None


def shell_caller() -> Caller:
    """The operator at the shell ("cli:alice"), trusted as the operator of the machine."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Caller(actor=f"cli:{user}")


def admin_ids(config: Config) -> dict[str, frozenset[str]]:
    """The admins per platform, as strings (what `Context.admins` holds); empty = nobody."""
    return {
        "telegram": frozenset(str(i) for i in config.telegram.admins),
        "zalo": frozenset(str(i) for i in config.zalo.admins),
    }
