"""The store's promises: WAL and versioned schema, one transaction per poll, an outbox
unique per (article, chat), claims in publication order, nothing forgotten at a crash.

Every test that takes `store` runs on both backends (SQLite and a real PostgreSQL
server, tests/conftest.py); what is SQLite's own (WAL, PRAGMAs) is tested on SQLite and
its PostgreSQL counterpart in tests/store/test_postgres.py.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.records import StoryRecord
from bot.core.settings import FeedConfig
from bot.delivery.timing import due_at, in_quiet_hours
from bot.store import IntegrityError, Store, StoreError
from bot.store.migrations import MIGRATIONS

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def story(key: str, title: str, published: float) -> StoryRecord:
    return StoryRecord(
        key=key,
        url=f"https://lamdongtv.vn/{key}.html",
        title=title,
        lead="Tin dẫn.",
        body="Nội dung.",
        summary="Tóm tắt.",
        image=None,
        section=None,
        published_at=published,
    )


@pytest.fixture
def store(new_store: Callable[[], Store]) -> Store:
    opened = new_store()
    opened.sync.feeds.sync_config([FeedConfig(name="Tin tức", url="https://lamdongtv.vn/rss")])
    return opened


def feed_id(store: Store) -> int:
    return store.sync.feeds.all()[0].id


def publish(store: Store, *stories: tuple[StoryRecord, bool]) -> None:
    """One poll of the test feed that stores these stories (and pushes those marked so)."""
    store.sync.articles.record_poll(
        feed_id(store), list(stories), [], etag=None, last_modified=None, next_check_at=0
    )


def test_schema_is_versioned_and_durable(tmp_path: Path) -> None:
    store = Store(tmp_path / "b.sqlite3")
    with store.db.reading() as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    store.close()
    Store(tmp_path / "b.sqlite3").close()  # reopening migrates nothing and keeps data
    raw = sqlite3.connect(tmp_path / "b.sqlite3")
    raw.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    raw.close()
    with pytest.raises(StoreError, match="newer than this Bantin knows"):
        Store(tmp_path / "b.sqlite3")


def test_a_story_and_its_deliveries_are_written_once(store: Store) -> None:
    reader = store.sync.chats.upsert("telegram", "7")
    store.sync.chats.subscribe(reader.id)
    quiet = store.sync.chats.upsert("telegram", "8")  # heard from, never subscribed
    assert not quiet.active
    first = store.sync.articles.record_poll(
        feed_id(store),
        [(story("a", "Một", 1.0), True)],
        [],
        etag='"e1"',
        last_modified=None,
        next_check_at=0,
    )
    again = store.sync.articles.record_poll(
        feed_id(store),
        [(story("a", "Một", 1.0), True)],
        [],
        etag='"e2"',
        last_modified=None,
        next_check_at=0,
    )
    assert (first.deliveries, len(first.article_ids)) == (1, 1)
    assert (again.deliveries, again.article_ids) == (0, ())
    assert store.sync.deliveries.counts() == {"pending": 1}
    assert store.sync.feeds.all()[0].etag == '"e2"'
    assert store.sync.articles.known_keys(["a", "b"]) == {"a"}


def test_a_failed_write_leaves_nothing_behind(store: Store) -> None:
    bad = StoryRecord(
        key="x",
        url="u",
        title=None,
        lead="",
        body="",
        summary="",  # type: ignore[arg-type]
        image=None,
        section=None,
        published_at=None,
    )
    with pytest.raises(IntegrityError):
        store.sync.articles.record_poll(
            feed_id(store),
            [(story("ok", "Tốt", 1.0), True), (bad, True)],
            [],
            etag='"new"',
            last_modified=None,
            next_check_at=0,
        )
    assert store.sync.articles.count() == 0
    assert store.sync.feeds.all()[0].etag is None


def test_claims_keep_each_chat_in_publication_order(store: Store) -> None:
    chats = [store.sync.chats.upsert("telegram", str(i)) for i in range(3)]
    for chat in chats:
        store.sync.chats.subscribe(chat.id)
    stories = [(story("late", "Sau", 200.0), True), (story("early", "Trước", 100.0), True)]
    publish(store, *stories)
    first = store.sync.deliveries.claim("telegram", 10)
    assert len(first) == 3  # one per chat
    assert {d.article.title for d in first if d.article} == {"Trước"}
    assert store.sync.deliveries.claim("telegram", 10) == []  # each chat has one in flight
    store.sync.deliveries.retry_later(first[0].id, due_at=10**12, error="timeout")
    store.sync.deliveries.mark_sent(first[1].id, "m1")
    store.sync.deliveries.mark_sent(first[2].id, "m2")
    second = store.sync.deliveries.claim("telegram", 10)
    # The chat whose first story waits for a retry does not get the second one first.
    assert {d.chat.id for d in second} == {first[1].chat.id, first[2].chat.id}
    assert {d.article.title for d in second if d.article} == {"Sau"}


def test_rows_in_flight_at_a_crash_are_requeued(store: Store) -> None:
    chat = store.sync.chats.upsert("telegram", "1")
    store.sync.chats.subscribe(chat.id)
    publish(store, (story("a", "Một", 1.0), True))
    assert len(store.sync.deliveries.claim("telegram", 10)) == 1
    assert store.sync.deliveries.requeue_in_flight(expired_only=False) == 1
    assert len(store.sync.deliveries.claim("telegram", 10)) == 1


def test_a_start_takes_back_only_rows_whose_lease_ran_out(store: Store) -> None:
    """Another process's live claims are its own; a dead one's come back after its lease."""
    for chat_id in ("1", "2"):
        store.sync.chats.subscribe(store.sync.chats.upsert("telegram", chat_id).id)
    publish(store, (story("a", "Một", 1.0), True))
    deliveries = store.sync.deliveries
    t = time.time() + 10
    live = deliveries.claim("telegram", 1, at=t, holder="a:1:x", lease_seconds=60)
    dead = deliveries.claim("telegram", 1, at=t, holder="b:2:y", lease_seconds=60)
    assert len(live) == len(dead) == 1
    assert deliveries.requeue_in_flight(at=t + 59) == 0
    assert deliveries.renew_leases("a:1:x", until=t + 120) == 1
    assert deliveries.requeue_in_flight(at=t + 61) == 1  # b stopped renewing: its row
    again = deliveries.claim("telegram", 5, at=t + 61, holder="c:3:z")
    assert [d.chat.chat_id for d in again] == [dead[0].chat.chat_id]
    assert again[0].ambiguous == 1  # it may have arrived: counted as an unknown outcome
    assert deliveries.counts() == {"sending": 2}


def test_deactivating_a_chat_cancels_its_queue_and_migration_keeps_it(store: Store) -> None:
    group = store.sync.chats.upsert("telegram", "-100", kind="group")
    store.sync.chats.subscribe(group.id)
    publish(store, (story("a", "Một", 1.0), True))
    moved = store.sync.chats.migrate("telegram", "-100", "-100999")
    assert moved is not None and moved.id == group.id and moved.kind == "supergroup"
    assert store.sync.deliveries.claim("telegram", 1)[0].chat.chat_id == "-100999"
    assert store.sync.deliveries.requeue_in_flight(expired_only=False) == 1
    store.sync.chats.deactivate(group.id, "blocked by the user")
    assert store.sync.deliveries.counts() == {"cancelled": 1}


def test_channels_from_config_get_every_feed(store: Store) -> None:
    store.sync.chats.sync_channels("telegram", ["@lamdongtv"])
    store.sync.chats.sync_channels("telegram", ["@lamdongtv"])
    (channel,) = store.sync.chats.channels("telegram")
    assert channel.is_channel and channel.active
    assert store.sync.chats.subscribed_feeds(channel.id) == [None]


def test_digest_and_quiet_hours_decide_when_a_delivery_is_due() -> None:
    at_9pm = datetime(2024, 3, 12, 21, 0, tzinfo=VN).timestamp()
    assert due_at(at_9pm, "Asia/Ho_Chi_Minh", "instant", 7, None, None) == at_9pm
    digest = datetime.fromtimestamp(due_at(at_9pm, "Asia/Ho_Chi_Minh", "digest", 7, None, None), VN)
    assert (digest.day, digest.hour) == (13, 7)
    at_11pm = datetime(2024, 3, 12, 23, 0, tzinfo=VN).timestamp()
    after_quiet = datetime.fromtimestamp(
        due_at(at_11pm, "Asia/Ho_Chi_Minh", "instant", 7, 22, 6), VN
    )
    assert (after_quiet.day, after_quiet.hour) == (13, 6)
    assert in_quiet_hours(23, 22, 6) and in_quiet_hours(2, 22, 6) and not in_quiet_hours(12, 22, 6)
    assert not in_quiet_hours(3, 8, 8)


def test_digest_chats_get_rows_due_at_their_hour(store: Store) -> None:
    chat = store.sync.chats.upsert("telegram", "5")
    store.sync.chats.subscribe(chat.id)
    store.sync.chats.update_settings(chat.id, mode="digest", digest_hour=7)
    publish(store, (story("a", "Một", 1.0), True))
    assert store.sync.deliveries.claim("telegram", 10) == []
    assert len(store.sync.deliveries.claim("telegram", 10, at=10**11)) == 1


def test_leaving_the_digest_brings_queued_stories_forward(store: Store) -> None:
    chat = store.sync.chats.upsert("telegram", "6")
    store.sync.chats.subscribe(chat.id)
    store.sync.chats.update_settings(chat.id, mode="digest", digest_hour=7)
    publish(store, (story("a", "Một", 1.0), True))
    assert store.sync.deliveries.claim("telegram", 10) == []
    store.sync.chats.update_settings(chat.id, mode="instant")
    publish(store, (story("b", "Hai", 2.0), True))
    (first,) = store.sync.deliveries.claim("telegram", 10)
    assert first.article is not None and first.article.title == "Một"
