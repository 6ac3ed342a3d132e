"""When a delivery is due and when to try again: pure functions of time and settings."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=16)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _next_local_hour(local: datetime, hour: int) -> datetime:
    candidate = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= local:
        candidate += timedelta(days=1)
    return candidate


def in_quiet_hours(hour: int, quiet_start: int | None, quiet_end: int | None) -> bool:
    """Quiet hours may wrap midnight (22 → 6)."""
    if quiet_start is None or quiet_end is None or quiet_start == quiet_end:
        return False
    if quiet_start < quiet_end:
        return quiet_start <= hour < quiet_end
    return hour >= quiet_start or hour < quiet_end


def due_at(
    now: float,
    timezone: str,
    mode: str,
    digest_hour: int,
    quiet_start: int | None,
    quiet_end: int | None,
) -> float:
    """A digest waits for the chat's hour; an instant push waits out its quiet hours."""
    if mode != "digest" and (quiet_start is None or quiet_end is None):
        return now
    local = datetime.fromtimestamp(now, _zone(timezone))
    if mode == "digest":
        return _next_local_hour(local, digest_hour).timestamp()
    if in_quiet_hours(local.hour, quiet_start, quiet_end):
        assert quiet_end is not None
        return _next_local_hour(local, quiet_end).timestamp()
    return now


def backoff_seconds(
    attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Capped exponential backoff with full jitter over the upper half, so retries spread out."""
    ceiling = min(cap, base * 2.0 ** max(attempt - 1, 0))
    draw: float = (rng or random).random()
    return ceiling / 2 + draw * ceiling / 2
