"""The newsroom's health in numbers, computed in one place so `/stats` and `bantin stats` agree."""

from __future__ import annotations

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.records import FailingFeed, Stats
from bot.store.db import Database, now
from bot.store.fleet import FleetStore
from bot.store.paid import STARS_PER_MESSAGE, PaidPlan, PaidStore

DAY = 86_400.0
WEEK = 7 * DAY
FLEET_SEEN_SECONDS = 60.0  # a process not seen for this long is no longer listed


def percentile(values: list[float], fraction: float) -> float | None:
    """Nearest-rank percentile: a value that really occurred, None for no data."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


class StatsStore:
    def __init__(
        self, db: Database, timezone: str = "Asia/Ho_Chi_Minh", *, paid: PaidPlan | None = None
    ) -> None:
        self.db = db
        self.timezone = timezone
        self.paid = paid or PaidPlan()

    def collect(self, at: float | None = None) -> Stats:
        """Everything at once, read under one lock so the numbers belong together.

        New this week: active chats first seen in the last 7 days. Lost: chats that went
        inactive (stopped, blocked the bot, left) in the last 7 days. Today: since local
        midnight in the newsroom's time zone. Latency: publication (else first seen) to
        `sent_at`, over deliveries sent in the last 24 h.
        """
        at = now() if at is None else at
        zone = ZoneInfo(self.timezone)
        midnight = (
            datetime.fromtimestamp(at, zone)
            .replace(hour=0, minute=0, second=0, microsecond=0)
            .timestamp()
        )
        week = at - WEEK
        day = at - DAY
        with self.db.reading() as conn:
            feeds = conn.execute("SELECT COUNT(*), COALESCE(SUM(paused), 0) FROM feeds").fetchone()
            articles = int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
            subscribers: dict[str, dict[str, int]] = {}
            for row in conn.execute(
                "SELECT platform, CASE WHEN is_channel = 1 THEN 'channel' ELSE kind END AS k, "
                "COUNT(*) FROM chats WHERE active = 1 GROUP BY platform, k ORDER BY platform, k"
            ):
                subscribers.setdefault(row[0], {})[row[1]] = int(row[2])
            new = int(
                conn.execute(
                    "SELECT COUNT(*) FROM chats WHERE active = 1 AND created_at >= ?", (week,)
                ).fetchone()[0]
            )
            lost = int(
                conn.execute(
                    "SELECT COUNT(*) FROM chats WHERE active = 0 "
                    "AND inactive_reason IS NOT NULL AND changed_at >= ?",
                    (week,),
                ).fetchone()[0]
            )
            stories_today = {
                row[0]: int(row[1])
                for row in conn.execute(
                    "SELECT f.name, COUNT(a.id) FROM feeds f "
                    "LEFT JOIN articles a ON a.feed_id = f.id AND a.fetched_at >= ? "
                    "GROUP BY f.id ORDER BY f.id",
                    (midnight,),
                )
            }
            orphans = int(
                conn.execute(
                    "SELECT COUNT(*) FROM articles WHERE feed_id IS NULL AND fetched_at >= ?",
                    (midnight,),
                ).fetchone()[0]
            )
            if orphans:
                stories_today["(nguồn đã xóa)"] = orphans
            sent = int(
                conn.execute(
                    "SELECT COUNT(*) FROM deliveries WHERE status = 'sent' AND sent_at >= ?",
                    (day,),
                ).fetchone()[0]
            )
            pending = int(
                conn.execute(
                    "SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'sending')"
                ).fetchone()[0]
            )
            failed = int(
                conn.execute(
                    "SELECT COUNT(*) FROM deliveries WHERE status = 'failed' "
                    "AND COALESCE(claimed_at, created_at) >= ?",
                    (day,),
                ).fetchone()[0]
            )
            failing = [
                FailingFeed(
                    id=row["id"],
                    name=row["name"],
                    failures=row["failures"],
                    since=row["failing_since"],
                    last_error=row["last_error"],
                )
                for row in conn.execute(
                    "SELECT id, name, failures, failing_since, last_error FROM feeds "
                    "WHERE failures > 0 ORDER BY failing_since, id"
                )
            ]
            delays = [
                max(0.0, float(row[0]))
                for row in conn.execute(
                    "SELECT d.sent_at - COALESCE(a.published_at, a.fetched_at) FROM deliveries d "
                    "JOIN articles a ON a.id = d.article_id "
                    "WHERE d.status = 'sent' AND d.sent_at >= ?",
                    (day,),
                )
                if row[0] is not None
            ]
            broadcasts = int(
                conn.execute(
                    "SELECT COUNT(*) FROM broadcasts b WHERE b.created_at >= ? "
                    "AND EXISTS (SELECT 1 FROM deliveries d WHERE d.broadcast_id = b.id)",
                    (day,),
                ).fetchone()[0]
            )
            queue = {
                row[0]: int(row[1])
                for row in conn.execute(
                    "SELECT c.platform, COUNT(*) FROM deliveries d JOIN chats c "
                    "ON c.id = d.chat_ref WHERE d.status IN ('pending', 'sending') "
                    "GROUP BY c.platform ORDER BY c.platform"
                )
            }
            oldest = conn.execute(
                "SELECT MIN(created_at) FROM deliveries WHERE status = 'pending'"
            ).fetchone()[0]
        processes = FleetStore(self.db).processes(at - FLEET_SEEN_SECONDS)
        paid = PaidStore(self.db, self.timezone)
        paid_today = paid.spent(at)
        queued = paid.queued("telegram", at)
        return Stats(
            stars_today=round(paid_today * STARS_PER_MESSAGE, 1),
            paid_stars_per_day=self.paid.stars_per_day,
            drain_seconds=self.paid.drain_seconds(queued, paid_today) if queued else None,
            generated_at=at,
            feeds=int(feeds[0]),
            feeds_paused=int(feeds[1]),
            articles=articles,
            subscribers=subscribers,
            new_this_week=new,
            lost_this_week=lost,
            stories_today=stories_today,
            deliveries_24h={"sent": sent, "pending": pending, "failed": failed},
            failing_feeds=failing,
            latency_p50=percentile(delays, 0.50),
            latency_p95=percentile(delays, 0.95),
            latency_samples=len(delays),
            broadcasts_24h=broadcasts,
            processes=processes,
            queue=queue,
            oldest_pending_at=oldest,
        )
