"""Forum topics end to end: `/route` typed in a topic (real PTB ↔ the fake Bot API), stories
pushed into their topic, and a closed or deleted topic stopping its route with one alert."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.core.records import StoryRecord
from bot.core.settings import FeedConfig
from bot.store import Store
from bot.store.articles import insert_article
from bot.store.fanout import enqueue_article
from tests.delivery.helpers import telegram_config
from tests.fakes.telegram_api import FakeTelegram
from tests.platforms.telegram.helpers import running

GROUP = -100555
ADMIN = 8
BOT_ADMIN = 99
_numbers = itertools.count(1)


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(updates_wait=0.1) as fake:
        yield fake


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bantin.sqlite3")
    yield s
    s.close()


def add_feed(store: Store, name: str, section: str) -> int:
    feed = FeedConfig(name=name, url=f"https://baolamdong.vn/{section}.rss", section=section)
    return store.sync.feeds.add(feed).id


def story_of(store: Store, feed_id: int, title: str) -> int:
    """A story of this feed and its deliveries, in one transaction, as the poller does."""
    n = next(_numbers)
    story = StoryRecord(
        key=f"topic-{n}-{time.monotonic_ns()}",
        url=f"https://baolamdong.vn/tin-{n}.html",
        title=title,
        lead="",
        body="Sáng nay có tin mới. Chi tiết đang được cập nhật.",
        summary="Sáng nay có tin mới.",
        image=None,
        section=None,
        published_at=time.time(),
    )
    at = time.time()
    with store.db.transaction() as conn:
        article_id = insert_article(conn, feed_id, story, at)
        assert article_id is not None
        enqueue_article(conn, article_id, feed_id, at, "Asia/Ho_Chi_Minh")
    return article_id


async def until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def in_topic(tg: FakeTelegram, thread: int | None) -> list[str]:
    """What the group got in that topic (None: outside every topic)."""
    return [
        c.text
        for c in tg.delivered(GROUP)
        if (int(c.params["message_thread_id"]) if c.params.get("message_thread_id") else None)
        == thread
    ]


def say(tg: FakeTelegram, text: str, thread: int | None, user: int = ADMIN) -> None:
    tg.push_update(
        tg.message_update(GROUP, text, user_id=user, kind="supergroup", thread_id=thread)
    )


async def test_a_topic_gets_its_feeds_stories_and_the_rest_go_to_the_all_topic(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    sport = add_feed(store, "Thể thao", "the-thao")
    news = add_feed(store, "Thời sự", "thoi-su")
    sport_topic, all_topic = tg.open_topic(GROUP), tg.open_topic(GROUP)
    tg.set_member(GROUP, ADMIN, "administrator")
    async with running(config, store) as outlet:
        say(tg, "/route the-thao", sport_topic)
        await until(lambda: in_topic(tg, sport_topic))
        assert "“Thể thao”" in in_topic(tg, sport_topic)[0]  # the answer, in that topic
        say(tg, "/route all", all_topic)
        await until(lambda: in_topic(tg, all_topic))
        say(tg, "/route", None)
        await until(lambda: in_topic(tg, None))
        listing = in_topic(tg, None)[0]
        assert f"chủ đề {sport_topic}: “Thể thao”" in listing
        assert f"chủ đề {all_topic}: mọi tin" in listing
        story_of(store, sport, "Đội Lâm Đồng thắng trận")
        story_of(store, news, "Đà Lạt đón mưa lớn")
        await until(lambda: len(tg.delivered(GROUP)) == 5)
        await outlet.worker.drain(5)
    assert any("Đội Lâm Đồng thắng trận" in text for text in in_topic(tg, sport_topic))
    assert any("Đà Lạt đón mưa lớn" in text for text in in_topic(tg, all_topic))
    assert not any("Đà Lạt" in text for text in in_topic(tg, sport_topic))


async def test_only_the_groups_admins_route_and_off_stops_a_topic(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    sport = add_feed(store, "Thể thao", "the-thao")
    topic = tg.open_topic(GROUP)
    tg.set_member(GROUP, ADMIN, "administrator")
    tg.set_member(GROUP, 7, "member")
    async with running(config, store) as outlet:
        say(tg, "/route the-thao", topic, user=7)
        await until(lambda: in_topic(tg, topic))
        chat = store.sync.chats.get("telegram", str(GROUP))
        assert chat is not None and store.sync.topics.of_chat(chat.id) == []
        say(tg, f"/route {sport}", topic)
        await until(lambda: len(in_topic(tg, topic)) == 2)
        assert [r.feed_id for r in store.sync.topics.of_chat(chat.id)] == [sport]
        say(tg, "/route off", topic)
        await until(lambda: len(in_topic(tg, topic)) == 3)
        assert "không nhận tin nữa" in in_topic(tg, topic)[2]
        assert store.sync.topics.of_chat(chat.id) == []
        story_of(store, sport, "Đội Lâm Đồng thắng trận")
        await until(lambda: in_topic(tg, None))
        await outlet.worker.drain(5)
    assert "Đội Lâm Đồng thắng trận" in in_topic(tg, None)[0]  # the group still takes it


@pytest.mark.parametrize("delete", [False, True], ids=["closed", "deleted"])
async def test_a_closed_topic_stops_its_route_with_one_alert_and_no_retry_loop(
    tmp_path: Path, tg: FakeTelegram, store: Store, delete: bool
) -> None:
    config = telegram_config(tmp_path, tg, admins=(BOT_ADMIN,))
    sport = add_feed(store, "Thể thao", "the-thao")
    topic = tg.open_topic(GROUP)
    tg.set_member(GROUP, ADMIN, "administrator")
    async with running(config, store) as outlet:
        say(tg, "/route Thể thao", topic)
        await until(lambda: in_topic(tg, topic))
        tg.close_topic(GROUP, topic, delete=delete)
        story_of(store, sport, "Trận thứ nhất")
        story_of(store, sport, "Trận thứ hai")
        await until(lambda: len(in_topic(tg, None)) == 2)
        await outlet.worker.drain(5)
    refused = [c for c in tg.calls_to("sendMessage", GROUP) if not c.ok]
    assert len(refused) == 1  # one refusal, then the route is off: no retry of the topic
    expected = "TOPIC_CLOSED" if not delete else "message thread not found"
    chat = store.sync.chats.get("telegram", str(GROUP))
    assert chat is not None and chat.active
    (route,) = store.sync.topics.of_chat(chat.id)
    assert not route.active and expected.lower() in (route.inactive_reason or "").lower()
    alerts = tg.replies(BOT_ADMIN)
    assert len(alerts) == 1 and f"Chủ đề {topic}" in alerts[0]
    assert [t.split("\n")[0] for t in in_topic(tg, None)] == [
        "<b>Trận thứ nhất</b>",
        "<b>Trận thứ hai</b>",
    ]
    assert store.sync.deliveries.counts() == {"sent": 2}


async def test_an_english_group_is_answered_in_english_and_help_names_route(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    config = telegram_config(tmp_path, tg)
    add_feed(store, "Sports", "the-thao")
    topic = tg.open_topic(GROUP)
    tg.set_member(GROUP, ADMIN, "administrator")
    async with running(config, store):
        tg.push_update(
            tg.message_update(
                GROUP,
                "/route sports",
                user_id=ADMIN,
                kind="supergroup",
                thread_id=topic,
                language="en",
            )
        )
        await until(lambda: in_topic(tg, topic))
        say(tg, "/route nowhere", topic)
        await until(lambda: len(in_topic(tg, topic)) == 2)
        say(tg, "/route off", None)
        await until(lambda: in_topic(tg, None))
        say(tg, "/help", None)
        await until(lambda: len(in_topic(tg, None)) == 2)
    routed, unknown = in_topic(tg, topic)
    assert routed == "📌 This topic now gets the stories of: “Sports”."
    assert unknown.startswith("There is no feed or section “nowhere”.")
    outside, help_text = in_topic(tg, None)
    assert outside == "Send this inside the topic that should get the stories."
    assert "/route FEED…" in help_text
