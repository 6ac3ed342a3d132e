"""WebSub on the network: subscribing feeds at their hubs, and the callback the hubs call.

`WebSubSubscriber` asks a feed's hub (found by `feeds.websub.discover` in each fetched
body) to push to `[websub] callback_url`/<feed id>, with a secret of ours, and renews the
lease before it ends. `WebSubReceiver` answers the hub's verification (the challenge,
for a topic we asked for) and takes its pushes: a body whose `X-Hub-Signature` is not
ours is refused (403); a signed one makes the feed poll at once. Polling stays the
fallback: a hub that is silent, refuses or goes away costs at most a poll interval.

The receiver's routes (`add_routes`) mount on any aiohttp application, so the shared
webhook listener can carry them; `start` runs them on their own site meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.platforms.listener import Listeners, Mounted
from feeds.fetch import Fetcher, FetchError, FetchResult
from feeds.websub import discover, parse_verification, renew_at, signature_ok

if TYPE_CHECKING:
    from bot.core.ports import StorePort
    from bot.core.records import Feed
    from bot.core.settings import WebSubConfig

log = logging.getLogger(__name__)

RETRY_SECONDS = 900.0  # a hub that could not be asked, or refused: ask again this much later
DENIED_RETRY_SECONDS = 86_400.0
# A request the hub has not verified in this long is asked again at the next poll (it was
# perhaps made by `bantin poll`, with no listener to answer the hub).
UNVERIFIED_SECONDS = 120.0
SIGNATURE_HEADER = "X-Hub-Signature"
OnPush = Callable[[int], Coroutine[Any, Any, None]]


def callback_path(callback_url: str) -> str:
    """The path the routes live under: "https://bot.example/websub" → "/websub"."""
    return urlsplit(callback_url).path.rstrip("/")


class WebSubSubscriber:
    """Subscribes feeds that advertise a hub; keeps their leases alive."""

    def __init__(self, store: StorePort, fetcher: Fetcher, settings: WebSubConfig) -> None:
        self.store = store
        self.fetcher = fetcher
        self.settings = settings

    def callback_for(self, feed_id: int) -> str:
        return f"{self.settings.callback_url}/{feed_id}"

    async def consider(self, feed: Feed, result: FetchResult) -> None:
        """After a fetch: subscribe when the feed names a hub we are not subscribed at."""
        links = discover(result.body, result.headers, result.url)
        if links is None:
            return
        current = await self.store.websub.get(feed.id)
        if current is not None and (current.hub, current.topic) == (links.hub, links.topic):
            unverified = time.time() - current.requested_at > UNVERIFIED_SECONDS
            if current.state != "requested" or not unverified:
                return  # renewals and retries are `renew_due`'s
            secret: str | None = current.secret  # asked, never verified (no listener then?)
        else:
            secret = None
        log.info(
            "feed %s: advertises the WebSub hub %s (topic %s)", feed.name, links.hub, links.topic
        )
        await self.subscribe(feed.id, links.hub, links.topic, secret)

    async def subscribe(
        self, feed_id: int, hub: str, topic: str, secret: str | None = None
    ) -> bool:
        """Ask the hub; True when it accepted to verify (202) or verified at once (204).

        The request is recorded first: the hub may call back before it answers us."""
        secret = secret or secrets.token_hex(32)
        await self.store.websub.requested(feed_id, hub, topic, secret)
        form = {
            "hub.mode": "subscribe",
            "hub.topic": topic,
            "hub.callback": self.callback_for(feed_id),
            "hub.secret": secret,
            "hub.lease_seconds": str(self.settings.lease_seconds),
        }
        try:
            status, answer = await self.fetcher.post_form(hub, form)
        except FetchError as exc:
            await self._failed(feed_id, hub, exc.reason)
            return False
        if 200 <= status < 300:
            log.info("feed %d: subscription asked of the hub %s (%d)", feed_id, hub, status)
            return True
        await self._failed(feed_id, hub, f"HTTP {status}: {' '.join(answer.split())[:120]}")
        return False

    async def _failed(self, feed_id: int, hub: str, reason: str) -> None:
        log.warning("feed %d: the WebSub hub %s refused or failed: %s", feed_id, hub, reason)
        await self.store.websub.failed(feed_id, "failed", reason, time.time() + RETRY_SECONDS)

    async def renew_due(self) -> int:
        """Leases near their end, refusals to try again, requests never verified."""
        due = await self.store.websub.due(time.time())
        for subscription in due:
            await self.subscribe(
                subscription.feed_id, subscription.hub, subscription.topic, subscription.secret
            )
        return len(due)


class WebSubReceiver:
    """The callback: verification GETs and signed content POSTs, at <path>/<feed id>."""

    def __init__(
        self,
        store: StorePort,
        settings: WebSubConfig,
        on_push: OnPush | None = None,
        listeners: Listeners | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.on_push = on_push
        self.path = callback_path(settings.callback_url)
        self.refused = 0  # pushes whose signature was not ours
        self.pushes = 0
        registry = listeners if listeners is not None else Listeners()
        # The webhooks' listener when they share `listen`: one HTTP server for all.
        self.listener = registry.get(settings.listen)
        self._route = Mounted(self.listener, "*", self.path, self._receive, subpaths=True)
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        return self.listener.port

    async def start(self) -> None:
        await self._route.start()
        log.info(
            "websub: callback on %s:%d%s/<feed>", self.listener.host, self.port, self.path or ""
        )

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks, timeout=2.0)
        await self._route.stop()

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        """<path>/<feed id>: the hub's verification (GET) or its content (POST)."""
        tail = request.path.rstrip("/").rpartition("/")[2]
        if not tail.isdigit() or len(tail) > 12:
            return web.Response(status=404, text="no such feed")
        feed_id = int(tail)
        if request.method == "GET":
            return await self._verify(request, feed_id)
        if request.method == "POST":
            return await self._content(request, feed_id)
        return web.Response(status=405, text="GET or POST")

    async def _verify(self, request: web.Request, feed_id: int) -> web.Response:
        """The hub asks whether we meant it: echo the challenge only for our own topic."""
        asked = parse_verification(request.query)
        if asked is None:
            return web.Response(status=400, text="not a WebSub verification")
        subscription = await self.store.websub.get(feed_id)
        ours = subscription is not None and subscription.topic == asked.topic
        if asked.mode == "subscribe":
            if not ours:
                log.warning("websub feed %d: verification for a topic we did not ask", feed_id)
                return web.Response(status=404, text="not subscribed")
            lease = asked.lease_seconds or self.settings.lease_seconds
            at = time.time()
            await self.store.websub.verified(feed_id, at + lease, renew_at(at, lease))
            log.info("websub feed %d: subscription verified, lease %d s", feed_id, lease)
            return web.Response(text=asked.challenge, content_type="text/plain")
        if asked.mode == "unsubscribe":
            if ours:  # we did not ask to stop: someone else did
                return web.Response(status=404, text="still subscribed")
            return web.Response(text=asked.challenge, content_type="text/plain")
        if ours:  # denied
            reason = (asked.reason or "denied")[:200]
            log.warning("websub feed %d: the hub denied the subscription: %s", feed_id, reason)
            await self.store.websub.failed(
                feed_id, "denied", reason, time.time() + DENIED_RETRY_SECONDS
            )
        return web.Response(text="")

    async def _content(self, request: web.Request, feed_id: int) -> web.Response:
        """A new version of the feed: signed with our secret, or refused."""
        subscription = await self.store.websub.get(feed_id)
        if subscription is None:
            return web.Response(status=410, text="no subscription")  # the hub may drop it
        length = request.content_length
        if length is not None and length > self.settings.max_body_bytes:
            return web.Response(status=413, text="too large")
        try:
            async with asyncio.timeout(10.0):
                body = await request.content.read(self.settings.max_body_bytes + 1)
        except TimeoutError:
            return web.Response(status=408, text="too slow")
        if len(body) > self.settings.max_body_bytes:
            return web.Response(status=413, text="too large")
        if not signature_ok(subscription.secret, body, request.headers.get(SIGNATURE_HEADER)):
            self.refused += 1
            given = "a wrong" if request.headers.get(SIGNATURE_HEADER) else "no"
            log.warning("websub feed %d: push with %s signature refused", feed_id, given)
            return web.Response(status=403, text="bad signature")
        self.pushes += 1
        log.info("websub feed %d: pushed %d bytes; polling it now", feed_id, len(body))
        if self.on_push is None:
            await self.store.websub.pushed(feed_id)  # whoever polls will see it due
        else:
            task = asyncio.create_task(self.on_push(feed_id), name=f"websub-push-{feed_id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.Response(status=202, text="")


class WebSubService:
    """Both halves, as the composition root runs them: a push polls its feed at once."""

    def __init__(
        self,
        store: StorePort,
        fetcher: Fetcher,
        settings: WebSubConfig,
        poll_feed: Callable[[Feed], Coroutine[Any, Any, object]],
        listeners: Listeners | None = None,
    ) -> None:
        self.store = store
        self._poll_feed = poll_feed
        self.subscriber = WebSubSubscriber(store, fetcher, settings)
        self.receiver = WebSubReceiver(store, settings, self.poll_now, listeners)

    async def poll_now(self, feed_id: int) -> None:
        feed = await self.store.feeds.get(feed_id)
        if feed is None or feed.paused:
            return
        await self._poll_feed(feed)

    async def renew(self) -> None:
        """The scheduler's job: never raises (the next run tries again)."""
        try:
            await self.subscriber.renew_due()
        except Exception:
            log.exception("websub: could not renew subscriptions")

    async def start(self) -> None:
        await self.receiver.start()

    async def stop(self) -> None:
        await self.receiver.stop()
