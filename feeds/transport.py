"""The connection seam of fetching: every TCP connect dials an address the URL guard approved,
or the operator's proxy (`FetchTransport`, with the trade-off that brings).

Kept apart from `fetch.py` so the one rule it enforces (no DNS rebinding past the guard)
reads on its own and its test can drive it without the fetcher's caps and redirects.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
from collections.abc import Iterable, Mapping
from typing import Any

import httpcore
import httpx

from feeds.urlguard import UrlGuard, UrlResolutionError

log = logging.getLogger(__name__)


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses the guard has just approved, by IP.

    The hostname is resolved once, here, and the checked address is the one dialled, so
    a DNS answer that changes between `UrlGuard.check` and the connect cannot reach a
    private address. TLS still verifies the certificate against the original hostname
    (httpcore passes it to `start_tls` separately).
    """

    def __init__(self, guard: UrlGuard) -> None:
        self._guard = guard
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self._guard.resolve(host, port)
        except UrlResolutionError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """httpx's own transport, with its connection pool dialling through the guard.

    httpx 0.28 has no public hook for the network backend, so the pool is rebuilt here
    with httpcore's public constructor (pinned: httpx<0.29).
    """

    def __init__(self, guard: UrlGuard) -> None:
        super().__init__(trust_env=False)
        limits = httpx.Limits()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedNetworkBackend(guard),
        )


PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
_ENV_SCHEMES = ("http", "https")


class FetchTransport(httpx.AsyncBaseTransport):
    """Each request goes straight out through the guard, or through the configured proxy.

    `proxy_url` (`[fetch] proxy_url`) carries every request when it is set; otherwise the
    standard HTTP_PROXY / HTTPS_PROXY / ALL_PROXY variables are honoured, and NO_PROXY
    (host names, `.domain` suffixes, IP addresses or CIDR networks, `*`) sends matching
    hosts straight out.

    The trade-off: through a proxy, the proxy resolves the story's host name, so the
    address the guard approved cannot be pinned as the one dialled (a DNS answer that
    changes in between is the proxy's to follow). The fetcher still checks every URL, and
    every redirect hop, with the guard before the request is sent (a private address or a
    name that resolves to one is refused, and a name that does not resolve here is not
    fetched), so only a rebinding in that gap could reach past it. The proxy's own address
    is the operator's choice and is not checked.
    """

    def __init__(
        self,
        guard: UrlGuard,
        proxy_url: str | None = None,
        *,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self._direct = GuardedTransport(guard)
        self._by_scheme: dict[str, httpx.AsyncHTTPTransport] = {}
        self._no_proxy: tuple[str, ...] = ()
        if proxy_url:
            self._by_scheme = dict.fromkeys(_ENV_SCHEMES, _proxy_transport(proxy_url))
            return
        env = os.environ if environ is None else environ
        shared: dict[str, httpx.AsyncHTTPTransport | None] = {}
        for scheme in _ENV_SCHEMES:
            name = f"{scheme}_proxy" if _env(env, f"{scheme}_proxy") else "all_proxy"
            url = _env(env, name)
            if not url:
                continue
            if url not in shared:
                try:
                    shared[url] = _proxy_transport(url)
                except (ValueError, ImportError, httpx.InvalidURL) as exc:
                    # The variable's value may hold a password: only our own words are shown.
                    why = str(exc) if isinstance(exc, UnsupportedProxy) else type(exc).__name__
                    log.warning("fetch: ignored %s from the environment: %s", name.upper(), why)
                    shared[url] = None
            found = shared[url]
            if found is not None:
                self._by_scheme[scheme] = found
        self._no_proxy = tuple(
            entry.strip().lower() for entry in _env(env, "no_proxy").split(",") if entry.strip()
        )

    @property
    def proxied(self) -> bool:
        return bool(self._by_scheme)

    def route(self, url: httpx.URL) -> httpx.AsyncBaseTransport:
        """The transport a request to `url` goes through."""
        through = self._by_scheme.get(url.scheme)
        if through is None or _bypassed(url.host, self._no_proxy):
            return self._direct
        return through

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.route(request.url).handle_async_request(request)

    async def aclose(self) -> None:
        await self._direct.aclose()
        for through in {id(t): t for t in self._by_scheme.values()}.values():
            await through.aclose()


def _env(env: Mapping[str, str], name: str) -> str:
    """A proxy variable: the lower-case spelling wins, as in curl and httpx."""
    return (env.get(name) or env.get(name.upper()) or "").strip()


class UnsupportedProxy(ValueError):
    """A proxy URL of a scheme httpx cannot speak."""


def _proxy_transport(url: str) -> httpx.AsyncHTTPTransport:
    scheme = url.partition(":")[0].lower()
    if scheme not in PROXY_SCHEMES:
        raise UnsupportedProxy(f"unsupported proxy scheme {scheme!r} (http, https or socks5)")
    return httpx.AsyncHTTPTransport(proxy=httpx.Proxy(url), trust_env=False)


def _bypassed(host: str, no_proxy: tuple[str, ...]) -> bool:
    host = host.lower().strip("[]")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for entry in no_proxy:
        if entry == "*":
            return True
        name = entry.split("://", 1)[-1]
        if address is not None:
            with contextlib.suppress(ValueError):
                if address in ipaddress.ip_network(name.strip("[]"), strict=False):
                    return True
            continue
        name = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
        suffix = name.lstrip(".")
        if suffix and (host == suffix or host.endswith("." + suffix)):
            return True
    return False
