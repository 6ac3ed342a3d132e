"""Telegram updates in: each becomes a platform-neutral `Request` for the handlers, and
their replies are rendered back (sent, edited in place, or offered as inline results).

Whether a group's sender must be an admin is the router's rule (`needs_group_admin`);
this module only asks Telegram, through a short cache, when the router says it matters.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import httpx
from telegram import Chat as TgChat
from telegram import Message, Update, User
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from bot.core.platform_ports import ChatAccess
from bot.core.replies import Reply, Request
from bot.platforms.base import Handle, Replies
from bot.platforms.telegram.render import inline_result
from bot.platforms.telegram.send import PLATFORM, Sender
from handlers.base import Context
from handlers.router import needs_group_admin, parse_command

log = logging.getLogger(__name__)

INLINE_RESULTS = 10
ALLOWED_UPDATES = ["message", "channel_post", "callback_query", "inline_query", "my_chat_member"]


class TelegramIntake:
    """PTB's update handlers: messages, buttons, inline queries and the bot's own membership."""

    def __init__(
        self,
        handle: Handle,
        context: Context,
        replies: Replies,
        sender: Sender,
        access: ChatAccess,
        *,
        channels: Iterable[str],
        bot_username: Callable[[], str | None],
    ) -> None:
        self.handle = handle
        self.context = context
        self.replies = replies
        self.sender = sender
        self.access = access  # who may change a group, asked at most once a minute
        self.bot_username = bot_username
        self._channels = {c.lower().lstrip("@") for c in channels}

    def install(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        app.add_handler(InlineQueryHandler(self._on_inline))
        app.add_handler(CallbackQueryHandler(self._on_callback))
        app.add_handler(
            ChatMemberHandler(self._on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
        )
        app.add_handler(
            MessageHandler(
                (filters.TEXT | filters.CAPTION) & ~filters.UpdateType.EDITED, self._on_message
            )
        )
        app.add_error_handler(self._on_error)

    def _request(self, update: Update, **fields: Any) -> Request | None:
        chat = update.effective_chat
        if chat is None:
            return None
        user = update.effective_user
        return Request(
            platform=PLATFORM,
            chat_id=str(chat.id),
            chat_kind=chat.type,
            chat_title=chat.title or chat.full_name,
            user_id=str(user.id) if user else None,
            user_name=user.full_name if user else None,
            user_language=user.language_code if user else None,
            bot_username=self.bot_username(),
            thread_id=_thread_of(update.effective_message),
            **fields,
        )

    async def _is_chat_admin(self, chat: TgChat, user: User | None) -> bool:
        """Only a group's admins may change it; a channel post comes from its admins."""
        if chat.type in (ChatType.CHANNEL, ChatType.PRIVATE):
            return True
        if user is None:
            return False
        try:
            return await self.access.is_admin(PLATFORM, str(chat.id), str(user.id))
        except TelegramError as exc:
            log.warning("chat telegram:%s: could not check admin %s: %s", chat.id, user.id, exc)
            return False

    @staticmethod
    def _asks_rights(request: Request) -> bool:
        """Private chats and channels: always allowed; groups: when the router says so."""
        return request.chat_kind in (ChatType.PRIVATE, ChatType.CHANNEL) or needs_group_admin(
            request
        )

    def _replies_to_us(self, message: Message) -> bool:
        replied = message.reply_to_message
        author = replied.from_user if replied is not None else None
        username = self.bot_username()
        return (
            author is not None
            and author.is_bot
            and username is not None
            and (author.username or "").lower() == username.lower()
        )

    async def _on_message(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None:
            return
        text = message.text or message.caption or ""
        command: str | None = None
        args: tuple[str, ...] = ()
        parsed = parse_command(text, self.bot_username())
        if parsed is not None:
            command, args = parsed
        elif chat.type != ChatType.PRIVATE and not self._replies_to_us(message):
            # In groups and channels the bot answers commands only, its own, and replies to
            # its messages (an editor's new summary, asked for by the review desk).
            return
        elif parse_command(text) is not None:
            return  # a command for another bot
        request = self._request(update, text=text, command=command, args=args)
        if request is None:
            return
        if command is not None and self._asks_rights(request):
            if message.sender_chat is not None and message.sender_chat.id == chat.id:
                admin = True  # an anonymous admin, writing as the group itself
            else:
                admin = await self._is_chat_admin(chat, update.effective_user)
            request = _with_admin(request, admin)
        log.info("chat telegram:%s: %s", chat.id, f"/{command}" if command else "text")
        await self._answer(request, str(chat.id), None)

    async def _on_callback(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        chat = update.effective_chat
        request = self._request(update, callback=query.data or "")
        notice: str | None = None
        if request is not None and chat is not None:
            if self._asks_rights(request):
                admin = await self._is_chat_admin(chat, update.effective_user)
                request = _with_admin(request, admin)
            message = query.message if isinstance(query.message, Message) else None
            notice = await self._answer(request, str(chat.id), message)
        with contextlib.suppress(TelegramError):
            await query.answer(text=notice[:200] if notice else None)

    async def _answer(self, request: Request, chat_id: str, message: Message | None) -> str | None:
        """Run the handlers and render their replies; return a callback notice, if any."""
        try:
            replies = await self.handle(request, self.context)
        except Exception:
            log.exception("chat telegram:%s: handler failed", chat_id)
            replies = []

        async def put(reply: Reply) -> None:
            if reply.edit and message is not None:
                await self.sender.edit(message, reply)
            else:
                await self.sender.send(chat_id, reply, request.thread_id)

        return await self.replies.send_all(chat_id, replies, put)

    async def _on_inline(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        if query is None:
            return
        user = query.from_user
        request = Request(
            platform=PLATFORM,
            chat_id=str(user.id),
            chat_kind="private",
            user_id=str(user.id),
            user_name=user.full_name,
            user_language=user.language_code,
            text=query.query,
            bot_username=self.bot_username(),
            inline=True,
        )
        try:
            replies = await self.handle(request, self.context)
        except Exception:
            log.exception("inline query from %s: handler failed", user.id)
            replies = []
        results = [
            inline_result(i, reply)
            for i, reply in enumerate(replies[:INLINE_RESULTS])
            if reply.body
        ]
        try:
            await query.answer(results, cache_time=30, is_personal=False)
        except TelegramError as exc:
            log.warning("inline query from %s: answer refused: %s", user.id, exc)

    async def _on_my_chat_member(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None:
            return
        chat = change.chat
        chats = self.context.store.chats
        old, new = change.old_chat_member.status, change.new_chat_member.status
        removed = new in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
        known = await chats.get(PLATFORM, str(chat.id))
        if known is None and chat.username:
            known = await chats.get(PLATFORM, f"@{chat.username}")
        if removed:
            if known is not None:
                await chats.deactivate(known.id, f"bot removed ({new})")
            log.warning("chat telegram:%s (%s) deactivated: bot %s", chat.id, chat.type, new)
            return
        if old in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
            if known is None:
                known = await chats.upsert(PLATFORM, str(chat.id), kind=chat.type, title=chat.title)
            configured = {str(chat.id).lower()} | (
                {chat.username.lower()} if chat.username else set()
            )
            if known.is_channel or configured & self._channels:
                await chats.subscribe(known.id, None)
                log.info(
                    "chat telegram:%s (%s): bot added; configured channel reactivated",
                    chat.id,
                    chat.type,
                )
            else:
                log.info("chat telegram:%s (%s): bot added as %s", chat.id, chat.type, new)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        error = context.error
        if isinstance(error, TelegramError | httpx.HTTPError):
            log.warning("telegram: %s: %s", type(error).__name__, error)
        else:
            log.error("telegram: unhandled %s", type(error).__name__, exc_info=error)


def _thread_of(message: Message | None) -> int | None:
    """The forum topic a message was written in (None: General, or a chat without topics;
    a reply thread in an ordinary group is no topic)."""
    if message is None or not message.is_topic_message:
        return None
    return message.message_thread_id


def _with_admin(request: Request, admin: bool) -> Request:
    return replace(request, is_chat_admin=admin)
