"""A fake Telegram Bot API: a real HTTP server on 127.0.0.1 speaking the Bot API's JSON.

The real python-telegram-bot client talks to it through `[telegram] api_base_url`, so the
tests exercise our adapter, PTB's request layer and the HTTP in between. It checks what
Telegram checks where it matters to us (HTML that Telegram would refuse, the caption and
text limits, and — when asked — Telegram's rate limits: 30/s, and 1,000/s apart for
`allow_paid_broadcast` sends), can be told to fail in the ways
Telegram fails, and records every call. It keeps the messages it accepted, so edits and
deletes meet Telegram's answers: a photo has no text to edit, a text no caption, a deleted
message is not found, an identical edit is "not modified". (Edits of messages it never
sent, such as a callback's made-up message, are accepted as before.)

    with FakeTelegram() as tg:                    # or: async with FakeTelegram() as tg:
        tg.fail("sendMessage", RETRY_AFTER(1), chat_id="42")
        tg.push_update(tg.message_update(42, "/start"))
        ... run the bot with api_base_url = tg.url, token = tg.token ...
        assert len(tg.delivered("42")) == 1
"""

from __future__ import annotations

import html
import itertools
import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.loopback import LoopbackFake

TOKEN = "123456:TEST-token-never-logged"
BOT_ID = 123456
BOT_USERNAME = "bantin_test_bot"
ANONYMOUS_ADMIN_ID = 1087968824  # @GroupAnonymousBot, the "from" of anonymous admins
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendVideo", "sendMediaGroup"})
EDIT_METHODS = frozenset({"editMessageText", "editMessageCaption"})
JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "link_preview_options",
        "commands",
        "scope",
        "results",
        "entities",
        "caption_entities",
        "allowed_updates",
        "button",
        "reply_parameters",
        "media",
    }
)
ALLOWED_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "blockquote",
        "tg-emoji",
    }
)
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


@dataclass(frozen=True)
class Failure:
    """What Telegram answers instead of `ok: true`."""

    code: int
    description: str
    parameters: dict[str, Any] | None = None


def RETRY_AFTER(seconds: int) -> Failure:
    return Failure(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})


def MIGRATE(new_chat_id: int) -> Failure:
    return Failure(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": new_chat_id},
    )


BLOCKED = Failure(403, "Forbidden: bot was blocked by the user")
KICKED = Failure(403, "Forbidden: bot was kicked from the group chat")
CHAT_NOT_FOUND = Failure(400, "Bad Request: chat not found")
PHOTO_REJECTED = Failure(400, "Bad Request: wrong file identifier/HTTP URL specified")
HTML_REFUSED = Failure(400, "Bad Request: can't parse entities: unsupported start tag")
BAD_REQUEST = Failure(400, "Bad Request: message must be non-empty")
SERVER_ERROR = Failure(500, "Internal Server Error")
NOT_MODIFIED = Failure(
    400,
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message",
)
EDIT_NOT_FOUND = Failure(400, "Bad Request: message to edit not found")
DELETE_NOT_FOUND = Failure(400, "Bad Request: message to delete not found")
CANT_DELETE = Failure(400, "Bad Request: message can't be deleted for everyone")
NO_TEXT = Failure(400, "Bad Request: there is no text in the message to edit")
NO_CAPTION = Failure(400, "Bad Request: there is no caption in the message to edit")
TOPIC_CLOSED = Failure(400, "Bad Request: TOPIC_CLOSED")
TOPIC_DELETED = Failure(400, "Bad Request: TOPIC_DELETED")
THREAD_NOT_FOUND = Failure(400, "Bad Request: message thread not found")


class Refused(Exception):
    """Raised by a method of the fake: answer this failure instead of a result."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.description)
        self.failure = failure


@dataclass
class Rule:
    method: str | None
    failure: Failure
    chat_id: str | None
    times: int | None  # None: always
    when: str | None  # only when the call has this parameter ("parse_mode", "photo")


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    at: float
    status: int
    message_id: int | None = None

    @property
    def chat_id(self) -> str:
        return str(self.params.get("chat_id", ""))

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")


@dataclass
class Limits:
    """Telegram's published limits, as a token bucket per scope (burst absorbs jitter)."""

    per_second: float = 30.0
    burst: float = 3.0
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    tolerance: float = 0.05
    # `allow_paid_broadcast` sends: their own bucket, up to 1,000/s (0.1 Star each)
    paid_per_second: float = 1000.0
    paid_burst: float = 50.0


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class _Enforcer:
    limits: Limits
    global_bucket: _Bucket = field(default_factory=lambda: _Bucket(0.0, 0.0))
    private_last: dict[str, float] = field(default_factory=dict)
    group_sends: dict[str, deque[float]] = field(default_factory=dict)

    paid_bucket: _Bucket = field(default_factory=lambda: _Bucket(0.0, 0.0))

    def __post_init__(self) -> None:
        self.global_bucket = _Bucket(self.limits.burst, time.monotonic())
        self.paid_bucket = _Bucket(self.limits.paid_burst, time.monotonic())

    def admit(self, chat_id: str, now: float, paid: bool = False) -> int | None:
        """None when the send is within limits, else the seconds to ask it to wait.

        A paid broadcast counts against its own 1,000/s, not the 30/s of the rest; the
        per-chat limits hold for both."""
        lim = self.limits
        bucket = self.paid_bucket if paid else self.global_bucket
        rate, burst = (lim.paid_per_second, lim.paid_burst) if paid else (lim.per_second, lim.burst)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * rate)
        bucket.at = now
        if bucket.tokens < 1.0 - 1e-9:
            return 1
        private = not chat_id.startswith(("-", "@"))
        if private:
            last = self.private_last.get(chat_id)
            if last is not None and now - last < 1.0 / lim.private_per_second - lim.tolerance:
                return 1
        else:
            window = self.group_sends.setdefault(chat_id, deque())
            while window and now - window[0] >= 60.0 - lim.tolerance:
                window.popleft()
            if len(window) >= lim.group_per_minute:
                return max(1, int(60.0 - (now - window[0])) + 1)
            window.append(now)
        if private:
            self.private_last[chat_id] = now
        bucket.tokens -= 1.0
        return None


class _HtmlCheck(HTMLParser):
    """Telegram's HTML: known tags only, balanced, entities from a short list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.error: str | None = None
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if not href:
                self.error = self.error or "a tag without href"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'unexpected end tag "{tag}"'
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.visible.append(data)


def check_html(text: str) -> tuple[str | None, str]:
    """(error or None, visible text) for a text sent with parse_mode HTML."""
    for match in re.finditer(r"&", text):
        if not _ENTITY.match(text, match.start()):
            return "unsupported entity", text
    checker = _HtmlCheck()
    checker.feed(text)
    checker.close()
    if checker.error is None and checker.stack:
        checker.error = f'can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
    return checker.error, "".join(checker.visible)


def is_paid(params: dict[str, Any]) -> bool:
    """The send asked for a paid broadcast (`allow_paid_broadcast`, form or JSON)."""
    return str(params.get("allow_paid_broadcast", "")).lower() in ("true", "1")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class FakeTelegram(LoopbackFake):
    def __init__(
        self,
        token: str = TOKEN,
        *,
        send_delay: float = 0.0,
        enforce_limits: bool = False,
        limits: Limits | None = None,
        updates_wait: float = 0.3,
    ) -> None:
        super().__init__()
        self.token = token
        self.send_delay = send_delay
        self.limits = limits or Limits()
        self._enforcer = _Enforcer(self.limits) if enforce_limits else None
        self.updates_wait = updates_wait
        self.calls: list[Call] = []
        self.too_many = 0
        self.reject_photos = False
        self.members: dict[tuple[str, str], str] = {}
        self.chat_kinds: dict[str, str] = {}
        self.chat_titles: dict[str, str] = {}
        self.member_rights: dict[tuple[str, str], dict[str, Any]] = {}
        # (chat id as sent, message id) → the message as Telegram keeps it
        self.messages: dict[tuple[str, int], dict[str, Any]] = {}
        self.deleted: set[tuple[str, int]] = set()
        # Forum topics: (chat id, message_thread_id) → "open" | "closed" | "deleted".
        self.topics: dict[tuple[str, int], str] = {}
        self._rules: list[Rule] = []
        self._slow: dict[str, list[float]] = {}
        self._drops: dict[str, int] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        # setWebhook's parameters while a webhook is set (getUpdates is refused then)
        self.webhook: dict[str, Any] | None = None
        self.webhook_error = ""  # getWebhookInfo's last_error_message
        self._message_ids = itertools.count(1000)

    # ---- scripting -------------------------------------------------------------------

    def fail(
        self,
        method: str | None,
        failure: Failure,
        *,
        chat_id: str | int | None = None,
        times: int | None = 1,
        when: str | None = None,
    ) -> None:
        """The next `times` matching calls (None: all of them) answer `failure`."""
        with self._lock:
            self._rules.append(
                Rule(method, failure, None if chat_id is None else str(chat_id), times, when)
            )

    def slow(self, chat_id: str | int, seconds: float, times: int = 1) -> None:
        """The next `times` sends to this chat take `seconds` (and still arrive)."""
        with self._lock:
            self._slow.setdefault(str(chat_id), []).extend([seconds] * times)

    def drop(self, chat_id: str | int, times: int = 1) -> None:
        """The next `times` sends to this chat are read, not delivered, and the connection is
        cut halfway through the answer (the client cannot tell whether they arrived)."""
        with self._lock:
            self._drops[str(chat_id)] = self._drops.get(str(chat_id), 0) + times

    def push_update(self, update: dict[str, Any]) -> int:
        with self._cond:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **update})
            self._cond.notify_all()
        return update_id

    def set_member(
        self, chat_id: str | int, user_id: str | int, status: str, **rights: Any
    ) -> None:
        """getChatMember's answer; `rights` override the status's defaults
        (e.g. can_post_messages=False for an administrator)."""
        self.members[(str(chat_id), str(user_id))] = status
        self.member_rights[(str(chat_id), str(user_id))] = rights

    def open_topic(self, chat_id: str | int) -> int:
        """A new forum topic in a supergroup (the chat becomes a forum); its thread id."""
        thread_id = next(self._message_ids)  # a topic's id is its first message's id
        with self._lock:
            self.topics[(str(chat_id), thread_id)] = "open"
        return thread_id

    def close_topic(self, chat_id: str | int, thread_id: int, *, delete: bool = False) -> None:
        """Sends there answer 400 TOPIC_CLOSED (deleted: "message thread not found")."""
        with self._lock:
            self.topics[(str(chat_id), thread_id)] = "deleted" if delete else "closed"

    def add_chat(self, username: str, *, kind: str = "channel", title: str | None = None) -> int:
        """A public chat "@username" that getChat resolves; returns its numeric id."""
        number = username_id(username)
        self.chat_kinds[str(number)] = kind
        self.chat_kinds[username] = kind
        if title is not None:
            self.chat_titles[str(number)] = title
            self.chat_titles[username] = title
        return number

    # ---- what happened ---------------------------------------------------------------

    def calls_to(self, method: str, chat_id: str | int | None = None) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and (chat_id is None or c.chat_id == str(chat_id))
            ]

    def delivered(self, chat_id: str | int | None = None) -> list[Call]:
        """Sends Telegram accepted (sendMessage, sendPhoto), in the order they arrived."""
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method in SEND_METHODS
                and c.ok
                and (chat_id is None or c.chat_id == str(chat_id))
            ]

    def paid(self) -> list[Call]:
        """Accepted sends that were paid broadcasts (0.1 Star each)."""
        return [c for c in self.delivered() if is_paid(c.params)]

    def replies(self, chat_id: str | int) -> list[str]:
        return [c.text for c in self.delivered(chat_id)]

    def message(self, chat_id: str | int, message_id: int | str) -> dict[str, Any] | None:
        """A message as it stands now (after edits); None once deleted or never sent."""
        with self._lock:
            return self.messages.get((str(chat_id), int(message_id)))

    # ---- update builders -------------------------------------------------------------

    @staticmethod
    def user_json(user_id: int, language: str | None = "vi", name: str = "Lan") -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": name}
        if language:
            user["language_code"] = language
        return user

    @staticmethod
    def chat_json(
        chat_id: int | str, kind: str = "private", title: str | None = None
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": int(chat_id), "type": kind}
        if kind == "private":
            chat["first_name"] = "Lan"
        else:
            chat["title"] = title or "Nhóm"
        return chat

    def message_update(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        kind: str = "private",
        language: str | None = "vi",
        title: str | None = None,
        anonymous: bool = False,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        """`anonymous`: sent by an anonymous group admin, i.e. on behalf of the group itself
        (Telegram's `sender_chat` is the group, `from` its placeholder @GroupAnonymousBot).
        `thread_id`: written inside that forum topic of a supergroup."""
        user_id = chat_id if user_id is None else user_id
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chat_json(chat_id, kind, title),
            "text": text,
        }
        if thread_id is not None:
            message["chat"]["is_forum"] = True
            message["message_thread_id"] = thread_id
            message["is_topic_message"] = True
        if anonymous:
            message["sender_chat"] = self.chat_json(chat_id, kind, title)
            message["from"] = {
                "id": ANONYMOUS_ADMIN_ID,
                "is_bot": True,
                "first_name": "Group",
                "username": "GroupAnonymousBot",
            }
        elif kind != "channel":
            message["from"] = self.user_json(user_id, language)
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return {"channel_post" if kind == "channel" else "message": message}

    def callback_update(
        self,
        chat_id: int,
        data: str,
        *,
        user_id: int | None = None,
        kind: str = "private",
        message_id: int = 1,
        language: str | None = "vi",
    ) -> dict[str, Any]:
        user_id = chat_id if user_id is None else user_id
        return {
            "callback_query": {
                "id": str(next(self._message_ids)),
                "from": self.user_json(user_id, language),
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time()),
                    "chat": self.chat_json(chat_id, kind),
                    "text": "…",
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bantin"},
                },
            }
        }

    def inline_update(
        self, user_id: int, query: str, language: str | None = "vi"
    ) -> dict[str, Any]:
        return {
            "inline_query": {
                "id": str(next(self._message_ids)),
                "from": self.user_json(user_id, language),
                "query": query,
                "offset": "",
            }
        }

    def my_chat_member_update(
        self,
        chat_id: int,
        *,
        old: str,
        new: str,
        kind: str = "group",
        title: str | None = "Nhóm đọc tin",
        by_user: int = 7,
    ) -> dict[str, Any]:
        bot = {"id": BOT_ID, "is_bot": True, "first_name": "Bantin", "username": BOT_USERNAME}
        return {
            "my_chat_member": {
                "chat": self.chat_json(chat_id, kind, title),
                "from": self.user_json(by_user),
                "date": int(time.time()),
                "old_chat_member": member_json(old, bot),
                "new_chat_member": member_json(new, bot),
            }
        }

    # ---- the server ------------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(request.path)
        match = re.fullmatch(r"/bot(?P<token>[^/]+)/(?P<method>\w+)", parts.path)
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        if len(body) < length:  # the client died mid-request: Telegram would not act on it
            request.close_connection = True
            return
        if match is None or match["token"] != self.token:
            self._answer(request, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        method = match["method"]
        params = self._params(request.headers.get("Content-Type", ""), body, parts.query)
        if method in SEND_METHODS and self._take_drop(str(params.get("chat_id", ""))):
            with self._lock:
                self.calls.append(Call(method, params, time.monotonic(), 0))
            request.close_connection = True
            request.wfile.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b'Content-Length: 200\r\n\r\n{"ok": true, "res'
            )
            return
        status, payload, message_id = self._dispatch(method, params)
        with self._lock:
            self.calls.append(Call(method, params, time.monotonic(), status, message_id))
        self._answer(request, status, payload)

    def _take_drop(self, chat_id: str) -> bool:
        with self._lock:
            left = self._drops.get(chat_id, 0)
            if left:
                self._drops[chat_id] = left - 1
            return left > 0

    @staticmethod
    def _params(content_type: str, body: bytes, query: str) -> dict[str, Any]:
        raw: dict[str, Any]
        if "json" in content_type and body:
            raw = json.loads(body)
        else:
            raw = dict(parse_qsl(query))
            raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        for key in JSON_PARAMS & raw.keys():
            if isinstance(raw[key], str):
                raw[key] = json.loads(raw[key])
        return raw

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", str(len(data)))
            request.end_headers()
            request.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _scripted(self, method: str, params: dict[str, Any]) -> Failure | None:
        chat_id = str(params.get("chat_id", ""))
        with self._lock:
            for rule in self._rules:
                if rule.method is not None and rule.method != method:
                    continue
                if rule.chat_id is not None and rule.chat_id != chat_id:
                    continue
                if rule.when is not None and rule.when not in params:
                    continue
                if rule.times is not None:
                    if rule.times <= 0:
                        continue
                    rule.times -= 1
                return rule.failure
        return None

    def _dispatch(
        self, method: str, params: dict[str, Any]
    ) -> tuple[int, dict[str, Any], int | None]:
        if method in SEND_METHODS and self.send_delay:
            time.sleep(self.send_delay)
        with self._lock:
            delays = self._slow.get(str(params.get("chat_id", "")))
            delay = delays.pop(0) if delays and method in SEND_METHODS else 0.0
        if delay:
            time.sleep(delay)
        failure = self._scripted(method, params)
        if failure is None and method in SEND_METHODS | EDIT_METHODS:
            failure = self._check_send(method, params)
        if failure is not None:
            payload: dict[str, Any] = {
                "ok": False,
                "error_code": failure.code,
                "description": failure.description,
            }
            if failure.parameters:
                payload["parameters"] = failure.parameters
            return failure.code, payload, None
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 200, {"ok": True, "result": True}, None
        try:
            result, message_id = handler(params)
        except Refused as refused:
            return self._refusal(refused.failure)
        return 200, {"ok": True, "result": result}, message_id

    @staticmethod
    def _refusal(failure: Failure) -> tuple[int, dict[str, Any], None]:
        payload: dict[str, Any] = {
            "ok": False,
            "error_code": failure.code,
            "description": failure.description,
        }
        if failure.parameters:
            payload["parameters"] = failure.parameters
        return failure.code, payload, None

    def _check_send(self, method: str, params: dict[str, Any]) -> Failure | None:
        if method == "sendPhoto" and self.reject_photos:
            return PHOTO_REJECTED
        topic = self._topic_refusal(params)
        if topic is not None:
            return topic
        has_text = method in ("sendMessage", "editMessageText")
        text = str(params.get("text") if has_text else params.get("caption") or "")
        visible = text
        if params.get("parse_mode", "").lower() == "html":
            error, visible = check_html(text)
            if error:
                return Failure(400, f"Bad Request: can't parse entities: {error}")
        limit = 4096 if has_text else 1024
        if has_text and not visible.strip():
            return BAD_REQUEST
        if utf16_len(visible) > limit:
            what = "message is too long" if has_text else "message caption is too long"
            return Failure(400, f"Bad Request: {what}")
        if self._enforcer is not None and method in SEND_METHODS:
            with self._lock:
                wait = self._enforcer.admit(
                    str(params.get("chat_id", "")), time.monotonic(), is_paid(params)
                )
                if wait is not None:
                    self.too_many += 1
            if wait is not None:
                return RETRY_AFTER(wait)
        return None

    def _topic_refusal(self, params: dict[str, Any]) -> Failure | None:
        """Telegram's answer to a send into a topic that is not open, as it words it."""
        raw = params.get("message_thread_id")
        if raw in (None, ""):
            return None
        with self._lock:
            state = self.topics.get((str(params.get("chat_id", "")), int(raw)))
        if state == "open":
            return None
        if state == "closed":
            return TOPIC_CLOSED
        return THREAD_NOT_FOUND

    # ---- methods ---------------------------------------------------------------------

    def _chat(self, chat_id: str) -> dict[str, Any]:
        if chat_id.startswith("@"):
            return {
                "id": username_id(chat_id),
                "type": self.chat_kinds.get(chat_id, "channel"),
                "title": self.chat_titles.get(chat_id, chat_id),
                "username": chat_id[1:],
            }
        kind = self.chat_kinds.get(chat_id) or (
            "private"
            if not chat_id.startswith("-")
            else "supergroup"
            if chat_id.startswith("-100")
            else "group"
        )
        return self.chat_json(chat_id, kind, self.chat_titles.get(chat_id))

    def _message(self, params: dict[str, Any], **extra: Any) -> tuple[dict[str, Any], int]:
        message_id = next(self._message_ids)
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(str(params.get("chat_id", "0"))),
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bantin"},
            **extra,
        }
        thread = params.get("message_thread_id")
        if thread not in (None, ""):
            message["message_thread_id"] = int(thread)
            message["is_topic_message"] = True
        return message, message_id

    def _api_getMe(self, params: dict[str, Any]) -> tuple[Any, None]:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Bantin",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }, None

    def _api_setWebhook(self, params: dict[str, Any]) -> tuple[Any, None]:
        """As Telegram checks it: an HTTPS URL on a webhook port, a secret of its alphabet."""
        url = str(params.get("url", ""))
        if not url:
            with self._lock:
                self.webhook = None
            return True, None
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise Refused(Failure(400, "Bad Request: bad webhook: An HTTPS URL must be provided"))
        if (parts.port or 443) not in (443, 80, 88, 8443):
            raise Refused(
                Failure(
                    400,
                    "Bad Request: bad webhook: Webhook can be set up only on ports "
                    "80, 88, 443 or 8443",
                )
            )
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise Refused(
                Failure(400, "Bad Request: bad webhook: secret token contains unallowed characters")
            )
        with self._lock:
            self.webhook = dict(params)
        return True, None

    def _api_deleteWebhook(self, params: dict[str, Any]) -> tuple[Any, None]:
        with self._lock:
            self.webhook = None
        return True, None

    def _api_getWebhookInfo(self, params: dict[str, Any]) -> tuple[Any, None]:
        with self._lock:
            hook = self.webhook or {}
            waiting = len(self._updates)
        info: dict[str, Any] = {
            "url": hook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": waiting if hook else 0,
        }
        if hook.get("allowed_updates"):
            info["allowed_updates"] = hook["allowed_updates"]
        if self.webhook_error:
            info["last_error_date"] = int(time.time())
            info["last_error_message"] = self.webhook_error
        return info, None

    def _api_getUpdates(self, params: dict[str, Any]) -> tuple[Any, None]:
        if self.webhook is not None:
            raise Refused(
                Failure(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use "
                    "deleteWebhook to delete the webhook first",
                )
            )
        offset = int(params.get("offset") or 0)
        wait = min(float(params.get("timeout") or 0), self.updates_wait)
        deadline = time.monotonic() + wait
        with self._cond:
            while True:
                ready = [u for u in self._updates if u["update_id"] >= offset]
                left = deadline - time.monotonic()
                if ready or left <= 0 or self._server is None:
                    return ready[:100], None
                self._cond.wait(left)

    def _keep(self, params: dict[str, Any], message: dict[str, Any], message_id: int) -> None:
        with self._lock:
            self.messages[(str(params.get("chat_id", "0")), message_id)] = {
                **message,
                "sent": dict(params),
            }

    def _api_sendMessage(self, params: dict[str, Any]) -> tuple[Any, int]:
        visible = html.unescape(re.sub(r"<[^>]+>", "", params.get("text", "")))
        message, message_id = self._message(params, text=visible)
        self._keep(params, message, message_id)
        return message, message_id

    def _api_sendPhoto(self, params: dict[str, Any]) -> tuple[Any, int]:
        photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 800, "height": 600}]
        message, message_id = self._message(params, photo=photo, caption=params.get("caption", ""))
        self._keep(params, message, message_id)
        return message, message_id

    def _api_sendVideo(self, params: dict[str, Any]) -> tuple[Any, int]:
        video = {"file_id": "v1", "file_unique_id": "uv1", "width": 1280, "height": 720}
        message, message_id = self._message(
            params, video=dict(video, duration=60), caption=params.get("caption", "")
        )
        self._keep(params, message, message_id)
        return message, message_id

    def _api_sendMediaGroup(self, params: dict[str, Any]) -> tuple[Any, int]:
        """An album: one message per photo (2 to 10), the first one's id stands for it."""
        media = params.get("media") or []
        if not 2 <= len(media) <= 10:
            raise Refused(Failure(400, "Bad Request: wrong number of media in the group"))
        photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 800, "height": 600}]
        messages = []
        for item in media:
            message, message_id = self._message(
                params, photo=photo, caption=item.get("caption", "")
            )
            self._keep(params, message, message_id)
            messages.append(message)
        return messages, messages[0]["message_id"]

    def _edit(self, params: dict[str, Any], field_name: str) -> tuple[Any, int]:
        """Change a kept message's text or caption as Telegram would, or refuse."""
        key = (str(params.get("chat_id", "0")), int(params.get("message_id") or 0))
        value = params.get(field_name, "")
        with self._lock:
            kept = self.messages.get(key)
            if kept is None and key in self.deleted:
                raise Refused(EDIT_NOT_FOUND)
            if kept is not None:
                if field_name == "text" and "photo" in kept:
                    raise Refused(NO_TEXT)
                if field_name == "caption" and "photo" not in kept:
                    raise Refused(NO_CAPTION)
                before = kept["sent"]
                if before.get(field_name) == value and before.get("reply_markup") == params.get(
                    "reply_markup"
                ):
                    raise Refused(NOT_MODIFIED)
                kept["sent"] = {**before, **params}
                kept[field_name] = html.unescape(re.sub(r"<[^>]+>", "", value))
                kept["edit_date"] = int(time.time())
                return {k: v for k, v in kept.items() if k != "sent"}, key[1]
        return self._message(params, **{field_name: value})

    def _api_editMessageText(self, params: dict[str, Any]) -> tuple[Any, int]:
        return self._edit(params, "text")

    def _api_editMessageCaption(self, params: dict[str, Any]) -> tuple[Any, int]:
        return self._edit(params, "caption")

    def _api_deleteMessage(self, params: dict[str, Any]) -> tuple[Any, None]:
        key = (str(params.get("chat_id", "0")), int(params.get("message_id") or 0))
        with self._lock:
            if self.messages.pop(key, None) is None:
                raise Refused(DELETE_NOT_FOUND)
            self.deleted.add(key)
        return True, None

    def _api_getChatMember(self, params: dict[str, Any]) -> tuple[Any, None]:
        key = (str(params.get("chat_id")), str(params.get("user_id")))
        status = self.members.get(key, "member")
        member = member_json(status, self.user_json(int(key[1])))
        member.update(self.member_rights.get(key, {}))
        return member, None

    def _api_getChat(self, params: dict[str, Any]) -> tuple[Any, None]:
        chat = self._chat(str(params.get("chat_id", "0")))
        chat.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        return chat, None


def username_id(username: str) -> int:
    """The numeric id the fake gives the public chat "@username" (a channel-style id)."""
    return -1000000000000 - (sum(map(ord, username)) % 100000)


def member_json(status: str, user: dict[str, Any]) -> dict[str, Any]:
    """A ChatMember of the given status with the fields PTB insists on."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_post_messages=True,
        )
    elif status == "restricted":
        member.update(
            is_member=True,
            can_send_messages=False,
            can_send_audios=False,
            can_send_documents=False,
            can_send_photos=False,
            can_send_videos=False,
            can_send_video_notes=False,
            can_send_voice_notes=False,
            can_send_polls=False,
            can_send_other_messages=False,
            can_add_web_page_previews=False,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_manage_topics=False,
            until_date=0,
        )
    elif status == "kicked":
        member["until_date"] = 0
    return member
