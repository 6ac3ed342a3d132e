"""The only network I/O of the getting-stories room: one guarded, capped HTTP GET.

Redirects are followed by hand so that every hop goes through the URL guard; each
connect dials only an address the guard approved (`transport.py`); the body is
decompressed in bounded steps (`decode.py`) so the size cap holds after decompression.
"""

from __future__ import annotations

import asyncio
import logging
import math
import zlib
from collections.abc import Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpx

from bot.core.settings import redact_url
from feeds.decode import BodyDecoder, decoded
from feeds.transport import FetchTransport
from feeds.urlguard import UnsafeURLError, UrlGuard, UrlResolutionError

log = logging.getLogger(__name__)

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_RETRYABLE_4XX = frozenset({408, 429})
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
    # `[fetch] proxy_url`; None: the standard proxy environment variables decide.
    proxy_url: str | None = field(default=None, repr=False)


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
        self._secrets = _proxy_secrets(settings.proxy_url)
        if client is None:
            # trust_env=False: FetchTransport reads the proxy variables itself, so that a
            # request that does not go through a proxy still dials through the guard.
            transport = FetchTransport(guard, settings.proxy_url)
            if settings.proxy_url:
                log.info("fetch: through the proxy %s", redact_url(settings.proxy_url))
            elif transport.proxied:
                log.info("fetch: through the proxy from the environment (HTTP(S)_PROXY)")
            client = httpx.AsyncClient(
                transport=transport,
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
                raise FetchError(url, f"{where}{self._describe(exc)}") from None
            try:
                if response.status_code in _REDIRECT_STATUSES:
                    current = self._next_hop(url, current, response)
                    log.debug("fetch %s: %d redirect to %s", url, response.status_code, current)
                    continue
                return await self._finish(url, where, response)
            except httpx.TimeoutException as exc:
                raise FetchError(url, f"{where}timed out ({type(exc).__name__})") from None
            except httpx.HTTPError as exc:
                raise FetchError(url, f"{where}{self._describe(exc)}") from None
            finally:
                await response.aclose()
        raise FetchError(url, f"more than {self._settings.max_redirects} redirects", permanent=True)

    async def post_form(self, url: str, form: Mapping[str, str]) -> tuple[int, str]:
        """POST a form through the same guard and caps (a WebSub hub's subscribe request);
        no redirect is followed. The status and the first 300 characters of the answer."""
        try:
            await self._guard.check(url)
        except UnsafeURLError as exc:
            raise FetchError(url, f"refused: {exc}", permanent=True) from None
        except UrlResolutionError as exc:
            raise FetchError(url, str(exc)) from None
        try:
            async with asyncio.timeout(self._settings.timeout_seconds):
                response = await self._client.post(
                    url, data=dict(form), headers={"User-Agent": self._settings.user_agent}
                )
        except TimeoutError:
            raise FetchError(url, "timed out") from None
        except UnsafeURLError as exc:
            raise FetchError(url, f"refused: {exc}", permanent=True) from None
        except httpx.HTTPError as exc:
            raise FetchError(url, self._describe(exc)) from None
        return response.status_code, response.text[:300]

    def _describe(self, exc: httpx.HTTPError) -> str:
        """The error in words, with no credential of the proxy in them."""
        text = _describe(exc)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

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
            decoder = BodyDecoder.for_header(response.headers.get("content-encoding"))
        except ValueError as exc:
            raise FetchError(url, f"{where}{exc}", status=response.status_code) from None
        if decoder.encoding == "identity":
            declared = _content_length(response)
            if declared is not None and declared > cap:
                raise FetchError(url, too_big, status=response.status_code, permanent=True)
        parts: list[bytes] = []
        total = 0
        try:
            async with aclosing(decoded(decoder, response.aiter_raw())) as pieces:
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


def _proxy_secrets(proxy_url: str | None) -> tuple[str, ...]:
    """The parts of a proxy URL that must never be printed, longest first."""
    if not proxy_url:
        return ()
    try:
        parts = urlsplit(proxy_url)
        password = parts.password
    except ValueError:
        return (proxy_url,)
    if not password:
        return ()
    return tuple(sorted({parts.netloc.rpartition("@")[0], password}, key=len, reverse=True))


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc).strip()
    name = type(exc).__name__
    return f"{name}: {text}" if text else name
