"""WebSub end to end, as `bantin run` does it: the fake site's feed advertises the fake
hub; the bot subscribes, answers the challenge, and a signed push gets a new story to a
reader (through the fake Bot API) within seconds, with polling an hour away."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from bot.app import App
from bot.config import parse_config
from bot.core.settings import Config
from bot.store import Store
from tests.delivery.helpers import add_chat
from tests.fakes.news_site import VN_TZ, FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.websub_hub import FakeHub

READER = 101
PARAGRAPHS = [
    "Sáng nay, mưa lớn kéo dài gây sạt lở trên đèo Prenn, nhiều xe phải quay đầu.",
    "Lực lượng chức năng đã có mặt để phân luồng và khắc phục sự cố trong ngày.",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config_for(tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite, port: int) -> Config:
    text = f"""
[storage]
path = "{tmp_path / "bantin.sqlite3"}"

[poll]
interval_seconds = 3600

[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 2.0

[websub]
callback_url = "http://127.0.0.1:{port}/websub"
listen = "127.0.0.1:{port}"

[telegram]
token = "{tg.token}"
api_base_url = "{tg.url}"
messages_per_second = 200
private_chat_per_second = 50

[[feeds]]
name = "Tin tức"
url = "{site.feed_url}"
"""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return parse_config(text, str(path))


def publish(site: FakeNewsSite, slug: str, title: str) -> None:
    site.add_story(
        slug, title, "(Lamdongtv.vn) - Tin mới.", PARAGRAPHS, published=datetime.now(VN_TZ)
    )


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(updates_wait=0.1) as fake:
        yield fake


@pytest.fixture
def site() -> Iterator[FakeNewsSite]:
    with FakeNewsSite() as running:
        yield running


@asynccontextmanager
async def running(config: Config) -> AsyncIterator[App]:
    """`bantin run` until the block ends; a reader subscribed to everything."""
    store = Store(config.storage_path)
    add_chat(store, READER)
    store.close()
    app = App(config)
    stop = asyncio.Event()
    task = asyncio.create_task(app.run(stop))
    try:
        yield app
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 15)
        await app.close()


async def until(condition: Callable[[], object], timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def our_polls(site: FakeNewsSite) -> int:
    """The bot's GETs of the feed (the hub fetches it too, to push it)."""
    return sum(
        1
        for seen in site.requests_for(site.feed_url)
        if "urllib" not in seen.headers.get("user-agent", "")
    )


def delivered(tg: FakeTelegram, title: str) -> bool:
    return any(title in call.text for call in tg.delivered(READER))


async def test_hub_subscribe_challenge_and_signed_push_deliver_a_story_in_seconds(
    tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite
) -> None:
    port = free_port()
    with FakeHub() as hub:
        hub.attach(site)
        publish(site, "cu", "Tin đã có trước")  # the first poll primes the feed
        async with running(config_for(tmp_path, tg, site, port)) as app:
            (subscription,) = await asyncio.to_thread(hub.wait_active)
            assert subscription.topic == site.feed_url
            assert subscription.callback.endswith("/websub/1")
            assert len(subscription.secret) >= 32
            state = await app.store.websub.get(1)
            assert state is not None and state.state == "active"
            assert state.lease_until is not None and state.lease_until > time.time() + 86_400
            polls = our_polls(site)
            started = time.monotonic()
            publish(site, "sat-lo-deo-prenn", "Sạt lở trên đèo Prenn")
            await until(lambda: delivered(tg, "Sạt lở trên đèo Prenn"))
            elapsed = time.monotonic() - started
            assert await asyncio.to_thread(hub.wait_pushes, 1) == [202]
            assert our_polls(site) == polls + 1  # polled once, at the push
    assert elapsed < 5.0
    assert not delivered(tg, "Tin đã có trước")


async def test_a_push_with_a_wrong_signature_is_refused_and_polls_nothing(
    tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite
) -> None:
    port = free_port()
    with FakeHub() as hub:
        hub.attach(site)
        publish(site, "cu", "Tin đã có trước")
        async with running(config_for(tmp_path, tg, site, port)) as app:
            await asyncio.to_thread(hub.wait_active)
            site.on_publish = None  # publish without the hub's ping, then forge one
            publish(site, "gia-mao", "Tin giả mạo đẩy tới")
            polls = our_polls(site)
            hub.publish(secret="not-the-secret")
            assert await asyncio.to_thread(hub.wait_pushes, 1) == [403]
            async with httpx.AsyncClient() as client:
                unsigned = await client.post(f"http://127.0.0.1:{port}/websub/1", content=b"<rss/>")
                forged_topic = await client.get(
                    f"http://127.0.0.1:{port}/websub/1?"
                    + urlencode(
                        {
                            "hub.mode": "subscribe",
                            "hub.topic": "https://evil.example/feed",
                            "hub.challenge": "x",
                        }
                    )
                )
                unknown = await client.post(f"http://127.0.0.1:{port}/websub/99", content=b"x")
            assert unsigned.status_code == 403
            assert forged_topic.status_code == 404 and "x" not in forged_topic.text
            assert unknown.status_code == 410
            await asyncio.sleep(0.5)
            assert our_polls(site) == polls
            assert app.websub is not None and app.websub.receiver.refused == 2
    assert not delivered(tg, "Tin giả mạo đẩy tới")


async def test_a_feed_without_a_hub_is_polled_only(
    tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite
) -> None:
    port = free_port()
    with FakeHub() as hub:  # running, but the site does not advertise it
        publish(site, "cu", "Tin đã có trước")
        async with running(config_for(tmp_path, tg, site, port)) as app:
            await until(lambda: site.requests_for(site.feed_url))
            await asyncio.sleep(0.3)
            assert await app.store.websub.get(1) is None
            assert hub.requests == []
            with app.store.db.transaction() as conn:  # the next poll, an hour early
                conn.execute("UPDATE feeds SET next_check_at = 0")
            publish(site, "moi", "Tin mới qua kỳ kiểm tra")
            await app.poller.poll_due()
            await until(lambda: delivered(tg, "Tin mới qua kỳ kiểm tra"))


async def test_leases_are_renewed_and_a_refusing_hub_is_asked_again_later(
    tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite
) -> None:
    port = free_port()
    with FakeHub(lease_seconds=30) as hub:  # a lease shorter than a minute: renew at once
        hub.attach(site)
        publish(site, "cu", "Tin đã có trước")
        async with running(config_for(tmp_path, tg, site, port)) as app:
            await asyncio.to_thread(hub.wait_active)
            assert app.websub is not None
            first_secret = hub.requests[0]["hub.secret"]
            await app.websub.renew()
            await until(lambda: len(hub.requests) == 2)
            assert hub.requests[1]["hub.secret"] == first_secret  # the same subscription
            assert hub.requests[1]["hub.mode"] == "subscribe"
            hub.accept = False
            with app.store.db.transaction() as conn:
                conn.execute("UPDATE websub SET renew_at = 0")
            await app.websub.renew()
            state = await app.store.websub.get(1)
            assert state is not None and state.state == "failed"
            assert state.renew_at is not None and state.renew_at > time.time() + 600
            assert "400" in (state.last_error or "")
