"""A fleet on one PostgreSQL: three `bantin run --role send` and one `--role poll`.

Real processes, the fake Bot API enforcing Telegram's limits, the fake news site. One
polled story reaches 1,000 chats exactly once, within the configured rate overall and
without a 429; a sender killed with SIGKILL mid-push loses nothing, and only the sends it
held at its death may arrive twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from bot.store import open_store
from tests.conftest import REPO
from tests.fakes.news_site import FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram, Limits

CHATS = 1_000
RATE = 30.0  # Telegram's own; the fake allows exactly this
# The fake's bucket absorbs this many early arrivals: five processes on two loaded cores
# jitter a request's way through the kernel by tens of milliseconds.
BURST = 5.0
FIRST_CHAT = 700_000


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    limits = Limits(per_second=RATE, burst=BURST, private_per_second=1.0)
    with FakeTelegram(send_delay=0.004, enforce_limits=True, limits=limits) as fake:
        yield fake


@pytest.fixture
def site() -> Iterator[FakeNewsSite]:
    with FakeNewsSite() as running:
        running.add_story(
            "hoi-nghi-dan-van-4320",
            "Hội nghị công tác dân vận năm 2026",
            "Sáng nay, Ban Dân vận Tỉnh ủy tổ chức hội nghị tổng kết công tác dân vận.",
            ["Hội nghị đánh giá kết quả năm qua.", "Các đại biểu thảo luận nhiệm vụ mới."],
            published=datetime.now(UTC).replace(microsecond=0),
        )
        yield running


def publish_landslide(site: FakeNewsSite) -> None:
    """The story the fleet pushes: new on the site after the first poll."""
    site.add_story(
        "mua-lon-o-bao-loc-4321",
        "Mưa lớn ở Bảo Lộc, một đoạn quốc lộ 20 bị sạt lở",
        "Mưa lớn kéo dài từ chiều qua làm sạt lở taluy dương trên quốc lộ 20.",
        ["Lực lượng chức năng đã phân luồng giao thông.", "Không có thiệt hại về người."],
        published=datetime.now(UTC).replace(microsecond=0),
    )


def write_config(tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite, url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f"""
[storage]
url = "{url}"

[poll]
interval_seconds = 2

[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 5.0

[telegram]
token = "{tg.token}"
api_base_url = "{tg.url}"
messages_per_second = {RATE}
private_chat_per_second = 1.0

[delivery]
lease_seconds = 3.0

[[feeds]]
name = "Tin tức"
url = "{site.feed_url}"
""",
        encoding="utf-8",
    )
    return path


def subscribe_chats(config_path: Path) -> None:
    """1,000 readers, and the feed's first poll done (a first poll pushes nothing)."""
    store = open_store(load_config(str(config_path)))
    try:
        for number in range(CHATS):
            chat = store.sync.chats.upsert("telegram", str(FIRST_CHAT + number))
            store.sync.chats.subscribe(chat.id)
    finally:
        store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}
    first = subprocess.run(
        [sys.executable, "-m", "bot", "poll", "--config", str(config_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert first.returncode == 0, first.stderr


class Fleet:
    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self.logs = config_path.parent
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, role: str) -> subprocess.Popen[bytes]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}
        env["PYTHONUNBUFFERED"] = "1"
        log = (self.logs / f"{role}-{len(self.processes)}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--role", role, "--config", str(self.config_path)],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()

    def log_text(self) -> str:
        return "".join(p.read_text(encoding="utf-8") for p in sorted(self.logs.glob("*.log")))


def wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"condition not met in {timeout} s")


def delivered(tg: FakeTelegram) -> Counter[str]:
    return Counter(call.chat_id for call in tg.delivered())


def send_times(tg: FakeTelegram) -> list[float]:
    return sorted(call.at for call in tg.calls if call.method.startswith("send"))


def busiest_second(tg: FakeTelegram) -> int:
    """The most sends the fake saw in any one-second window."""
    times = send_times(tg)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def overall_rate(tg: FakeTelegram) -> float:
    times = send_times(tg)
    return (len(times) - 1) / (times[-1] - times[0])


def fleet_stats(config_path: Path) -> dict[str, Any]:
    """What `bantin stats --json` says of the fleet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "stats", "--json", "--config", str(config_path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def held_by(config_path: Path, pid: int) -> set[str]:
    """The chats whose rows a (dead) process still holds as 'sending'."""
    store = open_store(load_config(str(config_path)))
    try:
        with store.db.reading() as conn:
            rows = conn.execute(
                "SELECT c.chat_id FROM deliveries d JOIN chats c ON c.id = d.chat_ref "
                "WHERE d.status = 'sending' AND d.holder LIKE ?",
                (f"%:{pid}:%",),
            ).fetchall()
    finally:
        store.close()
    return {str(row[0]) for row in rows}


@pytest.fixture
def fleet(
    tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite, postgres_url: str
) -> Iterator[Fleet]:
    config_path = write_config(tmp_path, tg, site, postgres_url)
    subscribe_chats(config_path)
    publish_landslide(site)
    running = Fleet(config_path)
    try:
        yield running
    finally:
        running.stop()


def test_three_senders_deliver_one_story_to_every_chat_once_within_the_rate(
    fleet: Fleet, tg: FakeTelegram
) -> None:
    for _ in range(3):
        fleet.start("send")
    fleet.start("poll")
    wait_for(lambda: len(delivered(tg)) == CHATS, 90)
    time.sleep(1.0)  # anything sent twice would show now
    counts = delivered(tg)
    assert set(counts) == {str(FIRST_CHAT + n) for n in range(CHATS)}
    assert max(counts.values()) == 1
    assert tg.too_many == 0, fleet.log_text()[-3000:]
    assert overall_rate(tg) <= RATE * 1.02  # the three together, not each
    assert busiest_second(tg) <= RATE + BURST
    log_text = fleet.log_text()
    assert tg.token not in log_text and "Traceback" not in log_text
    stats = fleet_stats(fleet.config_path)
    assert sorted(p["role"] for p in stats["processes"]) == ["poll", "send", "send", "send"]
    assert stats["queue"] == {} and stats["oldest_pending_at"] is None


def test_a_sender_killed_mid_push_loses_nothing_and_repeats_only_what_it_held(
    fleet: Fleet, tg: FakeTelegram
) -> None:
    victim = fleet.start("send")
    for _ in range(2):
        fleet.start("send")
    fleet.start("poll")
    wait_for(lambda: len(tg.delivered()) >= 300, 60)
    victim.send_signal(signal.SIGKILL)
    victim.wait(10)
    in_flight = held_by(fleet.config_path, victim.pid)
    stats = fleet_stats(fleet.config_path)
    holders = {p["pid"]: p["held"] for p in stats["processes"]}
    assert holders.get(victim.pid) == len(in_flight)  # the dead one still shows what it held
    assert len(tg.delivered()) < CHATS, "the push ended before the kill"
    wait_for(lambda: len(delivered(tg)) == CHATS, 90)
    time.sleep(1.0)
    counts = delivered(tg)
    assert set(counts) == {str(FIRST_CHAT + n) for n in range(CHATS)}  # none missing
    twice = {chat for chat, n in counts.items() if n > 1}
    assert twice <= in_flight  # a duplicate only where the dead sender was mid-send
    assert max(counts.values()) <= 2
    assert tg.too_many == 0
    assert "sending again" in fleet.log_text()
