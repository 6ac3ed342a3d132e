"""Both platforms at once, as `bantin run` wires them: App + build_outlets, two fakes.

A story the poller finds on the fake news site reaches Telegram subscribers, the Telegram
channel and Zalo subscribers, each exactly once; and Zalo alone works without Telegram.
`App.run` owns its event loop as it does under `bantin run` (at stop it cancels every other
task), so it runs in a thread of its own and the test talks to it from outside.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from bot.app import App
from bot.config import load_config
from bot.core.settings import Config
from bot.store import Store
from tests.bot.test_pipeline import DALAT_PARAGRAPHS, publish_seed_and_dalat, write_config
from tests.fakes.news_site import VN_TZ, FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo

NEW_TITLE = "Đà Lạt khai trương tuyến xe buýt điện đầu tiên"
T = TypeVar("T")


def both_config(
    tmp_path: Path, site: FakeNewsSite, tg: FakeTelegram | None, zalo: FakeZalo
) -> Config:
    telegram = (
        f"""
[telegram]
token = "{tg.token}"
api_base_url = "{tg.url}"
channels = ["@bantin_news"]
messages_per_second = 200
private_chat_per_second = 50
group_per_minute = 3000
"""
        if tg is not None
        else ""
    )
    extra = (
        telegram
        + f"""
[zalo]
token = "{zalo.token}"
api_base_url = "{zalo.url}"
messages_per_second = 200
"""
    )
    return load_config(str(write_config(tmp_path, site, extra=extra)), env={})


def publish_new_story(site: FakeNewsSite) -> None:
    site.add_story(
        "xe-buyt-dien-da-lat-12347",
        NEW_TITLE,
        "(Lamdongtv.vn) - Sáng nay, tuyến xe buýt điện đầu tiên của Đà Lạt chính thức chạy.",
        DALAT_PARAGRAPHS,
        published=datetime(2024, 3, 13, 8, 0, tzinfo=VN_TZ),
    )


def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class RunningApp:
    """`bantin run` in a thread: App(config), a first poll (it primes the feed), App.run."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.ready = threading.Event()
        self.platform_names: list[str] = []
        self.error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._app: App | None = None
        self._thread = threading.Thread(target=self._thread_main, daemon=True)

    def __enter__(self) -> RunningApp:
        self._thread.start()
        assert self.ready.wait(15), "the app did not start"
        if self.error is not None:
            raise self.error
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._loop is not None and self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)
        assert not self._thread.is_alive(), "the app did not stop"
        if self.error is not None:
            raise self.error

    def _thread_main(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            self.error = exc
            self.ready.set()

    async def _main(self) -> None:
        async with App(self.config) as app:
            self._app = app
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self.platform_names = [p.name for p in app.platforms]
            await app.poll_once()
            self.ready.set()
            await app.run(self._stop)

    def call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 15.0) -> T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def poll(self) -> None:
        assert self._app is not None
        self.call(self._app.poll_once())


def test_one_story_reaches_telegram_subscribers_channel_and_zalo_subscribers_once(
    tmp_path: Path,
) -> None:
    with FakeNewsSite() as site, FakeTelegram() as tg, FakeZalo() as zalo:
        publish_seed_and_dalat(site)
        config = both_config(tmp_path, site, tg, zalo)
        with RunningApp(config) as running:
            assert running.platform_names == ["telegram", "zalo"]
            tg.push_update(tg.message_update(101, "/start"))
            tg.push_update(tg.message_update(102, "/start"))
            zalo.push_update(zalo.text_update("z1", "/start"))
            zalo.push_update(zalo.text_update("z2", "đăng ký"))
            until(lambda: all(tg.replies(c) for c in (101, 102)))
            until(lambda: all(zalo.replies(c) for c in ("z1", "z2")))

            publish_new_story(site)
            running.poll()
            until(
                lambda: all(
                    any(NEW_TITLE in t for t in tg.replies(c))
                    for c in ("101", "102", "@bantin_news")
                )
            )
            until(lambda: all(any(NEW_TITLE in t for t in zalo.replies(c)) for c in ("z1", "z2")))
            time.sleep(1.0)  # time for any duplicate to show itself
    for chat in ("101", "102", "@bantin_news"):
        assert sum(NEW_TITLE in t for t in tg.replies(chat)) == 1, chat
    for user in ("z1", "z2"):
        assert sum(NEW_TITLE in t for t in zalo.replies(user)) == 1, user
        (card,) = [c for c in zalo.delivered(user) if NEW_TITLE in c.text]
        assert "Đọc tiếp: http" in card.text and "<b>" not in card.text
    # Zalo got no Telegram chat and Telegram no Zalo user.
    assert {c.chat_id for c in zalo.delivered()} == {"z1", "z2"}
    store = Store(config.storage_path)
    try:
        assert store.sync.deliveries.counts() == {"sent": 5}
    finally:
        store.close()


def test_zalo_alone_runs_without_telegram(tmp_path: Path) -> None:
    with FakeNewsSite() as site, FakeZalo() as zalo:
        publish_seed_and_dalat(site)
        config = both_config(tmp_path, site, None, zalo)
        with RunningApp(config) as running:
            assert running.platform_names == ["zalo"]
            zalo.push_update(zalo.text_update("solo", "dang ky"))
            until(lambda: bool(zalo.replies("solo")))
            zalo.push_update(zalo.text_update("solo", "tim festival hoa da lat"))
            until(lambda: len(zalo.replies("solo")) == 2)
            publish_new_story(site)
            running.poll()
            until(lambda: any(NEW_TITLE in t for t in zalo.replies("solo")))
    assert "Khai mạc Festival Hoa Đà Lạt lần thứ 10" in zalo.replies("solo")[1]
