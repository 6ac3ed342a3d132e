"""A feed that keeps failing: admins hear once (not once per poll), and once when it recovers.

Through the real App: poller → store.record_failure → App.notify_admins → each platform.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.app import App
from bot.config import parse_config
from tests.fakes.news_site import VN_TZ, FakeNewsSite


class RecordingPlatform:
    """Stands in for Telegram/Zalo: what `notify_admins` was asked to say."""

    name = "recorder"

    def __init__(self) -> None:
        self.alerts: list[str] = []

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None

    async def notify_admins(self, text: str) -> None:
        self.alerts.append(text)


class BrokenPlatform(RecordingPlatform):
    async def notify_admins(self, text: str) -> None:
        raise RuntimeError("network down")


async def test_a_failing_feed_alerts_admins_exactly_once_and_once_on_recovery(
    tmp_path: Path, site: FakeNewsSite
) -> None:
    site.add_story(
        "a",
        "Tin A",
        "Mở đầu.",
        ["Đoạn một của tin.", "Đoạn hai của tin."],
        published=datetime.now(VN_TZ),
    )
    config = parse_config(
        f"""
[storage]
path = "{tmp_path / "bantin.sqlite3"}"
[poll]
alert_after_failures = 2
[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 2.0
[[feeds]]
name = "Thời sự"
url = "{site.feed_url}"
""",
        "test.toml",
    )
    app = App(config)
    recorder = RecordingPlatform()
    app.platforms = [BrokenPlatform(), recorder]  # one platform failing must not stop the other

    async def poll() -> None:
        with app.store.db.transaction() as conn:
            conn.execute("UPDATE feeds SET next_check_at = 0")
        await app.poller.poll_due()

    try:
        site.fail(site.feed_url, times=5, status=503)
        for _ in range(5):
            await poll()
        assert len(recorder.alerts) == 1
        assert "Thời sự" in recorder.alerts[0] and "503" in recorder.alerts[0]
        assert "lỗi 2 lần" in recorder.alerts[0]

        stats = await app.store.stats.collect()
        assert [(f.name, f.failures) for f in stats.failing_feeds] == [("Thời sự", 5)]

        await poll()  # the site answers again
        assert len(recorder.alerts) == 2
        assert recorder.alerts[1].startswith("✅") and "Thời sự" in recorder.alerts[1]
        await poll()
        assert len(recorder.alerts) == 2

        site.fail(site.feed_url, times=2, status=500)  # a new outage is a new alert
        await poll()
        await poll()
        assert len(recorder.alerts) == 3
    finally:
        await app.close()
