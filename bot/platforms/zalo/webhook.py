"""Zalo's webhook POSTs, received on aiohttp's server (the Telegram webhook will share it).

The secret (`X-Bot-Api-Secret-Token`) is checked in constant time before the body is read,
so a stranger cannot make us read a megabyte; the body is capped and read within a time
limit. Anything that is not one update (bad JSON, nesting without end, a field of the
wrong type, text that is not Unicode) gets a 400, never a traceback. The update is
handed on at once and handled in the background, so Zalo never waits on the handlers.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.platforms.zalo.client import parse_update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
# After an answer sent before the body was read, how long the rest may still come in (so
# the client reads our answer rather than a reset connection).
LINGER_SECONDS = 1.0


def parse_listen(listen: str) -> tuple[str, int]:
    """ "127.0.0.1:8443" or "[::1]:8443" → (host, port)."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"webhook_listen must be host:port, got {listen!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def _answer(status: int) -> web.Response:
    text = '{"message":"Success"}' if status == 200 else '{"message":"refused"}'
    response = web.Response(status=status, text=text, content_type="application/json")
    response.force_close()  # one update per connection, as Zalo sends them
    return response


class WebhookListener:
    """Receives Zalo's POSTs on any path of `listen` ("host:port"); answers 200 once taken."""

    def __init__(
        self,
        listen: str,
        secret: str,
        on_update: Callable[[dict[str, Any]], None],
        *,
        max_body: int = 1 << 20,
        read_seconds: float = 10.0,
    ) -> None:
        self.host, self.port = parse_listen(listen)
        self._secret = secret.encode()
        self._on_update = on_update
        self._max_body = max_body
        self._read_seconds = read_seconds
        self._runner: web.AppRunner | None = None
        self.refused = 0  # requests with a wrong or missing secret

    async def start(self) -> None:
        app = web.Application(client_max_size=self._max_body)
        app.router.add_route("*", "/{path:.*}", self._receive)
        runner = web.AppRunner(
            app, access_log=None, handle_signals=False, lingering_time=LINGER_SECONDS
        )
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        for address in runner.addresses:
            if isinstance(address, tuple):
                self.port = int(address[1])
                break

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        if request.method != "POST":
            return _answer(405)
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, self._secret):
            self.refused += 1
            log.warning(
                "zalo webhook: request with a %s secret refused", "wrong" if given else "missing"
            )
            return _answer(403)
        length = request.content_length
        if length is None:
            return _answer(411)
        if length > self._max_body:
            return _answer(413)
        try:
            async with asyncio.timeout(self._read_seconds):
                body = await request.read()
        except TimeoutError:
            return _answer(408)
        except web.HTTPException as exc:  # the body outgrew the cap it announced
            return _answer(exc.status)
        try:
            payload = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested without end
            return _answer(400)
        if not isinstance(payload, dict) or parse_update(payload) is None:
            return _answer(400)  # JSON, but not an update (a field of the wrong type)
        self._on_update(payload)
        return _answer(200)
