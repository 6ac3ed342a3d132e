"""Our own small client of the Zalo Bot API, typed, over aiohttp (httpx for socks).

No Python package for the Zalo Bot Platform is good enough to depend on. Every failure is
a `ZaloError` (Zalo answered `ok: false`) or a `ZaloNetworkError` (no answer); neither
carries the URL, which holds the token. Redirects are not followed: one would carry the
token somewhere else. aiohttp costs a tenth of httpx's CPU a request (bench/fanout.py
--unlimited --zalo); httpx stays for a socks5 proxy, which aiohttp cannot reach, and for
a test's own `transport`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx

from bot.core.settings import ZALO_API
from bot.platforms.aio import NOT_SENT, POOL, ProxyRoute, needs_httpx, new_session
from bot.platforms.cutting import units
from bot.platforms.wire import wire_hooks

TEXT_LIMIT = 2000  # sendMessage text and sendPhoto caption: 1–2000 characters (docs)
EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"
# Failures before the whole request was written: Zalo cannot have acted on it.
_NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteTimeout,
    httpx.WriteError,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


class ZaloError(Exception):
    """Zalo answered `ok: false`. Carries its error_code and description, never the URL."""

    def __init__(self, method: str, code: int, description: str, http_status: int) -> None:
        super().__init__(f"{method}: {code} {description}")
        self.method = method
        self.code = code
        self.description = description
        self.http_status = http_status


class ZaloNetworkError(Exception):
    """No answer from Zalo. `maybe_sent`: the request may have arrived (a read timeout)."""

    def __init__(self, method: str, reason: str, *, maybe_sent: bool) -> None:
        super().__init__(f"{method}: {reason}")
        self.method = method
        self.reason = reason
        self.maybe_sent = maybe_sent


@dataclass(frozen=True, slots=True)
class BotInfo:
    id: str
    account_name: str
    account_type: str = ""
    can_join_groups: bool = False


@dataclass(frozen=True, slots=True)
class SentMessage:
    message_id: str
    date: int | None = None


@dataclass(frozen=True, slots=True)
class WebhookInfo:
    url: str
    updated_at: int | None = None


@dataclass(frozen=True, slots=True)
class ZaloUpdate:
    """One incoming event, as the docs' webhook sample shapes it (getUpdates: the same)."""

    event_name: str
    chat_id: str
    chat_type: str = "PRIVATE"
    user_id: str | None = None
    user_name: str | None = None
    is_bot: bool = False
    text: str | None = None
    photo: str | None = None
    caption: str | None = None
    message_id: str | None = None
    date: int | None = None

    @property
    def is_private(self) -> bool:
        return self.chat_type.upper() == "PRIVATE"


def _str(value: object) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError, OverflowError):
        return None


class _Malformed(Exception):
    """A field of an update has a type the documentation does not give it."""


def _field(data: dict[str, Any], key: str, *, number: bool = False) -> str | None:
    """A text field: absent or null is None; a whole number where `number` (an id) is its
    digits; anything else, or text that is not Unicode (a lone surrogate), is malformed."""
    value = data.get(key)
    if value is None:
        return None
    if number and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise _Malformed(key)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise _Malformed(key) from None
    return value


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Malformed(key)
    return value


def parse_update(payload: object) -> ZaloUpdate | None:
    """`{ok, result: {event_name, message}}` or the bare result; None when it is not one
    (a field of the wrong type included: the webhook answers such a body 400)."""
    if not isinstance(payload, dict):
        return None
    if "result" in payload and "event_name" not in payload:
        payload = payload["result"]
        if not isinstance(payload, dict):
            return None
    event = payload.get("event_name")
    message = payload.get("message")
    if not isinstance(event, str) or not isinstance(message, dict):
        return None
    try:
        chat = _object(message, "chat")
        sender = _object(message, "from")
        chat_id = _field(chat, "id", number=True) or _field(sender, "id", number=True)
        is_bot = sender.get("is_bot", False)
        date = message.get("date")
        if not isinstance(is_bot, bool) or not (
            date is None or (isinstance(date, int | float) and not isinstance(date, bool))
        ):
            return None
        if not chat_id:
            return None
        return ZaloUpdate(
            event_name=event,
            chat_id=chat_id,
            chat_type=_field(chat, "chat_type") or "PRIVATE",
            user_id=_field(sender, "id", number=True),
            user_name=_field(sender, "display_name"),
            is_bot=is_bot,
            text=_field(message, "text"),
            photo=_field(message, "photo"),
            caption=_field(message, "caption"),
            message_id=_field(message, "message_id", number=True),
            date=_int(date),
        )
    except _Malformed:
        return None


class ZaloClient:
    """The Bot API methods we use, typed. Every failure is a ZaloError or ZaloNetworkError."""

    def __init__(
        self,
        token: str,
        base_url: str = ZALO_API,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 15.0,
        max_connections: int = 32,
        transport: httpx.AsyncBaseTransport | None = None,
        proxy: str | None = None,
        on_answer: Callable[[], None] | None = None,
    ) -> None:
        """`proxy`: `[zalo] proxy_url`; without it HTTPS_PROXY / ALL_PROXY are read."""
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self._on_answer = on_answer
        self._headers = {"User-Agent": "Bantin (Zalo Bot API client)"}
        self._max_connections = min(max_connections, POOL)
        self._route = ProxyRoute(proxy)
        self._session: aiohttp.ClientSession | None = None
        self._http: httpx.AsyncClient | None = None
        if transport is not None or needs_httpx(proxy or "", dict(os.environ)):
            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout),
                limits=httpx.Limits(
                    max_connections=self._max_connections,
                    max_keepalive_connections=self._max_connections,
                ),
                follow_redirects=False,  # a redirect would carry the token somewhere else
                transport=transport,
                proxy=proxy or None,
                headers=self._headers,
                event_hooks=wire_hooks(),
            )

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        read_timeout: float | None = None,
    ) -> Any:
        """POST JSON to /bot<TOKEN>/<method>; the `result` of an `ok` answer."""
        read = self.read_timeout if read_timeout is None else read_timeout
        if self._http is not None:
            status, raw = await self._post_httpx(method, params or {}, read)
        else:
            status, raw = await self._post(method, params or {}, read)
        if status < 500 and self._on_answer is not None:
            self._on_answer()
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise ZaloError(method, status, f"HTTP {status}, no JSON", status)
        if body.get("ok") is True:
            return body.get("result")
        code = _int(body.get("error_code")) or status
        description = str(body.get("description") or body.get("message") or "")[:300]
        raise ZaloError(method, code, description, status)

    async def _post(self, method: str, params: dict[str, Any], read: float) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            self._session = new_session(self._max_connections, self._headers)
        url = self._prefix + method
        proxy, proxy_headers, headers = self._route.route(url)
        connect = self.connect_timeout
        timeout = aiohttp.ClientTimeout(
            total=2 * connect + read, connect=2 * connect, sock_connect=connect, sock_read=read
        )
        try:
            async with self._session.post(
                url,
                json=params,
                headers=headers,
                proxy=proxy,
                proxy_headers=proxy_headers,
                timeout=timeout,
                allow_redirects=False,  # a redirect would carry the token somewhere else
            ) as response:
                return response.status, await response.read()
        except NOT_SENT as exc:
            raise ZaloNetworkError(
                method, f"not sent: {type(exc).__name__}", maybe_sent=False
            ) from None
        except (aiohttp.ClientError, TimeoutError) as exc:  # it may have arrived
            raise ZaloNetworkError(method, type(exc).__name__, maybe_sent=True) from None

    async def _post_httpx(
        self, method: str, params: dict[str, Any], read: float
    ) -> tuple[int, bytes]:
        assert self._http is not None
        timeout = httpx.Timeout(read, connect=self.connect_timeout, pool=self.connect_timeout)
        try:
            response = await self._http.post(self._prefix + method, json=params, timeout=timeout)
        except _NOT_SENT as exc:
            raise ZaloNetworkError(
                method, f"not sent: {type(exc).__name__}", maybe_sent=False
            ) from None
        except httpx.HTTPError as exc:  # a read timeout, a reset mid-answer: it may have arrived
            raise ZaloNetworkError(method, type(exc).__name__, maybe_sent=True) from None
        return response.status_code, response.content

    # -- methods --

    async def get_me(self) -> BotInfo:
        result = await self.call("getMe")
        data = result if isinstance(result, dict) else {}
        return BotInfo(
            id=_str(data.get("id")) or "",
            account_name=_str(data.get("account_name")) or _str(data.get("display_name")) or "",
            account_type=_str(data.get("account_type")) or "",
            can_join_groups=data.get("can_join_groups") is True,
        )

    async def get_updates(self, timeout: int = 30) -> list[ZaloUpdate]:
        """Long poll: at most one update per call (the API has no offset); [] when none came."""
        try:
            result = await self.call(
                "getUpdates", {"timeout": timeout}, read_timeout=timeout + self.read_timeout
            )
        except ZaloError as exc:
            if exc.code == 408:  # "Request timeout": nobody wrote during the poll
                return []
            raise
        items = result if isinstance(result, list) else [result]
        updates = [parse_update(item) for item in items]
        return [u for u in updates if u is not None]

    async def set_webhook(self, url: str, secret_token: str) -> WebhookInfo:
        if not 8 <= len(secret_token) <= 256:
            raise ValueError("secret_token must be 8 to 256 characters")
        return self._webhook(
            await self.call("setWebhook", {"url": url, "secret_token": secret_token})
        )

    async def delete_webhook(self) -> WebhookInfo:
        return self._webhook(await self.call("deleteWebhook"))

    async def get_webhook_info(self) -> WebhookInfo:
        return self._webhook(await self.call("getWebhookInfo"))

    @staticmethod
    def _webhook(result: object) -> WebhookInfo:
        data = result if isinstance(result, dict) else {}
        return WebhookInfo(url=_str(data.get("url")) or "", updated_at=_int(data.get("updated_at")))

    async def send_message(self, chat_id: str, text: str) -> SentMessage:
        if not 1 <= units(text) <= TEXT_LIMIT:
            raise ValueError("text must be 1 to 2000 characters")
        return self._sent(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> SentMessage:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo}
        if caption:
            if units(caption) > TEXT_LIMIT:
                raise ValueError("caption must be at most 2000 characters")
            params["caption"] = caption
        return self._sent(await self.call("sendPhoto", params))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    @staticmethod
    def _sent(result: object) -> SentMessage:
        data = result if isinstance(result, dict) else {}
        message_id = _str(data.get("message_id")) or ""
        return SentMessage(message_id=message_id, date=_int(data.get("date")))
