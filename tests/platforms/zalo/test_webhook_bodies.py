"""Every malformed body Zalo's webhook could receive gets 400, never a traceback; the
listener goes on taking real updates after them. Through the real adapter in webhook
mode (aiohttp), posted by the fake Zalo."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import Store
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.zalo.test_end_to_end import free_port, running, zalo_config

SECRET = "s3cret-for-the-webhook"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bantin.sqlite3")
    yield s
    s.close()


def bodies(zalo: FakeZalo) -> list[bytes]:
    good = zalo.text_update("w9", "đăng ký")
    message = good["message"]
    return [
        b"{not json",
        b"\xff\xfe{}",
        b"[" * 100_000 + b"]" * 100_000,  # nested far deeper than any parser goes
        b'{"result": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001,
        b"[]",
        b"{}",
        json.dumps({"ok": True, "result": {**good, "event_name": 7}}).encode(),
        json.dumps({"ok": True, "result": {**good, "message": [message]}}).encode(),
        json.dumps({"ok": True, "result": {**good, "message": {**message, "chat": "w9"}}}).encode(),
        json.dumps(
            {"ok": True, "result": {**good, "message": {**message, "text": ["x"]}}}
        ).encode(),
        json.dumps({"result": {**good, "message": {**message, "date": {"x": 1}}}}).encode(),
        b'{"result": {"event_name": "message.text.received", "message": {"chat": {"id": "w9"}, '
        b'"text": "\\ud800"}}}',
    ]


async def test_malformed_bodies_are_400_and_real_updates_still_go_through(
    tmp_path: Path, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    caplog.set_level(logging.INFO)
    with FakeZalo(require_https_webhook=False) as zalo:
        config = zalo_config(
            tmp_path,
            zalo,
            webhook_url=f"http://127.0.0.1:{port}/zalo/hook",
            webhook_secret=SECRET,
            webhook_listen=f"127.0.0.1:{port}",
        )
        update = zalo.text_update("w9", "đăng ký")
        async with running(config, store):
            for body in bodies(zalo):
                status = await asyncio.to_thread(zalo.post_to_webhook, update, raw=body)
                assert status == 400, body[:80]
            await asyncio.sleep(0.1)
            assert zalo.replies("w9") == []
            assert await asyncio.to_thread(zalo.post_to_webhook, update) == 200
            (answer,) = await zalo.wait_for_replies("w9")
            assert answer.startswith("Chào mừng bạn đến với Bantin!")
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
