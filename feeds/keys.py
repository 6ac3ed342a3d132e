"""The article key: one story, one key, however it reached us.

A story can arrive through the feed and through a listing page, with tracking
parameters from a Zalo or Facebook share, or with its permalink as the feed's guid; the
key is what the store keeps unique, so all of those must give the same key.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from bot.core.text import collapse_spaces, fold, normalize
from feeds.models import FeedEntry

# Parameters that say who shared a link, never which story it is.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "zarsrc",
        "gidzl",
        "zalo_source",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "spm",
        "ocid",
    }
)
_TRACKING_PREFIXES = ("utm_",)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_PARAMS or lowered.startswith(_TRACKING_PREFIXES)


def _normalize_escapes(path: str) -> str:
    """Upper-case %xx escapes and decode the ones that need no escaping ("%7E" → "~")."""

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(0)[1:], 16))
        return char if char in _UNRESERVED else match.group(0).upper()

    return _ESCAPE.sub(fix, quote(path, safe=_PATH_SAFE))


def _host(hostname: str) -> str:
    host = hostname.lower().rstrip(".")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def canonical_url(url: str) -> str:
    """The URL a story is known by: no fragment, no tracking, default port, sorted query."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text
    scheme = parts.scheme.lower()
    if not parts.hostname:
        return text
    host = _host(parts.hostname)
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    path = _normalize_escapes(parts.path) or "/"
    pairs = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    query = urlencode(sorted(pairs), quote_via=quote, safe="-._~")
    return urlunsplit((scheme, host, path, query, ""))


def _host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _looks_like_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://"))


def article_key(entry: FeedEntry, *, content: str = "") -> str:
    """ "guid:<host>:…", else "url:<canonical>", else "hash:<sha256 of folded title + content>".

    A guid that is a URL (a permalink) is treated as a URL, so the same story found in
    the feed and on a listing page (which has no guid) gets one key. Other guids are only
    unique within a site ("12345"), so the story's host scopes them.
    """
    guid = (entry.guid or "").strip()
    if guid and not _looks_like_url(guid):
        host = _host_of(entry.url)
        return f"guid:{host}:{guid}"
    url = entry.url.strip() or guid
    if url:
        return f"url:{canonical_url(url)}"
    folded = "\n".join(fold(collapse_spaces(normalize(part))) for part in (entry.title, content))
    return "hash:" + hashlib.sha256(folded.encode("utf-8")).hexdigest()
