"""A platform's "it answered" written to the store, so `bantin health` can tell from outside.

Every answer below 5xx counts (a getUpdates, a send, a getMe); the row is written at most
every `EVERY_SECONDS`, off the caller's path, so a busy push costs no extra writes.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.ports import StorePort

log = logging.getLogger(__name__)

EVERY_SECONDS = 15.0


class Heartbeat:
    def __init__(self, store: StorePort, platform: str, every: float = EVERY_SECONDS) -> None:
        self.store = store
        self.platform = platform
        self.every = every
        self.last_answer: float | None = None
        self._written = 0.0
        self._task: asyncio.Task[None] | None = None

    def answered(self) -> None:
        """Called on each answer, inside the event loop; writes in the background."""
        now = time.time()
        self.last_answer = now
        if now - self._written < self.every or (self._task and not self._task.done()):
            return
        self._written = now
        try:
            self._task = asyncio.get_running_loop().create_task(self._write(now))
        except RuntimeError:  # no loop (a CLI's one-off call): nothing to keep alive
            self._task = None

    async def _write(self, at: float) -> None:
        try:
            await self.store.health.beat(self.platform, at)
        except Exception as exc:  # a heartbeat must never break a send
            log.warning("%s: could not record the heartbeat: %s", self.platform, exc)

    async def flush(self) -> None:
        """At stop: wait for a write under way, so the store is not closed beneath it."""
        if self._task is not None and not self._task.done():
            await asyncio.wait([self._task], timeout=2.0)
