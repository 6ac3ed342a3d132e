"""One poll of one feed, from its URL to stored, summarized articles and queued pushes.

The store is handed in (it is SQLite, at the edge); this module only orchestrates the
pure parsers and the fetcher. A page that fails is parked in the store and retried on
later polls; it never holds back the feed's other stories. Stories beyond
`max_new_per_poll` are parked the same way (never tried yet: the backlog) with the feed's
own title, link and text, and taken by the following polls, listed or not.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.alerts import section_slug
from bot.core.platform_ports import Summarizer
from bot.core.records import PendingPage, StoryRecord
from feeds.extract import ExtractionError
from feeds.fetch import Fetcher, FetchError, FetchResult
from feeds.ingest import read_entries, read_story, story_from_entry, timestamp
from feeds.keys import article_key
from feeds.models import FeedEntry
from feeds.parse import FeedParseError
from feeds.urlguard import UnsafeURLError

if TYPE_CHECKING:
    from bot.core.ports import StorePort
    from bot.core.records import Article, Feed
    from bot.core.settings import PollConfig

log = logging.getLogger(__name__)

FEEDS_AT_ONCE = 4
# A feed's poll is leased for this long (a process that dies mid-poll frees it then);
# a poll that outlasts it may overlap the next holder's, which the store's keys tolerate.
POLL_LEASE_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class PollReport:
    feed: str
    new: int = 0
    pushed: int = 0
    parked: int = 0
    waiting: int = 0
    not_modified: bool = False
    error: str | None = None
    busy: bool = False  # another process of the fleet is polling it right now


Notify = Callable[[str], Awaitable[None]]
# Told of each feed body fetched (not a 304): where WebSub finds the feed's hub.
OnFetched = Callable[["Feed", FetchResult], Awaitable[None]]


class Poller:
    def __init__(
        self,
        store: StorePort,
        fetcher: Fetcher,
        summarizer: Summarizer,
        settings: PollConfig,
        summary_budget: int,
        *,
        on_article: Callable[[Article], None] | None = None,
        notify_admins: Notify | None = None,
        holder: str = "poller",
        on_fetched: OnFetched | None = None,
    ) -> None:
        self.store = store
        self.holder = holder  # this process, as the fleet's leases name it
        self.on_fetched = on_fetched
        self.fetcher = fetcher
        self.summarizer = summarizer
        self.settings = settings
        self.summary_budget = summary_budget
        self.on_article = on_article
        self.notify_admins = notify_admins
        self._pages = asyncio.Semaphore(settings.page_concurrency)
        # One poll of a feed at a time: a push arriving mid-poll polls again after it.
        self._feed_locks: dict[int, asyncio.Lock] = {}

    async def poll_due(self) -> list[PollReport]:
        feeds = await self.store.feeds.due(time.time())
        return await self._poll_each(feeds)

    async def poll_all(self) -> list[PollReport]:
        feeds = await self.store.feeds.all()
        return await self._poll_each([feed for feed in feeds if not feed.paused])

    async def _poll_each(self, feeds: Sequence[Feed]) -> list[PollReport]:
        """Feeds are polled side by side, so one slow site does not hold back the others."""
        gate = asyncio.Semaphore(FEEDS_AT_ONCE)

        async def one(feed: Feed) -> PollReport:
            async with gate:
                return await self.poll_feed(feed)

        return list(await asyncio.gather(*(one(feed) for feed in feeds)))

    async def poll_feed(self, feed: Feed) -> PollReport:
        """Never raises: whatever goes wrong is the feed's failure, backed off and reported.

        One poll of a feed at a time across the fleet: a feed another process is polling
        is left to it."""
        feeds = self.store.feeds
        if not await feeds.take_poll(feed.id, self.holder, POLL_LEASE_SECONDS):
            log.info("feed %s: another process is polling it", feed.name)
            return PollReport(feed=feed.name, busy=True)
        try:
            async with self._feed_locks.setdefault(feed.id, asyncio.Lock()):
                return await self._poll_feed(feed)
        except Exception as exc:
            log.exception("feed %s: unexpected error", feed.name)
            return await self._failed(feed, f"internal error: {type(exc).__name__}: {exc}", None)
        finally:
            await asyncio.shield(feeds.end_poll(feed.id, self.holder))

    async def _poll_feed(self, feed: Feed) -> PollReport:
        try:
            result = await self.fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
        except FetchError as exc:
            return await self._failed(feed, exc.reason, exc.retry_after)
        except UnsafeURLError as exc:
            return await self._failed(feed, f"refused: {exc}", None)

        entries: list[FeedEntry] = []
        if not result.not_modified:
            try:
                entries = read_entries(result, feed.kind, feed.selectors, feed=feed.name)
            except FeedParseError as exc:
                return await self._failed(feed, f"unreadable feed: {exc}", None)
            if self.on_fetched is not None:
                try:
                    await self.on_fetched(feed, result)
                except Exception:  # the hub's business never costs the poll its stories
                    log.exception("feed %s: after-fetch hook failed", feed.name)

        next_check = time.time() + self.settings.interval_seconds
        fresh, overflow = await self._fresh(entries)
        due = await self.store.articles.due_pending(feed.id, time.time())
        if result.not_modified and not due:
            recovered = await self.store.feeds.record_not_modified(feed.id, next_check)
            await self._recovered(feed, recovered)
            log.info("feed %s: not modified", feed.name)
            return PollReport(feed=feed.name, not_modified=True)

        # Pages that failed before are retried as they come due; stories never tried yet
        # (the backlog) fill what is left of this poll's `max_new_per_poll`.
        retries = [row for row in due if row[3] > 0]
        backlog = [row for row in due if row[3] == 0]
        room = max(0, self.settings.max_new_per_poll - len(fresh) - len(retries))
        taken, backlog = backlog[:room], backlog[room:]
        push_new = feed.primed
        jobs = [
            self._story(entry, key, push_new, attempts=0, section=feed.section)
            for key, entry in fresh
        ]
        jobs += [
            self._story(_entry_from_dict(data), key, push, attempts=attempts, section=feed.section)
            for key, data, push, attempts in retries + taken
        ]
        outcomes = await asyncio.gather(*jobs)
        stories = [(o.story, o.push) for o in outcomes if o.story is not None]
        parked = [o.pending for o in outcomes if o.pending is not None]
        remembered = [self._remembered(entry, key, push_new) for key, entry in overflow]
        outcome = await self.store.articles.record_poll(
            feed.id,
            stories,
            parked + remembered,
            etag=feed.etag if result.not_modified else result.etag,
            last_modified=feed.last_modified if result.not_modified else result.last_modified,
            next_check_at=next_check,
            retried_keys=[key for key, _, _, _ in retries + taken],
        )
        await self._recovered(feed, outcome.recovered)
        if self.on_article is not None:
            for article_id in outcome.article_ids:
                article = await self.store.articles.get(article_id)
                if article is not None:
                    self.on_article(article)
        pushed = sum(1 for _, push in stories if push)
        waiting = len(remembered) + len(backlog)
        log.info(
            "feed %s: %d listed, %d new stored%s, %d queued deliveries, %d pages parked, "
            "%d stories waiting for a later poll",
            feed.name,
            len(entries),
            len(outcome.article_ids),
            "" if push_new else " (first poll: not pushed)",
            outcome.deliveries,
            len(parked),
            waiting,
        )
        return PollReport(
            feed=feed.name,
            new=len(outcome.article_ids),
            pushed=pushed,
            parked=len(parked),
            waiting=waiting,
        )

    async def _fresh(
        self, entries: list[FeedEntry]
    ) -> tuple[list[tuple[str, FeedEntry]], list[tuple[str, FeedEntry]]]:
        """Entries not stored before: the newest `max_new_per_poll`, oldest first, to take
        now, and the rest, newest first, to remember for the following polls.

        Feeds and listings put the newest first; when every entry is dated, the dates
        decide.
        """
        keyed: dict[str, FeedEntry] = {}
        for entry in entries:
            keyed.setdefault(article_key(entry, content=entry.description or ""), entry)
        known = await self.store.articles.known_keys(list(keyed))
        fresh = [(key, entry) for key, entry in keyed.items() if key not in known]
        if all(entry.published is not None for _, entry in fresh):
            fresh.sort(key=lambda item: timestamp(item[1].published) or 0.0, reverse=True)
        limit = self.settings.max_new_per_poll
        return fresh[:limit][::-1], fresh[limit:]

    def _remembered(self, entry: FeedEntry, key: str, push: bool) -> PendingPage:
        """A story beyond this poll's cap, kept with the feed's own text so that it is
        fetched in a following poll even after the feed has moved on."""
        return PendingPage(
            key=key,
            entry=_entry_to_dict(entry),
            error=f"waiting: more than {self.settings.max_new_per_poll} new stories in one poll",
            next_try_at=time.time(),
            attempts=0,
            push=push,
        )

    async def _story(
        self, entry: FeedEntry, key: str, push: bool, *, attempts: int, section: str | None
    ) -> _Outcome:
        """`section`: the feed's; else the page's own (a story keeps it, slugged: "thoi-su")."""
        try:
            story = await read_story(
                self.fetcher,
                entry,
                self.summarizer,
                self.summary_budget,
                key=key,
                section=section,
                page_slot=self._pages,
            )
        except (FetchError, UnsafeURLError, ExtractionError) as exc:
            return await self._page_failed(entry, key, push, attempts, exc, section)
        return _Outcome(story=replace(story, section=section_slug(story.section)), push=push)

    async def _page_failed(
        self,
        entry: FeedEntry,
        key: str,
        push: bool,
        attempts: int,
        exc: Exception,
        section: str | None,
    ) -> _Outcome:
        """Park the page for a later poll, or after too many tries store the feed's text."""
        reason = getattr(exc, "reason", None) or f"{type(exc).__name__}: {exc}"
        if attempts + 1 >= self.settings.page_retry_limit:
            log.warning(
                "article %s: page failed %d times (%s); storing the feed's own text",
                entry.url,
                attempts + 1,
                reason,
            )
            story = await story_from_entry(entry, self.summarizer, self.summary_budget, key=key)
            return _Outcome(story=replace(story, section=section_slug(section)), push=push)
        delay = min(
            self.settings.max_backoff_seconds,
            self.settings.interval_seconds * 2**attempts,
        )
        log.warning("article %s: %s; will retry in %.0f s", entry.url, reason, delay)
        pending = PendingPage(
            key=key,
            entry=_entry_to_dict(entry),
            error=reason,
            next_try_at=time.time() + delay,
            attempts=attempts + 1,
            push=push,
        )
        return _Outcome(pending=pending, push=push)

    async def _failed(self, feed: Feed, reason: str, retry_after: float | None) -> PollReport:
        outcome = await self.store.feeds.record_failure(
            feed.id,
            reason,
            retry_after=retry_after,
            interval=self.settings.interval_seconds,
            max_backoff=self.settings.max_backoff_seconds,
            alert_after=self.settings.alert_after_failures,
        )
        wait = outcome.next_check_at - time.time()
        log.warning(
            "feed %s: %s (failure %d, next try in %.0f s)",
            feed.name,
            reason,
            outcome.failures,
            wait,
        )
        if outcome.alert and self.notify_admins is not None:
            await self.notify_admins(
                f"⚠️ Nguồn tin «{feed.name}» lỗi {outcome.failures} lần liên tiếp: {reason}"
            )
        return PollReport(feed=feed.name, error=reason)

    async def _recovered(self, feed: Feed, recovered: bool) -> None:
        if recovered:
            log.info("feed %s: recovered", feed.name)
            if self.notify_admins is not None:
                await self.notify_admins(f"✅ Nguồn tin «{feed.name}» đã hoạt động trở lại.")


@dataclass(frozen=True, slots=True)
class _Outcome:
    push: bool
    story: StoryRecord | None = None
    pending: PendingPage | None = None


def _entry_to_dict(entry: FeedEntry) -> dict[str, object]:
    return {
        "url": entry.url,
        "title": entry.title,
        "guid": entry.guid,
        "description": entry.description,
        "published": entry.published.isoformat() if entry.published else None,
        "image": entry.image,
    }


def _entry_from_dict(data: dict[str, object]) -> FeedEntry:
    published = data.get("published")
    return FeedEntry(
        url=str(data["url"]),
        title=str(data.get("title") or ""),
        guid=data.get("guid") if isinstance(data.get("guid"), str) else None,  # type: ignore[arg-type]
        description=str(data["description"]) if data.get("description") else None,
        published=datetime.fromisoformat(published) if isinstance(published, str) else None,
        image=str(data["image"]) if data.get("image") else None,
    )
