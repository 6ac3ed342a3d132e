"""What `bantin health` reads: when each platform last answered, when a feed was last read."""

from __future__ import annotations

from bot.core.records import HealthFacts
from bot.store.db import Database


class HealthStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def beat(self, platform: str, at: float) -> None:
        """The platform answered at `at` (the adapters call it at most every few seconds)."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO platform_heartbeats (platform, answered_at) VALUES (?, ?) "
                "ON CONFLICT (platform) DO UPDATE SET answered_at = excluded.answered_at",
                (platform, at),
            )

    def facts(self) -> HealthFacts:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT platform, answered_at FROM platform_heartbeats").fetchall()
            polled = conn.execute(
                "SELECT max(last_success_at), count(*) FROM feeds WHERE paused = 0"
            ).fetchone()
        return HealthFacts(
            answered={str(r[0]): float(r[1]) for r in rows},
            last_poll=float(polled[0]) if polled[0] is not None else None,
            feeds=int(polled[1]),
        )
