"""Feeds and listing pages → FeedEntry: pure functions over bytes, no I/O.

feedparser is handed bytes and the response headers only, never a URL or a string it
might decide to fetch. Everything that comes out is text: titles and descriptions lose
their markup, links must be absolute http(s).
"""

from __future__ import annotations

import html
import io
import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from time import struct_time
from typing import Any
from urllib.parse import urlsplit

import feedparser
import lxml.etree
import lxml.html

from bot.core.text import collapse_spaces, normalize
from feeds.htmltools import (
    BLOCK_TAGS,
    INVISIBLE_TAGS,
    absolute_url,
    image_url,
    parse_timestamp,
)
from feeds.models import FeedEntry
from feeds.sanitize import clean_feed_bytes, drop_invalid_text

log = logging.getLogger(__name__)

_TAG = re.compile(r"<\s*[A-Za-z!/?]")
_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".bmp")


class FeedParseError(ValueError):
    """Nothing usable came out of the bytes (not a feed, or no story with a link)."""


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, scripts dropped, entities decoded, spaces folded."""
    if not fragment:
        return ""
    fragment = drop_invalid_text(fragment)
    if not _TAG.search(fragment):
        return plain_text(html.unescape(fragment))
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return plain_text(html.unescape(_TAG.sub(" <", fragment)))
    return element_text(root)


def plain_text(text: str) -> str:
    """Text that is already text (never read as markup again): characters no chat can
    show out, NFC, spaces folded. "<b>" or "a<b và b>c" stay exactly as written."""
    return collapse_spaces(normalize(drop_invalid_text(text)))


def _feed_text(raw: Any, field: str) -> str:
    """A feed field as the site means it: feedparser has already decoded the XML and says
    whether the value is HTML (then it is read as HTML, once) or plain text (kept as is)."""
    value = str(raw.get(field) or "")
    detail = raw.get(f"{field}_detail") or {}
    kind = str(detail.get("type") or "text/html").lower()
    return html_to_text(value) if "html" in kind else plain_text(value)


def element_text(root: Any) -> str:
    for bad in list(root.iter(*INVISIBLE_TAGS)):
        _drop_keep_tail(bad)
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.lower() in BLOCK_TAGS:
            el.tail = " " + (el.tail or "")
    return plain_text(root.text_content())


def _drop_keep_tail(el: Any) -> None:
    parent = el.getparent()
    if parent is None:
        el.clear()
        return
    tail = el.tail or ""
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)


def _is_image(mime: str | None, href: str | None) -> bool:
    if mime:
        return mime.lower().startswith("image/")
    path = urlsplit(href or "").path.lower()
    return path.endswith(_IMAGE_SUFFIXES)


def _first_img(fragment: str, base: str) -> str | None:
    if not fragment or "<img" not in fragment.lower():
        return None
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return None
    for img in root.iter("img"):
        found = image_url(img, base)
        if found:
            return found
    return None


def _entry_image(entry: Any, base: str, description_html: str) -> str | None:
    candidates: list[str | None] = []
    for enclosure in entry.get("enclosures", []) or []:
        href = enclosure.get("href") or enclosure.get("url")
        if _is_image(enclosure.get("type"), href):
            candidates.append(href)
    for media in entry.get("media_content", []) or []:
        url = media.get("url")
        medium = (media.get("medium") or "").lower()
        if medium == "image" or _is_image(media.get("type"), url):
            candidates.append(url)
    for thumb in entry.get("media_thumbnail", []) or []:
        candidates.append(thumb.get("url"))
    for candidate in candidates:
        absolute = absolute_url(candidate, base)
        if absolute:
            return absolute
    return _first_img(description_html, base)


def _entry_published(entry: Any) -> datetime | None:
    # feedparser's *_parsed values are already in UTC. dict.get, not entry.get: the
    # latter maps updated→published with a deprecation warning.
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = dict.get(entry, key)
        if isinstance(value, struct_time):
            try:
                return datetime(*value[:6], tzinfo=UTC)
            except ValueError:
                continue
    # feedparser gives up on some dates it cannot place in a zone ("Sat, 25 Feb 2023
    # 08:54:00"); such a date is taken as UTC.
    for key in ("published", "updated", "created"):
        raw = dict.get(entry, key)
        if isinstance(raw, str) and raw.strip():
            parsed = parse_timestamp(raw, zone=UTC)
            if parsed is not None:
                return parsed.astimezone(UTC)
    return None


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    for alt in entry.get("links", []) or []:
        if alt.get("rel", "alternate") == "alternate" and alt.get("href"):
            return str(alt["href"])
    guid = entry.get("id")
    if entry.get("guidislink") and guid:
        return str(guid)
    return None


def parse_feed(
    body: bytes, headers: Mapping[str, str], base_url: str, *, feed: str | None = None
) -> list[FeedEntry]:
    """RSS or Atom bytes → entries; a malformed feed is accepted if it still has stories.

    Characters no story can hold are removed before feedparser sees the bytes; an item
    that still cannot be read is skipped with one log line, and the others are kept.
    """
    name = feed or base_url
    response_headers = {str(k).lower(): str(v) for k, v in headers.items()}
    response_headers.setdefault("content-location", base_url)
    body = clean_feed_bytes(body, response_headers.get("content-type"))
    try:
        parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers)
        raw_entries = list(parsed.get("entries") or [])
    except Exception as exc:  # feedparser gave up on the whole document: try item by item
        log.warning("feed %s: unreadable as a whole (%s: %s); reading it item by item",
                    name, type(exc).__name__, exc)  # fmt: skip
        parsed, raw_entries = _entries_one_by_one(body, response_headers, name)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not raw_entries:
        if problem is not None or not parsed.get("version"):
            reason = f": {problem}" if problem is not None else ""
            raise FeedParseError(f"not a usable feed at {base_url}{reason}")
        return []
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for raw in raw_entries:
        try:
            entry = _feed_entry(raw, base_url)
        except Exception as exc:  # one unreadable item never costs the feed its others
            log.warning("feed %s: skipped item %s (%s: %s)", name, _item_name(raw),
                        type(exc).__name__, exc)  # fmt: skip
            continue
        if entry is None or entry.url in seen:
            continue
        seen.add(entry.url)
        entries.append(entry)
    if not entries:
        reason = f" (feed problem: {problem})" if problem is not None else ""
        raise FeedParseError(
            f"{len(raw_entries)} entries at {base_url}, none with an http(s) link{reason}"
        )
    if problem is not None:
        log.info("feed %s is malformed but has %d entries: %s", name, len(entries), problem)
    return entries


_ITEM = re.compile(rb"<(item|entry)\b.*?</\1\s*>", re.S | re.I)
_TAIL = re.compile(rb"</(?:channel|rss|feed|rdf:RDF)\s*>\s*$", re.I)


def _entries_one_by_one(
    body: bytes, headers: Mapping[str, str], name: str
) -> tuple[Any, list[Any]]:
    """Each item parsed alone, in the document's own head and tail, so the one that makes
    feedparser raise is the only one lost."""
    items = list(_ITEM.finditer(body))
    if not items:
        return feedparser.FeedParserDict(bozo=True, bozo_exception="unreadable feed"), []
    head = body[: items[0].start()]
    tail = body[items[-1].end() :]
    if not _TAIL.search(tail):
        tail = b"</channel></rss>" if b"<channel" in head else b"</feed>"
    parsed: Any = None
    entries: list[Any] = []
    for number, item in enumerate(items, 1):
        try:
            one = feedparser.parse(io.BytesIO(head + item[0] + tail), response_headers=headers)
        except Exception as exc:
            log.warning("feed %s: skipped item %d (%s: %s)", name, number,
                        type(exc).__name__, exc)  # fmt: skip
            continue
        parsed = parsed if parsed is not None else one
        entries.extend(one.get("entries") or [])
    if parsed is None:
        parsed = feedparser.FeedParserDict(bozo=True, bozo_exception="no readable item")
    return parsed, entries


def _item_name(raw: Any) -> str:
    for key in ("link", "id", "title"):
        try:
            value = dict.get(raw, key)
        except Exception:
            continue
        if isinstance(value, str) and value.strip():
            return repr(drop_invalid_text(value.strip())[:120])
    return "without a link"


def _feed_entry(raw: Any, base_url: str) -> FeedEntry | None:
    url = absolute_url(_entry_link(raw), base_url)
    if url is None:
        log.debug("feed %s: skipped an entry without an http(s) link", base_url)
        return None
    description = _feed_text(raw, "summary")
    description_html = str(raw.get("summary") or "")
    if not description:
        for content in raw.get("content", []) or []:
            if content.get("value"):
                description_html = str(content["value"])
                kind = str(content.get("type") or "text/html").lower()
                description = (
                    html_to_text(description_html)
                    if "html" in kind
                    else plain_text(description_html)
                )
                break
    guid = str(raw.get("id") or "").strip() or None
    return FeedEntry(
        url=url,
        title=_feed_text(raw, "title"),
        guid=guid,
        description=description or None,
        published=_entry_published(raw),
        image=_entry_image(raw, url, description_html),
    )
