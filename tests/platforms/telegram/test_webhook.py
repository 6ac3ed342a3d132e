"""Telegram's webhook end to end: the fake Bot API, the real adapter on a real aiohttp
listener, and updates POSTed by a real httpx client as Telegram would post them."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.core.settings import Config
from bot.outlets import Outlet, make_context, telegram_outlet
from bot.platforms.listener import Listeners
from bot.platforms.startup import PlatformUnreachable
from bot.platforms.telegram import TelegramAdapter
from bot.platforms.telegram.intake import ALLOWED_UPDATES
from bot.platforms.telegram.webhook import SECRET_HEADER, WebhookRefused
from bot.store import Store
from tests.delivery.helpers import telegram_config
from tests.fakes.telegram_api import SERVER_ERROR, Failure, FakeTelegram
from tests.platforms.telegram.helpers import FAST, quick
from tests.platforms.telegram.helpers import running as polling

SECRET = "tg-webhook_Secret-42"
PATH = "/telegram/hook"
PUBLIC = f"https://bantin.example.vn{PATH}"
MAX_BODY = 16384


def webhook_config(
    tmp_path: Path, tg: FakeTelegram, *, listen: str = "127.0.0.1:0", database_url: str = ""
) -> Config:
    config = telegram_config(tmp_path, tg, database_url=database_url)
    telegram = replace(
        config.telegram,
        webhook_url=PUBLIC,
        webhook_secret=SECRET,
        webhook_listen=listen,
        webhook_max_body_bytes=MAX_BODY,
    )
    return replace(config, telegram=telegram)


def outlet(config: Config, store: Store, listeners: Listeners | None = None) -> Outlet:
    return telegram_outlet(
        quick(config), make_context(config, store), worker_settings=FAST, listeners=listeners
    )


def port_of(platform: Outlet) -> int:
    adapter = platform.platform
    assert isinstance(adapter, TelegramAdapter) and adapter.webhook is not None
    return adapter.webhook.listener.port


@asynccontextmanager
async def running(platform: Outlet) -> AsyncIterator[int]:
    """The outlet started; yields the port its webhook listens on."""
    await platform.start()
    try:
        yield port_of(platform)
    finally:
        await platform.stop()


async def post(
    port: int,
    body: bytes | dict[str, Any],
    *,
    secret: str | None = SECRET,
    path: str = PATH,
    method: str = "POST",
) -> int:
    """One request as Telegram sends it (JSON, the secret header), through httpx."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with httpx.AsyncClient(trust_env=False, timeout=5.0) as client:
        answer = await client.request(
            method, f"http://127.0.0.1:{port}{path}", content=content, headers=headers
        )
    return answer.status_code


_ids = iter(range(1, 1_000_000))


def numbered(update: dict[str, Any]) -> dict[str, Any]:
    return {"update_id": next(_ids), **update}


async def until(condition: Callable[[], object], timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(updates_wait=0.1) as fake:
        yield fake


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bantin.sqlite3")
    yield s
    s.close()


async def test_set_webhook_then_the_right_secret_is_served_and_others_get_403(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    async with running(outlet(webhook_config(tmp_path, tg), store)) as port:
        (call,) = tg.calls_to("setWebhook")
        assert call.params["url"] == PUBLIC
        assert call.params["secret_token"] == SECRET
        assert call.params["allowed_updates"] == ALLOWED_UPDATES
        assert str(call.params["drop_pending_updates"]).lower() == "false"
        assert tg.webhook is not None
        assert tg.calls_to("getUpdates") == []  # no long polling beside the webhook

        for secret in (None, "", "wrong", SECRET.upper(), SECRET + "x"):
            update = numbered(tg.message_update(43, "/start"))
            assert await post(port, update, secret=secret) == 403, secret
        start = numbered(tg.message_update(42, "/start"))
        assert await post(port, start) == 200
        assert await post(port, start) == 200  # sent again, as after a slow answer
        await until(lambda: tg.replies(42))
        assert tg.replies(42)[0].startswith("Chào mừng")
        await asyncio.sleep(0.2)
        assert len(tg.replies(42)) == 1  # handled once
        assert tg.replies(43) == []
        assert store.sync.chats.get("telegram", "43") is None
    assert tg.calls_to("deleteWebhook") == []  # other intake processes may still serve it
    with pytest.raises(httpx.ConnectError):
        await post(port, numbered(tg.message_update(42, "/help")))


async def test_an_address_in_use_fails_the_start_cleanly_and_a_retry_works(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    platform = outlet(webhook_config(tmp_path, tg, listen=f"127.0.0.1:{port}"), store)
    try:
        with pytest.raises(OSError):
            await platform.start()
    finally:
        taken.close()
    assert tg.calls_to("setWebhook") == []  # Telegram is told only once we listen
    async with running(platform) as listening:
        assert listening == port
        assert await post(port, numbered(tg.message_update(42, "/start"))) == 200
        await until(lambda: tg.replies(42))


async def test_telegram_s_word_on_a_failing_webhook_is_logged_once(
    tmp_path: Path, tg: FakeTelegram, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    platform = outlet(webhook_config(tmp_path, tg), store)
    async with running(platform):
        adapter = platform.platform
        assert isinstance(adapter, TelegramAdapter) and adapter.webhook is not None
        await adapter.webhook.check()
        tg.webhook_error = "Connection refused"
        await adapter.webhook.check()
        await adapter.webhook.check()
    said = [r.getMessage() for r in caplog.records if "webhook fails" in r.getMessage()]
    assert said == [
        "telegram: Telegram says the webhook fails: Connection refused (0 updates waiting)"
    ]
    assert SECRET not in caplog.text


async def test_back_to_long_polling_the_webhook_is_deleted_and_updates_flow(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    async with running(outlet(webhook_config(tmp_path, tg), store)):
        assert tg.webhook is not None
    assert tg.webhook is not None  # left for the other intake processes
    tg.push_update(tg.message_update(42, "/start"))  # waiting while nobody serves it
    async with polling(telegram_config(tmp_path, tg), store):
        await until(lambda: tg.replies(42))
    assert tg.webhook is None
    (deleted,) = tg.calls_to("deleteWebhook")
    assert str(deleted.params.get("drop_pending_updates", "false")).lower() == "false"


BAD_BODIES = [
    b"{not json",
    b"\xff\xfe{}",
    b"[" * 5000 + b"]" * 5000,  # nested deeper than the JSON parser goes
    b"[]",
    b"42",
    b"{}",
    b'{"update_id": "7"}',
    b'{"update_id": true}',
    b'{"update_id": 7, "message": "text"}',
    b'{"update_id": 7, "message": {"chat": 5}}',
    b'{"update_id": 7, "callback_query": [1]}',
    b'{"update_id": 7, "message": {"message_id": 1, "date": "x", '
    b'"chat": {"id": 1, "type": "private"}}}',
]


async def test_malformed_bodies_are_400_oversize_413_without_a_traceback(
    tmp_path: Path, tg: FakeTelegram, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(outlet(webhook_config(tmp_path, tg), store)) as port:
        for body in BAD_BODIES:
            assert await post(port, body) == 400, body[:60]
        big = numbered(tg.message_update(42, "/start " + "x" * MAX_BODY))
        assert await post(port, big) == 413
        assert await post(port, b"", method="GET") == 405
        assert await post(port, numbered(tg.message_update(42, "/start")), path="/other") == 404
        await asyncio.sleep(0.2)
        assert tg.replies(42) == []
        assert await post(port, numbered(tg.message_update(42, "/start"))) == 200
        await until(lambda: tg.replies(42))
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_unreachable_at_set_webhook_is_the_retry_path_and_a_refusal_is_named(
    tmp_path: Path, tg: FakeTelegram, store: Store
) -> None:
    port_free = "127.0.0.1:0"
    platform = outlet(webhook_config(tmp_path, tg, listen=port_free), store)
    tg.fail("setWebhook", SERVER_ERROR)
    with pytest.raises(PlatformUnreachable):
        await platform.start()
    adapter = platform.platform
    assert isinstance(adapter, TelegramAdapter) and adapter.webhook is not None
    assert not adapter.webhook.listener.running  # released for the next try
    tg.fail("setWebhook", Failure(400, "Bad Request: bad webhook: Failed to resolve host"))
    with pytest.raises(WebhookRefused, match=r"\[telegram\] webhook_url"):
        await platform.start()
    assert not adapter.webhook.listener.running
    async with running(platform) as port:  # the third try, as bot.launch makes it
        assert await post(port, numbered(tg.message_update(42, "/start"))) == 200
        await until(lambda: tg.replies(42))
    assert len(tg.calls_to("setWebhook")) == 3


async def test_two_intake_processes_share_the_state_in_the_database(
    tmp_path: Path, tg: FakeTelegram, new_store: Callable[..., Store], database_url: str
) -> None:
    """A /search answered by one intake process; its page button pressed on the other."""
    from tests.delivery.helpers import add_story

    first, second = new_store(), new_store()
    words = "Đà Lạt khai trương tuyến xe buýt điện đầu tiên cho du khách"
    for number in range(1, 8):
        add_story(first, f"{words} số {number}", deliver=False)
    config = webhook_config(tmp_path, tg, database_url=database_url)
    async with (
        running(outlet(config, first)) as port_a,
        running(outlet(config, second)) as port_b,
    ):
        assert port_a != port_b
        assert await post(port_a, numbered(tg.message_update(42, f"/search {words}"))) == 200
        await until(lambda: tg.replies(42))
        (page_one,) = tg.delivered(42)
        (row,) = page_one.params["reply_markup"]["inline_keyboard"][-1:]
        data = row[-1]["callback_data"]
        assert data.startswith("search:2:#")  # too long for the button: the store keeps it
        press = tg.callback_update(42, data, message_id=page_one.message_id or 1)
        assert await post(port_b, numbered(press)) == 200
        await until(lambda: tg.calls_to("editMessageText", 42))
        (edit,) = tg.calls_to("editMessageText", 42)
        assert edit.ok and "số" in edit.text and edit.text != page_one.text
        shown_first = {n for n in range(1, 8) if f"số {n}" in page_one.text}
        shown_second = {n for n in range(1, 8) if f"số {n}" in edit.text}
        assert shown_first and shown_second and not shown_first & shown_second
