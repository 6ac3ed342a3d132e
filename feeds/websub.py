"""WebSub (W3C, formerly PubSubHubbub), the pure parts: finding a feed's hub, the hub's
verification request, and the signature of what it pushes.

A feed that advertises a hub (`<link rel="hub">` in Atom, `<atom:link rel="hub">` in RSS,
or an HTTP `Link: <…>; rel="hub"` header) pushes each new version to our callback within
seconds of publication, so its stories need not wait for the next poll. The network side
(subscribing, the callback listener) is `bot/websub/`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape
from urllib.parse import urljoin, urlsplit

# Only the head of a feed is searched: the links come before the items.
HEAD_BYTES = 64 * 1024
# X-Hub-Signature: "method=hex"; sha1 is what the spec started with, the rest it allows.
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
            "sha512": hashlib.sha512}  # fmt: skip
_LINK_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?link\b([^>]*)>", re.IGNORECASE)
_ATTRIBUTE = re.compile(rb"""([A-Za-z_:][\w:.-]*)\s*=\s*("[^"]*"|'[^']*')""")
_LINK_HEADER = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")


@dataclass(frozen=True, slots=True)
class HubLinks:
    """Where to subscribe (`hub`), and what to: the feed's own URL (`topic`, rel=self)."""

    hub: str
    topic: str


def discover(body: bytes, headers: Mapping[str, str], feed_url: str) -> HubLinks | None:
    """The feed's hub and topic, from its Link header or its head; None without a hub.

    The topic is the feed's rel=self, else the URL it was fetched from. Only http(s) hubs
    count (the URL guard still checks the address before anything is sent there).
    """
    hubs: list[str] = []
    selves: list[str] = []
    link_header = headers.get("link") or headers.get("Link") or ""
    for target, params in _LINK_HEADER.findall(link_header):
        rels = _rels(params)
        if "hub" in rels:
            hubs.append(target.strip())
        if "self" in rels:
            selves.append(target.strip())
    for match in _LINK_TAG.finditer(body[:HEAD_BYTES]):
        attributes = {
            name.lower().split(b":")[-1]: value[1:-1]
            for name, value in _ATTRIBUTE.findall(match.group(1))
        }
        rel = attributes.get(b"rel", b"").decode("utf-8", "replace").lower().split()
        href = unescape(attributes.get(b"href", b"").decode("utf-8", "replace")).strip()
        if not href:
            continue
        if "hub" in rel:
            hubs.append(href)
        if "self" in rel:
            selves.append(href)
    hub = next((h for h in (urljoin(feed_url, h) for h in hubs) if _is_http(h)), None)
    if hub is None:
        return None
    topic = next((s for s in (urljoin(feed_url, s) for s in selves) if _is_http(s)), feed_url)
    return HubLinks(hub=hub, topic=topic)


def _rels(params: str) -> set[str]:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "rel":
            return set(value.strip().strip('"').lower().split())
    return set()


def _is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def signature_ok(secret: str, body: bytes, header: str | None) -> bool:
    """Does `X-Hub-Signature` ("sha256=…", "sha1=…") sign this body with our secret?

    Compared in constant time; an unknown method, a malformed header or none is refused.
    """
    if not header or not secret:
        return False
    method, sep, given = header.strip().partition("=")
    digest = _DIGESTS.get(method.strip().lower())
    if not sep or digest is None:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    return hmac.compare_digest(expected, given.strip().lower())


def sign(secret: str, body: bytes, method: str = "sha256") -> str:
    """The header a hub sends: what `signature_ok` checks (used by the fakes, too)."""
    return f"{method}={hmac.new(secret.encode(), body, _DIGESTS[method]).hexdigest()}"


@dataclass(frozen=True, slots=True)
class Verification:
    """The hub asking whether we meant it: "subscribe", "unsubscribe" or "denied"."""

    mode: str
    topic: str
    challenge: str
    lease_seconds: int | None
    reason: str | None = None


def parse_verification(query: Mapping[str, str]) -> Verification | None:
    """The hub's GET parameters, or None when they are not a verification request."""
    mode = query.get("hub.mode", "").strip().lower()
    topic = query.get("hub.topic", "").strip()
    if mode not in ("subscribe", "unsubscribe", "denied") or not topic:
        return None
    challenge = query.get("hub.challenge", "")
    if mode != "denied" and not challenge:
        return None
    lease = query.get("hub.lease_seconds", "").strip()
    return Verification(
        mode=mode,
        topic=topic,
        challenge=challenge,
        lease_seconds=int(lease) if lease.isdigit() and len(lease) <= 10 else None,
        reason=query.get("hub.reason"),
    )


def renew_at(verified_at: float, lease_seconds: int) -> float:
    """When to subscribe again: well before the lease ends (at 80 %, at least 60 s early)."""
    return verified_at + max(0.0, min(lease_seconds * 0.8, lease_seconds - 60.0))
