"""`bantin run --role`: an intake process answers readers and pushes nothing; a sender
pushes the outbox and takes no updates. Both on one PostgreSQL, as a fleet runs them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.store import open_store
from tests.cli.process import Running
from tests.delivery.helpers import add_chat, add_story, telegram_config
from tests.fakes.telegram_api import FakeTelegram

READER = 81_001
WAITING = 81_002


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


def start(config: Path, role: str) -> Running:
    log_dir = config.parent / role
    log_dir.mkdir()
    copy = log_dir / "config.toml"
    copy.write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
    return Running(copy, args=("--role", role))


def test_intake_answers_and_pushes_nothing_then_a_sender_pushes(
    tmp_path: Path, tg: FakeTelegram, postgres_url: str
) -> None:
    config = telegram_config(tmp_path, tg, database_url=postgres_url)
    store = open_store(config)
    try:
        add_chat(store, WAITING)
        add_story(store, "Đà Lạt đón mùa hoa mai anh đào", image=None)
    finally:
        store.close()
    config_path = tmp_path / "config.toml"
    with start(config_path, "intake") as intake:
        intake.wait_for(lambda: bool(tg.calls_to("getUpdates")), 30)
        tg.push_update(tg.message_update(READER, "/start"))
        deadline = time.monotonic() + 20
        while not tg.replies(READER) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert tg.replies(READER), intake.err
        time.sleep(1.0)
        assert not tg.delivered(WAITING), "an intake process pushes nothing"
    with start(config_path, "send") as sender:
        sender.wait_for(lambda: bool(tg.delivered(WAITING)), 30)
        polls = len(tg.calls_to("getUpdates"))
        time.sleep(1.0)
        assert len(tg.calls_to("getUpdates")) == polls, "a sender takes no updates"
