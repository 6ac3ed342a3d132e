"""What the getting-stories room hands to the rest of Bantin: plain data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One story as a feed or a listing page announces it, before its page is fetched."""

    url: str
    title: str
    guid: str | None = None
    description: str | None = None
    published: datetime | None = None
    image: str | None = None


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """The main content of an article page, chrome removed."""

    title: str
    lead: str
    paragraphs: tuple[str, ...]
    image: str | None = None
    published: datetime | None = None
    canonical_url: str | None = None
    byline: str | None = None
    section: str | None = None
    warnings: tuple[str, ...] = field(default=())
    # The lead is the page's meta description, not a block of the page: a summary the
    # newsroom declared, kept apart from `body` and not to be presented as page text.
    lead_from_meta: bool = False

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)
