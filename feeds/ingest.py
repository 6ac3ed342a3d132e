"""One ingest path: a feed's bytes to its entries, and an entry to the story we store.

The poller and the admin's previews (a feed tried before it is added, a story re-read
after the site corrected it) go through these functions, so an admin sees what the
poller would store, summarized by the same configured summarizer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import datetime

from bot.core.platform_ports import Summarizer
from bot.core.records import StoryRecord
from feeds.extract import ExtractionError, extract_article
from feeds.extract.media import PageMedia, page_media
from feeds.fetch import Fetcher, FetchError, FetchResult
from feeds.listing import parse_listing
from feeds.models import FeedEntry
from feeds.parse import parse_feed
from feeds.urlguard import UnsafeURLError

__all__ = ["PageCrashed", "read_entries", "read_story", "story_from_entry"]

log = logging.getLogger(__name__)
NO_MEDIA = PageMedia()


class PageCrashed(ExtractionError):
    """Reading a page raised something we did not expect: it counts as unreadable."""

    def __init__(self, cause: Exception) -> None:
        self.reason = f"{type(cause).__name__}: {cause}"
        super().__init__(self.reason)


def read_entries(
    result: FetchResult,
    kind: str,
    selectors: Mapping[str, str | None] | None = None,
    *,
    feed: str | None = None,
) -> list[FeedEntry]:
    """A fetched feed's entries: RSS/Atom, or an HTML listing read by its selectors.

    Raises FeedParseError when nothing usable is in it.
    """
    if kind == "html":
        chosen = dict(selectors or {})
        return parse_listing(
            result.body,
            result.url,
            item=chosen.get("item") or "article",
            link=chosen.get("link") or "a",
            title=chosen.get("title"),
            encoding=result.encoding,
            feed=feed,
        )
    return parse_feed(result.body, result.headers, result.url, feed=feed)


async def read_story(
    fetcher: Fetcher,
    entry: FeedEntry,
    summarizer: Summarizer,
    budget: int,
    *,
    key: str,
    section: str | None = None,
    page_slot: asyncio.Semaphore | None = None,
) -> StoryRecord:
    """Fetch the entry's page, extract the story, summarize it; the feed fills the gaps.

    `section` is the feed's; without one, the page's own category or breadcrumb.

    `page_slot` is held while the page is fetched and read, not while it is summarized:
    a slow model does not hold back other pages. Raises FetchError, UnsafeURLError or
    ExtractionError (PageCrashed among them) when the page cannot be read; what the
    summarizer raises is not a page problem and goes through as it is.
    """
    slot: AbstractAsyncContextManager[object] = page_slot or nullcontext()
    async with slot:
        try:
            page = await fetcher.fetch(entry.url)
            article = extract_article(page.body, page.url, encoding=page.encoding)
            media = page_media(page.body, page.url, encoding=page.encoding)
        except (FetchError, UnsafeURLError, ExtractionError):
            raise
        except Exception as exc:  # a page that crashes a parser is a page we cannot read
            log.exception("article %s: unexpected error", entry.url)
            raise PageCrashed(exc) from exc
    return await _record(
        entry,
        key,
        summarizer,
        budget,
        title=article.title or entry.title,
        lead=article.lead or entry.description or "",
        paragraphs=list(article.paragraphs),
        image=article.image or entry.image,
        published=article.published or entry.published,
        section=section or article.section,
        media=media,
    )


async def story_from_entry(
    entry: FeedEntry, summarizer: Summarizer, budget: int, *, key: str
) -> StoryRecord:
    """The story from the feed's own text, for a page that could never be read."""
    description = entry.description or ""
    return await _record(
        entry,
        key,
        summarizer,
        budget,
        title=entry.title,
        lead=description,
        paragraphs=[description],
        image=entry.image,
        published=entry.published,
        section=None,
    )


async def _record(
    entry: FeedEntry,
    key: str,
    summarizer: Summarizer,
    budget: int,
    *,
    title: str,
    lead: str,
    paragraphs: Sequence[str],
    image: str | None,
    published: datetime | None,
    section: str | None,
    media: PageMedia = NO_MEDIA,
) -> StoryRecord:
    summary = await summarizer(title, paragraphs, lead or None, budget)
    return StoryRecord(
        key=key,
        url=entry.url,
        title=title,
        lead=lead,
        body="\n\n".join(p for p in paragraphs if p),
        summary=summary,
        image=image,
        section=section,
        published_at=timestamp(published),
        video=media.video,
        images=media.images,
    )


def timestamp(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment is not None else None
