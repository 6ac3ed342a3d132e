"""Zalo end to end: the real handlers, store, worker and httpx client against the fake API."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import parse_config
from bot.core.records import Chat
from bot.core.settings import Config
from bot.delivery.jobs import WorkerSettings
from bot.outlets import Outlet, build_outlets, make_context, zalo_outlet
from bot.platforms.startup import TokenRejected
from bot.platforms.zalo import ZaloAdapter
from bot.store import Store
from tests.delivery.helpers import add_story
from tests.fakes.zalo_api import (
    BAD_REQUEST,
    BLOCKED,
    BLOCKED_IN_200,
    QUOTA,
    SERVER_ERROR,
    TOKEN,
    FakeZalo,
)

FAST = WorkerSettings(max_in_flight=20, idle_seconds=0.05, backoff_base=0.05, backoff_cap=0.2)


def quick(config: Config) -> Config:
    """A one-second long poll and short waits: the fake answers on loopback."""
    zalo = replace(
        config.zalo,
        poll_timeout_seconds=1,
        connect_timeout_seconds=1.0,
        read_timeout_seconds=3.0,
        quota_pause_seconds=0.3,
    )
    return replace(config, zalo=zalo)


def zalo_platform(config: Config, store: Store, worker: WorkerSettings = FAST) -> Outlet:
    return zalo_outlet(quick(config), make_context(config, store), worker_settings=worker)


def zalo_config(
    tmp_path: Path,
    fake: FakeZalo,
    *,
    admins: tuple[str, ...] = (),
    per_second: float = 500.0,
    webhook_url: str = "",
    webhook_secret: str = "",
    webhook_listen: str = "127.0.0.1:8443",
) -> Config:
    """Fast limits by default: these tests are about outcomes, the limiter has its own."""
    admin_list = ", ".join(f'"{a}"' for a in admins)
    text = f"""
[storage]
path = "{tmp_path / "bantin.sqlite3"}"

[poll]
interval_seconds = 3600

[zalo]
token = "{fake.token}"
api_base_url = "{fake.url}"
admins = [{admin_list}]
messages_per_second = {per_second}
webhook_url = "{webhook_url}"
webhook_secret = "{webhook_secret}"
webhook_listen = "{webhook_listen}"
"""
    return parse_config(text, str(tmp_path / "config.toml"), env={})


def add_zalo_chat(store: Store, chat_id: str, *, language: str = "vi") -> Chat:
    chat = store.sync.chats.upsert("zalo", chat_id, kind="private", language=language)
    store.sync.chats.subscribe(chat.id)
    found = store.sync.chats.get("zalo", chat_id)
    assert found is not None
    return found


@pytest.fixture
def zalo() -> Iterator[FakeZalo]:
    with FakeZalo() as fake:
        yield fake


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bantin.sqlite3")
    yield s
    s.close()


@asynccontextmanager
async def running(
    config: Config,
    store: Store,
    worker: WorkerSettings = FAST,
) -> AsyncIterator[Outlet]:
    platform = zalo_platform(config, store, worker)
    await platform.start()
    try:
        yield platform
    finally:
        await platform.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- subscribing and searching by typed words ----------------------------------------


async def test_subscribe_by_start_and_by_plain_words(
    tmp_path: Path, zalo: FakeZalo, store: Store
) -> None:
    config = zalo_config(tmp_path, zalo)
    async with running(config, store):
        zalo.push_update(zalo.text_update("u1", "/start", name="Lan"))
        zalo.push_update(zalo.text_update("u2", "đăng ký", name="Minh"))
        zalo.push_update(zalo.text_update("u3", "dang ky"))
        for user in ("u1", "u2", "u3"):
            (answer,) = await zalo.wait_for_replies(user)
            assert answer.startswith("Chào mừng bạn đến với Bantin!")
            assert "“hủy”" in answer  # hints in typed words: Zalo has no command menu
        zalo.push_update(zalo.text_update("u2", "hủy"))
        replies = await zalo.wait_for_replies("u2", 2)
        assert replies[1].startswith("Đã ngừng gửi tin.")
    for user, active in (("u1", True), ("u2", False), ("u3", True)):
        chat = store.sync.chats.get("zalo", user)
        assert chat is not None and chat.active is active and chat.kind == "private"
    assert store.sync.chats.get("zalo", "u1").title == "Lan"  # type: ignore[union-attr]
    assert zalo.calls_to("sendChatAction", "u1")  # "typing…" while the handlers work
    assert all(c.method == "sendMessage" for c in zalo.delivered())


async def test_search_without_diacritics_and_paging_by_words(
    tmp_path: Path, zalo: FakeZalo, store: Store
) -> None:
    config = zalo_config(tmp_path, zalo)
    add_story(
        store,
        "Sầu riêng Lâm Đồng được mùa, được giá",
        deliver=False,
        url="https://baolamdong.vn/kinh-te/sau-rieng.html",
    )
    for n in range(7):
        add_story(
            store,
            f"Đà Lạt đón mùa hoa dã quỳ lần {n + 1}",
            deliver=False,
            summary=f"Hoa dã quỳ nở vàng các con dốc Đà Lạt. Tin số {n + 1}.",
        )
    async with running(config, store):
        zalo.push_update(zalo.text_update("s1", "tim sau rieng"))
        (found,) = await zalo.wait_for_replies("s1")
        assert "Sầu riêng Lâm Đồng được mùa, được giá" in found
        assert "https://baolamdong.vn/kinh-te/sau-rieng.html" in found  # link written out
        assert found.count("https://baolamdong.vn/kinh-te/sau-rieng.html") == 1

        zalo.push_update(zalo.text_update("s2", "tìm da lat"))
        (page1,) = await zalo.wait_for_replies("s2")
        assert "trang 1" in page1 and "Đà Lạt đón mùa hoa dã quỳ" in page1
        assert "/search da lat trang 2" in page1 and "xem thêm" in page1
        zalo.push_update(zalo.text_update("s2", "xem thêm"))
        page2 = (await zalo.wait_for_replies("s2", 2))[1]
        assert "trang 2" in page2
        zalo.push_update(zalo.text_update("s2", "/search da lat trang 2"))
        again = (await zalo.wait_for_replies("s2", 3))[2]
        assert again == page2
    for text in zalo.replies("s1") + zalo.replies("s2"):
        assert len(text) <= 2000 and "<b>" not in text


async def test_sticker_and_unsupported_events_are_ignored_image_caption_is_read(
    tmp_path: Path, zalo: FakeZalo, store: Store
) -> None:
    config = zalo_config(tmp_path, zalo)
    async with running(config, store):
        zalo.push_update(zalo.sticker_update("x1"))
        zalo.push_update(zalo.unsupported_update("x2"))
        zalo.push_update(zalo.image_update("x3", "https://example.invalid/a.jpg", "đăng ký"))
        await zalo.wait_for_replies("x3")
        await asyncio.sleep(0.2)
    assert zalo.replies("x1") == [] and zalo.replies("x2") == []
    assert store.sync.chats.get("zalo", "x2") is None  # nothing kept of a protected user
    chat = store.sync.chats.get("zalo", "x3")
    assert chat is not None and chat.active


# ---- pushes --------------------------------------------------------------------------


async def test_story_card_is_a_photo_with_caption_and_written_out_links(
    tmp_path: Path, zalo: FakeZalo, store: Store
) -> None:
    config = zalo_config(tmp_path, zalo)
    add_zalo_chat(store, "c1")
    add_story(
        store,
        "Đà Lạt đón mưa lớn",
        image="https://baolamdong.vn/a.jpg",
        url="https://baolamdong.vn/mua.html",
    )
    add_story(store, "Giá rau tăng", image=None, url="https://baolamdong.vn/rau.html")
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    photo, text = zalo.delivered("c1")
    assert photo.method == "sendPhoto" and photo.params["photo"] == "https://baolamdong.vn/a.jpg"
    caption = photo.params["caption"]
    assert caption.startswith("Đà Lạt đón mưa lớn\n\n")
    assert caption.endswith("Đọc tiếp: https://baolamdong.vn/mua.html")
    assert "Chia sẻ" not in caption  # no inline sharing on Zalo
    assert text.method == "sendMessage"
    assert text.params["text"].endswith("Đọc tiếp: https://baolamdong.vn/rau.html")
    assert store.sync.deliveries.counts() == {"sent": 2}
    with store.db.reading() as conn:
        ids = [row[0] for row in conn.execute("SELECT message_id FROM deliveries")]
    assert all(ids) and ids == [c.message_id for c in (photo, text)]


async def test_refused_photo_falls_back_to_text(
    tmp_path: Path, zalo: FakeZalo, store: Store
) -> None:
    config = zalo_config(tmp_path, zalo)
    add_zalo_chat(store, "p1")
    zalo.reject_photos = True
    add_story(store, "Hoa mai anh đào", url="https://baolamdong.vn/hoa.html")
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    (sent,) = zalo.delivered("p1")
    assert sent.method == "sendMessage" and "Hoa mai anh đào" in sent.params["text"]
    assert store.sync.deliveries.counts() == {"sent": 1}


async def test_story_reaches_50_users_exactly_once_and_a_blocked_user_is_deactivated(
    tmp_path: Path, zalo: FakeZalo, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    config = zalo_config(tmp_path, zalo)
    users = [f"user{n:02d}" for n in range(50)]
    for user in users:
        add_zalo_chat(store, user)
    add_zalo_chat(store, "blocker")
    add_zalo_chat(store, "blocker200")
    zalo.fail(None, BLOCKED, chat_id="blocker", times=None)
    zalo.fail(None, BLOCKED_IN_200, chat_id="blocker200", times=None)
    add_story(store, "Lâm Đồng khởi công cao tốc")
    async with running(config, store) as platform:
        await platform.worker.drain(15)
    assert all(len(zalo.delivered(user)) == 1 for user in users)
    assert len(zalo.delivered()) == 50
    for blocker in ("blocker", "blocker200"):
        assert len(zalo.calls_to("sendPhoto", blocker)) == 1  # not retried
        chat = store.sync.chats.get("zalo", blocker)
        assert chat is not None and not chat.active
        assert chat.inactive_reason == "Zalo 403: User has blocked the bot"
    assert store.sync.deliveries.counts() == {"sent": 50, "failed": 2}
    assert "chat zalo:blocker deactivated: Zalo 403: User has blocked the bot" in caplog.text
    # The next story is not even queued for them.
    add_story(store, "Tin thứ hai")
    assert store.sync.deliveries.pending_count("zalo") == 50


async def test_restart_mid_push_loses_nothing_and_duplicates_only_in_flight(
    tmp_path: Path, store: Store
) -> None:
    worker = WorkerSettings(
        max_in_flight=6,
        idle_seconds=0.05,
        backoff_base=0.05,
        backoff_cap=0.2,
        stop_grace_seconds=2.0,
    )
    with FakeZalo(send_delay=0.05) as zalo:
        config = zalo_config(tmp_path, zalo, per_second=100.0)
        users = [f"r{n:02d}" for n in range(50)]
        for user in users:
            add_zalo_chat(store, user)
        add_story(store, "Tin nóng giữa lúc khởi động lại", image=None)
        first = zalo_platform(config, store, worker)
        await first.start()
        deadline = time.monotonic() + 10
        while len(zalo.delivered()) < 15 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await first.stop()
        sent_before = len(zalo.delivered())
        assert 15 <= sent_before < 50, "the push should be cut mid-way"
        # What `bantin run` does at start: rows a crash left 'sending' go out again.
        store.sync.deliveries.requeue_in_flight(expired_only=False)
        async with running(config, store, worker=worker) as second:
            await second.worker.drain(15)
        counts = [len(zalo.delivered(user)) for user in users]
    assert min(counts) == 1, "every user has the story"
    assert max(counts) <= 2
    assert sum(1 for c in counts if c == 2) <= worker.max_in_flight  # only sends in flight
    assert store.sync.deliveries.counts() == {"sent": 50}


async def test_quota_server_errors_and_refusals(
    tmp_path: Path, zalo: FakeZalo, store: Store
) -> None:
    config = zalo_config(tmp_path, zalo, admins=("admin1",))
    for user in ("q1", "q2", "q3", "q4"):
        add_zalo_chat(store, user)
    zalo.fail("sendMessage", QUOTA, chat_id="q1")  # 429: every send waits, then resends
    zalo.fail("sendMessage", SERVER_ERROR, chat_id="q2", times=2)  # retried later
    zalo.fail("sendMessage", BAD_REQUEST, chat_id="q3", times=None)  # rejected, admins told
    zalo.fail("sendMessage", BAD_REQUEST, chat_id="q4", times=None)
    add_story(store, "Tin có lỗi", image=None)
    async with running(config, store) as platform:
        await platform.worker.drain(15)
        assert platform.worker.flood_waits == 1
    assert len(zalo.delivered("q1")) == 1 and len(zalo.delivered("q2")) == 1
    assert len(zalo.calls_to("sendMessage", "q2")) == 3
    assert len(zalo.calls_to("sendMessage", "q3")) == 1  # not retried
    assert store.sync.deliveries.counts() == {"sent": 2, "failed": 2}
    for user in ("q3", "q4"):
        chat = store.sync.chats.get("zalo", user)
        assert chat is not None and chat.active  # a refusal is not the reader's doing
    (alert,) = zalo.replies("admin1")  # one alert for one cause, not one per chat
    assert alert.startswith("zalo từ chối gửi tin") and "Zalo 400: Bad request" in alert


# ---- webhook ---------------------------------------------------------------------------


async def test_webhook_accepts_the_right_secret_and_refuses_others(
    tmp_path: Path, store: Store
) -> None:
    port = free_port()
    secret = "s3cret-for-the-webhook"
    with FakeZalo(require_https_webhook=False) as zalo:
        config = zalo_config(
            tmp_path,
            zalo,
            webhook_url=f"http://127.0.0.1:{port}/zalo/hook",
            webhook_secret=secret,
            webhook_listen=f"127.0.0.1:{port}",
        )
        async with running(config, store) as platform:
            assert zalo.webhook_url == f"http://127.0.0.1:{port}/zalo/hook"
            assert zalo.webhook_secret == secret
            post = asyncio.to_thread
            update = zalo.text_update("w1", "đăng ký")
            assert await post(zalo.post_to_webhook, update, secret="wrong-secret-123") == 403
            assert await post(zalo.post_to_webhook, update, secret="") == 403
            assert await post(zalo.post_to_webhook, update, secret=secret[:-1]) == 403
            assert await post(zalo.post_to_webhook, update, secret=secret, method="GET") == 405
            assert await post(zalo.post_to_webhook, update, raw=b"{not json") == 400
            adapter = platform.platform
            assert isinstance(adapter, ZaloAdapter)
            assert adapter.route is not None and adapter.route.refused == 3
            await asyncio.sleep(0.1)
            assert zalo.replies("w1") == [] and store.sync.chats.get("zalo", "w1") is None
            assert await post(zalo.post_to_webhook, update) == 200
            (answer,) = await zalo.wait_for_replies("w1")
            assert answer.startswith("Chào mừng bạn đến với Bantin!")
            # Zalo may deliver an event twice: the same message id is handled once.
            assert await post(zalo.post_to_webhook, update) == 200
            await asyncio.sleep(0.2)
            assert len(zalo.replies("w1")) == 1
        assert zalo.calls_to("getUpdates") == []  # webhook mode does not poll
    chat = store.sync.chats.get("zalo", "w1")
    assert chat is not None and chat.active


async def test_polling_removes_a_webhook_left_over(
    tmp_path: Path, zalo: FakeZalo, store: Store
) -> None:
    zalo.webhook_url, zalo.webhook_secret = "https://old.example.invalid/hook", "old-secret"
    config = zalo_config(tmp_path, zalo)
    async with running(config, store):
        zalo.push_update(zalo.text_update("d1", "/start"))
        await zalo.wait_for_replies("d1")
    assert zalo.webhook_url == ""
    assert len(zalo.calls_to("deleteWebhook")) == 1


# ---- limits, admins, token -------------------------------------------------------------


async def test_admin_alert_longer_than_2000_is_cut_on_a_sentence_boundary(
    tmp_path: Path, zalo: FakeZalo, store: Store
) -> None:
    config = zalo_config(tmp_path, zalo, admins=("a1", "a2"))
    sentences = [f"Câu thứ {n} nói về nguồn tin Lâm Đồng bị lỗi liên tục." for n in range(80)]
    text = " ".join(sentences)
    assert len(text) > 4000
    platform = ZaloAdapter(quick(config).zalo, make_context(config, store))
    try:
        await platform.notify_admins(text)
    finally:
        await platform.client.aclose()
    for admin in ("a1", "a2"):
        (sent,) = zalo.replies(admin)  # the fake refuses anything over 2000
        assert 1500 < len(sent) <= 2000
        assert sent.endswith("liên tục. …")
        assert text.startswith(sent[:-2])


async def test_long_story_caption_fits_and_keeps_its_link(
    tmp_path: Path, zalo: FakeZalo, store: Store
) -> None:
    config = zalo_config(tmp_path, zalo)
    add_zalo_chat(store, "l1")
    summary = " ".join(f"Đoạn {n}: mưa lớn kéo dài ở Bảo Lộc gây sạt lở." for n in range(120))
    add_story(store, "Mưa lớn ở Bảo Lộc", summary=summary, url="https://baolamdong.vn/bl.html")
    async with running(config, store) as platform:
        await platform.worker.drain(10)
    (sent,) = zalo.delivered("l1")
    caption = sent.params["caption"]
    # The card takes whole sentences up to [card] summary_chars (300), not the whole summary.
    summary_shown = caption.split("\n\n")[1]
    assert summary_shown.endswith("gây sạt lở.") and len(summary_shown) <= 300
    assert caption.endswith("\n\nĐọc tiếp: https://baolamdong.vn/bl.html")


async def test_token_is_never_logged_and_a_refused_token_stops_start(
    tmp_path: Path, zalo: FakeZalo, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    config = zalo_config(tmp_path, zalo, admins=("a1",))
    add_zalo_chat(store, "t1")
    zalo.fail(None, SERVER_ERROR, chat_id="t1")
    add_story(store, image=None)
    async with running(config, store) as platform:
        zalo.push_update(zalo.text_update("t2", "/start"))
        await zalo.wait_for_replies("t2")
        await platform.worker.drain(10)
    assert zalo.calls_to("getUpdates")
    assert TOKEN not in caplog.text
    assert TOKEN.split(":")[1] not in caplog.text

    bad = ZaloAdapter(
        quick(
            parse_config(f'[zalo]\ntoken = "999:wrong"\napi_base_url = "{zalo.url}"\n', "x", env={})
        ).zalo,
        make_context(config, store),
    )
    with pytest.raises(TokenRejected, match=r"\[zalo\] token") as refused:
        await bad.start()
    assert "999:wrong" not in str(refused.value)
    await bad.client.aclose()
    assert "999:wrong" not in caplog.text


async def test_build_zalo_only_with_a_token(tmp_path: Path, zalo: FakeZalo, store: Store) -> None:
    def build_zalo(config: Config) -> ZaloAdapter | None:
        outlets = build_outlets(config, make_context(config, store))
        assert len(outlets) <= 1
        if not outlets:
            return None
        assert isinstance(outlets[0].platform, ZaloAdapter)
        return outlets[0].platform

    assert build_zalo(parse_config("", "x", env={})) is None
    platform = build_zalo(zalo_config(tmp_path, zalo))
    assert isinstance(platform, ZaloAdapter) and platform.name == "zalo"
    assert not platform.has_buttons and platform.chat_access is None
    from_env = build_zalo(parse_config("", "x", env={"BANTIN_ZALO_TOKEN": "1:env"}))
    assert isinstance(from_env, ZaloAdapter)
    assert from_env.settings.api_base_url == "https://bot-api.zaloplatforms.com"
    for built in (platform, from_env):
        await built.client.aclose()


async def test_one_chat_is_answered_in_order_even_when_it_types_fast(
    tmp_path: Path, zalo: FakeZalo, store: Store
) -> None:
    config = zalo_config(tmp_path, zalo)
    for n in range(8):
        add_story(store, f"Đà Lạt se lạnh ngày {n + 1}", deliver=False)
    async with running(config, store):
        zalo.push_update(zalo.text_update("o1", "tìm đà lạt"))
        zalo.push_update(zalo.text_update("o1", "xem thêm"))
        zalo.push_update(zalo.text_update("o2", "tin mới"))
        first, second = await zalo.wait_for_replies("o1", 2)
        await zalo.wait_for_replies("o2")
    assert "trang 1" in first and "trang 2" in second
