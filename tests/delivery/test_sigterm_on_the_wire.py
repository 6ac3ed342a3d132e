"""SIGTERM mid-push at a low rate: only the sends already written to the platform finish.

`bantin run` is a real subprocess against the fake Bot API. The sends still waiting for
their turn (in the rate limiter, or for a connection) are released at once: the fake
sees no more than what it had at the signal plus what was on the wire then, and the next
run delivers the rest, each chat once.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import load_config
from bot.store import open_store
from tests.delivery.helpers import add_chat, add_story, telegram_config
from tests.delivery.test_shutdown import start, wait_for
from tests.fakes.telegram_api import FakeTelegram

CHATS = 120
RATE = 10.0  # messages per second: the push takes 12 s, the signal lands after about 1
IN_FLIGHT = 20  # the worker's claimed rows at this rate: max(8, 2 × rate)


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram(send_delay=0.05) as fake:
        yield fake


def sends(tg: FakeTelegram) -> int:
    return len(tg.calls_to("sendMessage"))


def test_sigterm_releases_what_waits_and_finishes_what_is_written(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    config = telegram_config(tmp_path, tg, per_second=RATE, private_per_second=5.0)
    store = open_store(config)
    try:
        for chat in range(1, CHATS + 1):
            add_chat(store, 20_000 + chat)
        add_story(store, "Mưa lớn ở Đà Lạt", image=None)
    finally:
        store.close()
    config_path = tmp_path / "config.toml"
    log_path = tmp_path / "bantin.log"
    process = start(config_path, log_path)
    try:
        wait_for(lambda: sends(tg) >= 10, 20)
    except AssertionError:
        process.kill()
        raise
    process.send_signal(signal.SIGTERM)
    at_signal = sends(tg)
    began = time.monotonic()
    assert process.wait(10) == 0
    assert time.monotonic() - began < 10
    after = sends(tg) - at_signal
    print(f"sends after the signal: {after}")
    assert after <= 2, f"{after} sends went out after SIGTERM"
    reopened = open_store(load_config(str(config_path)))
    try:
        counts = reopened.sync.deliveries.counts()
    finally:
        reopened.close()
    assert counts.get("sending", 0) == 0
    assert counts["sent"] == len(tg.delivered())
    assert counts["pending"] == CHATS - counts["sent"]

    process = start(config_path, log_path)
    try:
        wait_for(lambda: len({c.chat_id for c in tg.delivered()}) == CHATS, 30)
        time.sleep(0.3)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    assert max(Counter(c.chat_id for c in tg.delivered()).values()) == 1
