"""Telegram's and Zalo's webhooks on one address: one aiohttp site, each on its URL's path.

Both adapters are built as the composition root builds them (one `Listeners` registry),
against the fake Telegram and the fake Zalo; updates come in over real HTTP."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from bot.app import App
from bot.outlets import make_context, telegram_outlet, zalo_outlet
from bot.platforms.listener import Listeners
from bot.platforms.telegram import TelegramAdapter
from bot.platforms.zalo import ZaloAdapter
from bot.store import Store
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.telegram.helpers import FAST
from tests.platforms.telegram.helpers import quick as quick_telegram
from tests.platforms.telegram.test_webhook import SECRET, numbered, post, until, webhook_config
from tests.platforms.zalo.test_end_to_end import free_port, zalo_config
from tests.platforms.zalo.test_end_to_end import quick as quick_zalo

ZALO_SECRET = "zalo-secret-for-the-hook"


async def test_telegram_and_zalo_share_one_listener_each_on_its_path(tmp_path: Path) -> None:
    port = free_port()
    listen = f"127.0.0.1:{port}"
    store = Store(tmp_path / "bantin.sqlite3")
    listeners = Listeners()
    try:
        with FakeTelegram(updates_wait=0.1) as tg, FakeZalo(require_https_webhook=False) as zalo:
            tg_config = webhook_config(tmp_path, tg, listen=listen)
            z_config = zalo_config(
                tmp_path,
                zalo,
                webhook_url=f"http://127.0.0.1:{port}/zalo/hook",
                webhook_secret=ZALO_SECRET,
                webhook_listen=listen,
            )
            config = replace(tg_config, zalo=z_config.zalo)
            context = make_context(config, store)
            telegram = telegram_outlet(
                quick_telegram(config), context, worker_settings=FAST, listeners=listeners
            )
            zalo_side = zalo_outlet(
                quick_zalo(config), context, worker_settings=FAST, listeners=listeners
            )
            await telegram.start()
            await zalo_side.start()
            try:
                tg_adapter, z_adapter = telegram.platform, zalo_side.platform
                assert isinstance(tg_adapter, TelegramAdapter) and tg_adapter.webhook is not None
                assert isinstance(z_adapter, ZaloAdapter) and z_adapter.webhook is not None
                (listener,) = list(listeners)
                assert tg_adapter.webhook.listener is listener is z_adapter.webhook.listener
                assert listener.paths == ["/telegram/hook", "/zalo/hook"]

                assert await post(port, numbered(tg.message_update(42, "/start"))) == 200
                update = zalo.text_update("w9", "đăng ký")
                assert await asyncio.to_thread(zalo.post_to_webhook, update) == 200
                await until(lambda: tg.replies(42))
                (answer,) = await zalo.wait_for_replies("w9")
                assert answer.startswith("Chào mừng bạn đến với Bantin!")
                assert tg.replies(42)[0].startswith("Chào mừng")

                # Each path takes its own platform's secret only, and no path is a catch-all.
                assert (
                    await post(port, numbered(tg.message_update(43, "/start")), secret=ZALO_SECRET)
                    == 403
                )
                assert await post(port, {"x": 1}, path="/zalo/hook", secret=SECRET) == 403
                assert await post(port, numbered(tg.message_update(44, "/start")), path="/") == 404
                await asyncio.sleep(0.2)
                assert tg.replies(43) == [] and tg.replies(44) == []
            finally:
                await zalo_side.stop()
                assert listener.running  # Telegram still uses it
                await telegram.stop()
                assert not listener.running
    finally:
        await listeners.stop()
        store.close()


async def test_the_composition_root_builds_one_listener_per_address(tmp_path: Path) -> None:
    port = free_port()
    with FakeTelegram() as tg, FakeZalo(require_https_webhook=False) as zalo:
        tg_config = webhook_config(tmp_path, tg, listen=f"127.0.0.1:{port}")
        z_config = zalo_config(
            tmp_path,
            zalo,
            webhook_url=f"http://127.0.0.1:{port}/zalo/hook",
            webhook_secret=ZALO_SECRET,
            webhook_listen=f"[127.0.0.1]:{port}",
        )
        async with App(replace(tg_config, zalo=z_config.zalo)) as app:
            (listener,) = list(app.listeners)
            hooks = [getattr(outlet.platform, "webhook", None) for outlet in app.platforms]
            assert [hook.listener for hook in hooks if hook is not None] == [listener] * 2
            assert not listener.running  # opened by the platforms' start, not before
