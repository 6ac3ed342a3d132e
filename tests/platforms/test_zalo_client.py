"""The Zalo client, error mapping, rendering and webhook listener, piece by piece."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.core.outcome import Kind
from bot.core.replies import Button, Reply, Span
from bot.platforms.zalo import (
    TEXT_LIMIT,
    WebhookListener,
    ZaloClient,
    ZaloError,
    ZaloNetworkError,
    ZaloSettings,
    classify,
    parse_listen,
    parse_update,
    render_text,
    shorten,
    units,
)
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
        (403, "Forbidden", 200, Kind.GONE),
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


def test_quota_pauses_every_send_and_timeouts_may_duplicate() -> None:
    quota = classify(
        ZaloError("sendMessage", 429, "Quota exceeded", 429), ZaloSettings(quota_pause_seconds=12)
    )
    assert quota.kind is Kind.RETRY and quota.retry_after == 12
    timeout = classify(ZaloNetworkError("sendMessage", "ReadTimeout", maybe_sent=True))
    assert timeout.kind is Kind.RETRY and timeout.maybe_sent
    refused = classify(ZaloNetworkError("sendMessage", "not sent", maybe_sent=False))
    assert not refused.maybe_sent and refused.retry_after is None


def test_the_error_policy_is_configurable() -> None:
    strict = ZaloSettings(gone_codes=frozenset(), gone_phrases=("opted out",))
    blocked = ZaloError("sendMessage", 403, "User has blocked the bot", 403)
    assert classify(blocked, strict).kind is Kind.REJECTED
    assert classify(ZaloError("sendMessage", 400, "User opted out", 400), strict).kind is Kind.GONE


# ---- rendering -------------------------------------------------------------------------


def test_text_over_2000_is_cut_on_a_sentence_boundary() -> None:
    text = " ".join(f"Câu số {n} kể chuyện mưa ở Đà Lạt." for n in range(200))
    out = shorten(text, TEXT_LIMIT)
    assert units(out) <= TEXT_LIMIT and out.endswith("Đà Lạt. …")
    assert text.startswith(out[:-2])
    assert units(out) > TEXT_LIMIT - 60  # not wastefully short


def test_cut_falls_back_to_words_and_never_splits_a_link() -> None:
    words = "mưa " * 600  # no sentence end at all
    out = shorten(words, 100)
    assert units(out) <= 100 and out.endswith("mưa…")
    link = "https://baolamdong.vn/" + "a" * 150 + ".html"
    text = "Xem " + link + " ngay"
    cut = shorten(text, 120)
    assert link not in cut and "https://" not in cut and cut.startswith("Xem")


def test_emoji_count_twice_so_either_count_fits() -> None:
    text = "🌧" * 1500
    out = shorten(text, TEXT_LIMIT)
    assert units(out) <= TEXT_LIMIT and len(out) <= 1000


def test_links_are_written_out_and_buttons_become_lines() -> None:
    reply = Reply(
        body=(
            Span("Bản tin", bold=True),
            Span("\n• "),
            Span("Đà Lạt mưa", bold=True, url="https://baolamdong.vn/mua.html"),
            Span(" — 07:00\n• "),
            Span("Hoa nở", url="javascript:alert(1)"),
            Span(" — 08:00"),
        ),
        buttons=(
            (
                Button("Đọc tiếp", url="https://baolamdong.vn/mua.html"),
                Button("Chia sẻ", share="a_1"),
                Button("Trang sau", callback="search:2:x"),
            ),
            (Button("Nguồn", url="https://lamdongtv.vn/"),),
        ),
    )
    assert render_text(reply) == (
        "Bản tin\n• Đà Lạt mưa — 07:00\nhttps://baolamdong.vn/mua.html\n• Hoa nở — 08:00"
        "\n\nNguồn: https://lamdongtv.vn/"
    )


def test_long_card_keeps_its_link_line() -> None:
    reply = Reply(
        body=(Span("Tiêu đề", bold=True), Span("\n\n" + "Một câu dài về thời sự. " * 200)),
        buttons=((Button("Đọc tiếp", url="https://baolamdong.vn/x.html"),),),
    )
    out = render_text(reply)
    assert units(out) <= TEXT_LIMIT
    assert out.startswith("Tiêu đề\n\nMột câu") and out.endswith(
        "thời sự. …\n\nĐọc tiếp: https://baolamdong.vn/x.html"
    )


def test_a_notice_only_reply_is_sent_as_text() -> None:
    assert render_text(Reply(body=(), notice="Đã lưu.")) == "Đã lưu."


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


def test_parse_listen() -> None:
    assert parse_listen("127.0.0.1:8443") == ("127.0.0.1", 8443)
    assert parse_listen("[::1]:9000") == ("::1", 9000)
    with pytest.raises(ValueError):
        parse_listen("localhost")


# ---- the webhook listener's edges ------------------------------------------------------


async def _raw(port: int, data: bytes, *, wait: float = 2.0) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(), wait)
    finally:
        writer.close()


async def test_webhook_listener_refuses_what_zalo_would_not_send() -> None:
    got: list[object] = []
    listener = WebhookListener(
        "127.0.0.1:0", "right-secret", got.append, max_body=100, read_seconds=0.3
    )
    await listener.start()
    try:
        port = listener.port
        head = "POST /hook HTTP/1.1\r\nHost: x\r\nX-Bot-Api-Secret-Token: right-secret\r\n"
        big = await _raw(port, (head + "Content-Length: 101\r\n\r\n").encode() + b"x" * 101)
        assert big.startswith(b"HTTP/1.1 413")
        no_length = await _raw(port, (head + "\r\n").encode())
        assert no_length.startswith(b"HTTP/1.1 411")
        slow = await _raw(port, (head + "Content-Length: 50\r\n\r\n{").encode())
        assert slow.startswith(b"HTTP/1.1 408")  # a body that never comes
        wrong_case = await _raw(
            port, head.replace("right", "Right").encode() + b"Content-Length: 2\r\n\r\n{}"
        )
        assert wrong_case.startswith(b"HTTP/1.1 403")
        ok = await _raw(port, (head + "Content-Length: 2\r\n\r\n").encode() + b"{}")
        assert ok.startswith(b"HTTP/1.1 200") and ok.endswith(b'{"message":"Success"}')
        assert got == [{}]
        assert listener.refused == 1
    finally:
        await listener.stop()
