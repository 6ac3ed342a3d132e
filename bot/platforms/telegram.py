"""The Telegram adapter: the only place that knows python-telegram-bot and Telegram's errors.

Updates come in through PTB's Application (long polling), become platform-neutral
`Request`s for the handlers, and each `Reply` is rendered here as Telegram HTML — escaped
here and only here, cut at Telegram's limits on a sentence or word boundary, never inside
a tag. Pushes go out through `TelegramMessenger`, driven by the delivery worker, which
maps every PTB error to a platform-neutral `SendOutcome`.
"""

from __future__ import annotations

import contextlib
import html
import logging
import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import httpx
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
    Message,
    Update,
    User,
)
from telegram import Chat as TgChat
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.admin.access import CachedChatAccess, admin_ids
from bot.core.outcome import Kind, SendOutcome
from bot.core.records import Article, Chat, ChatInfo
from bot.core.replies import Button, Reply, Request, Span, safe_url
from bot.core.settings import Config
from bot.delivery.ratelimit import Limits, RateLimiter
from bot.delivery.worker import DeliveryWorker, WorkerSettings
from bot.platforms.cutting import shorten, units
from bot.platforms.redact import protect_token
from bot.store import Store
from handlers.base import Context
from handlers.router import ALIASES, parse_command

log = logging.getLogger(__name__)

PLATFORM = "telegram"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
INLINE_RESULTS = 10
# In a group, only these change what the group gets (handlers.subscriber.may_change): only for
# them is the sender's admin status worth a getChatMember (the router's aliases included).
_GROUP_ADMIN_COMMANDS = frozenset({"start", "stop", "settings", "lang"})
_GROUP_ADMIN_BUTTONS = frozenset({"set", "lang"})  # callback data "set:…", "lang:…"
_ARTICLE_REF = re.compile(r"^a_(\d{1,12})$")
_PHOTO_ERRORS = (
    "wrong file identifier",
    "http url",
    "failed to get http url content",
    "image_process_failed",
    "photo_invalid",
    "wrong type of the web page content",
    "wrong remote file",
    "photo_save_file_invalid",
    "media_empty",
    "photo_ext_invalid",
)
_GONE_ERRORS = (
    "chat not found",
    "user not found",
    "peer_id_invalid",
    "bot was kicked",
    "bot is not a member",
    "chat_write_forbidden",
    "user is deactivated",
)
# The message no longer exists, or may no longer be changed: a fact, not a failure.
_MESSAGE_GONE = (
    "message to edit not found",
    "message to delete not found",
    "message can't be edited",
    "message can't be deleted",
    "message_id_invalid",
)

Handle = Callable[[Request, Context], Awaitable[list[Reply]]]
CardFn = Callable[[Article, str, str | None, str], Reply]


# ---- rendering: Reply → Telegram HTML ------------------------------------------------


def fit_spans(spans: Sequence[Span], limit: int) -> tuple[Span, ...]:
    """Make the visible text fit `limit`, shortening the longest plain span first.

    Markup (bold, links) is never cut in the middle: a marked span is kept whole or, when
    nothing else is left to shorten, its text is cut like plain text and stays marked.
    """
    out = [span for span in spans if span.text]
    total = sum(units(s.text) for s in out)
    while total > limit and out:
        excess = total - limit
        plain = [i for i, s in enumerate(out) if s.url is None and not s.bold]
        index = max(plain or range(len(out)), key=lambda i: units(out[i].text))
        keep = units(out[index].text) - excess
        if keep >= 8:
            out[index] = replace(out[index], text=shorten(out[index].text, keep))
        else:
            del out[index]
        total = sum(units(s.text) for s in out)
    return tuple(out)


def render_html(spans: Sequence[Span], limit: int) -> str:
    parts: list[str] = []
    for span in fit_spans(spans, limit):
        text = html.escape(span.text, quote=False)
        if span.bold:
            text = f"<b>{text}</b>"
        url = safe_url(span.url)
        if url:
            text = f'<a href="{html.escape(url, quote=True)}">{text}</a>'
        parts.append(text)
    return "".join(parts)


def render_plain(spans: Sequence[Span], limit: int) -> str:
    """The same text without markup, for when Telegram refuses our HTML."""
    return "".join(span.text for span in fit_spans(spans, limit))


def keyboard(buttons: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for row in buttons:
        out: list[InlineKeyboardButton] = []
        for button in row:
            label = button.text[:64] or "·"
            if button.url is not None:
                url = safe_url(button.url)
                if url:
                    out.append(InlineKeyboardButton(label, url=url))
            elif button.callback is not None:
                data = button.callback
                if len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    out.append(InlineKeyboardButton(label, callback_data=data))
                else:
                    log.warning("button %r dropped: callback data over 64 bytes", label)
            elif button.share is not None:
                out.append(InlineKeyboardButton(label, switch_inline_query=button.share))
        if out:
            rows.append(out)
    return InlineKeyboardMarkup(rows) if rows else None


def classify(exc: TelegramError) -> SendOutcome:
    """A PTB error as an outcome. Order matters: BadRequest and TimedOut are NetworkErrors."""
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that the type will change
            warnings.simplefilter("ignore")
            wait = exc.retry_after
        seconds = wait if isinstance(wait, int | float) else wait.total_seconds()
        return SendOutcome.retry(f"flood wait {seconds:g} s", retry_after=float(seconds))
    if isinstance(exc, ChatMigrated):
        return SendOutcome.migrated(exc.new_chat_id, "group upgraded to a supergroup")
    if isinstance(exc, Forbidden):
        message = exc.message
        return SendOutcome.gone(
            message if "forbidden" in message.lower() else f"Forbidden: {message}"
        )
    if isinstance(exc, BadRequest):
        message = exc.message.lower()
        if any(text in message for text in _GONE_ERRORS):
            return SendOutcome.gone(f"Bad Request: {exc.message}")
        return SendOutcome.rejected(f"Bad Request: {exc.message}", cause=_cause(exc.message))
    if isinstance(exc, InvalidToken):
        return SendOutcome.rejected("the bot token was refused", cause="invalid token")
    if isinstance(exc, TimedOut):
        cause = exc.__cause__
        if isinstance(cause, httpx.ConnectTimeout | httpx.PoolTimeout):
            return SendOutcome.retry(f"not sent: {type(cause).__name__}")
        return SendOutcome.retry("read timeout", maybe_sent=True)
    if isinstance(exc, NetworkError):
        cause = exc.__cause__
        if isinstance(cause, httpx.ConnectError):
            return SendOutcome.retry(f"not sent: {exc.message}")
        return SendOutcome.retry(f"network: {exc.message}")
    return SendOutcome.retry(f"{type(exc).__name__}: {exc.message}")


def _cause(message: str) -> str:
    """A stable name for a cause: the message without numbers and quoted details."""
    return re.sub(r"\d+|\"[^\"]*\"|'[^']*'", "#", message.lower())[:80]


def _is_photo_error(exc: BadRequest) -> bool:
    message = exc.message.lower()
    return any(text in message for text in _PHOTO_ERRORS)


def _is_html_error(exc: BadRequest) -> bool:
    message = exc.message.lower()
    return "can't parse entities" in message or "can't find end tag" in message


def _is_not_modified(exc: BadRequest) -> bool:
    return "not modified" in exc.message.lower()


def _is_message_gone(exc: BadRequest) -> bool:
    message = exc.message.lower()
    return any(text in message for text in _MESSAGE_GONE)


# ---- sending -----------------------------------------------------------------------


class Sender:
    """Puts a Reply in a chat: photo with caption, else text; falls back instead of failing."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, reply: Reply) -> Message:
        markup = keyboard(reply.buttons)
        photo = safe_url(reply.photo)
        if photo:
            try:
                return await self._send_html(chat_id, reply, markup, photo)
            except BadRequest as exc:
                if not _is_photo_error(exc):
                    raise
                log.warning(
                    "chat telegram:%s: photo refused (%s); sending the story as text",
                    chat_id,
                    exc.message,
                )
        return await self._send_html(chat_id, reply, markup, None)

    async def _send_html(
        self, chat_id: str, reply: Reply, markup: InlineKeyboardMarkup | None, photo: str | None
    ) -> Message:
        limit = CAPTION_LIMIT if photo else TEXT_LIMIT
        try:
            return await self._send_once(
                chat_id, render_html(reply.body, limit), ParseMode.HTML, markup, photo, reply
            )
        except BadRequest as exc:
            if not _is_html_error(exc):
                raise
            log.error(
                "chat telegram:%s: Telegram refused our HTML (%s); sent as plain text",
                chat_id,
                exc.message,
            )
            return await self._send_once(
                chat_id, render_plain(reply.body, limit), None, markup, photo, reply
            )

    async def _send_once(
        self,
        chat_id: str,
        text: str,
        parse_mode: str | None,
        markup: InlineKeyboardMarkup | None,
        photo: str | None,
        reply: Reply,
    ) -> Message:
        if photo:
            message: Message = await self.bot.send_photo(
                chat_id=chat_id,
                photo=photo,
                caption=text,
                parse_mode=parse_mode,
                reply_markup=markup,
            )
            return message
        preview_url = safe_url(reply.preview_url)
        preview = (
            LinkPreviewOptions(url=preview_url, prefer_large_media=True)
            if preview_url
            else LinkPreviewOptions(is_disabled=True)
        )
        message = await self.bot.send_message(
            chat_id=chat_id,
            text=text,
            parse_mode=parse_mode,
            reply_markup=markup,
            link_preview_options=preview,
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
            if not _is_html_error(exc):
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
                preview_url = safe_url(reply.preview_url)
                await self.bot.edit_message_text(
                    text,
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=parse_mode,
                    reply_markup=markup,
                    link_preview_options=(
                        LinkPreviewOptions(url=preview_url, prefer_large_media=True)
                        if preview_url
                        else LinkPreviewOptions(is_disabled=True)
                    ),
                )
        except BadRequest as exc:
            if not _is_not_modified(exc):
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
            if "not modified" not in exc.message.lower():
                raise


class TelegramMessenger:
    """The delivery worker's hands on Telegram: every error of a send becomes an SendOutcome."""

    platform = PLATFORM

    def __init__(self, sender: Sender) -> None:
        self.sender = sender

    async def send(self, chat: Chat, reply: Reply) -> SendOutcome:
        try:
            message = await self.sender.send(chat.chat_id, reply)
        except TelegramError as exc:
            return classify(exc)
        except httpx.HTTPError as exc:  # PTB wraps these; belt and braces
            return SendOutcome.retry(f"network: {type(exc).__name__}")
        return SendOutcome.sent(message.message_id)


# ---- what the admin room asks of Telegram ---------------------------------------------


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
            if _is_message_gone(exc):
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
            if _is_message_gone(exc):
                log.info(
                    "chat telegram:%s: message %s not deleted: %s",
                    chat.chat_id,
                    message_id,
                    exc.message,
                )
                return False
            raise
        return True


def make_bot(config: Config, timeouts: tuple[float, float] = (5.0, 10.0)) -> Bot:
    """A bare Bot for `[telegram] api_base_url` (the running bot uses its Application's)."""
    base = config.telegram.api_base_url.rstrip("/")
    connect, read = timeouts
    return Bot(
        config.telegram.token,
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(
            connect_timeout=connect, read_timeout=read, write_timeout=read, pool_timeout=connect
        ),
    )


def make_chat_access(config: Config) -> TelegramChats:
    """For `bantin channels add`: the same checks as in chat, with a bot of its own."""
    from handlers.cards import article_card

    silence_library_logs(config.telegram.token)
    return TelegramChats(
        make_bot(config), card=article_card, timezone=config.timezone, own_bot=True
    )


# ---- the platform --------------------------------------------------------------------


def silence_library_logs(token: str) -> None:
    """httpx logs every URL (token included); PTB logs requests at DEBUG."""
    protect_token(token, ("httpx", "httpcore", "telegram", "telegram.ext", "telegram.Bot"))


def command_descriptions(commands: Mapping[str, Any], language: str) -> dict[str, str]:
    """name → description in `language`, from language → name → text (the router's shape)
    or name → language → text."""
    if language in commands and isinstance(commands[language], Mapping):
        return {str(k): str(v) for k, v in commands[language].items()}
    out: dict[str, str] = {}
    for name, description in commands.items():
        if isinstance(description, Mapping):
            out[str(name)] = str(description.get(language) or description.get("vi") or name)
        elif name not in ("vi", "en"):
            out[str(name)] = str(description)
    return out


def _default_handle() -> tuple[Handle, Mapping[str, Any]]:
    from handlers.router import COMMANDS, handle

    return handle, COMMANDS


class TelegramPlatform:
    """PTB's Application (updates in), our worker (pushes out), one event loop."""

    name = PLATFORM

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        handle: Handle | None = None,
        commands: Mapping[str, Any] | None = None,
        worker_settings: WorkerSettings | None = None,
        timeouts: tuple[float, float] = (5.0, 10.0),
        poll_timeout: int = 10,
    ) -> None:
        from handlers.cards import article_card

        self.config = config
        self.store = store
        settings = config.telegram
        if handle is None:
            handle, default_commands = _default_handle()
            commands = default_commands if commands is None else commands
        self.handle = handle
        self.commands: Mapping[str, Any] = commands or {}
        self.poll_timeout = poll_timeout
        connect, read = timeouts
        base = settings.api_base_url.rstrip("/")
        self.application = (
            ApplicationBuilder()
            .token(settings.token)
            .base_url(f"{base}/bot")
            .base_file_url(f"{base}/file/bot")
            .connection_pool_size(max(16, int(settings.messages_per_second * 4)))
            .connect_timeout(connect)
            .read_timeout(read)
            .write_timeout(read)
            .pool_timeout(connect)
            .get_updates_read_timeout(poll_timeout + read)
            .concurrent_updates(8)
            .build()
        )
        self.context = Context(
            store=store,
            timezone=config.timezone,
            default_language=config.language,
            admins=admin_ids(config),
        )
        self.sender = Sender(self.application.bot)
        self.messenger = TelegramMessenger(self.sender)
        # For the admin room (App wires it): rights, "@name" lookups, edits and deletes.
        self.chats = TelegramChats(
            self.application.bot,
            card=article_card,
            timezone=config.timezone,
            bot_username=lambda: self.bot_username,
        )
        # Who may change a group's subscription, asked of Telegram at most once a minute.
        self.access = CachedChatAccess(self.chats)
        self.limiter = RateLimiter(
            Limits(
                messages_per_second=settings.messages_per_second,
                private_chat_per_second=settings.private_chat_per_second,
                group_per_minute=settings.group_per_minute,
            )
        )
        self.worker = DeliveryWorker(
            store,
            self.messenger,
            self.limiter,
            worker_settings
            or WorkerSettings(max_in_flight=max(8, int(settings.messages_per_second * 2))),
            timezone=config.timezone,
            notify_admins=self.notify_admins,
        )
        self.bot_username: str | None = None
        self._channels = {c.lower().lstrip("@") for c in settings.channels}
        app = self.application
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

    # ---- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        silence_library_logs(self.config.telegram.token)
        app = self.application
        await app.initialize()
        self.bot_username = app.bot.username
        await self._set_commands()
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(
            timeout=self.poll_timeout,
            allowed_updates=[
                "message",
                "channel_post",
                "callback_query",
                "inline_query",
                "my_chat_member",
            ],
        )
        self.worker.start()
        log.info("telegram: @%s polling, delivery worker running", self.bot_username)

    async def stop(self) -> None:
        """Worker first (it owns claimed rows), then the updater and the application."""
        await self.worker.stop()
        app = self.application
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()

    async def notify_admins(self, text: str) -> None:
        for admin in self.config.telegram.admins:
            try:
                await self.application.bot.send_message(
                    chat_id=admin,
                    text=text[:TEXT_LIMIT],
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
            except TelegramError as exc:
                log.warning("telegram: could not alert admin %s: %s", admin, exc)

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

    # ---- updates -----------------------------------------------------------------------

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
            bot_username=self.bot_username,
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
    def _needs_admin(chat: TgChat, command: str | None = None, button: str | None = None) -> bool:
        """In a group, does this request change the group (so that who asks matters)?"""
        if chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
            return True  # private chats and channels: always allowed, nothing to ask
        if command is not None:
            return ALIASES.get(command, command) in _GROUP_ADMIN_COMMANDS
        if button is not None:
            return button.partition(":")[0] in _GROUP_ADMIN_BUTTONS
        return False

    async def _on_message(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None:
            return
        text = message.text or message.caption or ""
        command: str | None = None
        args: tuple[str, ...] = ()
        parsed = parse_command(text, self.bot_username)
        if parsed is not None:
            command, args = parsed
        elif chat.type != ChatType.PRIVATE:
            return  # in groups and channels the bot answers commands only, its own
        elif parse_command(text) is not None:
            return  # a command for another bot
        is_admin = False
        if command is not None and self._needs_admin(chat, command=command):
            if message.sender_chat is not None and message.sender_chat.id == chat.id:
                is_admin = True  # an anonymous admin, writing as the group itself
            else:
                is_admin = await self._is_chat_admin(chat, update.effective_user)
        request = self._request(
            update, text=text, command=command, args=args, is_chat_admin=is_admin
        )
        if request is None:
            return
        log.info("chat telegram:%s: %s", chat.id, f"/{command}" if command else "text")
        await self._answer(request, str(chat.id), None)

    async def _on_callback(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        chat = update.effective_chat
        data = query.data or ""
        is_admin = (
            chat is not None
            and self._needs_admin(chat, button=data)
            and await self._is_chat_admin(chat, update.effective_user)
        )
        request = self._request(update, callback=data, is_chat_admin=is_admin)
        notice: str | None = None
        if request is not None and chat is not None:
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
        notice: str | None = None
        for reply in replies:
            if reply.notice:
                notice = reply.notice
            if not reply.body:
                continue
            try:
                if reply.edit and message is not None:
                    await self.sender.edit(message, reply)
                else:
                    await self.sender.send(chat_id, reply)
            except TelegramError as exc:
                outcome = classify(exc)
                log.warning("chat telegram:%s: reply not sent: %s", chat_id, outcome.reason)
                if outcome.kind is Kind.GONE:
                    chat = await self.store.chats.get(PLATFORM, chat_id)
                    if chat is not None:
                        await self.store.chats.deactivate(chat.id, outcome.reason)
                break
        return notice

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
            bot_username=self.bot_username,
            inline=True,
        )
        try:
            replies = await self.handle(request, self.context)
        except Exception:
            log.exception("inline query from %s: handler failed", user.id)
            replies = []
        results = [
            self._inline_result(i, reply)
            for i, reply in enumerate(replies[:INLINE_RESULTS])
            if reply.body
        ]
        try:
            await query.answer(results, cache_time=30, is_personal=False)
        except TelegramError as exc:
            log.warning("inline query from %s: answer refused: %s", user.id, exc)

    @staticmethod
    def _inline_result(index: int, reply: Reply) -> InlineQueryResultArticle:
        """One story card (`handlers.search.inline_results`) as an inline result.

        The card's first bold span (its title) is the result's title, the rest of its text
        the description; the card itself, buttons included, is what the reader posts.
        """
        head = next((span for span in reply.body if span.bold), None)
        title = (head.text if head is not None else reply.plain).strip()[:120] or "Bantin"
        rest = "".join(span.text for span in reply.body if span is not head)
        description = rest.strip()[:200] if head is not None else ""
        preview = safe_url(reply.preview_url)
        return InlineQueryResultArticle(
            id=str(index),
            title=title,
            description=description or None,
            url=preview,
            thumbnail_url=safe_url(reply.photo),
            input_message_content=InputTextMessageContent(
                render_html(reply.body, TEXT_LIMIT),
                parse_mode=ParseMode.HTML,
                link_preview_options=(
                    LinkPreviewOptions(url=preview)
                    if preview
                    else LinkPreviewOptions(is_disabled=True)
                ),
            ),
            reply_markup=keyboard(reply.buttons),
        )

    async def _on_my_chat_member(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None:
            return
        chat = change.chat
        old, new = change.old_chat_member.status, change.new_chat_member.status
        removed = new in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
        known = await self.store.chats.get(PLATFORM, str(chat.id))
        if known is None and chat.username:
            known = await self.store.chats.get(PLATFORM, f"@{chat.username}")
        if removed:
            if known is not None:
                await self.store.chats.deactivate(known.id, f"bot removed ({new})")
            log.warning("chat telegram:%s (%s) deactivated: bot %s", chat.id, chat.type, new)
            return
        if old in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
            if known is None:
                known = await self.store.chats.upsert(
                    PLATFORM,
                    str(chat.id),
                    kind=chat.type,
                    title=chat.title,
                )
            configured = {str(chat.id).lower()} | (
                {chat.username.lower()} if chat.username else set()
            )
            if known.is_channel or configured & self._channels:
                await self.store.chats.subscribe(known.id, None)
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
