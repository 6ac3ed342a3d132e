"""`bantin run` stopped in the middle of a push: SIGTERM, then SIGKILL, then a restart.

The bot runs as a real subprocess against the fake Bot API (with a small delay per send,
so the push is mid-way when the signal lands); the fake's record says who got what.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.config import load_config
from bot.store import open_store
from tests.conftest import REPO
from tests.delivery.helpers import add_chat, add_story, telegram_config
from tests.fakes.telegram_api import FakeTelegram

CHATS = 300
RATE = 50.0


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(send_delay=0.02) as fake:
        yield fake


def prepare(tmp_path: Path, tg: FakeTelegram, database_url: str) -> Path:
    # A short lease: on PostgreSQL the restart takes back only rows whose lease ran out.
    config = telegram_config(
        tmp_path,
        tg,
        per_second=RATE,
        private_per_second=5.0,
        database_url=database_url,
        lease_seconds=2.0,
    )
    store = open_store(config)
    try:
        for chat in range(1, CHATS + 1):
            add_chat(store, 10_000 + chat)
        add_story(store, "Bão số 5 đổ bộ", image=None)
    finally:
        store.close()
    return tmp_path / "config.toml"


def start(config_path: Path, log_path: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("BANTIN_TELEGRAM_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--config", str(config_path)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log_path.open("ab"),
    )


def wait_for(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    assert callable(condition)
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"condition not met in {timeout} s")


def per_chat(tg: FakeTelegram) -> Counter[str]:
    return Counter(call.chat_id for call in tg.delivered())


def finish_after_restart(config_path: Path, log_path: Path, tg: FakeTelegram) -> Counter[str]:
    process = start(config_path, log_path)
    try:
        wait_for(lambda: len(per_chat(tg)) == CHATS, 20)
        time.sleep(0.3)  # anything still going out would show now
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    return per_chat(tg)


def test_sigterm_mid_push_then_restart_delivers_each_story_once(
    tmp_path: Path, tg: FakeTelegram, database_url: str
) -> None:
    config_path = prepare(tmp_path, tg, database_url)
    log_path = tmp_path / "bantin.log"
    process = start(config_path, log_path)
    try:
        wait_for(lambda: len(tg.delivered()) >= 40, 20)
    except AssertionError:
        process.kill()
        raise
    process.send_signal(signal.SIGTERM)
    began = time.monotonic()
    assert process.wait(10) == 0
    assert time.monotonic() - began < 10
    at_stop = len(tg.delivered())
    assert at_stop < CHATS, "the push finished before the signal: make the fake slower"
    store = open_store(load_config(str(config_path)))
    try:
        counts = store.sync.deliveries.counts()
    finally:
        store.close()
    assert counts.get("sending", 0) == 0  # finished or released, none left in flight
    assert counts["sent"] == at_stop

    delivered = finish_after_restart(config_path, log_path, tg)
    assert set(delivered) == {str(10_000 + c) for c in range(1, CHATS + 1)}
    assert max(delivered.values()) == 1
    log_text = log_path.read_text(encoding="utf-8")
    assert tg.token not in log_text
    assert tg.token.split(":")[1] not in log_text
    assert_no_database_password(database_url, log_text)


def test_sigkill_mid_push_then_restart_misses_no_chat(
    tmp_path: Path, tg: FakeTelegram, database_url: str
) -> None:
    config_path = prepare(tmp_path, tg, database_url)
    log_path = tmp_path / "bantin.log"
    process = start(config_path, log_path)
    try:
        wait_for(lambda: len(tg.delivered()) >= 40, 20)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert len(tg.delivered()) < CHATS
    # The dead process's leases (2 s) run out before the restart looks, however fast the
    # first process got its 40 sends out: the restart, not the sweep, takes them back.
    time.sleep(2.5)

    delivered = finish_after_restart(config_path, log_path, tg)
    assert set(delivered) == {str(10_000 + c) for c in range(1, CHATS + 1)}
    assert max(delivered.values()) <= 2
    twice = [chat for chat, n in delivered.items() if n == 2]
    assert len(twice) <= RATE  # only what was on the wire at the kill
    log_text = log_path.read_text(encoding="utf-8")
    # At the restart, or (PostgreSQL: only once their lease ran out) at the next sweep.
    assert (
        "sends were in flight at the last stop" in log_text
        or "held by a process that stopped renewing them" in log_text
    )
    assert_no_database_password(database_url, log_text)


def assert_no_database_password(database_url: str, log_text: str) -> None:
    password = urlsplit(database_url).password
    if password:
        assert password not in log_text
