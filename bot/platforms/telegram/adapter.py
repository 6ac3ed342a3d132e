"""The Telegram adapter: PTB's Application (updates in by long polling, or on the webhook
when `[telegram] webhook_url` is set) and the pieces the composition root wires to it
(the messenger for its delivery worker, the chat access and message editor for its admin
room)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from telegram import BotCommand, BotCommandScopeDefault
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import ApplicationBuilder
from telegram.request import BaseRequest, HTTPXRequest

from bot.admin.access import CachedChatAccess
from bot.core.settings import TelegramConfig
from bot.platforms.base import Handle, Replies, alert_admins
from bot.platforms.heartbeat import Heartbeat
from bot.platforms.listener import Listeners
from bot.platforms.startup import PlatformUnreachable, TokenRejected, proxy_check
from bot.platforms.telegram.access import TelegramChats, silence_logs
from bot.platforms.telegram.intake import ALLOWED_UPDATES, TelegramIntake
from bot.platforms.telegram.render import command_descriptions
from bot.platforms.telegram.send import PLATFORM, Sender, TelegramMessenger
from bot.platforms.telegram.transport import POOL, AiohttpRequest, needs_httpx
from bot.platforms.telegram.webhook import TelegramWebhook, WebhookRefused
from bot.platforms.wire import wire_hooks
from handlers.base import Context

log = logging.getLogger(__name__)


class TelegramAdapter:
    """Telegram as a `Platform`: buttons, chat rights, editable messages."""

    name = PLATFORM
    has_buttons = True

    def __init__(
        self,
        settings: TelegramConfig,
        context: Context,
        *,
        handle: Handle | None = None,
        commands: Mapping[str, Any] | None = None,
        receive: bool = True,
        listeners: Listeners | None = None,
    ) -> None:
        from handlers.cards import article_card
        from handlers.router import COMMANDS
        from handlers.router import handle as route

        self.settings = settings
        self.context = context
        self.receive = receive  # False: a sender or poller of a fleet, taking no updates
        self.commands: Mapping[str, Any] = (
            commands if commands is not None else (COMMANDS if handle is None else {})
        )
        base = settings.api_base_url.rstrip("/")
        self.heartbeat = Heartbeat(context.store, PLATFORM)
        self.application = (
            ApplicationBuilder()
            .token(settings.token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .request(telegram_request(settings, POOL, self.heartbeat.answered, on_wire=True))
            .get_updates_request(telegram_request(settings, 1, self.heartbeat.answered))
            .concurrent_updates(8)
            .build()
        )
        bot = self.application.bot
        self.bot_username: str | None = None
        sender = Sender(bot)
        self.messenger = TelegramMessenger(
            sender, topics=context.store.topics, notify=self._notify_admins
        )
        # For the admin room: rights, "@name" lookups, edits and deletes.
        self.chats = TelegramChats(
            bot,
            card=partial(article_card, card=context.card),
            timezone=context.timezone,
            bot_username=lambda: self.bot_username,
        )
        self.chat_access = self.chats
        self.message_editor = self.chats
        self.intake = TelegramIntake(
            handle or route,
            context,
            Replies(context, self.messenger),
            sender,
            CachedChatAccess(self.chats),
            channels=settings.channels,
            bot_username=lambda: self.bot_username,
        )
        self.intake.install(self.application)
        self.webhook = self._webhook(listeners) if settings.webhook_url else None

    async def start(self) -> None:
        """getMe, commands, polling; raises PlatformUnreachable or TokenRejected, cleaned up."""
        silence_logs(self.settings.token)
        try:
            await self._start()
        except InvalidToken:
            await self.stop()
            raise TokenRejected(
                PLATFORM,
                "[telegram] token",
                "BANTIN_TELEGRAM_TOKEN",
                "401/404 on getMe",
                "copy it again from @BotFather (/mybots → API Token)",
            ) from None
        except WebhookRefused:
            await self.stop()
            raise
        except NetworkError as exc:  # TimedOut and 5xx answers included (getMe, setWebhook)
            await self.stop()
            raise PlatformUnreachable(
                PLATFORM,
                self.settings.api_base_url,
                f"{type(exc).__name__}: {exc.message}",
                proxy_check("telegram"),
            ) from None
        except Exception:  # the webhook's address taken, or a surprise: cleaned up for a retry
            await self.stop()
            raise
        how = "on the webhook" if self.webhook is not None else "polling"
        log.info("telegram: @%s %s", self.bot_username, how if self.receive else "sending only")

    async def _start(self) -> None:
        app = self.application
        await app.initialize()
        self.bot_username = app.bot.username
        if not self.receive:
            return
        await self._set_commands()
        await app.start()
        if self.webhook is not None:
            await self.webhook.start()
            return
        assert app.updater is not None
        await app.updater.start_polling(
            timeout=self.settings.poll_timeout_seconds, allowed_updates=ALLOWED_UPDATES
        )

    async def stop(self) -> None:
        """The updater, then the application (the root stops the delivery worker first)."""
        app = self.application
        if self.webhook is not None:
            await self.webhook.stop()  # unmounted, not deleted: see telegram/webhook.py
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        await self.heartbeat.flush()

    async def notify_admins(self, text: str) -> None:
        await alert_admins(self.messenger, self.settings.admins, text)

    def _webhook(self, listeners: Listeners | None) -> TelegramWebhook:
        """Webhook intake on the listener of `webhook_listen`, shared with Zalo's there."""
        registry = listeners if listeners is not None else Listeners()
        listener = registry.get(self.settings.webhook_listen)
        return TelegramWebhook(self.settings, self.application, listener)

    async def _notify_admins(self, text: str) -> None:
        await self.notify_admins(text)

    async def _set_commands(self) -> None:
        """Vietnamese for everyone, English for clients set to English."""
        for language in ("vi", "en"):
            listed = [
                BotCommand(name, description[:256] or name)
                for name, description in command_descriptions(self.commands, language).items()
            ]
            if not listed:
                return
            try:
                await self.application.bot.set_my_commands(
                    listed,
                    scope=BotCommandScopeDefault(),
                    language_code=None if language == "vi" else language,
                )
            except TelegramError as exc:
                log.warning("telegram: setMyCommands (%s) failed: %s", language, exc)


class AnsweringRequest(HTTPXRequest):
    """PTB's httpx request that tells the heartbeat each time Telegram answered (below 5xx)."""

    def __init__(self, answered: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._answered = answered

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, body = await super().do_request(*args, **kwargs)
        if status < 500:
            self._answered()
        return status, body


def telegram_request(
    settings: TelegramConfig, pool: int, answered: Callable[[], None], *, on_wire: bool = False
) -> BaseRequest:
    """aiohttp (bot/platforms/telegram/transport.py) unless a socks proxy needs httpx.

    A bounded pool either way: its size no longer follows the rate (4,000 connections at
    1,000/s made httpx scan its pool on every send). `[telegram] proxy_url` when set; else
    HTTPS_PROXY / ALL_PROXY from the environment. `on_wire`: the sends' request, which
    tells the delivery worker when a send has really been written (what a stop must let
    finish); aiohttp's request always does."""
    connect, read = settings.connect_timeout_seconds, settings.read_timeout_seconds
    if not needs_httpx(settings.proxy_url, dict(os.environ)):
        return AiohttpRequest(
            connection_pool_size=pool,
            connect_timeout=connect,
            read_timeout=read,
            write_timeout=read,
            pool_timeout=connect,
            proxy=settings.proxy_url or None,
            answered=answered,
        )
    return AnsweringRequest(
        answered,
        connection_pool_size=pool,
        connect_timeout=connect,
        read_timeout=read,
        write_timeout=read,
        pool_timeout=connect,
        proxy=settings.proxy_url or None,
        httpx_kwargs={"event_hooks": wire_hooks()} if on_wire else None,
    )
