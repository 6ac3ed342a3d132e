"""Rows as the rest of Bantin sees them: frozen dataclasses, no SQLite types.

Pure: importing this loads neither SQLite nor the store, so the pure rooms (handlers/)
may use the records at runtime. `bot.store.records` re-exports them for the store.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from feeds.models import StoryRecord

if TYPE_CHECKING:
    import sqlite3

__all__ = ["Article", "Chat", "Delivery", "Feed", "StoryRecord"]


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    name: str
    url: str
    kind: str
    section: str | None
    selectors: dict[str, str]
    origin: str
    paused: bool
    primed: bool
    etag: str | None
    last_modified: str | None
    failures: int
    last_error: str | None
    failing_since: float | None
    alerted: bool
    last_success_at: float | None
    next_check_at: float

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Feed:
        return cls(
            id=row["id"],
            name=row["name"],
            url=row["url"],
            kind=row["kind"],
            section=row["section"],
            selectors=json.loads(row["selectors"] or "{}"),
            origin=row["origin"],
            paused=bool(row["paused"]),
            primed=bool(row["primed"]),
            etag=row["etag"],
            last_modified=row["last_modified"],
            failures=row["failures"],
            last_error=row["last_error"],
            failing_since=row["failing_since"],
            alerted=bool(row["alerted"]),
            last_success_at=row["last_success_at"],
            next_check_at=row["next_check_at"],
        )


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    key: str
    feed_id: int | None
    feed_name: str | None
    url: str
    title: str
    lead: str
    body: str
    summary: str
    image: str | None
    section: str | None
    published_at: float | None
    fetched_at: float

    @property
    def time(self) -> float:
        """When the story appeared: its publication time, else when we first saw it."""
        return self.published_at if self.published_at is not None else self.fetched_at

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Article:
        return cls(
            id=row["id"],
            key=row["key"],
            feed_id=row["feed_id"],
            feed_name=row["feed_name"],
            url=row["url"],
            title=row["title"],
            lead=row["lead"],
            body=row["body"],
            summary=row["summary"],
            image=row["image"],
            section=row["section"],
            published_at=row["published_at"],
            fetched_at=row["fetched_at"],
        )


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    platform: str
    chat_id: str
    kind: str
    title: str | None
    language: str
    active: bool
    is_channel: bool
    mode: str
    digest_hour: int
    quiet_start: int | None
    quiet_end: int | None
    inactive_reason: str | None

    @property
    def is_private(self) -> bool:
        return self.kind == "private"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Chat:
        return cls(
            id=row["id"],
            platform=row["platform"],
            chat_id=row["chat_id"],
            kind=row["kind"],
            title=row["title"],
            language=row["language"],
            active=bool(row["active"]),
            is_channel=bool(row["is_channel"]),
            mode=row["mode"],
            digest_hour=row["digest_hour"],
            quiet_start=row["quiet_start"],
            quiet_end=row["quiet_end"],
            inactive_reason=row["inactive_reason"],
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed outbox row with what is needed to send it."""

    id: int
    chat: Chat
    article: Article | None
    broadcast_text: str | None
    attempts: int
    message_id: str | None
