"""Telegram's webhook: its POSTs taken on the shared listener and fed to PTB's Application.

When `[telegram] webhook_url` is set, Telegram POSTs each update to that URL with our
secret in `X-Telegram-Bot-Api-Secret-Token`. The route (on the URL's path, on the
listener of `webhook_listen`) checks the secret in constant time before it reads the
body, reads one JSON object and puts `Update.de_json(...)` on the Application's update
queue: Telegram gets its 200 at once and never waits on the handlers.

An update's state lives in the database, so several intake processes behind one reverse
proxy can share the URL: any of them may take any update.

On stop the webhook is left registered (no `deleteWebhook`): other intake processes may
still be serving it, and Telegram keeps undelivered updates for a day while none is.
Switching back to long polling deletes it (PTB's `start_polling` does, keeping pending
updates), since `getUpdates` is refused while a webhook is set.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import Any

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application

from bot.core.settings import TelegramConfig
from bot.platforms.listener import JsonWebhook, Listener, Mounted, url_path
from bot.platforms.telegram.intake import ALLOWED_UPDATES

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# With a webhook no getUpdates runs: ask Telegram now and then, which keeps the heartbeat
# fresh and brings the webhook's own errors (Telegram's last_error_message) to the log.
PING_SECONDS = 60.0
# Update ids remembered to take one that Telegram sends again only once (in this process).
RECENT_UPDATES = 2048

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class WebhookRefused(RuntimeError):
    """Telegram refused setWebhook (a URL it will not call, a secret it will not take)."""


def telegram_route(
    settings: TelegramConfig, application: AnyApplication, *, name: str = "telegram"
) -> JsonWebhook:
    """The route: a JSON object that reads as an Update goes on the update queue."""

    recent: OrderedDict[int, None] = OrderedDict()

    def accept(payload: dict[str, Any]) -> bool:
        update_id = payload.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return False
        if update_id in recent:  # Telegram sent it again (our 200 came too late): done
            log.info("telegram webhook: update %d again; handled once", update_id)
            return True
        try:
            update = Update.de_json(payload, application.bot)
        except Exception as exc:  # a field of the wrong type: PTB raises what it meets
            log.warning(
                "telegram webhook: update %d unreadable (%s)", update_id, type(exc).__name__
            )
            return False
        recent[update_id] = None
        while len(recent) > RECENT_UPDATES:
            recent.popitem(last=False)
        application.update_queue.put_nowait(update)
        return True

    return JsonWebhook(
        name,
        SECRET_HEADER,
        settings.webhook_secret,
        accept,
        max_body=settings.webhook_max_body_bytes,
        read_seconds=settings.webhook_read_seconds,
    )


class TelegramWebhook:
    """The route on its listener, `setWebhook`, and the ping that stands in for getUpdates."""

    def __init__(
        self, settings: TelegramConfig, application: AnyApplication, listener: Listener
    ) -> None:
        self.settings = settings
        self.application = application
        self.route = telegram_route(settings, application)
        self.mounted = Mounted(listener, "POST", url_path(settings.webhook_url), self.route)
        self._pinger: asyncio.Task[None] | None = None
        self._last_error = ""

    @property
    def listener(self) -> Listener:
        return self.mounted.listener

    async def start(self) -> None:
        """The listener first (Telegram may POST the moment it is told), then setWebhook.

        Raises NetworkError when Telegram cannot be reached (the caller's retry path),
        WebhookRefused when it answers no."""
        await self.mounted.start()
        settings = self.settings
        try:
            await self.application.bot.set_webhook(
                settings.webhook_url,
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
        except BadRequest as exc:  # a NetworkError too: caught first
            raise WebhookRefused(
                f"Telegram refused [telegram] webhook_url: {exc.message}"
            ) from None
        self._pinger = asyncio.create_task(self._ping(), name="telegram-webhook-ping")
        log.info(
            "telegram: webhook on %s:%d%s",
            self.listener.host,
            self.listener.port,
            self.mounted.path,
        )

    async def stop(self) -> None:
        """Unmount; the webhook stays registered with Telegram (see the module's note)."""
        if self._pinger is not None:
            self._pinger.cancel()
            await asyncio.gather(self._pinger, return_exceptions=True)
            self._pinger = None
        await self.mounted.stop()

    async def _ping(self) -> None:
        while True:
            await asyncio.sleep(PING_SECONDS)
            await self.check()

    async def check(self) -> None:
        """getWebhookInfo: Telegram's own word on the webhook, logged when it changes."""
        try:
            info = await self.application.bot.get_webhook_info()
        except TelegramError as exc:
            log.warning("telegram: getWebhookInfo failed (%s)", exc)
            return
        error = info.last_error_message or ""
        if error and error != self._last_error:
            log.warning(
                "telegram: Telegram says the webhook fails: %s (%d updates waiting)",
                error[:200],
                info.pending_update_count,
            )
        self._last_error = error
