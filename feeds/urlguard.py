"""The URL guard: Bantin fetches only public http(s) addresses.

Feed URLs come from admins and redirects come from strangers, so every hop is checked
twice: `check` resolves the host and refuses the URL if any address is private, and the
fetcher's connection layer checks the address it actually connects to (closing the
window where DNS answers differently the second time). A refused address is refused
before any packet is sent to it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Sequence
from urllib.parse import SplitResult, urlsplit

log = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_ALLOWED_SCHEMES = frozenset({"http", "https"})
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_ULA = ipaddress.IPv6Network("fc00::/7")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_FORBIDDEN_URL_CHARS = frozenset("\\ \t\r\n\x00")


class UnsafeURLError(ValueError):
    """The URL may not be fetched; the message says why (scheme, credentials, address)."""


class UrlResolutionError(OSError):
    """The host name did not resolve: a network problem, not a policy refusal."""


def address_class(ip: IPAddress) -> str | None:
    """Why this address is not public ("private", "loopback", ...), or None if it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            label, v4 = embedded
            inner = address_class(v4)
            return f"{label} {inner}" if inner else None
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "shared (CGNAT)"
    if isinstance(ip, ipaddress.IPv6Address) and ip in _ULA:
        return "unique local (ULA)"
    if ip.is_multicast:
        return "multicast"
    if ip.is_private:
        return "private"
    if ip.is_reserved:
        return "reserved"
    if isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local:
        return "site-local"
    if not ip.is_global:
        return "non-global"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """IPv6 forms that reach an IPv4 host: mapped, 6to4 and NAT64."""
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped", ip.ipv4_mapped
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    if ip in _NAT64:
        return "NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


class UrlGuard:
    """Refuses URLs that are not public http(s), and addresses that are not public."""

    def __init__(
        self,
        *,
        allow_private_addresses: bool = False,
        trusted_networks: Sequence[str] = (),
    ) -> None:
        self.allow_private_addresses = allow_private_addresses
        self._trusted: tuple[IPNetwork, ...] = tuple(
            ipaddress.ip_network(net, strict=False) for net in trusted_networks
        )

    def check_syntax(self, url: str) -> None:
        """http(s) only, a host, no user:password@ (it would be sent to whoever answers)."""
        self._split(url)

    def check_address(self, address: str | IPAddress, *, url: str | None = None) -> None:
        """Refuse one resolved address unless it is public or trusted."""
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if self.allow_private_addresses or self._is_trusted(ip):
            return
        why = address_class(ip)
        if why is not None:
            where = f" for {url}" if url else ""
            raise UnsafeURLError(f"{why} address {ip}{where}")

    async def resolve(self, host: str, port: int) -> list[str]:
        """The host's addresses, every one checked; raises if any is refused.

        All must pass, not just the first: a name that answers both a public and a
        private address could otherwise be steered to the private one.
        """
        literal = _ip_literal(host)
        if literal is not None:
            self.check_address(literal)
            return [str(literal)]
        try:
            infos = await asyncio.to_thread(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise UrlResolutionError(f"cannot resolve {host}: {exc}") from exc
        addresses: list[str] = []
        for _family, _type, _proto, _canon, sockaddr in infos:
            text = str(sockaddr[0]).split("%", 1)[0]  # drop an IPv6 zone id
            if text not in addresses:
                addresses.append(text)
        if not addresses:
            raise UrlResolutionError(f"cannot resolve {host}: no addresses")
        for text in addresses:
            try:
                self.check_address(text)
            except UnsafeURLError as exc:
                raise UnsafeURLError(f"{exc} (resolved from {host})") from None
        return addresses

    async def check(self, url: str) -> None:
        """Syntax, then every address the host resolves to."""
        parts = self._split(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        try:
            await self.resolve(host, port)
        except UnsafeURLError as exc:
            log.warning("url guard refused %s: %s", url, exc)
            raise UnsafeURLError(f"{exc} for {url}") from None

    def _is_trusted(self, ip: IPAddress) -> bool:
        candidates: list[IPAddress] = [ip]
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            candidates.append(ip.ipv4_mapped)
        return any(c in net for c in candidates for net in self._trusted)

    def _split(self, url: str) -> SplitResult:
        if not isinstance(url, str) or not url:
            raise UnsafeURLError("empty URL")
        if any(ch in _FORBIDDEN_URL_CHARS for ch in url) or any(ord(ch) < 0x20 for ch in url):
            raise UnsafeURLError(
                f"URL has white space, a backslash or a control character: {url!r}"
            )
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise UnsafeURLError(f"malformed URL {url!r}: {exc}") from None
        scheme = parts.scheme.lower()
        if scheme not in _ALLOWED_SCHEMES:
            raise UnsafeURLError(f"scheme {scheme or '(none)'!r} not allowed (http or https only)")
        if "@" in parts.netloc:
            raise UnsafeURLError("credentials in URL are not allowed")
        if not parts.hostname:
            raise UnsafeURLError(f"URL has no host: {url!r}")
        if port == 0:
            raise UnsafeURLError(f"port 0 is not allowed: {url!r}")
        return parts


def _ip_literal(host: str) -> IPAddress | None:
    text = host.strip("[]").split("%", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
