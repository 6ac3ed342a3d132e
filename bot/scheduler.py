"""APScheduler drives the poll; which feed is due lives in the data (feeds.next_check_at).

The job only asks the store what is due, so a restart, a pause or an admin's new feed take
effect on the next tick without any persistent job store.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


def tick_seconds(interval_seconds: float) -> float:
    """Look often enough that a feed is never checked much later than it is due: a sixth
    of the interval, at most 10 s (a 60 s interval polls every 60 to 70 s)."""
    return max(1.0, min(10.0, interval_seconds / 6))


def make_scheduler(
    poll_due: Callable[[], Awaitable[Any]], interval_seconds: float, timezone: str
) -> AsyncIOScheduler:
    zone = ZoneInfo(timezone)
    scheduler = AsyncIOScheduler(timezone=zone)
    scheduler.add_job(
        poll_due,
        "interval",
        seconds=tick_seconds(interval_seconds),
        next_run_time=datetime.now(zone),
        id="poll-due-feeds",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    return scheduler
