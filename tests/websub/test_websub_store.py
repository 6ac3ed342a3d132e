"""The WebSub subscriptions on both backends: asked, verified, due for renewal, pushed."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.core.settings import FeedConfig
from bot.store import Store


def test_a_subscription_goes_from_asked_to_active_to_due(new_store: Callable[..., Store]) -> None:
    store = new_store()
    websub = store.sync.websub
    feed = store.sync.feeds.add(FeedConfig(name="Thời sự", url="https://baolamdong.vn/rss"))
    assert websub.get(feed.id) is None
    websub.requested(feed.id, "https://hub.example/", "https://baolamdong.vn/rss", "s" * 64)
    asked = websub.get(feed.id)
    assert asked is not None and asked.state == "requested" and asked.secret == "s" * 64
    assert "s" * 64 not in repr(asked)  # the secret never reaches a log line
    now = time.time()
    websub.verified(feed.id, now + 1000, now + 800)
    assert websub.due(now) == []
    # Renewing keeps it active (pushes go on being accepted meanwhile).
    websub.requested(feed.id, "https://hub.example/", "https://baolamdong.vn/rss", "s" * 64)
    active = websub.get(feed.id)
    assert active is not None and active.state == "active"
    assert [s.feed_id for s in websub.due(now + 900)] == [feed.id]
    websub.failed(feed.id, "failed", "HTTP 500", now + 60)
    failed = websub.get(feed.id)
    assert failed is not None and (failed.state, failed.last_error) == ("failed", "HTTP 500")
    store.sync.feeds.set_paused(feed.id, True)
    assert websub.due(now + 900) == []  # a paused feed is not renewed
    store.sync.feeds.set_paused(feed.id, False)


def test_a_push_makes_the_feed_due_unless_it_is_backing_off(
    new_store: Callable[..., Store],
) -> None:
    store = new_store()
    feed = store.sync.feeds.add(FeedConfig(name="Kinh tế", url="https://baolamdong.vn/rss"))
    store.sync.websub.requested(feed.id, "https://hub.example/", feed.url, "x" * 64)
    with store.db.transaction() as conn:
        conn.execute(
            "UPDATE feeds SET next_check_at = ? WHERE id = ?", (time.time() + 3600, feed.id)
        )
    store.sync.websub.pushed(feed.id)
    assert [f.id for f in store.sync.feeds.due(time.time() + 1)] == [feed.id]
    pushed = store.sync.websub.get(feed.id)
    assert pushed is not None and pushed.pushes == 1
    with store.db.transaction() as conn:
        conn.execute(
            "UPDATE feeds SET next_check_at = ?, failures = 2 WHERE id = ?",
            (time.time() + 3600, feed.id),
        )
    store.sync.websub.pushed(feed.id)
    assert store.sync.feeds.due(time.time() + 1) == []
    assert store.sync.websub.remove(feed.id) and store.sync.websub.get(feed.id) is None
