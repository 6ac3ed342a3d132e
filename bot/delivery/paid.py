"""The paid lane: Telegram's `allow_paid_broadcast` when the queue is long, within a budget.

Off unless `[telegram] paid_broadcast_stars_per_day` > 0. While the rows due now would
take longer than `paid_broadcast_after_minutes` at the free rate, each new job goes out
as a paid broadcast, paced by a limiter of its own at 1,000 msg/s (Telegram's ceiling
for them), until the day's Stars are spent (0.1 Star a send); then, and once the queue is
short again, sends go back to the free limiter (30/s).

The day's count lives in the store (bot/store/paid.py): the lane reserves a block of
sends at a time, so every process and every restart share one budget and none
overspends; a block not used up is given back when the lane turns off or stops. A paid
send that surely cost nothing (a 429, a refusal, a send that never left) goes back to
the block; one whose outcome is unknown is counted (the safe side for a budget).

The worker's hook is small (see `DeliveryWorker`, "paid lane"): `take()` once per job,
the lane's limiter for that job, `reply.paid` for the send, `capacity`/`limiter` for
the claim loop while the lane is on.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from bot.delivery.ratelimit import RateLimiter
from bot.store.paid import STARS_PER_MESSAGE, PaidPlan, local_day

if TYPE_CHECKING:
    from bot.core.ports import StorePort

log = logging.getLogger(__name__)

BLOCK = 100  # paid sends reserved per store write (10 Stars)


class PaidLane:
    def __init__(
        self,
        store: StorePort,
        plan: PaidPlan,
        limiter: RateLimiter,
        *,
        platform: str = "telegram",
        timezone: str = "Asia/Ho_Chi_Minh",
        max_in_flight: int = 2000,
        recheck_seconds: float = 2.0,
    ) -> None:
        self.store = store
        self.plan = plan
        self.limiter = limiter  # its own pace: paid sends do not count against the free rate
        self.platform = platform
        self.timezone = timezone
        self.max_in_flight = max_in_flight
        self.recheck_seconds = recheck_seconds
        self.on = False  # the queue is long and the day's budget is not spent
        self.sent = 0  # paid sends this process made
        self.room = 0  # jobs worth claiming for the lane: its capacity, or the budget left
        self._checked_at = float("-inf")
        self._day = ""
        self._reserved = 0  # sends reserved in the store and not made yet
        self._spent_out_day = ""  # the day whose budget this lane found spent
        self._lock = asyncio.Lock()  # one reservation at a time, not one per waiting job

    async def refresh(self, force: bool = False) -> bool:
        """Is the queue long (looked at every `recheck_seconds`)? Sets and returns `on`."""
        now = time.monotonic()
        if not force and now - self._checked_at < self.recheck_seconds:
            return self.on
        self._checked_at = now
        today = local_day(time.time(), self.timezone)
        queued = await self.store.paid.queued(self.platform)
        wanted = self.plan.wants_paid(queued) and self._spent_out_day != today
        if wanted:
            left = self.plan.daily_messages - await self.store.paid.spent() + self._reserved
            self.room = max(0, min(self.max_in_flight, left))
            wanted = self.room > 0
        if wanted != self.on:
            self.on = wanted
            minutes = queued / self.plan.free_rate / 60
            if wanted:
                log.info(
                    "paid broadcast on: %d sends queued, %.0f min at the free rate",
                    queued,
                    minutes,
                )
            else:
                log.info("paid broadcast off: %d sends queued (%.1f min)", queued, minutes)
                await self._give_back()
        return self.on

    async def take(self) -> bool:
        """One paid send for this job, or False (lane off, or the day's budget spent)."""
        if not self.on:
            return False
        async with self._lock:
            return await self._take()

    async def _take(self) -> bool:
        if not self.on:
            return False
        today = local_day(time.time(), self.timezone)
        if self._day != today:
            await self._give_back()
            self._day = today
        if self._reserved == 0:
            day, granted = await self.store.paid.reserve(BLOCK, self.plan.daily_messages)
            self._day = day
            self._reserved = granted
            if granted == 0:
                self.on = False
                self._spent_out_day = day
                log.warning(
                    "paid broadcast budget spent for %s (%g Stars): back to %g msg/s",
                    day,
                    self.plan.stars_per_day,
                    self.plan.free_rate,
                )
                return False
        self._reserved -= 1
        self.sent += 1
        return True

    def refund(self) -> None:
        """A paid send that cost nothing (refused, never sent, stopped): reusable."""
        self._reserved += 1
        self.sent -= 1
        self._spent_out_day = ""  # the budget has one more send left after all

    @property
    def stars_spent(self) -> float:
        """This process's paid sends in Stars (the day's total is in the store)."""
        return round(self.sent * STARS_PER_MESSAGE, 1)

    async def close(self) -> None:
        """A stop: give the sends reserved and not made back to the day's budget."""
        await self._give_back()

    async def _give_back(self) -> None:
        if self._reserved:
            count, self._reserved = self._reserved, 0
            try:
                await self.store.paid.give_back(self._day, count)
            except Exception:  # the budget then reads a little high: the safe side
                log.exception("paid broadcast: could not give back %d reserved sends", count)
