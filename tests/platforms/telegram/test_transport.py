"""PTB over our aiohttp request, against the fake Bot API: the answers and failures PTB's
own httpx request gives, told apart as the worker needs (never sent, or may have arrived)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.core.outcome import Kind, watch_wire
from bot.core.settings import TelegramConfig
from bot.platforms.telegram.adapter import telegram_request
from bot.platforms.telegram.errors import classify
from bot.platforms.telegram.transport import AiohttpRequest, needs_httpx
from tests.fakes.http_proxy import HttpProxy
from tests.fakes.telegram_api import (
    BLOCKED,
    CHAT_NOT_FOUND,
    MIGRATE,
    RETRY_AFTER,
    SERVER_ERROR,
    FakeTelegram,
)

CHAT = 4242


def make_bot(fake: FakeTelegram, request: AiohttpRequest) -> Bot:
    return Bot(fake.token, base_url=f"{fake.url}/bot", request=request)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


async def test_a_send_arrives_and_is_marked_on_the_wire(tg: FakeTelegram) -> None:
    async with make_bot(tg, AiohttpRequest(read_timeout=2.0)) as bot:
        wire = watch_wire()
        message = await bot.send_message(CHAT, "Mưa lớn ở <b>Đà Lạt</b>", parse_mode="HTML")
    assert wire.written
    (call,) = tg.delivered(CHAT)
    assert call.params["text"] == "Mưa lớn ở <b>Đà Lạt</b>"
    assert message.message_id == call.message_id


async def test_telegram_refusals_become_ptb_exceptions(tg: FakeTelegram) -> None:
    async with make_bot(tg, AiohttpRequest(read_timeout=2.0)) as bot:
        tg.fail("sendMessage", RETRY_AFTER(7))
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(CHAT, "x")
        assert classify(flood.value).retry_after == 7.0
        tg.fail("sendMessage", BLOCKED)
        with pytest.raises(Forbidden):
            await bot.send_message(CHAT, "x")
        tg.fail("sendMessage", CHAT_NOT_FOUND)
        with pytest.raises(BadRequest) as missing:
            await bot.send_message(CHAT, "x")
        assert classify(missing.value).kind is Kind.GONE
        tg.fail("sendMessage", MIGRATE(-100123))
        with pytest.raises(ChatMigrated) as moved:
            await bot.send_message(CHAT, "x")
        assert moved.value.new_chat_id == -100123
        tg.fail("sendMessage", SERVER_ERROR)
        with pytest.raises(NetworkError) as server:
            await bot.send_message(CHAT, "x")
        assert classify(server.value).maybe_sent


async def test_a_read_timeout_and_a_cut_answer_may_have_arrived(tg: FakeTelegram) -> None:
    async with make_bot(tg, AiohttpRequest(read_timeout=0.3)) as bot:
        tg.slow(CHAT, 1.0)
        with pytest.raises(TimedOut) as slow:
            await bot.send_message(CHAT, "x")
        outcome = classify(slow.value)
        assert outcome.kind is Kind.RETRY and outcome.maybe_sent
        tg.drop(CHAT)
        wire = watch_wire()
        with pytest.raises(NetworkError) as cut:
            await bot.send_message(CHAT, "x")
        assert wire.written
        outcome = classify(cut.value)
        assert outcome.maybe_sent and "ClientPayloadError" in outcome.reason


async def test_a_refused_connection_never_left() -> None:
    fake = FakeTelegram().start()
    url = f"{fake.url}/bot{fake.token}/sendMessage"
    fake.stop()  # nothing listens on its port any more
    request = AiohttpRequest(connect_timeout=0.5, read_timeout=1.0)
    await request.initialize()
    try:
        wire = watch_wire()
        data = RequestData(
            [RequestParameter("chat_id", CHAT, None), RequestParameter("text", "x", None)]
        )
        with pytest.raises(NetworkError) as refused:
            await request.post(url, data)
        assert not wire.written
        outcome = classify(refused.value)
        assert outcome.kind is Kind.RETRY and not outcome.maybe_sent
        assert "not sent" in outcome.reason
    finally:
        await request.shutdown()


async def test_an_http_proxy_with_credentials_carries_the_sends(tg: FakeTelegram) -> None:
    with HttpProxy(credentials=("lan", "bí-mật")) as proxy:
        url = proxy.url.replace("http://", "http://lan:b%C3%AD-m%E1%BA%ADt@")
        async with make_bot(tg, AiohttpRequest(proxy=url, read_timeout=2.0)) as bot:
            await bot.send_message(CHAT, "qua proxy")
    assert [c.params["text"] for c in tg.delivered(CHAT)] == ["qua proxy"]
    assert any(seen.target.endswith("/sendMessage") for seen in proxy.seen)


def test_socks_keeps_httpx_and_everything_else_uses_aiohttp(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert needs_httpx("socks5://127.0.0.1:1080", {})
    assert not needs_httpx("http://127.0.0.1:3128", {"ALL_PROXY": "socks5://x:1"})
    assert not needs_httpx("", {})
    assert needs_httpx("", {"ALL_PROXY": "socks5://127.0.0.1:1080"})
    assert not needs_httpx("", {"HTTPS_PROXY": "http://127.0.0.1:3128", "ALL_PROXY": "x"})
    base = TelegramConfig(token="1:x")
    socks = telegram_request(replace(base, proxy_url="socks5://127.0.0.1:1080"), 64, print)
    direct = telegram_request(base, 64, print)
    assert isinstance(socks, HTTPXRequest)
    assert isinstance(direct, AiohttpRequest)
