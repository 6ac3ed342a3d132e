"""python-telegram-bot's errors as delivery outcomes, and the Bad Requests we act on.

Order matters: PTB's `BadRequest` and `TimedOut` are subclasses of `NetworkError`, so they
are caught before it.
"""

from __future__ import annotations

import warnings

import aiohttp
import httpx
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

from bot.core.outcome import SendOutcome
from bot.platforms.aio import NOT_SENT
from bot.platforms.base import stable_cause

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
# Failures before the whole request was written: Telegram cannot have acted on it.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteTimeout,
    httpx.WriteError,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
    *NOT_SENT,  # aiohttp's (transport.py): no connection made, or none came free in time
)
# The message no longer exists, or may no longer be changed: a fact, not a failure.
_MESSAGE_GONE = (
    "message to edit not found",
    "message to delete not found",
    "message can't be edited",
    "message can't be deleted",
    "message_id_invalid",
)

# A forum topic that will keep refusing: closed, deleted, or never there.
_TOPIC_GONE = (
    "topic_closed",
    "topic_deleted",
    "message thread not found",
    "topic_id_invalid",
    "topic not found",
)


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
        return SendOutcome.rejected(f"Bad Request: {exc.message}", cause=stable_cause(exc.message))
    if isinstance(exc, InvalidToken):
        return SendOutcome.rejected("the bot token was refused", cause="invalid token")
    if isinstance(exc, NetworkError):  # TimedOut included
        cause = exc.__cause__
        if isinstance(cause, _NOT_SENT):
            return SendOutcome.retry(f"not sent: {type(cause).__name__}")
        if isinstance(exc, TimedOut) and (
            cause is None or isinstance(cause, httpx.ReadTimeout | TimeoutError)
        ):
            return SendOutcome.retry("read timeout", maybe_sent=True)
        if isinstance(cause, httpx.HTTPError | aiohttp.ClientError):  # reset mid-answer
            return SendOutcome.retry(f"network: {type(cause).__name__}", maybe_sent=True)
        # Telegram answered a 5xx (PTB raises NetworkError with no cause): it had the
        # request, and may have delivered it.
        return SendOutcome.retry(f"server: {exc.message}", maybe_sent=True)
    return SendOutcome.retry(f"{type(exc).__name__}: {exc.message}")


def outcome_of(exc: Exception) -> SendOutcome | None:
    """Any exception of a send: PTB's classified, httpx's (PTB wraps them) retried."""
    if isinstance(exc, TelegramError):
        return classify(exc)
    if isinstance(exc, httpx.HTTPError | aiohttp.ClientError):
        return SendOutcome.retry(
            f"network: {type(exc).__name__}", maybe_sent=not isinstance(exc, _NOT_SENT)
        )
    return None


def _says(exc: BadRequest, phrases: tuple[str, ...]) -> bool:
    message = exc.message.lower()
    return any(text in message for text in phrases)


def is_photo_error(exc: BadRequest) -> bool:
    return _says(exc, _PHOTO_ERRORS)


def is_html_error(exc: BadRequest) -> bool:
    return _says(exc, ("can't parse entities", "can't find end tag"))


def is_not_modified(exc: BadRequest) -> bool:
    return _says(exc, ("not modified",))


def is_topic_gone(exc: BadRequest) -> bool:
    return _says(exc, _TOPIC_GONE)


def is_message_gone(exc: BadRequest) -> bool:
    return _says(exc, _MESSAGE_GONE)
