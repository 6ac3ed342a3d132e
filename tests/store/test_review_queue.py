"""The review queue's store methods on both backends: held out of the outbox, decided once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.settings import FeedConfig
from bot.store import Store
from tests.admin.conftest import story


@pytest.fixture
def store(tmp_path: Path, database_url: str) -> Iterator[Store]:
    if database_url:
        from bot.store.postgres import PostgresDatabase

        opened = Store(PostgresDatabase(database_url), review=True)
    else:
        opened = Store(tmp_path / "bantin.sqlite3", review=True)
    yield opened
    opened.close()


def held(store: Store) -> int:
    feed = store.sync.feeds.add(FeedConfig(name="Thời sự", url="https://example.vn/rss"))
    for chat_id in ("501", "502"):
        chat = store.sync.chats.upsert("telegram", chat_id)
        store.sync.chats.subscribe(chat.id)
    outcome = store.sync.articles.record_poll(
        feed.id,
        [(story("k1", "Tin chờ duyệt"), True), (story("k0", "Tin cũ"), False)],
        [],
        etag=None,
        last_modified=None,
        next_check_at=0,
    )
    assert outcome.deliveries == 0
    return outcome.article_ids[0]


def test_a_held_story_is_stored_searchable_and_queued_only_once_published(store: Store) -> None:
    article_id = held(store)
    review = store.sync.review
    assert [i.article_id for i in review.waiting()] == [article_id]  # not the unpushed one
    assert store.sync.deliveries.pending_count() == 0
    assert store.sync.search.search("chờ duyệt", limit=5)  # stored and searchable
    assert [i.article_id for i in review.unannounced()] == [article_id]
    review.mark_announced([article_id])
    assert review.unannounced() == []

    assert review.set_summary(article_id, "Tóm tắt của biên tập viên.").outcome == "done"
    review.begin_edit("telegram", "111", "111", article_id)
    assert review.take_edit("telegram", "111", "111") == article_id
    assert review.take_edit("telegram", "111", "111") is None  # once

    first = review.decide(article_id, True, "telegram:111")
    assert (first.outcome, first.queued) == ("done", 2)
    second = review.decide(article_id, False, "telegram:112")
    assert second.outcome == "already" and second.item is not None
    assert (second.item.status, second.item.decided_by) == ("published", "telegram:111")
    assert store.sync.deliveries.pending_count() == 2
    article = store.sync.articles.get(article_id)
    assert article is not None and article.summary == "Tóm tắt của biên tập viên."
    assert review.set_summary(article_id, "Quá muộn.").outcome == "already"
    assert review.decide(9999, True, "x").outcome == "missing"
    assert [i.article_id for i in review.decided()] == [article_id]


def test_overdue_lists_what_waited_too_long(store: Store) -> None:
    article_id = held(store)
    item = store.sync.review.get(article_id)
    assert item is not None
    assert store.sync.review.overdue(item.created_at) == []
    assert store.sync.review.overdue(item.created_at + 1) == [article_id]
