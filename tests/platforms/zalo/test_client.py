"""The Zalo client against the fake Bot API, its update parsing, and its errors as outcomes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.outcome import Kind
from bot.core.settings import ZaloConfig
from bot.platforms.zalo.client import (
    TEXT_LIMIT,
    ZaloClient,
    ZaloError,
    ZaloNetworkError,
    parse_update,
)
from bot.platforms.zalo.errors import classify
from tests.fakes.zalo_api import BLOCKED_IN_200, QUOTA, FakeZalo


@pytest.fixture
async def client_and_fake() -> AsyncIterator[tuple[ZaloClient, FakeZalo]]:
    with FakeZalo(updates_wait=0.2) as fake:
        client = ZaloClient(fake.token, fake.url, connect_timeout=1.0, read_timeout=3.0)
        try:
            yield client, fake
        finally:
            await client.aclose()


# ---- the client against the fake -----------------------------------------------------


async def test_client_methods_return_typed_results(
    client_and_fake: tuple[ZaloClient, FakeZalo],
) -> None:
    client, fake = client_and_fake
    me = await client.get_me()
    assert me.id == "1459232241454765289" and me.account_name == "bot.Bantin"
    assert not me.can_join_groups
    assert await client.get_updates(timeout=1) == []  # 408 "Request timeout": nothing came
    fake.push_update(fake.text_update("u1", "xin chào", name="Lan"))
    (update,) = await client.get_updates(timeout=1)
    assert update.event_name == "message.text.received"
    assert (update.chat_id, update.user_id, update.user_name) == ("u1", "u1", "Lan")
    assert update.text == "xin chào" and update.is_private and update.message_id
    sent = await client.send_message("u1", "Chào bạn")
    assert sent.message_id and sent.date
    photo = await client.send_photo("u1", "https://baolamdong.vn/a.jpg", "Chú thích")
    assert photo.message_id != sent.message_id
    await client.send_chat_action("u1", "typing")
    info = await client.set_webhook("https://bantin.example/hook", "12345678")
    assert info.url == "https://bantin.example/hook" and info.updated_at
    assert (await client.get_webhook_info()).url == "https://bantin.example/hook"
    assert (await client.delete_webhook()).url == ""
    # Parameters reach Zalo as its documentation names them.
    assert fake.calls_to("sendPhoto")[0].params == {
        "chat_id": "u1",
        "photo": "https://baolamdong.vn/a.jpg",
        "caption": "Chú thích",
    }
    assert fake.calls_to("setWebhook")[0].params["secret_token"] == "12345678"


async def test_client_errors_carry_code_and_description_not_the_url(
    client_and_fake: tuple[ZaloClient, FakeZalo],
) -> None:
    client, fake = client_and_fake
    fake.fail("sendMessage", QUOTA)
    with pytest.raises(ZaloError) as caught:
        await client.send_message("u1", "x")
    assert (caught.value.code, caught.value.description) == (429, "Quota exceeded")
    assert fake.token not in str(caught.value)
    fake.fail("sendMessage", BLOCKED_IN_200)  # refused inside an HTTP 200
    with pytest.raises(ZaloError) as caught:
        await client.send_message("u1", "x")
    assert caught.value.code == 403 and caught.value.http_status == 200
    with pytest.raises(ZaloError, match="setWebhook: 400"):
        await client.set_webhook("http://plain.example/hook", "12345678")  # HTTPS only
    with pytest.raises(ValueError):
        await client.send_message("u1", "x" * (TEXT_LIMIT + 1))
    with pytest.raises(ValueError):
        await client.send_message("u1", "")
    with pytest.raises(ValueError):
        await client.set_webhook("https://bantin.example/hook", "short")
    wrong = ZaloClient("1:wrong", fake.url)
    try:
        with pytest.raises(ZaloError) as caught:
            await wrong.get_me()
        assert caught.value.code == 401
    finally:
        await wrong.aclose()


async def test_network_errors_say_whether_the_request_may_have_arrived() -> None:
    with FakeZalo(send_delay=1.0) as fake:
        slow = ZaloClient(fake.token, fake.url, connect_timeout=1.0, read_timeout=0.2)
        try:
            with pytest.raises(ZaloNetworkError) as caught:
                await slow.send_message("u1", "x")
            assert caught.value.maybe_sent
            url = fake.url
        finally:
            await slow.aclose()
    gone = ZaloClient("1:x", url, connect_timeout=0.5)  # the fake has stopped: refused
    try:
        with pytest.raises(ZaloNetworkError) as caught:
            await gone.get_me()
        assert not caught.value.maybe_sent
    finally:
        await gone.aclose()


# ---- errors → outcomes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "description", "status", "kind"),
    [
        (403, "User has blocked the bot", 403, Kind.GONE),
        (403, "Forbidden", 200, Kind.RETRY),  # 403 is "Internal server error" in the docs
        (403, "User has not interacted with the bot", 403, Kind.GONE),
        (400, "Bad request: user not found", 400, Kind.GONE),
        (400, "Người dùng đã chặn bot", 400, Kind.GONE),
        (403, "Internal server error", 403, Kind.RETRY),  # the docs' label for 403
        (500, "oops", 500, Kind.RETRY),
        (400, "upstream", 502, Kind.RETRY),
        (408, "Request timeout", 408, Kind.RETRY),
        (400, "Bad request", 400, Kind.REJECTED),
        (404, "Not found", 404, Kind.REJECTED),
        (401, "Unauthorized", 401, Kind.REJECTED),
    ],
)
def test_zalo_errors_map_to_outcomes(code: int, description: str, status: int, kind: Kind) -> None:
    assert classify(ZaloError("sendMessage", code, description, status)).kind is kind


def test_quota_pauses_adaptively_and_server_errors_and_timeouts_may_duplicate() -> None:
    quota = classify(
        ZaloError("sendMessage", 429, "Quota exceeded", 429), ZaloConfig(quota_pause_seconds=12)
    )
    assert quota.kind is Kind.RETRY and quota.quota and quota.retry_after is None
    internal = classify(ZaloError("sendMessage", 403, "Internal server error", 403))
    assert internal.kind is Kind.RETRY and internal.maybe_sent
    assert classify(ZaloError("sendMessage", 500, "oops", 500)).maybe_sent
    timeout = classify(ZaloNetworkError("sendMessage", "ReadTimeout", maybe_sent=True))
    assert timeout.kind is Kind.RETRY and timeout.maybe_sent
    refused = classify(ZaloNetworkError("sendMessage", "not sent", maybe_sent=False))
    assert not refused.maybe_sent and refused.retry_after is None


def test_the_error_policy_is_configurable() -> None:
    strict = ZaloConfig(gone_phrases=("opted out",), retry_error_codes=(408, 429))
    blocked = ZaloError("sendMessage", 403, "User has blocked the bot", 403)
    assert classify(blocked, strict).kind is Kind.REJECTED
    legacy = ZaloConfig(gone_error_codes=(403,))  # 403 read as "Forbidden", as before
    assert classify(ZaloError("sendMessage", 403, "Forbidden", 403), legacy).kind is Kind.GONE
    assert classify(ZaloError("sendMessage", 400, "User opted out", 400), strict).kind is Kind.GONE


# ---- updates -------------------------------------------------------------------------


def test_parse_update_reads_the_documented_shapes() -> None:
    sample = {  # the documentation's webhook sample
        "ok": True,
        "result": {
            "message": {
                "from": {"id": "6ede9afa66b88fe6d6a9", "display_name": "Ted", "is_bot": False},
                "chat": {"id": "6ede9afa66b88fe6d6a9", "chat_type": "PRIVATE"},
                "text": "Xin chào",
                "message_id": "2d758cb5e222177a4e35",
                "date": 1750316131602,
            },
            "event_name": "message.text.received",
        },
    }
    update = parse_update(sample)
    assert update is not None and update.text == "Xin chào" and update.user_name == "Ted"
    assert update.date == 1750316131602 and not update.is_bot
    assert parse_update(sample["result"]) == update
    assert parse_update({"ok": True, "result": None}) is None
    assert parse_update({"event_name": "x", "message": {"chat": {}}}) is None
    assert parse_update(["not", "an", "update"]) is None
    group = parse_update(
        {
            "event_name": "message.text.received",
            "message": {
                "from": {"id": "u"},
                "chat": {"id": "g", "chat_type": "GROUP"},
                "text": "/start",
            },
        }
    )
    assert group is not None and not group.is_private and group.chat_id == "g"


@pytest.mark.parametrize(
    "payload",
    [
        {"event_name": 5, "message": {}},
        {"event_name": "message.text.received", "message": []},
        {"event_name": "message.text.received", "message": {"chat": 5, "from": "x"}},
        {"result": [1, 2]},
        {"result": {"event_name": "message.text.received", "message": {"chat": {"id": {}}}}},
        {"event_name": "message.text.received", "message": {"chat": {"id": 7}, "from": []}},
        {"event_name": "message.text.received", "message": {"chat": {"id": 7}, "text": {}}},
        {"event_name": "message.text.received", "message": {"chat": {"id": 7}, "date": "x"}},
        {"event_name": "message.text.received", "message": {"chat": {"id": 1.5}}},
        {"event_name": "message.text.received", "message": {"chat": {"id": "7"}, "text": "\udcff"}},
        {"event_name": "x", "message": {"chat": {"id": "7"}, "from": {"is_bot": "no"}}},
    ],
)
def test_parse_update_takes_wrong_types_for_no_update(payload: object) -> None:
    assert parse_update(payload) is None


def test_parse_update_reads_numbers_as_ids_and_an_endless_date_as_none() -> None:
    update = parse_update(
        {
            "event_name": "message.text.received",
            "message": {"chat": {"id": 7}, "text": "chào", "date": 1e400},
        }
    )
    assert update is not None and update.chat_id == "7"
    assert update.text == "chào" and update.date is None and update.user_id is None
