"""What the platforms' aiohttp clients share: the send path's connection pool, its proxy,
and the trace that tells the delivery worker when a send is on the wire.

aiohttp costs a tenth of httpx's CPU per request (bench/fanout.py --unlimited). It cannot
reach a socks5 proxy without another library, so a client keeps httpx for that case only
(`needs_httpx`).
"""

from __future__ import annotations

import base64
from types import SimpleNamespace

import aiohttp
from aiohttp.helpers import get_env_proxy_for_url
from yarl import URL

from bot.core.outcome import mark_written

POOL = 128  # connections: 1,000 msg/s at a 100 ms round trip to Telegram; cheap to keep
# No connection made, or none came free in time: the platform cannot have the request.
NOT_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError, aiohttp.InvalidURL)


def needs_httpx(proxy_url: str, environ: dict[str, str]) -> bool:
    """A socks proxy (configured, or ALL_PROXY with no HTTPS_PROXY): aiohttp cannot."""
    if proxy_url:
        return proxy_url.lower().startswith("socks")
    env = {k.lower(): v for k, v in environ.items()}
    if env.get("https_proxy"):
        return env["https_proxy"].lower().startswith("socks")
    return bool(env.get("all_proxy"))


async def _headers_sent(
    session: aiohttp.ClientSession, context: SimpleNamespace, params: object
) -> None:
    """The request's first bytes are leaving: a stop must let this send finish."""
    mark_written()


def wire_trace() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(_headers_sent)
    trace.freeze()
    return trace


def new_session(pool: int, headers: dict[str, str]) -> aiohttp.ClientSession:
    """One bounded pool; not `trust_env` (it looks for ~/.netrc on every request:
    `ProxyRoute` reads HTTPS_PROXY / NO_PROXY once per host instead)."""
    connector = aiohttp.TCPConnector(
        limit=pool, limit_per_host=pool, ttl_dns_cache=300, keepalive_timeout=30.0
    )
    return aiohttp.ClientSession(
        connector=connector, headers=headers, trust_env=False, trace_configs=[wire_trace()]
    )


def _basic(url: URL) -> str:
    pair = f"{url.user or ''}:{url.password or ''}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


class ProxyRoute:
    """The configured proxy, else HTTP(S)_PROXY unless NO_PROXY names the host.

    Credentials in the proxy URL go in a Proxy-Authorization header (as UTF-8), never in
    a URL aiohttp might show."""

    def __init__(self, proxy_url: str | None) -> None:
        self._proxy: URL | None = None
        self._headers: dict[str, str] | None = None
        if proxy_url:
            parsed = URL(proxy_url)
            if parsed.user is not None:
                self._headers = {"Proxy-Authorization": _basic(parsed)}
            self._proxy = parsed.with_user(None)
        self._env: dict[tuple[str, str], tuple[URL | None, dict[str, str] | None]] = {}

    def _lookup(self, url: str) -> tuple[URL | None, dict[str, str] | None]:
        if self._proxy is not None:
            return self._proxy, self._headers
        parsed = URL(url)
        key = (parsed.scheme, parsed.host or "")
        if key not in self._env:
            try:
                proxy, auth = get_env_proxy_for_url(parsed)
                headers = None if auth is None else {"Proxy-Authorization": auth.encode()}
                self._env[key] = (proxy, headers)
            except LookupError:
                self._env[key] = (None, None)
        return self._env[key]

    def route(self, url: str) -> tuple[URL | None, dict[str, str] | None, dict[str, str] | None]:
        """(proxy, proxy_headers, headers) for aiohttp's request to `url`.

        aiohttp sends `proxy_headers` with a CONNECT only: a plain http request through
        the proxy carries them itself (a proxy drops them before forwarding)."""
        proxy, headers = self._lookup(url)
        if proxy is not None and headers is not None and url.startswith("http:"):
            return proxy, None, headers
        return proxy, headers, None
