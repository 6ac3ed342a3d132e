"""Alerts, priorities, sections and pruning in the store, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.alerts import MAX_ALERTS
from bot.core.records import Chat, StoryRecord
from bot.core.settings import FeedConfig
from bot.store import Store

NewStore = Callable[..., Store]
_numbers = iter(range(1, 10_000))


def story(title: str, body: str = "", section: str | None = "thoi-su") -> StoryRecord:
    number = next(_numbers)
    return StoryRecord(
        key=f"k{number}-{time.time_ns()}",
        url=f"https://baolamdong.vn/{number}.html",
        title=title,
        lead="",
        body=body,
        summary=title,
        image=None,
        section=section,
        published_at=time.time() - 60 + number * 0.001,
    )


def reader(store: Store, chat_id: str, *, mode: str = "instant") -> Chat:
    chat = store.sync.chats.upsert("telegram", chat_id)
    store.sync.chats.subscribe(chat.id)
    if mode != "instant":
        store.sync.chats.update_settings(chat.id, mode=mode)
    return chat


def poll(store: Store, *stories: StoryRecord, feed: str = "Thời sự") -> tuple[int, ...]:
    found = store.sync.feeds.find(feed)
    assert found is not None
    outcome = store.sync.articles.record_poll(
        found.id, [(s, True) for s in stories], [], etag=None, last_modified=None,
        next_check_at=0.0,
    )  # fmt: skip
    return outcome.article_ids


def rows(store: Store, article_id: int) -> dict[str, tuple[float, int, str | None]]:
    """chat_id → (seconds until due, priority, alert) for one story's deliveries."""
    with store.db.reading() as conn:
        found = conn.execute(
            "SELECT c.chat_id, d.due_at, d.priority, d.alert FROM deliveries d "
            "JOIN chats c ON c.id = d.chat_ref WHERE d.article_id = ?",
            (article_id,),
        ).fetchall()
    return {r[0]: (r[1] - time.time(), r[2], r[3]) for r in found}


def feeds(store: Store, priority: str = "normal") -> None:
    store.sync.feeds.sync_config(
        [FeedConfig(name="Thời sự", url="https://baolamdong.vn/rss/thoi-su", priority=priority)]
    )


def test_alert_rows_skip_the_digest_and_alerts_only_chats_get_nothing_else(
    new_store: NewStore,
) -> None:
    store = new_store()
    feeds(store)
    watcher = reader(store, "1")
    everything = reader(store, "2")
    digest_watcher = reader(store, "3", mode="digest")
    digest = reader(store, "4", mode="digest")
    assert store.sync.alerts.add(watcher.id, "sạt lở") == "added"
    assert store.sync.alerts.add(digest_watcher.id, "sat lo -bong") == "added"
    assert store.sync.alerts.set_receive(watcher.id, "alerts").receive == "alerts"
    landslide, works = poll(
        store,
        story("Sạt lở đèo Prenn", "Mưa lớn gây sạt lở."),
        story("Giám sát thi công quốc lộ 20", "Nhà thầu thi công quốc lộ."),
    )
    got = rows(store, landslide)
    assert set(got) == {"1", "2", "3", "4"}
    assert got["1"][1:] == (1, "sạt lở") and abs(got["1"][0]) < 5
    assert got["3"][1:] == (1, "sat lo -bong") and abs(got["3"][0]) < 5  # not the digest hour
    assert got["2"][1:] == (0, None) and got["4"][1] == 0 and got["4"][0] > 5
    other = rows(store, works)  # no alert: the alerts-only chat does not get it
    assert set(other) == {"2", "3", "4"} and other["3"][1:] == (0, None) and other["3"][0] > 5
    del everything, digest


def test_limits_duplicates_removal_and_a_new_chat_gets_its_alerts_only(
    new_store: NewStore,
) -> None:
    store = new_store()
    chat = store.sync.chats.upsert("zalo", "z1")
    assert not chat.active
    assert store.sync.alerts.add(chat.id, "Bảo Lộc") == "added"
    fresh = store.sync.chats.by_ref(chat.id)
    assert fresh is not None and fresh.active and fresh.receive == "alerts"
    assert store.sync.alerts.add(chat.id, "bao  loc") == "duplicate"
    for number in range(MAX_ALERTS - 1):
        assert store.sync.alerts.add(chat.id, f"tu khoa {number}") == "added"
    assert store.sync.alerts.add(chat.id, "mot qua nhieu") == "limit"
    alerts = store.sync.alerts.of_chat(chat.id)
    assert len(alerts) == MAX_ALERTS and alerts[0].words == "Bảo Lộc"
    assert store.sync.alerts.remove(chat.id, alerts[0].id)
    assert not store.sync.alerts.remove(chat.id, alerts[0].id)
    assert store.sync.alerts.matching_chats("Mưa ở Bảo Lộc", "", "") == {}
    assert store.sync.alerts.matching_chats("", "", "tu khoa 3 nay") == {chat.id: "tu khoa 3"}


def test_breaking_is_claimed_before_what_was_queued_and_skips_the_digest(
    new_store: NewStore,
) -> None:
    store = new_store()
    feeds(store, priority="breaking")
    store.sync.feeds.sync_config(
        [
            FeedConfig(
                name="Thời sự", url="https://baolamdong.vn/rss/thoi-su", priority="breaking"
            ),
            FeedConfig(name="Kinh tế", url="https://baolamdong.vn/rss/kinh-te"),
        ]
    )
    early = reader(store, "10")
    late = reader(store, "11", mode="digest")
    (normal,) = poll(store, story("Giá cà phê tăng", section="kinh-te"), feed="Kinh tế")
    draft = store.sync.broadcasts.draft("Bảo trì", "cli:admin")
    store.sync.broadcasts.confirm(draft, "cli:admin")
    (breaking,) = poll(store, story("Cháy lớn ở chợ Đà Lạt"))
    got = rows(store, breaking)
    assert {chat: value[1] for chat, value in got.items()} == {"10": 2, "11": 2}
    assert got["11"][0] < 5  # a digest chat gets breaking news now
    claimed = store.sync.deliveries.claim("telegram", 10)
    assert [(d.chat.chat_id, d.article.id if d.article else None) for d in claimed] == [
        ("10", breaking),
        ("11", breaking),
    ]
    assert all(d.priority == 2 for d in claimed)
    store.sync.deliveries.mark_sent_many([d.id for d in claimed], "1")
    after = store.sync.deliveries.claim("telegram", 10)
    assert [d.chat.chat_id for d in after] == ["10"] and after[0].article is not None
    assert after[0].article.id == normal  # then the queue, in its order
    assert store.sync.articles.mark_breaking(10_000_000) is None
    del early, late


def test_marking_a_stored_story_breaking_moves_its_queued_rows_first(new_store: NewStore) -> None:
    store = new_store()
    feeds(store)
    chat = reader(store, "20")
    first, second = poll(store, story("Tin một"), story("Tin hai"))
    done = store.sync.articles.mark_breaking(second)
    assert done is not None and (done.new, done.requeued) == (0, 1)
    (claimed,) = store.sync.deliveries.claim("telegram", 5)
    assert claimed.article is not None and claimed.article.id == second
    del chat, first


def test_chosen_sections_filter_and_quiet_style(new_store: NewStore) -> None:
    store = new_store()
    feeds(store)
    economy = reader(store, "30")
    night = reader(store, "31")
    silent = reader(store, "32")
    hour = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).hour
    for chat in (night, silent):
        store.sync.chats.update_settings(chat.id, quiet_hours=(hour, (hour + 2) % 24))
    assert store.sync.alerts.set_quiet_style(silent.id, "silent").quiet_style == "silent"
    (first,) = poll(store, story("Tin thời sự"))
    assert store.sync.alerts.sections() == ["thoi-su"]
    store.sync.alerts.set_sections(economy.id, ["kinh-te"])
    assert store.sync.alerts.section_choice(economy.id) == (["thoi-su"], ["kinh-te"])
    news, money = poll(store, story("Tin thời sự 2"), story("Giá lúa", section="kinh-te"))
    assert set(rows(store, news)) == {"31", "32"}
    assert set(rows(store, money)) == {"30", "31", "32"}
    got = rows(store, first)
    assert got["31"][0] > 60 and abs(got["32"][0]) < 5  # held until morning, or now (silent)


def test_prune_keeps_pending_rows_and_the_newest_stories(new_store: NewStore) -> None:
    store = new_store()
    feeds(store)
    for number in range(3):
        reader(store, str(40 + number))
    old, newer = poll(store, story("Tin cũ"), story("Tin mới"))
    (waiting,) = poll(store, story("Tin đang chờ"))
    with store.db.transaction() as conn:
        conn.execute(
            "UPDATE deliveries SET status = 'sent', sent_at = 1000, message_id = '9' "
            "WHERE article_id IN (?, ?)",
            (old, newer),
        )
    removed = store.sync.retention.prune_deliveries(time.time() - 86400, 2)
    assert removed == 3
    assert rows(store, old) == {} and len(rows(store, newer)) == 3
    assert len(rows(store, waiting)) == 3
    assert store.sync.deliveries.sent_messages(newer)  # /correct and /retract still find them
