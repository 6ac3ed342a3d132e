"""What every platform adapter does the same way, written once.

An adapter is a package (render, errors, send, intake, adapter); what they share is here:
the Messenger's "a send error becomes an outcome", the reply loop with its gone-chat
handling, the admins' alerts, and keeping the bot token out of the libraries' logs.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol

from bot.core.outcome import Kind, SendOutcome
from bot.platforms.redact import protect_token

if TYPE_CHECKING:
    from bot.core.platform_ports import ChatAccess, MessageEditor, Messenger
    from bot.core.records import Chat
    from bot.core.replies import Reply, Request
    from handlers.base import Context

log = logging.getLogger(__name__)

Handle = Callable[["Request", "Context"], Awaitable[list["Reply"]]]


class Platform(Protocol):
    """A chat platform as the composition root sees it: its capabilities, never its name.

    `messenger` is what the root's delivery worker pushes through; `chat_access` and
    `message_editor` (None where the platform has none) go to the admin room.
    """

    @property
    def name(self) -> str: ...

    @property
    def has_buttons(self) -> bool: ...

    @property
    def messenger(self) -> Messenger: ...

    @property
    def chat_access(self) -> ChatAccess | None: ...

    @property
    def message_editor(self) -> MessageEditor | None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def notify_admins(self, text: str) -> None: ...


def stable_cause(message: str) -> str:
    """A stable name for a cause: the message without numbers and quoted details."""
    return re.sub(r"\d+|\"[^\"]*\"|'[^']*'", "#", message.lower())[:80]


def silence_library_logs(token: str, *loggers: str) -> None:
    """httpx logs every request URL at INFO, and the URLs hold the token."""
    protect_token(token, ("httpx", "httpcore", *loggers))


class PlatformMessenger(ABC):
    """The delivery worker's hands on a platform: every error of a send becomes an outcome.

    A subclass puts a reply in a chat (`put`) and names the outcome of its own errors
    (`outcome_of`); anything else is a bug and is raised.
    """

    platform: str
    # Without toasts (Zalo), a reply carrying only a notice is sent as text.
    notices_as_text: ClassVar[bool] = False

    async def send(self, chat: Chat, reply: Reply) -> SendOutcome:
        try:
            message_id = await self.put(chat.chat_id, reply)
        except Exception as exc:
            outcome = self.outcome_of(exc)
            if outcome is None:
                raise
            return outcome
        return SendOutcome.sent(message_id)

    @abstractmethod
    async def put(self, chat_id: str, reply: Reply) -> str | int | None:
        """Send `reply`; the message id, when the platform gives one."""

    @abstractmethod
    def outcome_of(self, exc: Exception) -> SendOutcome | None:
        """The outcome of one of this platform's errors; None for any other exception."""

    @abstractmethod
    async def put_alert(self, chat_id: str, text: str) -> None:
        """Plain text to an admin, as short as the platform needs it."""


class Replies:
    """Answers a chat with the handlers' replies, in order, until one fails.

    A chat that turns out to be gone (the reader blocked the bot, the group is no more)
    is deactivated, as the delivery worker would.
    """

    def __init__(self, context: Context, messenger: PlatformMessenger) -> None:
        self.context = context
        self.messenger = messenger
        self.platform = messenger.platform

    async def send_all(
        self,
        chat_id: str,
        replies: Sequence[Reply],
        put: Callable[[Reply], Awaitable[object]] | None = None,
    ) -> str | None:
        """Send each reply (through `put`, else the messenger); the last notice, if any."""
        send = put or (lambda reply: self.messenger.put(chat_id, reply))
        notice: str | None = None
        for reply in replies:
            if reply.notice:
                notice = reply.notice
            if not reply.body and not (self.messenger.notices_as_text and reply.notice):
                continue
            try:
                await send(reply)
            except Exception as exc:
                outcome = self.messenger.outcome_of(exc)
                if outcome is None:
                    raise
                log.warning(
                    "chat %s:%s: reply not sent: %s", self.platform, chat_id, outcome.reason
                )
                if outcome.kind is Kind.GONE:
                    await self.chat_gone(chat_id, outcome.reason)
                break
        return notice

    async def chat_gone(self, chat_id: str, reason: str) -> None:
        chats = self.context.store.chats
        chat = await chats.get(self.platform, chat_id)
        if chat is not None:
            await chats.deactivate(chat.id, reason)


async def alert_admins(
    messenger: PlatformMessenger, admins: Sequence[str | int], text: str
) -> None:
    """One message to each admin; an admin who cannot be reached is logged, not raised."""
    for admin in admins:
        try:
            await messenger.put_alert(str(admin), text)
        except Exception as exc:
            if messenger.outcome_of(exc) is None:
                raise
            log.warning("%s: could not alert admin %s: %s", messenger.platform, admin, exc)
