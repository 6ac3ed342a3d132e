"""The Zalo adapter: updates in by long polling, or on the webhook when `[zalo] webhook_url`
is set; the messenger for the composition root's delivery worker.

Zalo has one-to-one chats only, no buttons, no chat rights to ask and no message edits:
the adapter says so through its capabilities rather than its name.
"""

from __future__ import annotations

import asyncio
import logging

import httpx

from bot.core.settings import ZaloConfig
from bot.platforms.base import Handle, Replies, alert_admins, silence_library_logs
from bot.platforms.heartbeat import Heartbeat
from bot.platforms.listener import JsonWebhook, Listeners, Mounted
from bot.platforms.startup import PlatformUnreachable, TokenRejected, proxy_check
from bot.platforms.zalo.client import BotInfo, ZaloClient, ZaloError, ZaloNetworkError
from bot.platforms.zalo.intake import ZaloIntake
from bot.platforms.zalo.send import PLATFORM, ZaloMessenger, ZaloSender
from bot.platforms.zalo.webhook import zalo_route, zalo_webhook
from handlers.base import Context

log = logging.getLogger(__name__)

WEBHOOK_PING_SECONDS = 60.0  # with a webhook no getUpdates runs: ask Zalo now and then


class ZaloAdapter:
    """Zalo as a `Platform`: no buttons, no chat access, no message editor."""

    name = PLATFORM
    has_buttons = False
    chat_access = None
    message_editor = None

    def __init__(
        self,
        settings: ZaloConfig,
        context: Context,
        *,
        handle: Handle | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        receive: bool = True,
        listeners: Listeners | None = None,
    ) -> None:
        from handlers.router import handle as route

        if not settings.token:
            raise ValueError("[zalo] token (or BANTIN_ZALO_TOKEN) is not set")
        self.settings = settings
        self.context = context
        self.receive = receive  # False: a sender or poller of a fleet, taking no updates
        self.heartbeat = Heartbeat(context.store, PLATFORM)
        self.client = ZaloClient(
            settings.token,
            settings.api_base_url,
            connect_timeout=settings.connect_timeout_seconds,
            read_timeout=settings.read_timeout_seconds,
            # Bounded: httpx scans its whole pool on every request, so a pool sized from
            # the rate (2,002 connections at 1,000/s) made each send cost milliseconds.
            max_connections=min(64, max(8, int(settings.messages_per_second * 2) + 2)),
            transport=transport,
            proxy=settings.proxy_url or None,
            on_answer=self.heartbeat.answered,
        )
        sender = ZaloSender(self.client, settings)
        self.messenger = ZaloMessenger(sender)
        self.intake = ZaloIntake(
            settings,
            self.client,
            handle or route,
            context,
            Replies(context, self.messenger),
            sender,
        )
        self.bot: BotInfo | None = None
        # The webhook's route, on the listener of its address (shared with Telegram's).
        self.listeners = listeners if listeners is not None else Listeners()
        self.route: JsonWebhook | None = None
        self.webhook: Mounted | None = None
        if settings.webhook_url:
            self.route = zalo_route(
                settings.webhook_secret,
                self.intake.accept,
                max_body=settings.webhook_max_body_bytes,
                read_seconds=settings.webhook_read_seconds,
            )
            listener = self.listeners.get(settings.webhook_listen)
            self.webhook = zalo_webhook(listener, settings.webhook_url, self.route)
        self._pinger: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """getMe first: raises TokenRejected (401/404) or PlatformUnreachable (no answer, 5xx)."""
        settings = self.settings
        silence_library_logs(settings.token)
        try:
            self.bot = await self.client.get_me()
        except ZaloError as exc:
            if exc.code in (401, 404) or exc.http_status in (401, 404):
                raise TokenRejected(
                    PLATFORM,
                    "[zalo] token",
                    "BANTIN_ZALO_TOKEN",
                    f"{exc.code} on getMe",
                    "copy it again from the Zalo Bot Manager",
                ) from None
            if exc.code >= 500 or exc.http_status >= 500:
                raise PlatformUnreachable(
                    PLATFORM,
                    settings.api_base_url,
                    f"{exc.code} {exc.description}",
                    "Zalo's servers are failing; nothing to change here",
                ) from None
            log.warning("zalo: getMe failed (%s %s); going on", exc.code, exc.description)
        except ZaloNetworkError as exc:
            raise PlatformUnreachable(
                PLATFORM, settings.api_base_url, exc.reason, proxy_check("zalo")
            ) from None
        if self.receive:
            await self._start_intake()
        log.info("zalo: bot %s running", self.bot.account_name if self.bot else "(unknown)")

    async def _start_intake(self) -> None:
        if self.settings.webhook_url:
            await self._start_webhook()
            self._pinger = asyncio.create_task(self._ping(), name="zalo-ping")
        else:
            await self.intake.prepare_polling()
            self.intake.start_polling()

    async def _start_webhook(self) -> None:
        settings = self.settings
        assert self.webhook is not None
        await self.webhook.start()
        try:
            await self.client.set_webhook(settings.webhook_url, settings.webhook_secret)
        except ZaloError as exc:  # the URL or the secret was refused: a config error
            await self.webhook.stop()
            raise RuntimeError(
                f"Zalo refused [zalo] webhook_url: {exc.code} {exc.description}"
            ) from None
        except ZaloNetworkError as exc:
            log.warning("zalo: setWebhook failed (%s); retrying in the background", exc)
            self.intake.spawn(self._set_webhook_later(), "zalo-set-webhook")
        listener = self.webhook.listener
        log.info("zalo: webhook on %s:%d%s", listener.host, listener.port, self.webhook.path)

    async def _set_webhook_later(self) -> None:
        settings = self.settings
        wait = 1.0
        while not self.intake.stopping:
            await asyncio.sleep(wait)
            try:
                await self.client.set_webhook(settings.webhook_url, settings.webhook_secret)
            except (ZaloError, ZaloNetworkError) as exc:
                wait = min(wait * 2, 60.0)
                log.warning("zalo: setWebhook failed again (%s); next try in %.0f s", exc, wait)
                continue
            log.info("zalo: webhook set")
            return

    async def _ping(self) -> None:
        """Keeps the heartbeat fresh while readers are quiet on the webhook."""
        while not self.intake.stopping:
            await asyncio.sleep(WEBHOOK_PING_SECONDS)
            try:
                await self.client.get_webhook_info()
            except (ZaloError, ZaloNetworkError) as exc:
                log.warning("zalo: getWebhookInfo failed (%s)", exc)

    async def stop(self) -> None:
        """Intake, then the HTTP client (the root stops the delivery worker first)."""
        self.intake.stopping = True
        if self._pinger is not None:
            self._pinger.cancel()
        if self.webhook is not None:
            await self.webhook.stop()
        await self.intake.stop()
        await self.client.aclose()
        await self.heartbeat.flush()

    async def notify_admins(self, text: str) -> None:
        await alert_admins(self.messenger, self.settings.admins, text)
