"""The topic routes on both backends: one topic per feed, the route for every story,
deactivation kept with its reason."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.settings import FeedConfig
from bot.store import Store


def test_routes_move_fall_back_and_deactivate(new_store: Callable[..., Store]) -> None:
    store = new_store()
    topics = store.sync.topics
    group = store.sync.chats.upsert("telegram", "-100555", kind="supergroup")
    other = store.sync.chats.upsert("telegram", "-100556", kind="supergroup")
    sport, news = (
        store.sync.feeds.add(FeedConfig(name=n, url=f"https://baolamdong.vn/{n}.rss")).id
        for n in ("the-thao", "thoi-su")
    )
    assert topics.thread_for(group.id, [sport]) is None
    topics.route(group.id, 11, [sport])
    topics.route(group.id, 12, None)
    topics.route(other.id, 31, [sport])
    assert topics.thread_for(group.id, [sport]) == 11
    assert topics.thread_for(group.id, [news]) == 12
    assert topics.thread_for(group.id, [sport, news]) == 12  # a mixed digest: the "all" topic
    assert topics.thread_for(group.id, []) == 12
    topics.route(group.id, 13, [sport, sport])  # moved, not doubled
    assert [(r.thread_id, r.feed_name) for r in topics.of_chat(group.id)] == [
        (12, None),
        (13, "the-thao"),
    ]
    assert topics.deactivate(group.id, 13, "Bad Request: TOPIC_CLOSED") == 1
    assert topics.deactivate(group.id, 13, "again") == 0
    assert topics.thread_for(group.id, [sport]) == 12
    stopped = [r for r in topics.of_chat(group.id) if not r.active]
    assert [(r.thread_id, r.inactive_reason) for r in stopped] == [
        (13, "Bad Request: TOPIC_CLOSED")
    ]
    assert topics.remove(group.id, 12) == 1
    assert topics.thread_for(group.id, [news]) is None
    assert topics.thread_for(other.id, [sport]) == 31  # another chat's routes are its own
