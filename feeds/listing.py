"""HTML listing pages → FeedEntry, for sites with no feed: CSS selectors for the story
blocks, else the links that look like stories. Pure functions over bytes, no I/O."""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from cssselect import SelectorError

from feeds.htmltools import PARSE_ERRORS, absolute_url, decode_html, image_url, parse_document
from feeds.models import FeedEntry
from feeds.parse import FeedParseError, element_text, plain_text

log = logging.getLogger(__name__)


def _select(root: Any, selector: str, what: str) -> list[Any]:
    try:
        return list(root.cssselect(selector))
    except SelectorError as exc:
        raise FeedParseError(f"invalid {what} selector {selector!r}: {exc}") from None


def parse_listing(
    html: bytes,
    base_url: str,
    *,
    item: str,
    link: str = "a",
    title: str | None = None,
    encoding: str | None = None,
    feed: str | None = None,
) -> list[FeedEntry]:
    """An HTML listing page → one entry per story block, by the site's CSS selectors.

    When `item` matches nothing (the site changed its layout, or the selectors were never
    right) the page's story-like links are taken instead, with a warning an admin sees in
    the log; FeedParseError only when there are none of those either.
    """
    try:
        root = parse_document(decode_html(html, encoding))
    except PARSE_ERRORS as exc:
        raise FeedParseError(f"not an HTML page at {base_url}: {exc}") from None
    base = base_url
    for base_el in root.iter("base"):
        base = absolute_url(base_el.get("href"), base_url) or base_url
        break
    blocks = _select(root, item, "item")
    if not blocks:
        guessed = _story_links(root, base)
        if len(guessed) < MIN_GUESSED_STORIES:
            raise FeedParseError(f"item selector {item!r} matched nothing at {base_url}")
        log.warning(
            "listing %s: item selector %r matched nothing; took %d story-like links instead "
            "(update the feed's selectors)",
            base_url,
            item,
            len(guessed),
        )
        return guessed
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for number, block in enumerate(blocks, 1):
        try:
            entry = _listing_entry(block, base, link, title)
        except FeedParseError:
            raise
        except Exception as exc:  # one unreadable block never costs the page its others
            log.warning("listing %s: skipped item %d (%s: %s)", feed or base_url, number,
                        type(exc).__name__, exc)  # fmt: skip
            continue
        if entry is None:
            continue
        dedupe = entry.url.split("#", 1)[0]
        if dedupe in seen:
            continue
        seen.add(dedupe)
        entries.append(entry)
    if not entries:
        raise FeedParseError(
            f"{len(blocks)} items at {base_url} matched {item!r}, none with an http(s) "
            f"link matching {link!r}"
        )
    return entries


MIN_GUESSED_STORIES = 3
_STORY_PATH = re.compile(r"/[^/]*[a-z0-9]+(?:-[a-z0-9]+){3,}[^/]*$", re.IGNORECASE)


def _story_links(root: Any, base: str) -> list[FeedEntry]:
    """Links that look like this site's stories: same host, a slug of four or more words
    in the last path segment, and a headline-long text."""
    host = urlsplit(base).hostname
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for anchor in root.iter("a"):
        url = absolute_url(anchor.get("href"), base)
        if url is None or urlsplit(url).hostname != host:
            continue
        path = urlsplit(url).path
        text = plain_text(anchor.text_content() or "")
        if not _STORY_PATH.search(path) or not 20 <= len(text) <= 300 or path in seen:
            continue
        seen.add(path)
        entries.append(FeedEntry(url=url, title=text))
    return entries


def _listing_entry(block: Any, base: str, link: str, title: str | None) -> FeedEntry | None:
    anchors = _select(block, link, "link")
    if not anchors and block.tag == "a":
        anchors = [block]
    url = None
    anchor = None
    for candidate in anchors:
        url = absolute_url(candidate.get("href"), base)
        if url:
            anchor = candidate
            break
    if url is None or anchor is None:
        return None
    text = ""
    if title:
        for found in _select(block, title, "title"):
            text = _text_of(found)
            if text:
                break
    if not text:
        text = _text_of(anchor)
    if not text:
        text = plain_text(anchor.get("title") or "")
    if not text:
        text = _first_alt(anchor)
    image = None
    for img in block.iter("img"):
        image = image_url(img, base)
        if image:
            break
    return FeedEntry(url=url, title=text, image=image)


def _text_of(el: Any) -> str:
    clone = copy.deepcopy(el)
    clone.tail = None
    return element_text(clone)


def _first_alt(el: Any) -> str:
    imgs: Iterable[Any] = el.iter("img")
    for img in imgs:
        alt = plain_text(img.get("alt") or "")
        if alt:
            return alt
    return ""
