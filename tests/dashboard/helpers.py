"""A bot as `bantin run` builds it, with review on, its dashboard on a free loopback port and
Telegram on the fake Bot API; and how an admin gets a sign-in link from it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.app import App
from bot.core.settings import Config
from bot.dashboard.server import DashboardServer
from tests.admin.telegram import ADMIN
from tests.admin.test_review import READERS, hold_a_story, review_config
from tests.admin.test_telegram_app import ask
from tests.fakes.news_site import FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram

LINK = re.compile(r"https?://\S+/login\?t=[\w-]+")


def dashboard_config(tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite) -> Config:
    """The review desk's config (tests/admin/test_review.py), with the dashboard on."""
    return review_config(tmp_path, tg, site, extra='[dashboard]\nlisten = "127.0.0.1:0"')


def server_of(app: App) -> DashboardServer:
    assert app.dashboard is not None
    return app.dashboard


@asynccontextmanager
async def live_dashboard(config: Config) -> AsyncIterator[App]:
    """The App with its Telegram platform and its dashboard started (on a free port)."""
    app = App(config)
    try:
        (platform,) = app.platforms
        await platform.start()
        server = server_of(app)
        await server.start()
        try:
            yield app
        finally:
            await server.stop()
            await platform.stop()
    finally:
        await app.close()


async def sign_in_link(tg: FakeTelegram, user: int = ADMIN) -> str:
    """Send /dashboard in the bot's private chat; the link in its answer."""
    answer = await ask(tg, "/dashboard", user)
    found = LINK.search(answer)
    assert found, answer
    return found.group(0)


__all__ = ["READERS", "dashboard_config", "hold_a_story", "live_dashboard", "sign_in_link"]
