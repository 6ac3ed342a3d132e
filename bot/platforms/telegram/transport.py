"""python-telegram-bot's requests over aiohttp: the send path that can carry 1,000 msg/s.

PTB's own HTTPXRequest costs about 2.6 ms of CPU a send (httpx's pool is scanned on every
request, and its size used to follow the configured rate); aiohttp about 0.25 ms. This is
PTB's `BaseRequest` seam: PTB still turns the status and JSON into its exceptions
(RetryAfter, ChatMigrated, BadRequest, Forbidden…); here only what HTTPXRequest itself
raises is mapped: `TimedOut` for a timeout, `NetworkError` for any other failure of the
HTTP client, each with aiohttp's exception as its cause, so `errors.classify` can tell a
request that never left (a refused connect, a connect or pool timeout) from one that may
have arrived (a read timeout, a reset mid-answer).

aiohttp cannot reach a socks5 proxy without another library: `telegram_request` keeps PTB's
httpx request for that case (`[telegram] proxy_url = "socks5://…"`, or ALL_PROXY alone in
the environment), and uses this one for a direct connection or an http(s) proxy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.platforms.aio import POOL, ProxyRoute, needs_httpx, new_session

__all__ = ["POOL", "AiohttpRequest", "needs_httpx"]


class AiohttpRequest(BaseRequest):
    """PTB's requests over one aiohttp session with a bounded pool.

    `answered` is called whenever the server answered below 5xx (the heartbeat)."""

    def __init__(
        self,
        *,
        connection_pool_size: int = POOL,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
        answered: Callable[[], None] | None = None,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._route = ProxyRoute(proxy)
        self._answered = answered
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = new_session(self._pool_size, {"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(
        self,
        read: ODVInput[float],
        write: ODVInput[float],
        connect: ODVInput[float],
        pool: ODVInput[float],
        files: bool,
    ) -> aiohttp.ClientTimeout:
        """aiohttp has no write timeout: the whole request gets the sum as its ceiling."""
        read_s = self._read if isinstance(read, DefaultValue) else read
        connect_s = self._connect if isinstance(connect, DefaultValue) else connect
        pool_s = self._pool if isinstance(pool, DefaultValue) else pool
        if isinstance(write, DefaultValue):
            write_s = self._media_write if files else self._write
        else:
            write_s = write
        parts = (read_s, write_s, connect_s, pool_s)
        total = None if any(p is None for p in parts) else sum(p or 0.0 for p in parts)
        acquire = None if connect_s is None or pool_s is None else connect_s + pool_s
        return aiohttp.ClientTimeout(
            total=total, connect=acquire, sock_connect=connect_s, sock_read=read_s
        )

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        data: Any = fields
        if files:
            form = aiohttp.FormData()
            for name, value in (fields or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime)
            data = form
        timeout = self._timeout(
            read_timeout, write_timeout, connect_timeout, pool_timeout, bool(files)
        )
        proxy, proxy_headers, headers = self._route.route(url)
        try:
            async with session.request(
                method,
                url,
                data=data,
                headers=headers,
                timeout=timeout,
                proxy=proxy,
                proxy_headers=proxy_headers,
                allow_redirects=False,
            ) as response:
                status, body = response.status, await response.read()
        except (aiohttp.ConnectionTimeoutError, aiohttp.SocketTimeoutError) as exc:
            if isinstance(exc, aiohttp.ConnectionTimeoutError):
                raise TimedOut(
                    "Pool or connect timeout: the request was *not* sent to Telegram"
                ) from exc
            raise TimedOut from exc
        except TimeoutError as exc:  # the whole request's ceiling: it may have arrived
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        if status < 500 and self._answered is not None:
            self._answered()
        return status, body
