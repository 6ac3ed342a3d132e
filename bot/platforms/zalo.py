"""The Zalo adapter: our own small client of the Zalo Bot API, and the bot on top of it.

No Python package for the Zalo Bot Platform is good enough to depend on, so this module
holds a typed client over httpx (`ZaloClient`), the mapping of Zalo's answers to the
delivery outcomes (`classify`), plain-text rendering of the handlers' `Reply` (Zalo has no
markup and no buttons: links are written out, a story card is a photo with a caption),
update intake by long polling or by a small webhook listener, and `ZaloPlatform`, which
the application starts next to Telegram.

The documentation (bot.zaloplatforms.com/docs) is short; what it leaves open — which
error means "this user blocked the bot", how a 429 should be waited out, how characters
are counted — is a field of `ZaloSettings`, with a conservative default.

The token is part of every request URL: nothing here logs a URL, httpx's own logger is
raised to WARNING, and a filter scrubs the token from any log line that carries it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.admin.access import admin_ids
from bot.core.outcome import Kind, SendOutcome
from bot.core.records import Chat
from bot.core.replies import Reply, Request, Span, safe_url
from bot.core.settings import ZALO_API, Config
from bot.delivery.ratelimit import Limits, RateLimiter
from bot.delivery.worker import DeliveryWorker, WorkerSettings
from bot.platforms.cutting import shorten as cut_text
from bot.platforms.cutting import units
from bot.platforms.redact import protect_token
from bot.store import Store
from handlers.base import Context

log = logging.getLogger(__name__)

PLATFORM = "zalo"
TEXT_LIMIT = 2000  # sendMessage text and sendPhoto caption: 1–2000 characters (docs)
SECRET_HEADER = "x-bot-api-secret-token"
EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_UNSUPPORTED = "message.unsupported.received"
_URL = re.compile(r"https?://\S+")

Handle = Callable[[Request, Context], Awaitable[list[Reply]]]


@dataclass(frozen=True, slots=True)
class ZaloSettings:
    """Behaviour the Zalo documentation does not pin down; each default is the safe side.

    - `gone_codes` / `gone_phrases`: the docs list no error for "user blocked the bot" or
      "user never wrote to the bot"; a send failing with one of these codes, or whose
      description contains one of these phrases, deactivates the chat. The docs' table
      labels 403 "Internal server error", yet their own webhook sample answers 403 for
      "Unauthorized"; we read 403 as Telegram's "Forbidden" (the user is unreachable).
    - `retry_codes` / `retry_phrases`: besides every 5xx and network trouble. 408 and 429
      are in the docs; a description saying "server error" is retried whatever its code.
    - `quota_pause_seconds`: a 429 carries no retry_after; every send waits this long.
    - `text_limit`: counted in UTF-16 code units, which is never fewer than characters,
      so a limit counted either way is respected.
    """

    poll_timeout: int = 30  # getUpdates `timeout` (the docs' default is 30 s)
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    text_limit: int = TEXT_LIMIT
    gone_codes: frozenset[int] = frozenset({403})
    gone_phrases: tuple[str, ...] = (
        "block",
        "chặn",
        "not reachable",
        "unreachable",
        "has not interacted",
        "user not found",
        "chat not found",
        "recipient not found",
        "not follow",
        "không tồn tại",
        "không tìm thấy người dùng",
    )
    retry_codes: frozenset[int] = frozenset({408, 429})
    retry_phrases: tuple[str, ...] = ("server error", "internal error", "timeout", "try again")
    quota_pause_seconds: float = 60.0
    private_chat_per_second: float = 1.0
    typing_action: bool = True  # "typing…" while the handlers work (sendChatAction)
    delete_webhook_for_polling: bool = True  # getUpdates does not work while one is set
    handler_concurrency: int = 8
    webhook_max_body: int = 1 << 20
    webhook_read_seconds: float = 10.0
    recent_updates: int = 2048  # message ids remembered to drop a redelivered event


# ---- the client ----------------------------------------------------------------------


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
    except (TypeError, ValueError):
        return None


def parse_update(payload: object) -> ZaloUpdate | None:
    """`{ok, result: {event_name, message}}` or the bare result; None when it is not one."""
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
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    assert isinstance(chat, dict) and isinstance(sender, dict)
    chat_id = _str(chat.get("id")) or _str(sender.get("id"))
    if not chat_id:
        return None
    return ZaloUpdate(
        event_name=event,
        chat_id=chat_id,
        chat_type=_str(chat.get("chat_type")) or "PRIVATE",
        user_id=_str(sender.get("id")),
        user_name=_str(sender.get("display_name")),
        is_bot=sender.get("is_bot") is True,
        text=_str(message.get("text")),
        photo=_str(message.get("photo")),
        caption=_str(message.get("caption")),
        message_id=_str(message.get("message_id")),
        date=_int(message.get("date")),
    )


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
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._prefix = f"{base_url.rstrip('/')}/bot{token}/"
        self.read_timeout = read_timeout
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout, pool=connect_timeout),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            follow_redirects=False,  # a redirect would carry the token somewhere else
            transport=transport,
            headers={"User-Agent": "Bantin (Zalo Bot API client)"},
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        read_timeout: float | None = None,
    ) -> Any:
        """POST JSON to /bot<TOKEN>/<method>; the `result` of an `ok` answer."""
        timeout = self._http.timeout
        if read_timeout is not None:
            timeout = httpx.Timeout(read_timeout, connect=timeout.connect, pool=timeout.pool)
        try:
            response = await self._http.post(
                self._prefix + method, json=params or {}, timeout=timeout
            )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ZaloNetworkError(
                method, f"not sent: {type(exc).__name__}", maybe_sent=False
            ) from None
        except httpx.TimeoutException as exc:
            raise ZaloNetworkError(method, type(exc).__name__, maybe_sent=True) from None
        except httpx.HTTPError as exc:
            raise ZaloNetworkError(method, type(exc).__name__, maybe_sent=True) from None
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        if not isinstance(body, dict):
            raise ZaloError(
                method,
                response.status_code,
                f"HTTP {response.status_code}, no JSON",
                response.status_code,
            )
        if body.get("ok") is True:
            return body.get("result")
        code = _int(body.get("error_code")) or response.status_code
        description = str(body.get("description") or body.get("message") or "")[:300]
        raise ZaloError(method, code, description, response.status_code)

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


# ---- errors → outcomes ---------------------------------------------------------------


def classify(exc: Exception, settings: ZaloSettings | None = None) -> SendOutcome:
    """A failed send as a delivery outcome: retry later, the chat is gone, or rejected."""
    settings = settings or ZaloSettings()
    if isinstance(exc, ZaloNetworkError):
        return SendOutcome.retry(f"network: {exc.reason}", maybe_sent=exc.maybe_sent)
    if not isinstance(exc, ZaloError):
        return SendOutcome.retry(f"{type(exc).__name__}")
    code, description = exc.code, exc.description
    reason = f"Zalo {code}: {description}" if description else f"Zalo {code}"
    if code == 429:
        return SendOutcome.retry(f"{reason} (quota)", retry_after=settings.quota_pause_seconds)
    lowered = description.lower()
    if (
        code in settings.retry_codes
        or code >= 500
        or exc.http_status >= 500
        or any(p in lowered for p in settings.retry_phrases)
    ):
        return SendOutcome.retry(reason)
    if code in settings.gone_codes or any(p in lowered for p in settings.gone_phrases):
        return SendOutcome.gone(reason)
    if code == 401:
        return SendOutcome.rejected("the Zalo bot token was refused", cause="zalo invalid token")
    return SendOutcome.rejected(reason, cause=_cause(f"zalo {code} {description}"))


def _cause(message: str) -> str:
    """A stable name for a cause: without numbers and quoted details."""
    return re.sub(r"\d+|\"[^\"]*\"|'[^']*'", "#", message.lower())[:80]


# ---- rendering: Reply → plain text ---------------------------------------------------


def shorten(text: str, budget: int) -> str:
    """Cut to `budget` units with an ellipsis: whole sentences, else whole words; links whole."""
    return cut_text(text, budget, unbreakable=_URL)


def _body_text(spans: Sequence[Span]) -> str:
    """Spans as plain text; a link is written out on its own line after the line it is in.

    A link already written in the text (search results print the story's URL) is not
    repeated.
    """
    plain = "".join(span.text for span in spans)
    out: list[str] = []
    pending: list[str] = []
    for span in spans:
        url = safe_url(span.url)
        text = span.text
        if pending and "\n" in text:
            head, _, tail = text.partition("\n")
            out.append(head)
            out.extend("\n" + link for link in pending)
            pending = []
            text = "\n" + tail
        out.append(text)
        if url and url not in plain and url not in pending:
            pending.append(url)
    out.extend("\n" + link for link in pending)
    return "".join(out).strip()


def _button_lines(reply: Reply, body: str) -> list[str]:
    """Link buttons as text lines ("Đọc tiếp: URL"); other buttons cannot work on Zalo."""
    lines: list[str] = []
    for row in reply.buttons:
        for button in row:
            url = safe_url(button.url)
            if url and url not in body:
                label = button.text.strip() or "Link"
                lines.append(f"{label}: {url}")
    return lines


def render_text(reply: Reply, limit: int = TEXT_LIMIT) -> str:
    """The reply as Zalo plain text within `limit`; link lines are kept, the body is cut."""
    body = _body_text(reply.body)
    if not body and reply.notice:
        body = reply.notice.strip()
    lines = _button_lines(reply, body)
    while lines and units("\n".join(lines)) > limit // 2:
        lines.pop()  # absurd button rows: the story's text matters more
    footer = "\n".join(lines)
    if not footer:
        return shorten(body, limit)
    if not body:
        return footer
    room = limit - units(footer) - 2
    return shorten(body, room) + "\n\n" + footer


# ---- sending -------------------------------------------------------------------------


class ZaloSender:
    """Puts a Reply in a chat: a photo with its caption, else text; falls back, never half."""

    def __init__(self, client: ZaloClient, settings: ZaloSettings) -> None:
        self.client = client
        self.settings = settings

    async def send(self, chat_id: str, reply: Reply) -> SentMessage:
        text = render_text(reply, self.settings.text_limit)
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


class ZaloMessenger:
    """The delivery worker's hands on Zalo: every error of a send becomes an SendOutcome."""

    platform = PLATFORM

    def __init__(self, sender: ZaloSender) -> None:
        self.sender = sender

    async def send(self, chat: Chat, reply: Reply) -> SendOutcome:
        try:
            sent = await self.sender.send(chat.chat_id, reply)
        except (ZaloError, ZaloNetworkError) as exc:
            return classify(exc, self.sender.settings)
        except ValueError as exc:
            return SendOutcome.rejected(f"not sendable on Zalo: {exc}", cause=f"zalo {exc}")
        return SendOutcome.sent(sent.message_id or None)


# ---- the webhook listener ------------------------------------------------------------


def parse_listen(listen: str) -> tuple[str, int]:
    """ "127.0.0.1:8443" or "[::1]:8443" → (host, port)."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"webhook_listen must be host:port, got {listen!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


_REASONS = {
    200: "OK",
    400: "Bad Request",
    403: "Forbidden",
    405: "Method Not Allowed",
    408: "Request Timeout",
    411: "Length Required",
    413: "Payload Too Large",
    431: "Request Header Fields Too Large",
}


class WebhookListener:
    """A tiny HTTP/1.1 server for Zalo's POSTs: secret checked in constant time, then 200.

    Only what Zalo sends is understood: one POST with a Content-Length and a JSON body per
    connection. The secret is checked before the body is read, so a stranger cannot make
    us read a megabyte. The update is handled after the answer, so Zalo never waits on us.
    """

    def __init__(
        self,
        listen: str,
        secret: str,
        on_update: Callable[[object], None],
        *,
        max_body: int = 1 << 20,
        read_seconds: float = 10.0,
    ) -> None:
        self.host, self.port = parse_listen(listen)
        self._secret = secret.encode()
        self._on_update = on_update
        self._max_body = max_body
        self._read_seconds = read_seconds
        self._server: asyncio.Server | None = None
        self.refused = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        sockets = self._server.sockets
        if sockets:
            self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._server.wait_closed(), 2.0)
            self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(self._read_seconds):
                status = await self._exchange(reader)
            await self._respond(writer, status)
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self._respond(writer, 408)
        except (ConnectionError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, TimeoutError, OSError):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def _exchange(self, reader: asyncio.StreamReader) -> int:
        request_line = (await reader.readuntil(b"\r\n")).decode("latin-1").split()
        headers: dict[str, str] = {}
        for _ in range(100):
            line = await reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        else:
            return 431
        if len(request_line) != 3:
            return 400
        if request_line[0] != "POST":
            return 405
        given = headers.get(SECRET_HEADER, "").encode("latin-1")
        if not hmac.compare_digest(given, self._secret):
            self.refused += 1
            log.warning(
                "zalo webhook: request with a %s secret refused", "wrong" if given else "missing"
            )
            return 403
        length = headers.get("content-length", "")
        if not length.isdigit():
            return 411
        if int(length) > self._max_body:
            return 413
        body = await reader.readexactly(int(length))
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return 400
        self._on_update(payload)
        return 200

    @staticmethod
    async def _respond(writer: asyncio.StreamWriter, status: int) -> None:
        body = b'{"message":"Success"}' if status == 200 else b'{"message":"refused"}'
        head = (
            f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + body)
        await writer.drain()


# ---- the platform --------------------------------------------------------------------


def silence_library_logs(token: str) -> None:
    """httpx logs every request URL at INFO, and our URLs hold the token."""
    protect_token(token, ("httpx", "httpcore"))


def _default_handle() -> Handle:
    from handlers.router import handle

    return handle


@dataclass
class _Intake:
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    recent: OrderedDict[str, None] = field(default_factory=OrderedDict)
    # One update at a time per chat, so "tìm đà lạt" then "xem thêm" answer in order.
    chat_locks: dict[str, tuple[asyncio.Lock, int]] = field(default_factory=dict)

    def spawn(self, coroutine: Awaitable[None], name: str) -> None:
        async def run() -> None:
            await coroutine

        task = asyncio.create_task(run(), name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


class ZaloPlatform:
    """Zalo's updates in (long polling, or a webhook when configured), our worker out."""

    name = PLATFORM

    def __init__(
        self,
        config: Config,
        store: Store,
        *,
        handle: Handle | None = None,
        settings: ZaloSettings | None = None,
        worker_settings: WorkerSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:

        zalo = config.zalo
        if not zalo.token:
            raise ValueError("[zalo] token (or BANTIN_ZALO_TOKEN) is not set")
        self.config = config
        self.store = store
        self.settings = settings or ZaloSettings()
        self.handle: Handle = handle or _default_handle()
        self.client = ZaloClient(
            zalo.token,
            zalo.api_base_url,
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout,
            max_connections=max(8, int(zalo.messages_per_second * 2) + 2),
            transport=transport,
        )
        self.context = Context(
            store=store,
            timezone=config.timezone,
            default_language=config.language,
            admins=admin_ids(config),
        )
        self.sender = ZaloSender(self.client, self.settings)
        self.messenger = ZaloMessenger(self.sender)
        self.limiter = RateLimiter(
            Limits(
                messages_per_second=zalo.messages_per_second,
                private_chat_per_second=self.settings.private_chat_per_second,
            )
        )
        self.worker = DeliveryWorker(
            store,
            self.messenger,
            self.limiter,
            worker_settings
            or WorkerSettings(max_in_flight=max(4, int(zalo.messages_per_second * 2))),
            timezone=config.timezone,
            notify_admins=self.notify_admins,
        )
        self.bot: BotInfo | None = None
        self.webhook: WebhookListener | None = None
        self._intake = _Intake()
        self._poller: asyncio.Task[None] | None = None
        self._slots = asyncio.Semaphore(self.settings.handler_concurrency)
        self._stopping = False

    # ---- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        zalo = self.config.zalo
        silence_library_logs(zalo.token)
        try:
            self.bot = await self.client.get_me()
        except ZaloError as exc:
            if exc.code == 401:
                raise RuntimeError("Zalo refused the bot token ([zalo] token)") from None
            log.warning("zalo: getMe failed (%s %s); going on", exc.code, exc.description)
        except ZaloNetworkError as exc:
            log.warning("zalo: getMe failed (%s); going on, updates will retry", exc.reason)
        if zalo.webhook_url:
            self.webhook = WebhookListener(
                zalo.webhook_listen,
                zalo.webhook_secret,
                self._accept,
                max_body=self.settings.webhook_max_body,
                read_seconds=self.settings.webhook_read_seconds,
            )
            await self.webhook.start()
            try:
                await self.client.set_webhook(zalo.webhook_url, zalo.webhook_secret)
            except ZaloError as exc:  # the URL or the secret was refused: a config error
                await self.webhook.stop()
                raise RuntimeError(
                    f"Zalo refused [zalo] webhook_url: {exc.code} {exc.description}"
                ) from None
            except ZaloNetworkError as exc:
                log.warning("zalo: setWebhook failed (%s); retrying in the background", exc)
                self._intake.spawn(self._set_webhook_later(), "zalo-set-webhook")
            log.info("zalo: webhook listener on %s:%d", self.webhook.host, self.webhook.port)
        else:
            await self._prepare_polling()
            self._poller = asyncio.create_task(self._poll(), name="zalo-updates")
        self.worker.start()
        log.info(
            "zalo: bot %s running, delivery worker started",
            self.bot.account_name if self.bot else "(unknown)",
        )

    async def _set_webhook_later(self) -> None:
        zalo = self.config.zalo
        wait = 1.0
        while not self._stopping:
            await asyncio.sleep(wait)
            try:
                await self.client.set_webhook(zalo.webhook_url, zalo.webhook_secret)
            except (ZaloError, ZaloNetworkError) as exc:
                wait = min(wait * 2, 60.0)
                log.warning("zalo: setWebhook failed again (%s); next try in %.0f s", exc, wait)
                continue
            log.info("zalo: webhook set")
            return

    async def _prepare_polling(self) -> None:
        if not self.settings.delete_webhook_for_polling:
            return
        try:
            info = await self.client.get_webhook_info()
            if info.url:
                await self.client.delete_webhook()
                log.warning("zalo: a webhook was set; deleted it to use long polling")
        except (ZaloError, ZaloNetworkError) as exc:
            log.warning("zalo: could not check the webhook (%s)", exc)

    async def stop(self) -> None:
        """Worker first (it owns claimed rows), then intake, then the HTTP client."""
        self._stopping = True
        await self.worker.stop()
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self.webhook is not None:
            await self.webhook.stop()
        tasks = list(self._intake.tasks)
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=2.0)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)
        await self.client.aclose()

    async def notify_admins(self, text: str) -> None:
        body = shorten(text.strip(), self.settings.text_limit)
        if not body:
            return
        for admin in self.config.zalo.admins:
            try:
                await self.client.send_message(str(admin), body)
            except (ZaloError, ZaloNetworkError) as exc:
                log.warning("zalo: could not alert admin %s: %s", admin, exc)

    # ---- updates -----------------------------------------------------------------------

    async def _poll(self) -> None:
        """getUpdates in a loop; Zalo hands out one update per call and forgets it."""
        failures = 0
        while not self._stopping:
            try:
                updates = await self.client.get_updates(self.settings.poll_timeout)
                failures = 0
            except asyncio.CancelledError:
                raise
            except (ZaloError, ZaloNetworkError) as exc:
                failures += 1
                wait = min(30.0, 0.5 * 2 ** min(failures, 6))
                if isinstance(exc, ZaloError) and exc.code == 401:
                    log.error("zalo: the token was refused; retrying in %.0f s", wait)
                else:
                    log.warning("zalo: getUpdates failed (%s); retrying in %.1f s", exc, wait)
                await asyncio.sleep(wait)
                continue
            except Exception:
                log.exception("zalo: getUpdates failed unexpectedly")
                await asyncio.sleep(5.0)
                continue
            for update in updates:
                self._dispatch(update)

    def _accept(self, payload: object) -> None:
        """The webhook's callback: parse now, handle in the background."""
        update = parse_update(payload)
        if update is None:
            log.warning("zalo webhook: a body that is not an update was ignored")
            return
        self._dispatch(update)

    def _dispatch(self, update: ZaloUpdate) -> None:
        recent = self._intake.recent
        if update.message_id:
            if update.message_id in recent:
                log.info("zalo: event %s delivered twice; ignored", update.message_id)
                return
            recent[update.message_id] = None
            while len(recent) > self.settings.recent_updates:
                recent.popitem(last=False)
        self._intake.spawn(self._on_update(update), f"zalo-update-{update.chat_id}")

    async def _on_update(self, update: ZaloUpdate) -> None:
        locks = self._intake.chat_locks
        lock, users = locks.get(update.chat_id, (asyncio.Lock(), 0))
        locks[update.chat_id] = (lock, users + 1)
        try:
            async with lock, self._slots:
                await self._handle_update(update)
        except Exception:
            log.exception("chat zalo:%s: update failed", update.chat_id)
        finally:
            lock, users = locks[update.chat_id]
            if users <= 1:
                del locks[update.chat_id]
            else:
                locks[update.chat_id] = (lock, users - 1)

    async def _handle_update(self, update: ZaloUpdate) -> None:
        if update.is_bot:
            return
        if update.event_name == EVENT_TEXT:
            text = update.text or ""
        elif update.event_name == EVENT_IMAGE:
            text = update.caption or ""
        else:
            # Stickers say nothing we act on; "unsupported" is what Zalo sends instead of
            # the content for protected users (children, …): nothing of it is kept.
            log.info("chat zalo:%s: %s ignored", update.chat_id, update.event_name)
            return
        if not text.strip():
            return
        request = Request(
            platform=PLATFORM,
            chat_id=update.chat_id,
            chat_kind="private" if update.is_private else "group",
            chat_title=update.user_name if update.is_private else None,
            user_id=update.user_id,
            user_name=update.user_name,
            text=text,
            is_chat_admin=update.is_private,
        )
        log.info(
            "chat zalo:%s: %s",
            update.chat_id,
            "command" if text.lstrip().startswith("/") else "text",
        )
        if self.settings.typing_action:  # in the background: the answer must not wait on it
            self._intake.spawn(self._typing(update.chat_id), "zalo-typing")
        replies = await self.handle(request, self.context)
        await self._answer(update.chat_id, replies)

    async def _typing(self, chat_id: str) -> None:
        with contextlib.suppress(ZaloError, ZaloNetworkError):
            await self.client.send_chat_action(chat_id, "typing")

    async def _answer(self, chat_id: str, replies: Sequence[Reply]) -> None:
        for reply in replies:
            if not reply.body and not reply.notice:
                continue
            try:
                await self.sender.send(chat_id, reply)
            except (ZaloError, ZaloNetworkError) as exc:
                outcome = classify(exc, self.settings)
                log.warning("chat zalo:%s: reply not sent: %s", chat_id, outcome.reason)
                if outcome.kind is Kind.GONE:
                    chat = await self.store.chats.get(PLATFORM, chat_id)
                    if chat is not None:
                        await self.store.chats.deactivate(chat.id, outcome.reason)
                break
            except ValueError as exc:
                log.warning("chat zalo:%s: reply not sendable: %s", chat_id, exc)


def build_zalo(config: Config, store: Store) -> ZaloPlatform | None:
    """The Zalo platform when `[zalo] token` or BANTIN_ZALO_TOKEN is set, else None."""
    if not config.zalo.token:
        return None
    zalo = config.zalo
    settings = ZaloSettings(
        poll_timeout=zalo.poll_timeout_seconds,
        quota_pause_seconds=zalo.quota_pause_seconds,
        gone_codes=frozenset(zalo.gone_error_codes),
        private_chat_per_second=zalo.private_chat_per_second,
    )
    return ZaloPlatform(config, store, settings=settings)
