"""The platforms' ports: putting a reply in a chat, changing it afterwards, asking about a
chat, and the summarizer a poll calls. The composition root gives each room the ones the
platforms it runs have; nothing here knows a platform's name."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from bot.core.outcome import SendOutcome
from bot.core.records import Article, Chat, ChatInfo
from bot.core.replies import Reply


class Messenger(Protocol):
    """One platform's way to put a reply in a chat; every error becomes a SendOutcome."""

    platform: str

    async def send(self, chat: Chat, reply: Reply) -> SendOutcome: ...


class MessageEditor(Protocol):
    """A platform's way to change what it already delivered (Telegram: editMessage*/delete).

    Return False when the platform says the message is gone or can no longer be changed;
    raise for anything else (it is reported, the other chats are still tried).
    """

    async def edit_article(self, chat: Chat, message_id: str, article: Article) -> bool: ...

    async def delete_message(self, chat: Chat, message_id: str) -> bool: ...


class ChatAccess(Protocol):
    """What the platform says about a chat (Telegram: getChatMember for the user and the bot)."""

    async def is_admin(self, platform: str, chat_id: str, user_id: str) -> bool:
        """Is this user an administrator (or the creator) of that chat?"""
        ...

    async def can_post(self, platform: str, chat_id: str) -> bool:
        """May the bot send messages there (a channel admin with post rights, a group member)?"""
        ...


@runtime_checkable
class ChatDirectory(Protocol):
    """Optional beside `ChatAccess`: "@name" → the chat's numeric id and title (getChat)."""

    async def resolve(self, platform: str, ref: str) -> ChatInfo | None: ...


class Summarizer(Protocol):
    """Turns a story's text into the summary a card shows (offline, or an LLM with fallback)."""

    async def __call__(
        self, title: str, paragraphs: Sequence[str], lead: str | None, budget: int
    ) -> str: ...
