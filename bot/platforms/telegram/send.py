"""Putting a Reply in a Telegram chat: photo with caption, else text, with fallbacks.

A refused photo goes out as text, refused HTML as plain text; an edit puts a corrected
story in place of the one delivered. `TelegramMessenger` is what the delivery worker uses.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from telegram import Bot, InlineKeyboardMarkup, InputMediaPhoto, LinkPreviewOptions, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.core.outcome import SendOutcome
from bot.core.replies import Reply, safe_url
from bot.platforms.base import PlatformMessenger
from bot.platforms.telegram.errors import (
    classify,
    is_html_error,
    is_not_modified,
    is_photo_error,
    is_topic_gone,
    outcome_of,
)
from bot.platforms.telegram.render import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    keyboard,
    preview,
    render_html,
    render_plain,
)
from handlers.i18n import t

if TYPE_CHECKING:
    from bot.core.ports import TopicsPort
    from bot.core.records import Chat

log = logging.getLogger(__name__)

# Besides a photo's refusals: what Telegram says of a video or an album it will not take.
_MEDIA_ERRORS = ("too big", "video", "file must be", "media", "group")


def is_media_error(exc: BadRequest) -> bool:
    message = exc.message.lower()
    return is_photo_error(exc) or any(text in message for text in _MEDIA_ERRORS)


PLATFORM = "telegram"


class Sender:
    """Puts a Reply in a chat: photo with caption, else text; falls back instead of failing."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, reply: Reply, thread_id: int | None = None) -> Message:
        """`thread_id`: the forum topic it goes to (None: the chat itself, or General)."""
        video = safe_url(reply.video)
        if video:
            try:
                return await self._send_video(chat_id, reply, video, thread_id)
            except BadRequest as exc:
                if not is_media_error(exc):
                    raise
                log.warning(
                    "chat telegram:%s: video refused (%s); sending the story without it",
                    chat_id,
                    exc.message,
                )
        if len(reply.photos) > 1:
            try:
                await self.bot.send_media_group(
                    chat_id=chat_id,
                    media=[InputMediaPhoto(url) for url in reply.photos],
                    message_thread_id=thread_id,
                    allow_paid_broadcast=reply.paid or None,
                )
                # An album carries no buttons: the card follows it, as text.
                reply = replace(reply, photo=None)
            except BadRequest as exc:
                if not is_media_error(exc):
                    raise
                log.warning(
                    "chat telegram:%s: album refused (%s); sending one photo",
                    chat_id,
                    exc.message,
                )
        markup = keyboard(reply.buttons)
        photo = safe_url(reply.photo)
        if photo:
            try:
                return await self._send_html(chat_id, reply, markup, photo, thread_id)
            except BadRequest as exc:
                if not is_photo_error(exc):
                    raise
                log.warning(
                    "chat telegram:%s: photo refused (%s); sending the story as text",
                    chat_id,
                    exc.message,
                )
        return await self._send_html(chat_id, reply, markup, None, thread_id)

    async def _send_video(
        self, chat_id: str, reply: Reply, video: str, thread_id: int | None
    ) -> Message:
        """The story's own MP4 as the message, the card its caption (Telegram fetches files
        by URL up to 20 MB; a bigger one is refused and the card goes without it)."""
        rows = tuple(tuple(b for b in row if b.url != video) for row in reply.buttons)
        markup = keyboard(rows)
        caption = render_html(reply.body, CAPTION_LIMIT)
        try:
            message: Message = await self.bot.send_video(
                chat_id=chat_id,
                video=video,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                supports_streaming=True,
                message_thread_id=thread_id,
                allow_paid_broadcast=reply.paid or None,
            )
        except BadRequest as exc:
            if not is_html_error(exc):
                raise
            message = await self.bot.send_video(
                chat_id=chat_id,
                video=video,
                caption=render_plain(reply.body, CAPTION_LIMIT),
                reply_markup=markup,
                supports_streaming=True,
                message_thread_id=thread_id,
                allow_paid_broadcast=reply.paid or None,
            )
        return message

    async def _send_html(
        self,
        chat_id: str,
        reply: Reply,
        markup: InlineKeyboardMarkup | None,
        photo: str | None,
        thread_id: int | None,
    ) -> Message:
        limit = CAPTION_LIMIT if photo else TEXT_LIMIT
        try:
            return await self._send_once(
                chat_id,
                render_html(reply.body, limit),
                ParseMode.HTML,
                markup,
                photo,
                reply,
                thread_id,
            )
        except BadRequest as exc:
            if not is_html_error(exc):
                raise
            log.error(
                "chat telegram:%s: Telegram refused our HTML (%s); sent as plain text",
                chat_id,
                exc.message,
            )
            return await self._send_once(
                chat_id, render_plain(reply.body, limit), None, markup, photo, reply, thread_id
            )

    async def _send_once(
        self,
        chat_id: str,
        text: str,
        parse_mode: str | None,
        markup: InlineKeyboardMarkup | None,
        photo: str | None,
        reply: Reply,
        thread_id: int | None,
    ) -> Message:
        if photo:
            message: Message = await self.bot.send_photo(
                chat_id=chat_id,
                photo=photo,
                caption=text,
                parse_mode=parse_mode,
                reply_markup=markup,
                disable_notification=reply.silent or None,
                message_thread_id=thread_id,
                allow_paid_broadcast=reply.paid or None,
            )
            return message
        message = await self.bot.send_message(
            chat_id=chat_id,
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            link_preview_options=preview(reply.preview_url),
            disable_notification=reply.silent or None,
            message_thread_id=thread_id,
            allow_paid_broadcast=reply.paid or None,
        )
        return message

    async def replace(self, chat_id: str, message_id: int, reply: Reply) -> None:
        """Put `reply` in place of a message we sent, as `send` would have sent it.

        A photo card's caption is edited, else the text; when the message turns out to
        be the other kind (the photo was refused at send time and it went out as text,
        or the corrected story lost its image), the other edit is made instead. Telegram
        answering "not modified" means it already reads so: success.
        """
        photo = safe_url(reply.photo) is not None
        try:
            await self._replace_html(chat_id, message_id, reply, caption=photo)
        except BadRequest as exc:
            other_kind = "there is no caption" if photo else "there is no text"
            if other_kind not in exc.message.lower():
                raise
            await self._replace_html(chat_id, message_id, reply, caption=not photo)

    async def _replace_html(
        self, chat_id: str, message_id: int, reply: Reply, *, caption: bool
    ) -> None:
        limit = CAPTION_LIMIT if caption else TEXT_LIMIT
        try:
            await self._replace_once(
                chat_id,
                message_id,
                render_html(reply.body, limit),
                ParseMode.HTML,
                reply,
                caption=caption,
            )
        except BadRequest as exc:
            if not is_html_error(exc):
                raise
            log.error(
                "chat telegram:%s: Telegram refused our HTML in an edit (%s); plain text",
                chat_id,
                exc.message,
            )
            await self._replace_once(
                chat_id,
                message_id,
                render_plain(reply.body, limit),
                None,
                reply,
                caption=caption,
            )

    async def _replace_once(
        self,
        chat_id: str,
        message_id: int,
        text: str,
        parse_mode: str | None,
        reply: Reply,
        *,
        caption: bool,
    ) -> None:
        markup = keyboard(reply.buttons)
        try:
            if caption:
                await self.bot.edit_message_caption(
                    chat_id=chat_id,
                    message_id=message_id,
                    caption=text,
                    parse_mode=parse_mode,
                    reply_markup=markup,
                )
            else:
                await self.bot.edit_message_text(
                    text,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=parse_mode,
                    reply_markup=markup,
                    link_preview_options=preview(reply.preview_url),
                )
        except BadRequest as exc:
            if not is_not_modified(exc):
                raise

    async def edit(self, message: Message, reply: Reply) -> None:
        markup = keyboard(reply.buttons)
        try:
            if message.photo:
                await message.edit_caption(
                    caption=render_html(reply.body, CAPTION_LIMIT),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
            else:
                await message.edit_text(
                    text=render_html(reply.body, TEXT_LIMIT),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
        except BadRequest as exc:
            if not is_not_modified(exc):
                raise


class TelegramMessenger(PlatformMessenger):
    """The delivery worker's hands on Telegram: every error of a send becomes a SendOutcome.

    In a supergroup, the chat's topic routes (`topics`) say which forum topic a story goes
    to. A topic Telegram says is closed or deleted has its routes deactivated, the admins
    told once (`notify`), and the story goes where the chat's other stories go: no retry
    of a topic that will keep refusing.
    """

    platform = PLATFORM

    def __init__(
        self,
        sender: Sender,
        topics: TopicsPort | None = None,
        notify: Callable[[str], Awaitable[None]] | None = None,
    ) -> None:
        self.sender = sender
        self.topics = topics
        self.notify = notify

    async def send(self, chat: Chat, reply: Reply) -> SendOutcome:
        thread = await self._thread(chat, reply)
        closed: set[int] = set()
        while True:
            try:
                message = await self.sender.send(chat.chat_id, reply, thread)
            except BadRequest as exc:
                if thread is None or thread in closed or not is_topic_gone(exc):
                    return classify(exc)
                closed.add(thread)
                await self._topic_gone(chat, thread, exc.message)
                thread = await self._thread(chat, reply)
                thread = None if thread in closed else thread
                continue
            except Exception as exc:
                outcome = self.outcome_of(exc)
                if outcome is None:
                    raise
                return outcome
            return SendOutcome.sent(message.message_id)

    async def _thread(self, chat: Chat, reply: Reply) -> int | None:
        if self.topics is None or chat.kind != "supergroup":
            return None
        return await self.topics.thread_for(chat.id, reply.feed_ids)

    async def _topic_gone(self, chat: Chat, thread: int, reason: str) -> None:
        assert self.topics is not None
        stopped = await self.topics.deactivate(chat.id, thread, reason)
        log.warning(
            "chat telegram:%s topic %s: %s; %d routes deactivated, sending to the chat",
            chat.chat_id,
            thread,
            reason,
            stopped,
        )
        if stopped and self.notify is not None:
            text = t(
                "vi",
                "topic.closed_alert",
                thread=thread,
                chat=f"«{chat.title}» ({chat.chat_id})" if chat.title else chat.chat_id,
                reason=reason,
            )
            try:
                await self.notify(text)
            except Exception:  # an alert must never lose the story
                log.exception("chat telegram:%s: could not alert admins", chat.chat_id)

    async def put(self, chat_id: str, reply: Reply) -> int:
        message = await self.sender.send(chat_id, reply)
        return message.message_id

    def outcome_of(self, exc: Exception) -> SendOutcome | None:
        return outcome_of(exc)

    async def put_alert(self, chat_id: str, text: str) -> None:
        await self.sender.bot.send_message(
            chat_id=chat_id,
            text=text[:TEXT_LIMIT],
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
