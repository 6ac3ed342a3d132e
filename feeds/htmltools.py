"""The HTML toolkit the feed, listing and article parsers share: pure, no I/O.

One charset policy, one way to make a link absolute, one set of tag names and one date
reader, so that a listing page and the article it links to are read the same way.
"""

from __future__ import annotations

import codecs
import re
from datetime import datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

from feeds.sanitize import drop_invalid_references

__all__ = [
    "BLOCK_TAGS",
    "CHROME_TAGS",
    "INVISIBLE_TAGS",
    "PARSE_ERRORS",
    "VIETNAM_TZ",
    "absolute_url",
    "decode_html",
    "image_url",
    "parse_document",
    "parse_timestamp",
    "parse_vn_date",
]

# Viet Nam has kept UTC+7 without daylight saving since 1975, so a fixed offset is exact
# for news dates and does not depend on the tz database being installed.
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")

# --------------------------------------------------------------------------- tag sets

# Never read as text: code, styles, and what a browser shows only without scripts.
INVISIBLE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object"}
)  # fmt: skip
# Not the story even inside its container: embeds, forms, figures, asides, navigation.
CHROME_TAGS = INVISIBLE_TAGS | frozenset(
    {
        "embed", "video", "audio", "source", "svg", "canvas", "map", "input", "textarea",
        "select", "option", "button", "label", "form", "figure", "figcaption", "aside", "nav",
    }
)  # fmt: skip
# A reader sees a break at either edge of these.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "dd", "details", "dialog",
        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "table", "tbody", "thead", "tfoot", "td", "th", "tr", "ul", "br",
    }
)  # fmt: skip

# --------------------------------------------------------------------------- decoding

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF_BYTES = 8192
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.I
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None


def _is_utf8(data: bytes) -> bool:
    """Valid UTF-8, a sequence cut at the very end allowed (a capped download)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def html_charset(data: bytes, declared: str | None = None) -> str:
    """The codec an HTML page's bytes are read with.

    A byte-order mark wins (it cannot be there by accident), then the charset the HTTP
    headers (or the feed's config) declare, then the page's own `<meta charset>`. A page
    that declares nothing is UTF-8 when its bytes are valid UTF-8, which every current
    Vietnamese CMS sends; otherwise it is a legacy page and windows-1252, the web's
    default for unlabelled documents, reads every byte without inventing U+FFFD.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    sniffed = _META_CHARSET.search(data[:_SNIFF_BYTES])
    chosen = _codec(declared) or _codec(sniffed.group(1).decode("ascii") if sniffed else None)
    if chosen:
        return chosen
    return "utf-8" if _is_utf8(data) else "windows-1252"


def decode_html(data: bytes | str, declared: str | None = None) -> str:
    """Page text ready for lxml: decoded by `html_charset`, XML declaration and characters
    no parser accepts removed. A str is taken as already decoded."""
    text = data if isinstance(data, str) else data.decode(html_charset(data, declared), "replace")
    return _BAD_CHARS.sub("", drop_invalid_references(_XML_DECL.sub("", text, count=1)))


PARSE_ERRORS = (lxml.etree.ParserError, ValueError)


def parse_document(text: str) -> HtmlElement:
    """A whole page as an lxml tree, comments and processing instructions dropped, never a
    network lookup. Raises one of PARSE_ERRORS when there is no document."""
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    root = lxml.html.document_fromstring(text, parser=parser)
    if not isinstance(root, HtmlElement):
        raise ValueError("not an HTML document")
    return root


# --------------------------------------------------------------------------- urls

_UNSAFE_URL_CHARS = frozenset("\n\r\t <>\"'")
_IMAGE_ATTRS = ("data-src", "data-original", "data-lazy-src", "src")


def absolute_url(href: str | None, base: str) -> str | None:
    """`href` resolved against `base`, when that is an http(s) URL with a host and nothing a
    link in a chat message could be broken by (spaces, quotes, angle brackets)."""
    if not href:
        return None
    text = href.strip()
    if not text:
        return None
    try:
        resolved = urljoin(base, text)
        parts = urlsplit(resolved)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if any(c in _UNSAFE_URL_CHARS for c in resolved):
        return None
    return resolved


def image_url(img: HtmlElement, base: str) -> str | None:
    """An <img>'s picture: lazy-loading attributes first (their `src` is a placeholder)."""
    for attr in _IMAGE_ATTRS:
        src = img.get(attr)
        if src and not src.strip().lower().startswith("data:"):
            resolved = absolute_url(src, base)
            if resolved:
                return resolved
    return None


# --------------------------------------------------------------------------- dates

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})(?!\d)")
_YMD = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_HM = re.compile(r"(?<![\d/.])(\d{1,2})\s*[:hg]\s*(\d{2})(?!\d)")
_GMT = re.compile(r"(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?", re.I)


def _aware(dt: datetime, zone: tzinfo) -> datetime | None:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=zone)
    return dt if 1990 <= dt.year <= 2100 else None


def parse_timestamp(value: str, *, zone: tzinfo = VIETNAM_TZ) -> datetime | None:
    """A machine-written date (ISO 8601, a page's date text, RFC 2822), aware.

    `zone` is where a date without one is placed: the newsroom's own clock for its pages,
    UTC for feeds (RSS dates must carry a zone, so a bare one is taken as written in UTC).
    """
    value = value.strip()
    if not value:
        return None
    try:
        iso = value.replace(" ", "T", 1) if " " in value[:11] else value
        return _aware(datetime.fromisoformat(iso), zone)
    except ValueError:
        pass
    found = parse_vn_date(value, zone=zone)
    if found is not None:
        return found
    try:
        return _aware(parsedate_to_datetime(value), zone)
    except (TypeError, ValueError, IndexError):
        return None


def parse_vn_date(text: str, *, zone: tzinfo = VIETNAM_TZ) -> datetime | None:
    """Vietnamese page dates: "Thứ bảy, 25/02/2023 - 08:54", "10:00, 22/1/2024 (GMT+7)"."""
    date = _DMY.search(text)
    if date:
        day, month, year = int(date.group(1)), int(date.group(2)), int(date.group(3))
    else:
        date = _YMD.search(text)
        if not date:
            return None
        year, month, day = int(date.group(1)), int(date.group(2)), int(date.group(3))
    rest = text[: date.start()] + " " + text[date.end() :]
    hour = minute = 0
    for match in _HM.finditer(rest):
        h, m = int(match.group(1)), int(match.group(2))
        if h < 24 and m < 60:
            hour, minute = h, m
            break
    tz = zone
    offset = _GMT.search(text)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
        if hours <= 14 and minutes < 60:
            tz = timezone(sign * timedelta(hours=hours, minutes=minutes))
    try:
        return _aware(datetime(year, month, day, hour, minute, tzinfo=tz), zone)
    except ValueError:
        return None
