"""A fake Zalo Bot API: a real HTTP server on 127.0.0.1 at /bot<TOKEN>/<method>.

Our own httpx client talks to it through `[zalo] api_base_url`, so tests exercise the
adapter, the client and the HTTP in between. It follows the published documentation
(bot.zaloplatforms.com/docs) where that says something: replies `{ok, result}` or
`{ok: false, error_code, description}`, getUpdates returns ONE update per call (408
"Request timeout" when none came), text and captions 1–2000 characters, a webhook secret
of 8–256 characters sent back in `X-Bot-Api-Secret-Token`. Where the documentation is
silent (what a blocked user looks like, the HTTP status of an error reply), it picks one
plausible answer and lets a test pick another with `fail()`.

    with FakeZalo() as zalo:
        zalo.fail("sendMessage", BLOCKED, chat_id="u2", times=None)
        zalo.push_update(zalo.text_update("u1", "đăng ký"))
        ... run the bot with api_base_url = zalo.url, token = zalo.token ...
        assert len(zalo.delivered("u1")) == 1
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.loopback import LoopbackFake

TOKEN = "1234567890:zalo-TEST-token-never-logged"
BOT_ID = "1459232241454765289"
TEXT_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
SEND_METHODS = frozenset({"sendMessage", "sendPhoto"})
METHODS = frozenset(
    {
        "getMe",
        "getUpdates",
        "setWebhook",
        "deleteWebhook",
        "getWebhookInfo",
        "sendMessage",
        "sendPhoto",
        "sendSticker",
        "sendChatAction",
    }
)


@dataclass(frozen=True)
class Failure:
    """What Zalo answers instead of `ok: true`; `http_status` None means the error code."""

    code: int
    description: str
    http_status: int | None = None


# The documentation does not say how a blocked or unreachable user is reported; these are
# the fake's guesses, and the adapter's error policy is configurable for the same reason.
BLOCKED = Failure(403, "User has blocked the bot")
UNREACHABLE = Failure(403, "User has not interacted with the bot")
QUOTA = Failure(429, "Quota exceeded")
SERVER_ERROR = Failure(500, "Internal server error")
BAD_REQUEST = Failure(400, "Bad request")
PHOTO_REJECTED = Failure(400, "Invalid photo url")
# The same refusal, but inside an HTTP 200 answer (some gateways do that).
BLOCKED_IN_200 = Failure(403, "User has blocked the bot", http_status=200)


@dataclass
class Rule:
    method: str | None
    failure: Failure
    chat_id: str | None
    times: int | None  # None: always


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int
    ok: bool
    message_id: str | None = None

    @property
    def chat_id(self) -> str:
        return str(self.params.get("chat_id", ""))

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")


class FakeZalo(LoopbackFake):
    def __init__(
        self,
        token: str = TOKEN,
        *,
        send_delay: float = 0.0,
        updates_wait: float = 0.3,
        require_https_webhook: bool = True,
        reachable_only_after_message: bool = False,
    ) -> None:
        super().__init__()
        self.token = token
        self.send_delay = send_delay
        self.updates_wait = updates_wait
        self.require_https_webhook = require_https_webhook
        self.reachable_only_after_message = reachable_only_after_message
        self.reject_photos = False
        self.calls: list[Call] = []
        self.webhook_url = ""
        self.webhook_secret = ""
        self.known_users: set[str] = set()
        self._rules: list[Rule] = []
        self._updates: deque[dict[str, Any]] = deque()

    # ---- scripting -------------------------------------------------------------------

    def fail(
        self,
        method: str | None,
        failure: Failure,
        *,
        chat_id: str | None = None,
        times: int | None = 1,
    ) -> None:
        """The next `times` matching calls (None: all of them) answer `failure`."""
        with self._lock:
            self._rules.append(Rule(method, failure, chat_id, times))

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for getUpdates; its sender becomes reachable, as on Zalo."""
        with self._cond:
            sender = update.get("message", {}).get("from", {}).get("id")
            if sender:
                self.known_users.add(str(sender))
            self._updates.append(update)
            self._cond.notify_all()

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    # ---- what happened ---------------------------------------------------------------

    def calls_to(self, method: str, chat_id: str | None = None) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and (chat_id is None or c.chat_id == chat_id)
            ]

    def delivered(self, chat_id: str | None = None) -> list[Call]:
        """Sends Zalo accepted (sendMessage, sendPhoto), in the order they arrived."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method in SEND_METHODS and c.ok and (chat_id is None or c.chat_id == chat_id)
            ]

    def replies(self, chat_id: str) -> list[str]:
        return [c.text for c in self.delivered(chat_id)]

    async def wait_for_replies(
        self, chat_id: str, count: int = 1, timeout: float = 5.0
    ) -> list[str]:
        """Poll (without blocking the loop) until `chat_id` got `count` messages."""
        import asyncio

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            replies = self.replies(chat_id)
            if len(replies) >= count:
                return replies
            await asyncio.sleep(0.02)
        raise AssertionError(f"{chat_id}: {len(self.replies(chat_id))} replies, wanted {count}")

    # ---- update builders (the shapes of the documentation's webhook sample) -----------

    @staticmethod
    def _message(user_id: str, name: str, chat_type: str, chat_id: str | None) -> dict[str, Any]:
        return {
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": chat_id or user_id, "chat_type": chat_type},
            "message_id": uuid.uuid4().hex[:20],
            "date": int(time.time() * 1000),
        }

    def text_update(
        self,
        user_id: str,
        text: str,
        *,
        name: str = "Lan",
        chat_type: str = "PRIVATE",
        chat_id: str | None = None,
    ) -> dict[str, Any]:
        message = self._message(user_id, name, chat_type, chat_id)
        message["text"] = text
        return {"event_name": "message.text.received", "message": message}

    def image_update(
        self, user_id: str, photo: str, caption: str | None = None, *, name: str = "Lan"
    ) -> dict[str, Any]:
        message = self._message(user_id, name, "PRIVATE", None)
        message["photo"] = photo
        if caption is not None:
            message["caption"] = caption
        return {"event_name": "message.image.received", "message": message}

    def sticker_update(self, user_id: str, *, name: str = "Lan") -> dict[str, Any]:
        message = self._message(user_id, name, "PRIVATE", None)
        message["sticker"] = "0e078a2fb66a5f34067b"
        message["url"] = "https://zalo-api.zadn.vn/sticker.png"
        return {"event_name": "message.sticker.received", "message": message}

    def unsupported_update(self, user_id: str, *, name: str = "Bé") -> dict[str, Any]:
        message = self._message(user_id, name, "PRIVATE", None)
        return {"event_name": "message.unsupported.received", "message": message}

    # ---- the webhook side: Zalo calling us ---------------------------------------------

    def post_to_webhook(
        self,
        update: dict[str, Any],
        *,
        secret: str | None = None,
        raw: bytes | None = None,
        method: str = "POST",
    ) -> int:
        """POST one update to the registered webhook as Zalo does; returns the HTTP status.

        `secret` None sends the registered secret, "" sends no header at all. Only
        127.0.0.1 is ever called, so a test cannot reach beyond the machine.
        """
        parts = urlsplit(self.webhook_url)
        assert parts.hostname == "127.0.0.1" and parts.port, "the fake calls 127.0.0.1 only"
        body = raw if raw is not None else json.dumps({"ok": True, "result": update}).encode()
        headers = {"Content-Type": "application/json"}
        used = self.webhook_secret if secret is None else secret
        if used:
            headers[SECRET_HEADER] = used
        with self._lock:
            sender = update.get("message", {}).get("from", {}).get("id")
            if sender:
                self.known_users.add(str(sender))
        connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=5)
        try:
            connection.request(method, parts.path or "/", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        finally:
            connection.close()

    # ---- the server ------------------------------------------------------------------

    def _params(self, handler: BaseHTTPRequestHandler) -> dict[str, Any]:
        params: dict[str, Any] = dict(parse_qsl(urlsplit(handler.path).query))
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        kind = (handler.headers.get("Content-Type") or "").split(";")[0].strip()
        if raw and kind == "application/json":
            body = json.loads(raw)
            if isinstance(body, dict):
                params.update(body)
        elif raw and kind == "application/x-www-form-urlencoded":
            params.update(parse_qsl(raw.decode()))
        return params

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = urlsplit(handler.path).path
        prefix, _, method = path.rpartition("/")
        try:
            params = self._params(handler)
        except (ValueError, UnicodeDecodeError):
            self._answer(handler, method, {}, Failure(400, "Bad request: body is not JSON"))
            return
        if prefix != f"/bot{self.token}":
            self._answer(handler, method, params, Failure(401, "Unauthorized"))
            return
        if method not in METHODS:
            self._answer(handler, method, params, Failure(400, "Bad request: unknown method"))
            return
        failure = self._scripted(method, params)
        if failure is not None:
            if method in SEND_METHODS and self.send_delay:
                time.sleep(self.send_delay)
            self._answer(handler, method, params, failure)
            return
        result, failure = getattr(self, f"_m_{method}")(params)
        self._answer(handler, method, params, failure, result)

    def _scripted(self, method: str, params: dict[str, Any]) -> Failure | None:
        chat_id = str(params.get("chat_id", ""))
        with self._lock:
            for rule in self._rules:
                if rule.method not in (None, method) or rule.times == 0:
                    continue
                if rule.chat_id is not None and rule.chat_id != chat_id:
                    continue
                if rule.method is None and method not in SEND_METHODS:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule.failure
        return None

    def _answer(
        self,
        handler: BaseHTTPRequestHandler,
        method: str,
        params: dict[str, Any],
        failure: Failure | None,
        result: Any = None,
    ) -> None:
        if failure is None:
            status = 200
            body: dict[str, Any] = {"ok": True, "result": result}
        else:
            status = failure.http_status or failure.code
            body = {"ok": False, "error_code": failure.code, "description": failure.description}
        message_id = result.get("message_id") if isinstance(result, dict) else None
        with self._lock:
            self.calls.append(
                Call(method, params, time.monotonic(), status, failure is None, message_id)
            )
        data = json.dumps(body, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    # ---- methods ---------------------------------------------------------------------

    def _m_getMe(self, params: dict[str, Any]) -> tuple[Any, Failure | None]:
        return {
            "id": BOT_ID,
            "account_name": "bot.Bantin",
            "account_type": "BASIC",
            "can_join_groups": False,
        }, None

    def _m_getUpdates(self, params: dict[str, Any]) -> tuple[Any, Failure | None]:
        if self.webhook_url:
            return None, Failure(400, "Bad request: webhook is active, call deleteWebhook")
        try:
            timeout = float(params.get("timeout", 30))
        except (TypeError, ValueError):
            timeout = 30.0
        deadline = time.monotonic() + max(0.0, min(timeout, self.updates_wait))
        with self._cond:
            while not self._updates and self._server is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            if not self._updates:
                return None, Failure(408, "Request timeout")
            return self._updates.popleft(), None

    def _m_setWebhook(self, params: dict[str, Any]) -> tuple[Any, Failure | None]:
        url = str(params.get("url") or "")
        secret = str(params.get("secret_token") or "")
        scheme = urlsplit(url).scheme
        if scheme != "https" and (self.require_https_webhook or scheme != "http"):
            return None, Failure(400, "Bad request: url must be HTTPS")
        if not 8 <= len(secret) <= 256:
            return None, Failure(400, "Bad request: secret_token must be 8-256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        return {"url": url, "updated_at": int(time.time() * 1000)}, None

    def _m_deleteWebhook(self, params: dict[str, Any]) -> tuple[Any, Failure | None]:
        self.webhook_url, self.webhook_secret = "", ""
        return {"url": "", "updated_at": int(time.time() * 1000)}, None

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> tuple[Any, Failure | None]:
        return {"url": self.webhook_url, "updated_at": int(time.time() * 1000)}, None

    def _reachable(self, chat_id: str) -> Failure | None:
        if not chat_id:
            return Failure(400, "Bad request: chat_id is required")
        if self.reachable_only_after_message and chat_id not in self.known_users:
            return UNREACHABLE
        return None

    def _sent(self) -> dict[str, Any]:
        if self.send_delay:
            time.sleep(self.send_delay)
        return {"message_id": uuid.uuid4().hex[:20], "date": int(time.time() * 1000)}

    def _m_sendMessage(self, params: dict[str, Any]) -> tuple[Any, Failure | None]:
        failure = self._reachable(str(params.get("chat_id") or ""))
        if failure:
            return None, failure
        text = params.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
            return None, Failure(400, "Bad request: text must be 1-2000 characters")
        return self._sent(), None

    def _m_sendPhoto(self, params: dict[str, Any]) -> tuple[Any, Failure | None]:
        failure = self._reachable(str(params.get("chat_id") or ""))
        if failure:
            return None, failure
        photo = str(params.get("photo") or "")
        if self.reject_photos or urlsplit(photo).scheme not in ("http", "https"):
            return None, PHOTO_REJECTED
        caption = params.get("caption")
        if caption is not None and (
            not isinstance(caption, str) or not 1 <= len(caption) <= TEXT_LIMIT
        ):
            return None, Failure(400, "Bad request: caption must be 1-2000 characters")
        return self._sent(), None

    def _m_sendSticker(self, params: dict[str, Any]) -> tuple[Any, Failure | None]:
        return self._sent(), self._reachable(str(params.get("chat_id") or ""))

    def _m_sendChatAction(self, params: dict[str, Any]) -> tuple[Any, Failure | None]:
        if params.get("action") not in ("typing", "upload_photo"):
            return None, Failure(400, "Bad request: unknown action")
        return None, self._reachable(str(params.get("chat_id") or ""))
