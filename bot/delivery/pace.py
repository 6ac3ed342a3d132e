"""A bot token's send pace, shared by every sender of the fleet.

Telegram counts 30 messages/s per bot token, however many processes send for it, and a
429 it gives one of them is meant for all. So on a shared database each sender takes its
global slots from the token's lane in the store (`FleetPort.reserve`), a few at a time
(about a quarter of a second's worth: one short transaction per batch, not per send),
and a 429 it hears is written to the lane for the others to see at their next batch.

Slots come back as delays from the database's clock, turned into this process's
monotonic clock at once, so machines whose clocks disagree still leave whole intervals
apart. A slot not used in time is dropped, never spent late in a burst.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import deque
from collections.abc import Callable

from bot.core.ports import FleetPort

log = logging.getLogger(__name__)

BATCH_SECONDS = 0.25


def lane_name(platform: str, token: str) -> str:
    """The lane of one bot token: named by a digest, so the token itself is never stored."""
    return f"{platform}:{hashlib.sha256(token.encode()).hexdigest()[:16]}"


class SharedPace:
    def __init__(
        self,
        fleet: FleetPort,
        lane: str,
        interval: float,
        clock: Callable[[], float],
        *,
        batch_seconds: float = BATCH_SECONDS,
    ) -> None:
        self.fleet = fleet
        self.lane = lane
        self.interval = interval
        self.clock = clock
        self.batch = max(1, round(batch_seconds / interval))
        self._slots: deque[float] = deque()
        self._lock = asyncio.Lock()
        self._pauses: set[asyncio.Task[None]] = set()

    async def next_slot(self) -> tuple[float, float]:
        """(the monotonic time of this caller's slot, seconds of fleet-wide pause heard)."""
        async with self._lock:
            now = self.clock()
            while self._slots and self._slots[0] < now - self.interval / 2:
                self._slots.popleft()  # too late to use without crowding the next one
            if self._slots:
                return self._slots.popleft(), 0.0
            try:
                delay, paused = await self.fleet.reserve(self.lane, self.batch, self.interval)
            except Exception:  # no database: this one slot goes at the configured pace
                log.exception("delivery: could not reserve send slots on %s", self.lane)
                return self.clock() + self.interval, 0.0
            start = self.clock() + delay
            self._slots.extend(start + i * self.interval for i in range(self.batch))
            return self._slots.popleft(), paused

    def pause(self, seconds: float) -> None:
        """Tell the fleet: no sender before `seconds` from now."""
        self._slots.clear()
        task = asyncio.get_running_loop().create_task(self._pause(seconds))
        self._pauses.add(task)
        task.add_done_callback(self._pauses.discard)

    async def _pause(self, seconds: float) -> None:
        try:
            await self.fleet.pause(self.lane, seconds)
        except Exception:
            log.exception("delivery: could not share a %.1f s pause on %s", seconds, self.lane)
