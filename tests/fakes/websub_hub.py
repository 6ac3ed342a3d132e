"""A fake WebSub hub: a real HTTP server on 127.0.0.1 that does what a hub does.

Subscribers POST hub.mode=subscribe (topic, callback, secret, lease); the hub answers 202
and, from its own thread, verifies the intent as the spec says (GET the callback with
hub.challenge; only an echo of the challenge makes the subscription active). On
`publish`, it fetches each subscribed topic and POSTs the body to the callbacks, signed
with X-Hub-Signature (HMAC-SHA256 of the body with the subscriber's secret).

    with FakeNewsSite() as site, FakeHub() as hub:
        hub.attach(site)              # the site's feeds advertise the hub; new stories push
        ... poll site.feed_url: the bot subscribes ...
        site.add_story(...)           # the hub pushes the feed to the bot's callback
"""

from __future__ import annotations

import secrets
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode

from feeds.websub import sign
from tests.fakes.loopback import LoopbackFake
from tests.fakes.news_site import FakeNewsSite


@dataclass
class Subscription:
    topic: str
    callback: str
    secret: str
    lease_seconds: int
    active: bool = False
    verifications: int = 0
    pushes: list[int] = field(default_factory=list)  # the callback's answer to each push


class FakeHub(LoopbackFake):
    def __init__(self, *, lease_seconds: int | None = None, accept: bool = True) -> None:
        super().__init__()
        self.lease_seconds = lease_seconds  # None: grant what was asked
        self.accept = accept  # False: answer subscribe requests 400
        self.requests: list[dict[str, str]] = []
        self.subscriptions: dict[tuple[str, str], Subscription] = {}  # (topic, callback)
        self._threads: list[threading.Thread] = []

    # ---- what the subscriber calls -------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(request.rfile.read(length).decode()))
        with self._lock:
            self.requests.append(form)
        mode, topic, callback = (
            form.get("hub.mode"),
            form.get("hub.topic"),
            form.get("hub.callback"),
        )
        if request.command != "POST" or mode != "subscribe" or not topic or not callback:
            self._answer(request, 400, b"hub.mode=subscribe, hub.topic, hub.callback needed")
            return
        if not self.accept:
            self._answer(request, 400, b"topic not accepted")
            return
        asked = int(form.get("hub.lease_seconds") or 86_400)
        subscription = Subscription(
            topic, callback, form.get("hub.secret", ""), self.lease_seconds or asked
        )
        self._answer(request, 202, b"")
        self._in_background(self._verify, subscription)

    @staticmethod
    def _answer(request: BaseHTTPRequestHandler, status: int, body: bytes) -> None:
        request.send_response(status)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def _verify(self, subscription: Subscription) -> None:
        challenge = secrets.token_urlsafe(16)
        query = urlencode(
            {
                "hub.mode": "subscribe",
                "hub.topic": subscription.topic,
                "hub.challenge": challenge,
                "hub.lease_seconds": subscription.lease_seconds,
            }
        )
        try:
            with urllib.request.urlopen(f"{subscription.callback}?{query}", timeout=5) as answer:
                ok = answer.status == 200 and answer.read().decode() == challenge
        except (urllib.error.URLError, OSError):
            ok = False
        with self._cond:
            key = (subscription.topic, subscription.callback)
            known = self.subscriptions.get(key)
            subscription.verifications = (known.verifications if known else 0) + 1
            subscription.active = ok
            self.subscriptions[key] = subscription
            self._cond.notify_all()

    # ---- scripting -----------------------------------------------------------------------

    def attach(self, site: FakeNewsSite) -> None:
        """The site's feeds advertise this hub, and each new story is published through it."""
        site.hub_url = self.url
        site.on_publish = lambda _section: self.publish()

    def active(self) -> list[Subscription]:
        with self._lock:
            return [s for s in self.subscriptions.values() if s.active]

    def wait_active(self, count: int = 1, timeout: float = 5.0) -> list[Subscription]:
        with self._cond:
            self._cond.wait_for(
                lambda: sum(s.active for s in self.subscriptions.values()) >= count, timeout
            )
        return self.active()

    def publish(self, topic: str | None = None, *, secret: str | None = None) -> None:
        """Push the topic (None: every subscribed topic) to its subscribers, from a thread
        (as a hub does, after the publisher's ping). `secret` signs with another secret."""
        for subscription in self.active():
            if topic is None or subscription.topic == topic:
                self._in_background(self._push, subscription, secret)

    def _push(self, subscription: Subscription, secret: str | None) -> None:
        try:
            with urllib.request.urlopen(subscription.topic, timeout=5) as answer:
                body, kind = answer.read(), answer.headers.get("Content-Type", "")
        except (urllib.error.URLError, OSError):
            return
        request = urllib.request.Request(
            subscription.callback,
            data=body,
            method="POST",
            headers={
                "Content-Type": kind or "application/rss+xml",
                "X-Hub-Signature": sign(secret or subscription.secret, body),
                "Link": f'<{self.url}>; rel="hub", <{subscription.topic}>; rel="self"',
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                status = answer.status
        except urllib.error.HTTPError as refused:
            status = refused.code
        except (urllib.error.URLError, OSError):
            status = 0
        with self._cond:
            subscription.pushes.append(status)
            self._cond.notify_all()

    def wait_pushes(self, count: int, timeout: float = 5.0) -> list[int]:
        """The callbacks' answers once `count` pushes were answered (or at the timeout)."""
        with self._cond:
            self._cond.wait_for(
                lambda: sum(len(s.pushes) for s in self.subscriptions.values()) >= count,
                timeout,
            )
            return [status for s in self.subscriptions.values() for status in s.pushes]

    def _in_background(self, target: Any, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
