"""The store's rows for the admin room: channels and their routes, stories posted again or
retracted, broadcasts, and the online backup."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.settings import FeedConfig
from bot.store import Store
from bot.store.broadcasts import DRAFT_SECONDS
from tests.admin.conftest import seed


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "bantin.sqlite3")
    yield opened
    opened.close()


def statuses(store: Store, article_id: int) -> list[tuple[str, str, str | None]]:
    with store.db.reading() as conn:
        rows = conn.execute(
            "SELECT c.chat_id, d.status, d.last_error FROM deliveries d "
            "JOIN chats c ON c.id = d.chat_ref WHERE d.article_id = ? ORDER BY c.chat_id",
            (article_id,),
        ).fetchall()
    return [tuple(row) for row in rows]


def test_a_channel_added_again_keeps_its_routes_and_removing_it_cancels_its_queue(
    store: Store,
) -> None:
    feed_id, article_id = seed(store)
    chats = store.sync.chats
    channel = chats.add_channel("telegram", "-100", "channel", "Kênh")
    assert (channel.is_channel, channel.active, channel.title) == (True, True, "Kênh")
    assert chats.channel_routes(channel.id) == ["*"]
    chats.subscribe(channel.id, [feed_id])
    again = chats.add_channel("telegram", "-100", "supergroup", None)
    assert (again.id, again.kind, again.title) == (channel.id, "supergroup", "Kênh")
    assert chats.channel_routes(channel.id) == ["Thời sự"]

    assert store.sync.articles.post_again(article_id).new == 1
    chats.remove_channel(channel.id, "removed by cli:lan")
    gone = chats.by_ref(channel.id)
    assert gone is not None and not gone.is_channel and not gone.active
    assert ("-100", "cancelled", "removed by cli:lan") in statuses(store, article_id)
    assert chats.channels() == []


def test_posting_again_requeues_what_failed_and_retracting_cancels_what_waits(
    store: Store,
) -> None:
    _, article_id = seed(store)  # sent to 501 and 502
    late = store.sync.chats.upsert("telegram", "503")
    store.sync.chats.subscribe(late.id)
    first = store.sync.articles.post_again(article_id)
    assert (first.new, first.requeued, first.already_sent) == (1, 0, 2)
    (claimed,) = store.sync.deliveries.claim("telegram", 10)
    store.sync.deliveries.mark_failed(claimed.id, "Forbidden")
    second = store.sync.articles.post_again(article_id)
    assert (second.new, second.requeued, second.already_sent) == (0, 1, 2)
    assert store.sync.articles.post_again(10**6).new == 0  # no such story: nothing queued

    assert store.sync.deliveries.cancel_pending(article_id, "retracted") == 1
    deleted = store.sync.chats.get("telegram", "502")
    assert deleted is not None
    store.sync.deliveries.note_retracted(article_id, [deleted.id], "retracted")
    store.sync.deliveries.note_retracted(article_id, [], "ignored")
    assert statuses(store, article_id) == [
        ("501", "sent", None),
        ("502", "sent", "retracted"),
        ("503", "cancelled", "retracted"),
    ]


def test_a_broadcast_is_queued_once_by_its_author_before_its_draft_expires(
    store: Store,
) -> None:
    seed(store)
    zalo = store.sync.chats.upsert("zalo", "z1")
    store.sync.chats.subscribe(zalo.id)
    broadcasts = store.sync.broadcasts
    audience = broadcasts.audience()
    assert (audience.by_platform, audience.total) == ({"telegram": 2, "zalo": 1}, 3)

    draft = broadcasts.draft("Xin chào", "telegram:1")
    assert broadcasts.confirm(draft, "telegram:2").status == "not_author"
    assert broadcasts.confirm(draft + 1, "telegram:1").status == "missing"
    done = broadcasts.confirm(draft, "telegram:1")
    assert (done.status, done.queued, done.text) == ("queued", 3, "Xin chào")
    assert broadcasts.confirm(draft, "telegram:1").status == "already"
    assert not broadcasts.cancel(draft, "telegram:1")  # queued: not a draft any more

    old = broadcasts.draft("Cũ", "telegram:1")
    with store.db.transaction() as conn:
        conn.execute(
            "UPDATE broadcasts SET created_at = created_at - ? WHERE id = ?",
            (DRAFT_SECONDS + 1, old),
        )
    assert broadcasts.confirm(old, "telegram:1").status == "expired"
    assert not broadcasts.cancel(old, "telegram:2")
    assert broadcasts.cancel(old, "telegram:1")


async def test_the_backup_is_a_checked_copy_never_over_the_store_itself(
    store: Store, tmp_path: Path
) -> None:
    store.sync.feeds.add(FeedConfig(name="Thời sự", url="https://example.vn/rss"))
    done = await store.backup(tmp_path / "copy.sqlite3")
    assert done.status == "ok" and done.size == (tmp_path / "copy.sqlite3").stat().st_size
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    try:
        assert copy.execute("SELECT name FROM feeds").fetchall() == [("Thời sự",)]
    finally:
        copy.close()
    assert (await store.backup(tmp_path / "bantin.sqlite3")).status == "same_file"
    missing = await store.backup(tmp_path / "nowhere" / "copy.sqlite3")
    assert (missing.status, missing.detail) == ("no_directory", str(tmp_path / "nowhere"))
    assert not list(tmp_path.glob(".bantin-backup-*"))
