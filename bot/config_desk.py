"""The editors' desk tables of `config.toml`: `[bot] name`, `[publish]`, `[card]`, `[dashboard]`.

Kept beside `bot.config` (which calls it) so that file stays one concern per table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.core.settings import CardConfig, DashboardConfig, PublishConfig

if TYPE_CHECKING:
    from bot.config import _Reader

# Zalo requires a bot's own name there to start with "Bot"; in what it says the bot uses
# the newsroom's name as configured (the platform shows its display name anyway).
ZALO_NAME_PREFIX = "Bot "


def read_bot_name(bot: _Reader) -> str:
    name = bot.text("name", "Bantin").strip()
    if not name or len(name) > 64:
        raise bot.fail("name", "the newsroom's name, 1 to 64 characters", name)
    return name


def zalo_display_name(name: str) -> str:
    """The name to give the bot in Zalo's console: "Lâm Đồng TV" → "Bot Lâm Đồng TV"."""
    return name if name.lower().startswith("bot") else ZALO_NAME_PREFIX + name


def read_publish(publish: _Reader) -> PublishConfig:
    raw = publish.table.get("editors_chat")
    publish.known.add("editors_chat")
    if raw is None or raw == "":
        editors_chat = ""
    elif isinstance(raw, int) and not isinstance(raw, bool):
        editors_chat = str(raw)
    elif isinstance(raw, str) and (raw.startswith("@") or raw.lstrip("-").isdigit()):
        editors_chat = raw
    else:
        raise publish.fail(
            "editors_chat", "a Telegram group or channel id such as -1001234567890", raw
        )
    config = PublishConfig(
        review=publish.flag("review", False),
        editors_chat=editors_chat,
        auto_publish_after_minutes=publish.whole(
            "auto_publish_after_minutes", 0, minimum=0, maximum=7 * 24 * 60
        ),
    )
    publish.finish()
    return config


def read_card(card: _Reader) -> CardConfig:
    config = CardConfig(
        summary_chars=card.whole("summary_chars", 300, minimum=80, maximum=900),
        image=card.flag("image", True),
        source=card.flag("source", True),
        time=card.flag("time", True),
        album=card.flag("album", False),
    )
    card.finish()
    return config


def read_desk(source: str, document: Mapping[str, Any]) -> tuple[PublishConfig, CardConfig]:
    from bot.config import _table

    return (
        read_publish(_table(source, document, "publish")),
        read_card(_table(source, document, "card")),
    )


def read_dashboard(dashboard: _Reader) -> DashboardConfig:
    """`listen` as host:port ("" = off); `public_url` an http(s) address without a query."""
    listen = dashboard.text("listen", "").strip()
    if listen:
        host, sep, port = listen.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise dashboard.fail("listen", "host:port such as '127.0.0.1:8080', or ''", listen)
    public_url = dashboard.url("public_url", "").rstrip("/")
    if public_url and ("?" in public_url or "#" in public_url):
        raise dashboard.fail("public_url", "an address without ? or #", public_url)
    config = DashboardConfig(
        listen=listen,
        public_url=public_url,
        session_hours=dashboard.whole("session_hours", 12, minimum=1, maximum=720),
    )
    dashboard.finish()
    return config
