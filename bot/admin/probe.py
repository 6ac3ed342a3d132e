"""Fetch before trusting: a feed an admin adds is read once, and a corrected story re-read.

The admin sees the three newest titles the feed gives, or the one reason it gives none,
before anything is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.platform_ports import Summarizer
from bot.core.records import StoryRecord
from feeds.extract import ExtractionError
from feeds.fetch import Fetcher, FetchError
from feeds.ingest import read_entries, read_story
from feeds.models import FeedEntry
from feeds.parse import FeedParseError
from feeds.urlguard import UnsafeURLError

SHOWN_TITLES = 3


@dataclass(frozen=True, slots=True)
class ProbeResult:
    url: str
    titles: tuple[str, ...] = ()
    count: int = 0
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


class FeedProbe:
    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher

    async def probe(
        self, url: str, *, kind: str = "rss", selectors: Mapping[str, str | None] | None = None
    ) -> ProbeResult:
        try:
            result = await self.fetcher.fetch(url)
        except FetchError as exc:
            return ProbeResult(url, reason=f"không tải được: {exc.reason}")
        except UnsafeURLError as exc:
            return ProbeResult(url, reason=f"địa chỉ bị chặn: {exc}")
        try:
            entries = read_entries(result, kind, selectors)
        except FeedParseError as exc:
            return ProbeResult(url, reason=f"không phải nguồn RSS/Atom đọc được ({exc})")
        if not entries:
            return ProbeResult(url)  # a valid feed of a section with nothing in it yet
        newest = sorted(entries, key=_published, reverse=True)[:SHOWN_TITLES]
        return ProbeResult(url, titles=tuple(e.title or e.url for e in newest), count=len(entries))


def _published(entry: FeedEntry) -> float:
    return entry.published.timestamp() if entry.published else float("-inf")


class StoryRefresher:
    """Re-read a stored story's page after the site corrected it (same key, new text),
    through the poller's own path and with the configured summarizer."""

    def __init__(self, fetcher: Fetcher, summarizer: Summarizer, budget: int = 600) -> None:
        self.fetcher = fetcher
        self.summarizer = summarizer
        self.budget = budget

    async def refresh(self, key: str, url: str, section: str | None) -> StoryRecord | str:
        """The new record, or the reason (Vietnamese, one line) it could not be read."""
        try:
            return await read_story(
                self.fetcher,
                FeedEntry(url=url, title=""),
                self.summarizer,
                self.budget,
                key=key,
                section=section,
            )
        except FetchError as exc:
            return f"không tải lại được trang: {exc.reason}"
        except UnsafeURLError as exc:
            return f"địa chỉ bị chặn: {exc}"
        except ExtractionError as exc:
            return f"không đọc được nội dung trang: {exc}"
