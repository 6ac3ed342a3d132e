"""The dashboard's store side on both backends: one-time links and sessions, and the
figures its charts draw (subscribers per day, deliveries per hour, latency per day)."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.core.records import StoryRecord
from bot.core.settings import FeedConfig
from bot.store import Store
from bot.store.dashboard import histogram_percentile

ZONE = "Asia/Ho_Chi_Minh"


def test_a_link_opens_one_session_once_and_only_within_its_time(
    new_store: Callable[..., Store],
) -> None:
    store = new_store()
    signin = store.sync.signin
    now = time.time()
    signin.add_link("h1", "telegram:111 (Lan)", "telegram", "111", now + 600)
    signin.add_link("h2", "zalo:abc", "zalo", "abc", now - 1)  # already expired
    assert signin.peek_link("h1", now).outcome == "ok"
    assert signin.peek_link("h1", now).outcome == "ok"  # looking spends nothing
    first = signin.redeem("h1", "s1", now + 3600, now)
    assert (first.outcome, first.actor, first.platform, first.user_id) == (
        "ok",
        "telegram:111 (Lan)",
        "telegram",
        "111",
    )
    assert signin.redeem("h1", "s2", now + 3600, now).outcome == "used"
    assert signin.peek_link("h1", now).outcome == "used"
    assert signin.redeem("h2", "s3", now + 3600, now).outcome == "expired"
    assert signin.redeem("nope", "s4", now + 3600, now).outcome == "unknown"
    session = signin.session("s1", now)
    assert session is not None and session.actor == "telegram:111 (Lan)"
    assert signin.session("s2", now) is None and signin.session("s3", now) is None
    assert signin.session("s1", now + 3601) is None  # expired
    signin.end_session("s1")
    assert signin.session("s1", now) is None


def _story(key: str, published: float) -> StoryRecord:
    return StoryRecord(
        key, f"https://lamdongtv.vn/{key}.html", f"Tin {key}", "", "", "", None, None, published
    )


def test_the_figures_of_the_charts(new_store: Callable[..., Store]) -> None:
    store = new_store(timezone=ZONE)
    at = time.time()
    feed = store.sync.feeds.add(FeedConfig(name="Thời sự", url="https://example.vn/rss"))
    chats = [store.sync.chats.upsert("telegram", str(500 + i)) for i in range(3)]
    zalo = store.sync.chats.upsert("zalo", "z1")
    for chat in [*chats, zalo]:
        store.sync.chats.subscribe(chat.id)
    with store.db.transaction() as conn:  # the chats arrived 10, 5 and 2 days ago; one left
        for chat, days in zip([*chats, zalo], (10, 5, 2, 1), strict=True):
            conn.execute(
                "UPDATE chats SET created_at = ?, changed_at = ? WHERE id = ?",
                (at - days * 86400, at - days * 86400, chat.id),
            )
        conn.execute(
            "UPDATE chats SET active = 0, inactive_reason = 'blocked', changed_at = ? WHERE id = ?",
            (at - 3 * 86400, chats[0].id),
        )
    series = store.sync.dashboard.subscribers_by_day(30, at)
    assert len(series.days) == 30
    telegram = series.series["telegram"]
    assert telegram[-11] == 1 and telegram[-6] == 2 and telegram[-3] == 2  # before one left
    assert telegram[-1] == 2 and series.series["zalo"][-1] == 1 and telegram[0] == 0

    published = at - 3600
    outcome = store.sync.articles.record_poll(
        feed.id,
        [(_story("a1", published), True)],
        [],
        etag=None,
        last_modified=None,
        next_check_at=0,
    )
    (article,) = outcome.article_ids
    claimed = store.sync.deliveries.claim("telegram", 10)
    assert len(claimed) == 2
    store.sync.deliveries.mark_sent(claimed[0].id, "1")
    store.sync.deliveries.mark_failed(claimed[1].id, "rejected")
    with store.db.transaction() as conn:  # sent 5 minutes after publication, 2 h ago
        conn.execute(
            "UPDATE deliveries SET sent_at = ? WHERE id = ?", (published + 300, claimed[0].id)
        )
        # Inside this hour, however close to its start the test runs (the last bucket).
        failed_at = at - min(60.0, (at % 3600) / 2)
        conn.execute(
            "UPDATE deliveries SET claimed_at = ? WHERE id = ?", (failed_at, claimed[1].id)
        )
    hours = store.sync.dashboard.deliveries_by_hour(24, at)
    assert len(hours.hours) == 24 and sum(hours.sent) == 1 and sum(hours.failed) == 1
    assert hours.sent[hours.hours.index(max(h for h in hours.hours if h <= published + 300))] == 1
    assert hours.failed[-1] == 1
    latency = store.sync.dashboard.latency_by_day(14, at)
    assert latency.series["p50"][-1] == 300 and latency.series["p95"][-1] == 300
    assert latency.series["p50"][0] is None

    (row,) = store.sync.dashboard.stories(10)
    assert (row.article_id, row.sent, row.pending, row.failed, row.feed_name) == (
        article,
        1,
        1,  # the Zalo reader's, not claimed here
        1,
        "Thời sự",
    )
    assert row.review is None


def test_percentiles_read_off_a_histogram_by_nearest_rank() -> None:
    assert histogram_percentile([], 0.5) is None
    counts = [(10.0, 5), (60.0, 4), (600.0, 1)]
    assert histogram_percentile(counts, 0.5) == 10.0
    assert histogram_percentile(counts, 0.95) == 600.0
    assert histogram_percentile(counts, 0.9) == 60.0
