"""Putting a Reply in a Zalo chat: a photo with its caption, else text; `ZaloMessenger`
is what the delivery worker uses."""

from __future__ import annotations

import logging

from bot.core.outcome import Kind, SendOutcome
from bot.core.replies import Reply, safe_url
from bot.core.settings import ZaloConfig
from bot.platforms.base import PlatformMessenger
from bot.platforms.zalo.client import TEXT_LIMIT, SentMessage, ZaloClient, ZaloError
from bot.platforms.zalo.errors import classify, outcome_of
from bot.platforms.zalo.render import render_text, shorten

log = logging.getLogger(__name__)

PLATFORM = "zalo"


class ZaloSender:
    """Puts a Reply in a chat: a photo with its caption, else text; falls back, never half."""

    def __init__(self, client: ZaloClient, settings: ZaloConfig) -> None:
        self.client = client
        self.settings = settings

    async def send(self, chat_id: str, reply: Reply) -> SentMessage:
        text = render_text(reply, TEXT_LIMIT)
        photo = safe_url(reply.photo)
        if photo:
            try:
                return await self.client.send_photo(chat_id, photo, text or None)
            except ZaloError as exc:
                if classify(exc, self.settings).kind is not Kind.REJECTED or exc.code == 401:
                    raise
                log.warning(
                    "chat zalo:%s: photo refused (%s %s); sending the story as text",
                    chat_id,
                    exc.code,
                    exc.description,
                )
        if not text:
            raise ValueError("nothing to send")
        return await self.client.send_message(chat_id, text)


class ZaloMessenger(PlatformMessenger):
    """The delivery worker's hands on Zalo: every error of a send becomes a SendOutcome."""

    platform = PLATFORM
    notices_as_text = True  # no toasts on Zalo: a notice is a message

    def __init__(self, sender: ZaloSender) -> None:
        self.sender = sender

    async def put(self, chat_id: str, reply: Reply) -> str | None:
        sent = await self.sender.send(chat_id, reply)
        return sent.message_id or None

    def outcome_of(self, exc: Exception) -> SendOutcome | None:
        return outcome_of(exc, self.sender.settings)

    async def put_alert(self, chat_id: str, text: str) -> None:
        body = shorten(text.strip(), TEXT_LIMIT)
        if body:
            await self.sender.client.send_message(chat_id, body)
