"""A small store of stories for the search tests, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.core.records import StoryRecord
from bot.store import Store
from bot.store.articles import insert_article

BASE = 1_700_000_000.0
HOUR = 3600.0


def add_story(
    store: Store,
    key: str,
    title: str,
    lead: str = "",
    body: str = "",
    *,
    hours: float = 0.0,
    feed: str = "Lâm Đồng",
    section: str | None = None,
) -> int:
    with store.db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO feeds (name, url, created_at) VALUES (?, ?, 0)",
            (feed, f"https://bao.example.vn/rss/{abs(hash(feed))}"),
        )
        feed_id = conn.execute("SELECT id FROM feeds WHERE name = ?", (feed,)).fetchone()[0]
        story = StoryRecord(
            key=key,
            url=f"https://bao.example.vn/{key}.html",
            title=title,
            lead=lead,
            body=body,
            summary=lead,
            image=None,
            section=section,
            published_at=BASE + hours * HOUR,
        )
        article_id = insert_article(conn, feed_id, story, BASE + hours * HOUR + 60)
    assert article_id is not None
    return article_id


@pytest.fixture
def store(new_store: Callable[[], Store]) -> Store:
    """A store on each backend in turn: the search must answer alike on both."""
    return new_store()
