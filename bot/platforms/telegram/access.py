"""What the admin room asks of Telegram: rights in a chat, "@name" → the chat, and changing
or deleting a story already delivered (`ChatAccess`, `ChatDirectory`, `MessageEditor`)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from telegram import Bot
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, InvalidToken
from telegram.request import HTTPXRequest

from bot.core.records import Article, Chat, ChatInfo
from bot.core.replies import Reply
from bot.core.settings import TelegramConfig
from bot.platforms.base import silence_library_logs
from bot.platforms.telegram.errors import is_message_gone
from bot.platforms.telegram.send import PLATFORM, Sender

log = logging.getLogger(__name__)

CardFn = Callable[[Article, str, str | None, str], Reply]


def silence_logs(token: str) -> None:
    """httpx logs every URL (token included); PTB logs requests at DEBUG."""
    silence_library_logs(token, "telegram", "telegram.ext", "telegram.Bot")


class TelegramChats:
    """The admin room's view of Telegram (bot.admin's `ChatAccess`, `ChatDirectory` and
    `MessageEditor`): rights in a chat, "@name" → the chat, changing delivered stories.

    `own_bot`: the bot is ours alone (the CLI), opened and closed around each question;
    otherwise it is the running Application's, already initialized.
    """

    def __init__(
        self,
        bot: Bot,
        *,
        card: CardFn,
        timezone: str,
        bot_username: Callable[[], str | None] = lambda: None,
        own_bot: bool = False,
    ) -> None:
        self._bot = bot
        self.sender = Sender(bot)
        self.card = card
        self.timezone = timezone
        self.bot_username = bot_username
        self.own_bot = own_bot

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[Bot]:
        if not self.own_bot:
            yield self._bot
            return
        try:
            await self._bot.initialize()
        except InvalidToken:  # PTB's message quotes the token: never pass it on
            await self._bot.shutdown()
            raise RuntimeError("Telegram từ chối token của bot") from None
        try:
            yield self._bot
        finally:
            await self._bot.shutdown()

    # ChatAccess ---------------------------------------------------------------------

    async def is_admin(self, platform: str, chat_id: str, user_id: str) -> bool:
        if platform != PLATFORM:
            return False
        async with self._session() as bot:
            try:
                member = await bot.get_chat_member(chat_id, int(user_id))
            except BadRequest as exc:
                message = exc.message.lower()
                if "user not found" in message or "participant_id_invalid" in message:
                    return False  # not in that chat at all
                raise  # "chat not found" and the like: the caller is told why
        return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)

    async def can_post(self, platform: str, chat_id: str) -> bool:
        """A channel: the bot is an administrator allowed to post. A group: a member."""
        if platform != PLATFORM:
            return False
        async with self._session() as bot:
            chat = await bot.get_chat(chat_id)
            member = await bot.get_chat_member(chat_id, bot.id)
        status = member.status
        if chat.type == ChatType.CHANNEL:
            return status == ChatMemberStatus.ADMINISTRATOR and bool(
                getattr(member, "can_post_messages", False)
            )
        if status == ChatMemberStatus.RESTRICTED:
            return bool(getattr(member, "can_send_messages", False))
        return status in (
            ChatMemberStatus.MEMBER,
            ChatMemberStatus.ADMINISTRATOR,
            ChatMemberStatus.OWNER,
        )

    # ChatDirectory ------------------------------------------------------------------

    async def resolve(self, platform: str, ref: str) -> ChatInfo | None:
        if platform != PLATFORM:
            return None
        async with self._session() as bot:
            try:
                chat = await bot.get_chat(ref)
            except BadRequest as exc:
                if "chat not found" in exc.message.lower():
                    return None
                raise
        title = chat.title or (f"@{chat.username}" if chat.username else chat.full_name)
        return ChatInfo(chat_id=str(chat.id), title=title, kind=chat.type)

    # MessageEditor ------------------------------------------------------------------

    async def edit_article(self, chat: Chat, message_id: str, article: Article) -> bool:
        """The story's card as the push renders it, in place of the one delivered."""
        reply = self.card(article, chat.language, self.bot_username(), self.timezone)
        try:
            async with self._session():
                await self.sender.replace(chat.chat_id, int(message_id), reply)
        except BadRequest as exc:
            if is_message_gone(exc):
                log.info(
                    "chat telegram:%s: message %s not edited: %s",
                    chat.chat_id,
                    message_id,
                    exc.message,
                )
                return False
            raise
        return True

    async def delete_message(self, chat: Chat, message_id: str) -> bool:
        try:
            async with self._session() as bot:
                await bot.delete_message(chat.chat_id, int(message_id))
        except BadRequest as exc:
            if is_message_gone(exc):
                log.info(
                    "chat telegram:%s: message %s not deleted: %s",
                    chat.chat_id,
                    message_id,
                    exc.message,
                )
                return False
            raise
        return True


def make_bot(settings: TelegramConfig) -> Bot:
    """A bare Bot for `[telegram] api_base_url` (the running bot uses its Application's)."""
    base = settings.api_base_url.rstrip("/")
    connect, read = settings.connect_timeout_seconds, settings.read_timeout_seconds
    return Bot(
        settings.token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(
            connect_timeout=connect, read_timeout=read, write_timeout=read, pool_timeout=connect
        ),
    )


def make_chat_access(settings: TelegramConfig, timezone: str) -> TelegramChats:
    """For `bantin channels add`: the same checks as in chat, with a bot of its own."""
    from handlers.cards import article_card

    silence_logs(settings.token)
    return TelegramChats(make_bot(settings), card=article_card, timezone=timezone, own_bot=True)
