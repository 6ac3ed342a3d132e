"""Platform adapters: the only code that knows Telegram's or Zalo's API and its errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.settings import Config
    from bot.platforms.base import Platform
    from bot.store import Store


def build_platforms(config: Config, store: Store) -> list[Platform]:
    """One adapter per platform that has a token; none means Bantin only polls."""
    platforms: list[Platform] = []
    if config.telegram.token:
        from bot.platforms.telegram import TelegramPlatform

        platforms.append(TelegramPlatform(config, store))
    if config.zalo.token:
        from bot.platforms.zalo import build_zalo

        zalo = build_zalo(config, store)
        if zalo is not None:
            platforms.append(zalo)
    return platforms
