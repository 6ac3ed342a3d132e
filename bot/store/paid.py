"""Paid broadcast in the database: the day's count of paid sends, and what it costs.

Telegram's `allow_paid_broadcast` carries up to 1,000 messages a second for 0.1 Star
each. The budget is per local day (the newsroom's time zone) and counted here, not in a
process, so a restart or several senders share it: a sender reserves a block of sends
before making them (a compare-and-set, safe on SQLite and PostgreSQL alike) and gives
back what it did not use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.store.db import Database, now

PAID_RATE = 1000.0  # messages a second Telegram allows a paid broadcast
STARS_PER_MESSAGE = 0.1


@dataclass(frozen=True, slots=True)
class PaidPlan:
    """`[telegram]`'s paid broadcast keys with the free rate they are measured against."""

    free_rate: float = 30.0
    stars_per_day: float = 0.0
    after_minutes: float = 10.0
    paid_rate: float = PAID_RATE

    @property
    def on(self) -> bool:
        return self.stars_per_day > 0

    @property
    def daily_messages(self) -> int:
        """The day's budget in messages (a fraction of a message's Stars buys none)."""
        return int(self.stars_per_day / STARS_PER_MESSAGE + 1e-9)

    @property
    def threshold(self) -> float:
        """Messages the free rate drains in `after_minutes`: beyond them, paid sends."""
        return self.after_minutes * 60.0 * self.free_rate

    def wants_paid(self, queued: int) -> bool:
        return self.on and queued > self.threshold

    def drain_seconds(self, queued: int, paid_today: int) -> float:
        """How long the queue takes: paid sends while it is long and the budget lasts,
        then the free rate."""
        if queued <= 0:
            return 0.0
        paid = 0.0
        if self.wants_paid(queued):
            left = max(0, self.daily_messages - paid_today)
            paid = min(float(left), queued - self.threshold)
        return paid / self.paid_rate + (queued - paid) / self.free_rate


def local_day(at: float, timezone: str) -> str:
    return datetime.fromtimestamp(at, ZoneInfo(timezone)).strftime("%Y-%m-%d")


class PaidStore:
    def __init__(self, db: Database, timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self.db = db
        self.timezone = timezone

    def reserve(self, wanted: int, cap: int, at: float | None = None) -> tuple[str, int]:
        """Up to `wanted` paid sends out of the day's `cap`: (the day, how many granted)."""
        day = local_day(now() if at is None else at, self.timezone)
        if wanted <= 0 or cap <= 0:
            return day, 0
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO paid_broadcast_days (day, messages) VALUES (?, 0) "
                "ON CONFLICT (day) DO NOTHING",
                (day,),
            )
            for _ in range(100):  # another sender's reservation changed it: read again
                used = int(
                    conn.execute(
                        "SELECT messages FROM paid_broadcast_days WHERE day = ?", (day,)
                    ).fetchone()[0]
                )
                granted = max(0, min(wanted, cap - used))
                if granted == 0:
                    return day, 0
                changed = conn.execute(
                    "UPDATE paid_broadcast_days SET messages = ? WHERE day = ? AND messages = ?",
                    (used + granted, day, used),
                ).rowcount
                if changed == 1:
                    return day, granted
        return day, 0

    def give_back(self, day: str, count: int) -> None:
        """Reserved sends that were not made (a stop, the queue got short)."""
        if count <= 0:
            return
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE paid_broadcast_days SET messages = messages - ? "
                "WHERE day = ? AND messages >= ?",
                (count, day, count),
            )

    def spent(self, at: float | None = None) -> int:
        """Paid sends counted for the local day of `at` (today)."""
        day = local_day(now() if at is None else at, self.timezone)
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT messages FROM paid_broadcast_days WHERE day = ?", (day,)
            ).fetchone()
        return 0 if row is None else int(row[0])

    def queued(self, platform: str, at: float | None = None) -> int:
        """Rows due now (not those held for a digest or quiet hours) or in flight."""
        at = now() if at is None else at
        with self.db.reading() as conn:
            return int(
                conn.execute(
                    "SELECT COUNT(*) FROM deliveries d JOIN chats c ON c.id = d.chat_ref "
                    "WHERE c.platform = ? AND (d.status = 'sending' "
                    "OR (d.status = 'pending' AND d.due_at <= ?))",
                    (platform, at),
                ).fetchone()[0]
            )
