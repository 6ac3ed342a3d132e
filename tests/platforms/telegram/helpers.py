"""Starting the Telegram adapter as `bantin run` does, with its worker, against the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

from bot.core.settings import Config
from bot.delivery.jobs import WorkerSettings
from bot.outlets import Outlet, make_context, telegram_outlet
from bot.platforms.base import Handle
from bot.store import Store

FAST = WorkerSettings(max_in_flight=20, idle_seconds=0.05, backoff_base=0.05, backoff_cap=0.2)


def quick(config: Config, *, read_timeout: float = 2.0) -> Config:
    """Short timeouts and a one-second long poll: the fake answers on loopback."""
    telegram = replace(
        config.telegram,
        connect_timeout_seconds=1.0,
        read_timeout_seconds=read_timeout,
        poll_timeout_seconds=1,
    )
    return replace(config, telegram=telegram)


def telegram(
    config: Config,
    store: Store,
    *,
    handle: Handle | None = None,
    commands: Mapping[str, Any] | None = None,
    worker_settings: WorkerSettings = FAST,
    read_timeout: float = 2.0,
) -> Outlet:
    return telegram_outlet(
        quick(config, read_timeout=read_timeout),
        make_context(config, store),
        handle=handle,
        commands=commands,
        worker_settings=worker_settings,
    )


@asynccontextmanager
async def running(
    config: Config,
    store: Store,
    *,
    handle: Handle | None = None,
    commands: Mapping[str, Any] | None = None,
    worker_settings: WorkerSettings = FAST,
    read_timeout: float = 2.0,
) -> AsyncIterator[Outlet]:
    outlet = telegram(
        config,
        store,
        handle=handle,
        commands=commands,
        worker_settings=worker_settings,
        read_timeout=read_timeout,
    )
    await outlet.start()
    try:
        yield outlet
    finally:
        await outlet.stop()
