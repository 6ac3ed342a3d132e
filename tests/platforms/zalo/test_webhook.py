"""Zalo's webhook route on the shared listener, spoken to byte by byte as a stranger or
Zalo would."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp import web

from bot.platforms.listener import JsonWebhook, Listener, parse_listen
from bot.platforms.zalo.webhook import zalo_route, zalo_webhook

UPDATE = json.dumps(
    {
        "ok": True,
        "result": {
            "event_name": "message.text.received",
            "message": {"chat": {"id": "u1"}, "from": {"id": "u1"}, "text": "chào"},
        },
    }
).encode()


def test_parse_listen() -> None:
    assert parse_listen("127.0.0.1:8443") == ("127.0.0.1", 8443)
    assert parse_listen("[::1]:9000") == ("::1", 9000)
    with pytest.raises(ValueError):
        parse_listen("localhost")
    with pytest.raises(ValueError):
        parse_listen("127.0.0.1:70000")


@asynccontextmanager
async def zalo_hook(
    got: list[Any], *, path: str = "/hook", **limits: Any
) -> AsyncIterator[tuple[Listener, JsonWebhook]]:
    """Zalo's route alone on a listener of its own, on the path of its webhook URL."""
    listener = Listener("127.0.0.1:0")
    route = zalo_route("right-secret", got.append, **limits)
    mounted = zalo_webhook(listener, f"https://bantin.example.vn{path}", route)
    await mounted.start()
    try:
        yield listener, route
    finally:
        await mounted.stop()
    assert not listener.running


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
    async with zalo_hook(got, max_body=len(UPDATE), read_seconds=0.3) as (listener, route):
        port = listener.port
        head = "POST /hook HTTP/1.1\r\nHost: x\r\nX-Bot-Api-Secret-Token: right-secret\r\n"
        over = len(UPDATE) + 1
        big = await _raw(port, (head + f"Content-Length: {over}\r\n\r\n").encode() + b"x" * over)
        assert big.startswith(b"HTTP/1.1 413")
        no_length = await _raw(port, (head + "\r\n").encode())
        assert no_length.startswith(b"HTTP/1.1 411")
        slow = await _raw(port, (head + "Content-Length: 50\r\n\r\n{").encode())
        assert slow.startswith(b"HTTP/1.1 408")  # a body that never comes
        wrong_case = await _raw(
            port, head.replace("right", "Right").encode() + b"Content-Length: 2\r\n\r\n{}"
        )
        assert wrong_case.startswith(b"HTTP/1.1 403")
        ok = await _raw(port, (head + f"Content-Length: {len(UPDATE)}\r\n\r\n").encode() + UPDATE)
        assert ok.startswith(b"HTTP/1.1 200") and ok.endswith(b'{"message":"Success"}')
        assert got == [json.loads(UPDATE)]
        assert route.refused == 1


@pytest.fixture
async def listener() -> AsyncIterator[tuple[Listener, list[object]]]:
    got: list[object] = []
    async with zalo_hook(got, path="/zalo/hook", max_body=16384) as (hook, _route):
        yield hook, got


def _post(body: bytes, *, header: str = "X-Bot-Api-Secret-Token") -> bytes:
    head = f"POST /zalo/hook HTTP/1.1\r\nHost: x\r\n{header}: right-secret\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 3000 + b"]" * 3000,  # nested deeper than the JSON parser goes
        b'{"a": ' + b"[" * 2000 + b"]" * 2000 + b"}",
        b"[1, 2, 3]",  # JSON, but not an update object
        b'"text"',
        b"42",
        b"null",
        b"\xff\xfe{}",  # not UTF-8
        b'{"event_name": ',
        b"{}",  # an object, but no update
        b'{"ok": true}',
        b'{"event_name": "message.text.received", "message": ' + b"[" * 900 + b"]" * 900 + b"}",
        b'{"event_name": "message.text.received", "message": {"chat": {"id": [1]}}}',
        b'{"event_name": "message.text.received", "message": {"chat": {"id": "u1"}, "text": 5}}',
        b'{"event_name": "message.text.received", "message": {"chat": {"id": "u1"}, '
        b'"text": "\\udcff"}}',
        b'{"result": {"event_name": "message.text.received", "message": {"chat": {"id": "u1"}, '
        b'"from": {"id": "u1", "is_bot": "yes"}, "text": ' + b"[" * 500 + b"]" * 500 + b"}}}",
        b'{"event_name": "message.text.received", "message": {"chat": {"id": "u1"}, "date": '
        + b"9" * 5000
        + b"}}",  # an integer longer than Python reads
    ],
)
async def test_a_body_that_is_not_one_json_object_is_a_400_without_a_traceback(
    listener: tuple[Listener, list[object]],
    body: bytes,
    caplog: pytest.LogCaptureFixture,
) -> None:
    hook, got = listener
    caplog.set_level(logging.DEBUG)
    answer = await _raw(hook.port, _post(body))
    assert answer.startswith(b"HTTP/1.1 400"), answer[:40]
    assert got == []
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_chunked_body_has_no_length_and_is_refused_unread(
    listener: tuple[Listener, list[object]],
) -> None:
    hook, got = listener
    head = "POST /hook HTTP/1.1\r\nHost: x\r\nX-Bot-Api-Secret-Token: right-secret\r\n"
    chunk = b"x" * 20000
    chunked = (
        (head + "Transfer-Encoding: chunked\r\n\r\n").encode()
        + f"{len(chunk):x}\r\n".encode()
        + chunk
        + b"\r\n0\r\n\r\n"
    )
    answer = await _raw(hook.port, chunked)
    assert answer.startswith(b"HTTP/1.1 411"), answer[:40]
    assert got == []


async def test_the_header_name_is_case_insensitive_and_alone_any_path_is_served() -> None:
    got: list[object] = []
    async with zalo_hook(got, path="/zalo/hook") as (hook, route):
        post = _post(UPDATE, header="x-bot-api-secret-token")
        answer = await _raw(hook.port, post.replace(b"/zalo/hook", b"/rewritten"))
        assert answer.startswith(b"HTTP/1.1 200")
        assert got == [json.loads(UPDATE)]
        assert route.refused == 0
        get = await _raw(hook.port, b"GET /zalo/hook HTTP/1.1\r\nHost: x\r\n\r\n")
        assert get.startswith(b"HTTP/1.1 405")


async def test_beside_another_route_only_its_own_path_is_served() -> None:
    got: list[object] = []
    seen: list[str] = []

    async def other(request: web.Request) -> web.Response:
        seen.append(request.path)
        response = web.Response(text="other")
        response.force_close()
        return response

    async with zalo_hook(got, path="/zalo/hook") as (hook, _route):
        hook.add_route("POST", "/websub", other)
        elsewhere = await _raw(hook.port, _post(UPDATE).replace(b"/zalo/hook", b"/rewritten"))
        assert elsewhere.startswith(b"HTTP/1.1 404")
        websub = await _raw(hook.port, _post(UPDATE).replace(b"/zalo/hook", b"/websub"))
        assert websub.startswith(b"HTTP/1.1 200") and websub.endswith(b"other")
        own = await _raw(hook.port, _post(UPDATE))
        assert own.startswith(b"HTTP/1.1 200")
        assert got == [json.loads(UPDATE)] and seen == ["/websub"]
        with pytest.raises(ValueError, match="already has a route"):
            hook.add_route("*", "/websub", other)
