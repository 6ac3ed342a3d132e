"""Zalo's webhook POSTs: a `JsonWebhook` route on the shared listener (bot.platforms.listener).

The secret travels in `X-Bot-Api-Secret-Token`. Zalo sends one update per connection, so
every answer closes it. The route sits on the path of `[zalo] webhook_url`; alone on its
address it also answers any other path (a proxy may rewrite the path).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.platforms.listener import JsonWebhook, Listener, Mounted, url_path
from bot.platforms.zalo.client import parse_update

SECRET_HEADER = "X-Bot-Api-Secret-Token"


def zalo_route(
    secret: str,
    on_update: Callable[[dict[str, Any]], None],
    *,
    max_body: int = 1 << 20,
    read_seconds: float = 10.0,
) -> JsonWebhook:
    """The route: an object Zalo's update parser reads is handed to `on_update`."""

    def accept(payload: dict[str, Any]) -> bool:
        if parse_update(payload) is None:
            return False  # JSON, but not an update (a field of the wrong type)
        on_update(payload)
        return True

    return JsonWebhook(
        "zalo",
        SECRET_HEADER,
        secret,
        accept,
        max_body=max_body,
        read_seconds=read_seconds,
        keep_alive=False,
    )


def zalo_webhook(listener: Listener, url: str, route: JsonWebhook) -> Mounted:
    """The route on the path of `url`, and on any path while it is alone on `listener`."""
    return Mounted(listener, "POST", url_path(url), route, fallback=True)
