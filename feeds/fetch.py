"""The only network I/O of the getting-stories room: one guarded, capped HTTP GET.

Redirects are followed by hand so that every hop goes through the URL guard; the body is
decompressed here, in bounded steps, so the size cap holds after decompression (a small
gzip bomb is stopped at the cap, not after it has filled memory).
"""

from __future__ import annotations

import asyncio
import logging
import math
import zlib
from collections.abc import AsyncGenerator, AsyncIterator, Iterable, Iterator, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from feeds.urlguard import UnsafeURLError, UrlGuard, UrlResolutionError

log = logging.getLogger(__name__)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRYABLE_4XX = frozenset({408, 429})
_DECODE_STEP = 64 * 1024
_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.8, */*;q=0.5"
)


@dataclass(frozen=True)
class FetchSettings:
    timeout_seconds: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = "Bantin/0.1 (+https://github.com/bantin)"


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    encoding: str | None = None


class FetchError(Exception):
    """A fetch that gave no usable body; `permanent` says whether retrying soon can help."""

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason
        self.status = status
        self.retry_after = retry_after
        self.permanent = permanent


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or an HTTP-date)."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        if math.isnan(seconds) or math.isinf(seconds) or seconds < 0:
            return None
        return seconds
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    reference = now if now is not None else datetime.now(UTC)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=UTC)
    return max(0.0, (when - reference).total_seconds())


class _GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
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


class _GuardedTransport(httpx.AsyncHTTPTransport):
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
            network_backend=_GuardedNetworkBackend(guard),
        )


class _BodyDecoder:
    """Content-Encoding decoding in bounded steps (never more than one step at a time)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._obj: Any = None
        self._started = False

    @classmethod
    def for_header(cls, header: str | None) -> _BodyDecoder:
        codings = [c.strip().lower() for c in (header or "").split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if not codings:
            return cls("identity")
        if len(codings) > 1:
            raise ValueError(f"unsupported content-encoding {header!r}")
        coding = {"x-gzip": "gzip"}.get(codings[0], codings[0])
        if coding not in ("gzip", "deflate"):
            raise ValueError(f"unsupported content-encoding {header!r}")
        return cls(coding)

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self.encoding == "identity":
            if data:
                yield data
            return
        if not self._started:
            self._start(data)
        yield from self._drain(data)

    def flush(self) -> Iterator[bytes]:
        if self._obj is not None:
            yield from self._drain(b"")
            tail = self._obj.flush()
            if tail:
                yield tail

    def _start(self, first: bytes) -> None:
        self._started = True
        if self.encoding == "gzip":
            self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:
            # "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
            is_zlib = (
                len(first) >= 2 and first[0] & 0x0F == 8 and (first[0] << 8 | first[1]) % 31 == 0
            )
            self._obj = zlib.decompressobj(zlib.MAX_WBITS if is_zlib else -zlib.MAX_WBITS)

    def _drain(self, data: bytes) -> Iterator[bytes]:
        pending = data
        while True:
            out = self._obj.decompress(pending, _DECODE_STEP)
            if out:
                yield out
            pending = self._obj.unconsumed_tail
            if self._obj.eof:
                rest = self._obj.unused_data
                if self.encoding == "gzip" and rest[:2] == b"\x1f\x8b":
                    self._obj = zlib.decompressobj(16 + zlib.MAX_WBITS)  # next gzip member
                    pending = rest
                    continue
                return
            if not pending and not out:
                return


class Fetcher:
    """Fetches one URL at a time: guard, conditional GET, redirects, caps."""

    def __init__(
        self,
        settings: FetchSettings,
        guard: UrlGuard,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._settings = settings
        self._guard = guard
        self._owns_client = client is None
        if client is None:
            # trust_env=False: an HTTP(S)_PROXY from the environment would make the
            # proxy, not the story's host, the address the guard sees at connect time.
            client = httpx.AsyncClient(
                transport=_GuardedTransport(guard),
                timeout=httpx.Timeout(settings.timeout_seconds),
                follow_redirects=False,
                trust_env=False,
            )
        self._client = client

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET `url`; raises FetchError for anything but a 2xx body or a 304."""
        try:
            async with asyncio.timeout(self._settings.timeout_seconds):
                result = await self._fetch(url, etag, last_modified)
        except TimeoutError:
            error = FetchError(
                url, f"timed out after {self._settings.timeout_seconds:g} s", permanent=False
            )
            log.info("fetch %s failed: %s", url, error.reason)
            raise error from None
        except FetchError as error:
            log.info("fetch %s failed: %s", url, error.reason)
            raise
        if result.not_modified:
            log.info("fetch %s: not modified", url)
        else:
            log.info("fetch %s: %d, %d bytes", url, result.status, len(result.body))
        return result

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        current = url
        for hop in range(self._settings.max_redirects + 1):
            where = "" if hop == 0 else f"redirect to {current}: "
            try:
                await self._guard.check(current)
            except UnsafeURLError as exc:
                raise FetchError(url, f"{where}refused: {exc}", permanent=True) from None
            except UrlResolutionError as exc:
                raise FetchError(url, f"{where}{exc}", permanent=False) from None
            headers = self._headers(etag, last_modified)
            try:
                request = self._client.build_request("GET", current, headers=headers)
            except httpx.InvalidURL as exc:
                raise FetchError(url, f"{where}invalid URL: {exc}", permanent=True) from None
            try:
                response = await self._client.send(request, stream=True, follow_redirects=False)
            except httpx.InvalidURL as exc:
                # httpx prepares the next request of a redirect even when not following
                # it, and gives up on a Location like "javascript:alert(1)".
                raise FetchError(
                    url, f"{where}unusable redirect Location: {exc}", permanent=True
                ) from None
            except UnsafeURLError as exc:
                raise FetchError(url, f"{where}refused: {exc}", permanent=True) from None
            except httpx.TimeoutException as exc:
                raise FetchError(url, f"{where}timed out ({type(exc).__name__})") from None
            except httpx.HTTPError as exc:
                raise FetchError(url, f"{where}{_describe(exc)}") from None
            try:
                if response.status_code in _REDIRECT_STATUSES:
                    current = self._next_hop(url, current, response)
                    log.debug("fetch %s: %d redirect to %s", url, response.status_code, current)
                    continue
                return await self._finish(url, where, response)
            except httpx.TimeoutException as exc:
                raise FetchError(url, f"{where}timed out ({type(exc).__name__})") from None
            except httpx.HTTPError as exc:
                raise FetchError(url, f"{where}{_describe(exc)}") from None
            finally:
                await response.aclose()
        raise FetchError(url, f"more than {self._settings.max_redirects} redirects", permanent=True)

    def _headers(self, etag: str | None, last_modified: str | None) -> dict[str, str]:
        headers = {
            "User-Agent": self._settings.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def _next_hop(self, url: str, current: str, response: httpx.Response) -> str:
        location = str(response.headers.get("location", "")).strip()
        if not location:
            raise FetchError(
                url,
                f"{response.status_code} redirect without a Location header",
                status=response.status_code,
            )
        target = urljoin(current, location)
        scheme = urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(
                url,
                f"refused redirect to a {scheme or 'schemeless'} URL: {target}",
                status=response.status_code,
                permanent=True,
            )
        return target

    async def _finish(self, url: str, where: str, response: httpx.Response) -> FetchResult:
        status = response.status_code
        headers = _lower_headers(response.headers)
        final_url = str(response.url)
        if status == 304:
            return FetchResult(
                url=final_url,
                status=status,
                body=b"",
                headers=headers,
                etag=headers.get("etag"),
                last_modified=headers.get("last-modified"),
                not_modified=True,
                encoding=response.charset_encoding,
            )
        if not 200 <= status < 300:
            raise _status_error(url, where, response)
        body = await self._read_body(url, where, response)
        return FetchResult(
            url=final_url,
            status=status,
            body=body,
            headers=headers,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            not_modified=False,
            encoding=response.charset_encoding,
        )

    async def _read_body(self, url: str, where: str, response: httpx.Response) -> bytes:
        cap = self._settings.max_bytes
        too_big = f"{where}body larger than {cap} bytes"
        try:
            decoder = _BodyDecoder.for_header(response.headers.get("content-encoding"))
        except ValueError as exc:
            raise FetchError(url, f"{where}{exc}", status=response.status_code) from None
        if decoder.encoding == "identity":
            declared = _content_length(response)
            if declared is not None and declared > cap:
                raise FetchError(url, too_big, status=response.status_code, permanent=True)
        parts: list[bytes] = []
        total = 0
        try:
            async with aclosing(_decoded(decoder, response.aiter_raw())) as pieces:
                async for piece in pieces:
                    total += len(piece)
                    if total > cap:
                        raise FetchError(url, too_big, status=response.status_code, permanent=True)
                    parts.append(piece)
        except zlib.error as exc:
            raise FetchError(
                url, f"{where}bad {decoder.encoding} body: {exc}", status=response.status_code
            ) from None
        return b"".join(parts)


async def _decoded(decoder: _BodyDecoder, raw: AsyncIterator[bytes]) -> AsyncGenerator[bytes, None]:
    try:
        async for chunk in raw:
            for piece in decoder.feed(chunk):
                yield piece
    finally:
        aclose = getattr(raw, "aclose", None)
        if aclose is not None:
            await aclose()
    for piece in decoder.flush():
        yield piece


def _status_error(url: str, where: str, response: httpx.Response) -> FetchError:
    status = response.status_code
    retry_after = parse_retry_after(response.headers.get("retry-after"))
    phrase = response.reason_phrase or ""
    reason = f"{where}HTTP {status} {phrase}".rstrip()
    if retry_after is not None:
        reason += f" (retry after {retry_after:g} s)"
    permanent = 400 <= status < 500 and status not in _RETRYABLE_4XX
    if not 400 <= status < 600:
        reason = f"{where}unexpected HTTP status {status}"
        permanent = False
    return FetchError(url, reason, status=status, retry_after=retry_after, permanent=permanent)


def _lower_headers(headers: httpx.Headers) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.multi_items():
        key = name.lower()
        out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value.split(",")[0].strip())
    except ValueError:
        return None


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
