"""Running the Telegram platform on the fake Bot API, with the admin room wired in."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.admin.wiring import build_admin_desk, make_fetcher
from bot.app import extractive_summary
from bot.core.settings import Config
from bot.delivery.jobs import WorkerSettings
from bot.outlets import Outlet
from bot.store import Store
from tests.platforms.telegram.helpers import telegram

ADMIN = 111


STRANGER = 999


FAST = WorkerSettings(max_in_flight=20, idle_seconds=0.05, backoff_base=0.05, backoff_cap=0.2)


@asynccontextmanager
async def running(config: Config, store: Store) -> AsyncIterator[Outlet]:
    """The platform and its worker, with the admin room wired as the composition root wires it."""
    outlet = telegram(config, store, worker_settings=FAST)
    platform = outlet.platform
    async with make_fetcher(config) as fetcher:
        editors = {"telegram": platform.message_editor} if platform.message_editor else {}
        platform.context.admin = build_admin_desk(
            config,
            store,
            fetcher,
            extractive_summary,
            access=platform.chat_access,
            editors=editors,
        )
        await outlet.start()
        try:
            yield outlet
        finally:
            await outlet.stop()


async def wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def buttons(call: Any) -> list[dict[str, Any]]:
    markup = call.params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [button for row in (markup or {}).get("inline_keyboard", []) for button in row]
