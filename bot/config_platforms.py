"""The platform tables of `config.toml`: `[telegram]` and `[zalo]`, with their webhooks.

Kept beside `bot.config` (which calls it), as `bot.config_desk` is for the editors' tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.core.settings import (
    TELEGRAM_API,
    TELEGRAM_WEBHOOK_LISTEN,
    ZALO_API,
    ZALO_GONE_PHRASES,
    ZALO_RETRY_PHRASES,
    ZALO_WEBHOOK_LISTEN,
    TelegramConfig,
    ZaloConfig,
    parse_listen,
)

if TYPE_CHECKING:
    from bot.config import _Reader

TELEGRAM_TOKEN_ENV = "BANTIN_TELEGRAM_TOKEN"
ZALO_TOKEN_ENV = "BANTIN_ZALO_TOKEN"
TELEGRAM_WEBHOOK_SECRET_ENV = "BANTIN_TELEGRAM_WEBHOOK_SECRET"

# Telegram's secret_token: 1-256 characters, these only.
TELEGRAM_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
# The ports Telegram calls webhooks on.
TELEGRAM_WEBHOOK_PORTS = (443, 80, 88, 8443)


def read_telegram(
    source: str, document: Mapping[str, Any], env: Mapping[str, str]
) -> TelegramConfig:
    from bot.config import _table

    t = _table(source, document, "telegram")
    telegram = TelegramConfig(
        token=t.text("token", "") or env.get(TELEGRAM_TOKEN_ENV, ""),
        api_base_url=t.url("api_base_url", TELEGRAM_API),
        admins=t.ids("admins"),
        channels=t.texts("channels"),
        messages_per_second=t.number("messages_per_second", 30.0, minimum=0.1, maximum=1000),
        private_chat_per_second=t.number("private_chat_per_second", 1.0, minimum=0.01, maximum=100),
        group_per_minute=t.number("group_per_minute", 20.0, minimum=0.1, maximum=6000),
        connect_timeout_seconds=t.number("connect_timeout_seconds", 5.0, minimum=0.1, maximum=120),
        read_timeout_seconds=t.number("read_timeout_seconds", 10.0, minimum=0.1, maximum=300),
        poll_timeout_seconds=t.whole("poll_timeout_seconds", 10, minimum=1, maximum=120),
        proxy_url=t.proxy_url("proxy_url"),
        paid_broadcast_stars_per_day=t.number(
            "paid_broadcast_stars_per_day", 0.0, minimum=0, maximum=10_000_000
        ),
        paid_broadcast_after_minutes=t.number(
            "paid_broadcast_after_minutes", 10.0, minimum=0, maximum=24 * 60
        ),
        webhook_url=t.url("webhook_url", ""),
        webhook_secret=t.text("webhook_secret", "") or env.get(TELEGRAM_WEBHOOK_SECRET_ENV, ""),
        webhook_listen=t.text("webhook_listen", TELEGRAM_WEBHOOK_LISTEN),
        webhook_max_body_bytes=t.whole(
            "webhook_max_body_bytes", 1 << 20, minimum=1024, maximum=64 << 20
        ),
        webhook_read_seconds=t.number("webhook_read_seconds", 10.0, minimum=0.1, maximum=300),
    )
    _check_telegram_webhook(t, telegram)
    t.finish()

    return telegram


def read_zalo(source: str, document: Mapping[str, Any], env: Mapping[str, str]) -> ZaloConfig:
    from bot.config import _table

    z = _table(source, document, "zalo")
    zalo = ZaloConfig(
        token=z.text("token", "") or env.get(ZALO_TOKEN_ENV, ""),
        api_base_url=z.url("api_base_url", ZALO_API),
        admins=z.texts("admins"),
        messages_per_second=z.number("messages_per_second", 5.0, minimum=0.01, maximum=1000),
        private_chat_per_second=z.number("private_chat_per_second", 1.0, minimum=0.01, maximum=100),
        poll_timeout_seconds=z.whole("poll_timeout_seconds", 30, minimum=1, maximum=120),
        quota_pause_seconds=z.number("quota_pause_seconds", 60.0, minimum=1, maximum=86_400),
        gone_error_codes=z.ids("gone_error_codes", what="Zalo error codes", default=()),
        webhook_url=z.url("webhook_url", ""),
        webhook_secret=z.text("webhook_secret", "") or env.get("BANTIN_ZALO_WEBHOOK_SECRET", ""),
        webhook_listen=z.text("webhook_listen", ZALO_WEBHOOK_LISTEN),
        gone_phrases=z.texts("gone_phrases") or ZALO_GONE_PHRASES,
        retry_error_codes=z.ids(
            "retry_error_codes", what="Zalo error codes", default=(403, 408, 429)
        ),
        retry_phrases=z.texts("retry_phrases") or ZALO_RETRY_PHRASES,
        connect_timeout_seconds=z.number("connect_timeout_seconds", 5.0, minimum=0.1, maximum=120),
        read_timeout_seconds=z.number("read_timeout_seconds", 15.0, minimum=0.1, maximum=300),
        typing_action=z.flag("typing_action", True),
        delete_webhook_for_polling=z.flag("delete_webhook_for_polling", True),
        handler_concurrency=z.whole("handler_concurrency", 8, minimum=1, maximum=256),
        webhook_max_body_bytes=z.whole(
            "webhook_max_body_bytes", 1 << 20, minimum=1024, maximum=64 << 20
        ),
        webhook_read_seconds=z.number("webhook_read_seconds", 10.0, minimum=0.1, maximum=300),
        recent_updates=z.whole("recent_updates", 2048, minimum=16, maximum=1_000_000),
        proxy_url=z.proxy_url("proxy_url"),
    )
    if zalo.webhook_url and not 8 <= len(zalo.webhook_secret) <= 256:
        raise z.fail("webhook_secret", "8 to 256 characters when webhook_url is set", "<hidden>")
    _check_listen(z, zalo.webhook_listen)
    z.finish()
    return zalo


def _check_listen(table: _Reader, listen: str) -> None:
    try:
        parse_listen(listen)
    except ValueError:
        raise table.fail(
            "webhook_listen", "a local host:port such as '127.0.0.1:8443'", listen
        ) from None


def _check_telegram_webhook(t: _Reader, telegram: TelegramConfig) -> None:
    """A public HTTPS URL on a port Telegram calls, and a secret Telegram accepts."""
    _check_listen(t, telegram.webhook_listen)
    url = telegram.webhook_url
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise t.fail("webhook_url", "an https:// URL (Telegram calls webhooks on HTTPS only)", url)
    if (parts.port or 443) not in TELEGRAM_WEBHOOK_PORTS:
        ports = ", ".join(map(str, TELEGRAM_WEBHOOK_PORTS))
        raise t.fail("webhook_url", f"a URL on one of Telegram's webhook ports ({ports})", url)
    if not TELEGRAM_SECRET.fullmatch(telegram.webhook_secret):
        raise t.fail(
            "webhook_secret",
            "1 to 256 characters A-Z a-z 0-9 _ - when webhook_url is set "
            f"(or ${TELEGRAM_WEBHOOK_SECRET_ENV})",
            telegram.webhook_secret,
        )


def check_shared_path(source: str, telegram: TelegramConfig, zalo: ZaloConfig) -> None:
    """Telegram and Zalo on one address need paths of their own."""
    if not (telegram.webhook_url and zalo.webhook_url):
        return
    if parse_listen(telegram.webhook_listen) != parse_listen(zalo.webhook_listen):
        return
    if _path(telegram.webhook_url) == _path(zalo.webhook_url):
        raise _config_error(
            f"{source}: [telegram] webhook_url and [zalo] webhook_url: expected different "
            f"paths when they share webhook_listen {telegram.webhook_listen!r}, "
            f"both are {_path(zalo.webhook_url)!r}"
        )


def _path(url: str) -> str:
    return "/" + urlsplit(url).path.strip("/")


def _config_error(message: str) -> Exception:
    from bot.config import ConfigError

    return ConfigError(message)
