"""One HTTP listener per local address, on aiohttp, shared by every webhook that uses it.

Telegram's and Zalo's webhooks (and later WebSub) each mount a route on the listener of
their `webhook_listen`; two of them on one address share one aiohttp site, each on its
URL's path. Routes live in our own table rather than aiohttp's router, which freezes at
start: a platform that starts (or is retried) later still mounts its route.

`JsonWebhook` is the route every webhook needs: the secret header checked in constant
time before the body is read (so a stranger cannot make us read a megabyte), the body
capped and read within a time limit, anything that is not one JSON object answered 400
without a traceback, and the update handed on at once, so the platform never waits on
the handlers.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.core.settings import parse_listen

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# After an answer sent before the body was read, how long the rest may still come in (so
# the client reads our answer rather than a reset connection).
LINGER_SECONDS = 1.0
# aiohttp's own cap for the whole site; each route checks its own, smaller one first.
SITE_MAX_BODY = 64 << 20
# Paths without a route are logged once each, up to this many (scanners try thousands).
LOGGED_MISSES = 32

__all__ = ["JsonWebhook", "Listener", "Listeners", "Mounted", "answer", "parse_listen", "url_path"]


def answer(status: int, *, keep_alive: bool = True) -> web.Response:
    text = '{"message":"Success"}' if status == 200 else '{"message":"refused"}'
    response = web.Response(status=status, text=text, content_type="application/json")
    if not keep_alive:
        response.force_close()
    return response


async def start_site(
    app: web.Application, host: str, port: int, *, lingering_time: float = 10.0
) -> tuple[web.AppRunner, int]:
    """`app` served on host:port: its runner, and the port it bound (port 0: a free one)."""
    runner = web.AppRunner(
        app, access_log=None, handle_signals=False, lingering_time=lingering_time
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    for address in runner.addresses:
        if isinstance(address, tuple):
            return runner, int(address[1])
    return runner, port


class Listener:
    """An aiohttp site on "host:port"; `add_route` mounts a handler on a path, at any time.

    A `fallback` route also answers paths no route has, while it is the listener's only
    route (a webhook alone on its address may sit behind a proxy that rewrites paths).
    Mounting does not start the site: `open`/`close` count its users (`Mounted` does both).
    """

    def __init__(self, listen: str) -> None:
        self.listen = listen
        self.host, self.port = parse_listen(listen)
        self._routes: dict[str, dict[str, Handler]] = {}
        self._fallback: str | None = None
        self._subpaths: set[str] = set()  # routes that also answer <path>/<one segment>
        self._runner: web.AppRunner | None = None
        self._users = 0
        self._lock = asyncio.Lock()
        self._missed: set[str] = set()

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def paths(self) -> list[str]:
        return sorted(self._routes)

    def add_route(
        self,
        method: str,
        path: str,
        handler: Handler,
        *,
        fallback: bool = False,
        subpaths: bool = False,
    ) -> None:
        """Mount `handler` for `method` ("POST", or "*" for any) on `path` ("/zalo/hook");
        with `subpaths`, also on `path/<one segment>` (WebSub's callback per feed)."""
        path = normalize_path(path)
        methods = self._routes.setdefault(path, {})
        method = method.upper()
        if method in methods or "*" in methods or (method == "*" and methods):
            raise ValueError(f"listener {self.listen}: {method} {path} already has a route")
        methods[method] = handler
        if fallback:
            self._fallback = path
        if subpaths:
            self._subpaths.add(path)

    def remove_route(self, method: str, path: str) -> None:
        path = normalize_path(path)
        methods = self._routes.get(path, {})
        methods.pop(method.upper(), None)
        if not methods:
            self._routes.pop(path, None)
            self._subpaths.discard(path)
            if self._fallback == path:
                self._fallback = None

    async def open(self) -> None:
        """One more user; the first starts the site. Raises OSError if the address is taken."""
        async with self._lock:
            if self._runner is None:
                await self._start()
            self._users += 1

    async def close(self) -> None:
        """One user fewer; the last stops the site."""
        async with self._lock:
            self._users = max(0, self._users - 1)
            if self._users == 0:
                await self._stop()

    async def stop(self) -> None:
        """Stops the site whoever still uses it (the composition root, at the end)."""
        async with self._lock:
            self._users = 0
            await self._stop()

    async def _start(self) -> None:
        app = web.Application(client_max_size=SITE_MAX_BODY)
        app.router.add_route("*", "/{path:.*}", self._dispatch)
        self._runner, self.port = await start_site(
            app, self.host, self.port, lingering_time=LINGER_SECONDS
        )
        log.info("listener: serving on %s:%d", self.host, self.port)

    async def _stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        path = normalize_path(request.path)
        methods = self._routes.get(path)
        parent = path.rpartition("/")[0] or "/"
        if methods is None and parent in self._subpaths:
            methods = self._routes.get(parent)
        if methods is None and self._fallback is not None and len(self._routes) == 1:
            methods = self._routes.get(self._fallback)
        if methods is None:
            if request.path not in self._missed and len(self._missed) < LOGGED_MISSES:
                self._missed.add(request.path)
                log.warning(
                    "listener %s: %s %r has no route (routes: %s)",
                    self.listen,
                    request.method,
                    request.path[:100],
                    ", ".join(self.paths) or "none",
                )
            return answer(404, keep_alive=False)  # the body unread: the connection goes
        handler = methods.get(request.method) or methods.get("*")
        if handler is None:
            return answer(405, keep_alive=False)
        return await handler(request)


class Mounted:
    """A route on a listener for as long as its platform runs: `start` mounts it and opens
    the listener (starting the site if it is the first), `stop` undoes both."""

    def __init__(
        self,
        listener: Listener,
        method: str,
        path: str,
        handler: Handler,
        *,
        fallback: bool = False,
        subpaths: bool = False,
    ) -> None:
        self.listener = listener
        self.method = method
        self.path = normalize_path(path)
        self.handler = handler
        self.fallback = fallback
        self.subpaths = subpaths
        self._mounted = False

    async def start(self) -> None:
        if self._mounted:
            return
        listener = self.listener
        listener.add_route(
            self.method, self.path, self.handler, fallback=self.fallback, subpaths=self.subpaths
        )
        try:
            await listener.open()
        except BaseException:
            listener.remove_route(self.method, self.path)
            raise
        self._mounted = True

    async def stop(self) -> None:
        if self._mounted:
            self._mounted = False
            self.listener.remove_route(self.method, self.path)
            await self.listener.close()


class Listeners:
    """The registry the composition root owns: one `Listener` per address."""

    def __init__(self) -> None:
        self._by_address: dict[tuple[str, int], Listener] = {}
        self._all: list[Listener] = []

    def get(self, listen: str) -> Listener:
        """The listener of "host:port", made on first ask; port 0 (any free port, for
        tests) is never shared."""
        key = parse_listen(listen)
        listener = self._by_address.get(key)
        if listener is None:
            listener = Listener(listen)
            self._all.append(listener)
            if key[1] != 0:
                self._by_address[key] = listener
        return listener

    def __iter__(self) -> Iterator[Listener]:
        return iter(list(self._all))

    async def stop(self) -> None:
        """Every site, whoever still uses it: the root's last word at shutdown."""
        for listener in self:
            await listener.stop()


def url_path(url: str) -> str:
    """The path a webhook URL names, as the listener routes it."""
    return normalize_path(urlsplit(url).path)


def normalize_path(path: str) -> str:
    """ "" → "/", "/hook/" → "/hook": the path a webhook URL names, as routes compare it."""
    return "/" + path.strip("/")


class JsonWebhook:
    """A POST route taking one JSON object per request, behind a secret header.

    `accept(payload)` hands the object on and says whether it was an update at all
    (False: 400). It must not wait on the handlers."""

    def __init__(
        self,
        name: str,
        secret_header: str,
        secret: str,
        accept: Callable[[dict[str, Any]], bool],
        *,
        max_body: int = 1 << 20,
        read_seconds: float = 10.0,
        keep_alive: bool = True,
    ) -> None:
        self.name = name
        self.secret_header = secret_header
        self._secret = secret.encode()
        self._accept = accept
        self.max_body = max_body
        self.read_seconds = read_seconds
        self._keep_alive = keep_alive
        self.refused = 0  # requests with a wrong or missing secret
        self.taken = 0

    def _answer(self, status: int) -> web.Response:
        return answer(status, keep_alive=self._keep_alive and status == 200)

    async def __call__(self, request: web.Request) -> web.Response:
        if request.method != "POST":
            return self._answer(405)
        given = request.headers.get(self.secret_header, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            self.refused += 1
            log.warning(
                "%s webhook: request with a %s secret refused",
                self.name,
                "wrong" if given else "missing",
            )
            return self._answer(403)
        length = request.content_length
        if length is None:
            return self._answer(411)
        if length > self.max_body:
            return self._answer(413)
        try:
            async with asyncio.timeout(self.read_seconds):
                body = await request.read()
        except TimeoutError:
            return self._answer(408)
        except web.HTTPException as exc:  # the body outgrew the cap it announced
            return self._answer(exc.status)
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested without end
            return self._answer(400)
        if not isinstance(payload, dict) or not self._accept(payload):
            return self._answer(400)  # JSON, but not an update (a field of the wrong type)
        self.taken += 1
        return self._answer(200)
