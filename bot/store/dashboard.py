"""The dashboard's figures: subscribers per day, deliveries per hour, latency per day, the
latest stories with how their pushes went.

Each is a few grouped queries that SQLite and PostgreSQL read alike (integer division on
`CAST(… AS BIGINT)` for the buckets, positional `GROUP BY`), so the work stays in the
database and what comes back is small whatever the outbox holds: latencies come back as a
histogram (10-second buckets under ten minutes, then whole minutes), whose percentiles
are read off by nearest rank like `/stats`'s.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.dashboard import DaySeries, HourCounts, StoryCounts
from bot.store.db import Database, now

HOUR = 3600
DAY = 86_400

_LATENCY = """
    SELECT day, CASE WHEN lat < 0 THEN 0
                     WHEN lat < 600 THEN CAST(lat AS BIGINT) / 10 * 10
                     ELSE CAST(lat AS BIGINT) / 60 * 60 END AS bucket, COUNT(*)
    FROM (
        SELECT (CAST(d.sent_at AS BIGINT) - CAST(? AS BIGINT)) / 86400 AS day,
               d.sent_at - COALESCE(a.published_at, a.fetched_at) AS lat
        FROM deliveries d JOIN articles a ON a.id = d.article_id
        WHERE d.status = 'sent' AND d.sent_at >= ?
    ) AS sent
    GROUP BY 1, 2 ORDER BY 1, 2
"""


def histogram_percentile(counts: list[tuple[float, int]], fraction: float) -> float | None:
    """Nearest rank over (value, how many) pairs sorted by value; None without data."""
    total = sum(n for _, n in counts)
    if total == 0:
        return None
    rank = max(1, -(-int(fraction * total * 1000) // 1000))  # ceil without float drift
    seen = 0
    for value, n in counts:
        seen += n
        if seen >= rank:
            return value
    return counts[-1][0]


class DashboardStore:
    def __init__(self, db: Database, timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self.db = db
        self.zone = ZoneInfo(timezone)

    def _midnights(self, days: int, at: float) -> list[float]:
        """The local midnights of the last `days` days, today's last."""
        today = datetime.fromtimestamp(at, self.zone).date()
        return [
            datetime.combine(
                today - timedelta(days=back), datetime.min.time(), self.zone
            ).timestamp()
            for back in range(days - 1, -1, -1)
        ]

    def subscribers_by_day(self, days: int = 30, at: float | None = None) -> DaySeries:
        """Active chats per platform at the end of each day (today: now).

        A chat counts from its first contact until it went inactive (`changed_at` of an
        inactive chat); one that came back is counted throughout.
        """
        at = now() if at is None else at
        midnights = self._midnights(days, at)
        counts: dict[str, list[float | None]] = {}
        with self.db.reading() as conn:
            for i, midnight in enumerate(midnights):
                end = min(midnight + DAY, at)
                for row in conn.execute(
                    "SELECT platform, COUNT(*) FROM chats WHERE created_at <= ? "
                    "AND (active = 1 OR changed_at > ?) GROUP BY platform ORDER BY platform",
                    (end, end),
                ):
                    counts.setdefault(row[0], [0.0] * len(midnights))[i] = float(row[1])
        return DaySeries(tuple(midnights), {k: tuple(v) for k, v in sorted(counts.items())})

    def deliveries_by_hour(self, hours: int = 24, at: float | None = None) -> HourCounts:
        """Pushes sent (and failed, by when they were last tried) in each of the last hours."""
        at = now() if at is None else at
        start = (int(at) // HOUR - (hours - 1)) * HOUR
        sent = [0] * hours
        failed = [0] * hours
        with self.db.reading() as conn:
            for target, moment, where in (
                (sent, "sent_at", "status = 'sent' AND sent_at >= ?"),
                (
                    failed,
                    "COALESCE(claimed_at, created_at)",
                    "status = 'failed' AND COALESCE(claimed_at, created_at) >= ?",
                ),
            ):
                for row in conn.execute(
                    f"SELECT (CAST({moment} AS BIGINT) - CAST(? AS BIGINT)) / {HOUR}, COUNT(*) "
                    f"FROM deliveries WHERE {where} GROUP BY 1",
                    (start, start),
                ):
                    index = int(row[0])
                    if 0 <= index < hours:
                        target[index] += int(row[1])
        return HourCounts(
            tuple(float(start + i * HOUR) for i in range(hours)), tuple(sent), tuple(failed)
        )

    def latency_by_day(self, days: int = 14, at: float | None = None) -> DaySeries:
        """Publication (else first seen) → delivery, p50 and p95 in seconds, per local day."""
        at = now() if at is None else at
        midnights = self._midnights(days, at)
        start = int(midnights[0])
        per_day: list[list[tuple[float, int]]] = [[] for _ in midnights]
        with self.db.reading() as conn:
            for row in conn.execute(_LATENCY, (start, start)):
                index = int(row[0])
                if 0 <= index < days:
                    per_day[index].append((float(row[1]), int(row[2])))
        return DaySeries(
            tuple(midnights),
            {
                "p50": tuple(histogram_percentile(c, 0.50) for c in per_day),
                "p95": tuple(histogram_percentile(c, 0.95) for c in per_day),
            },
        )

    def stories(self, limit: int = 30) -> list[StoryCounts]:
        """The newest stories, each with its outbox rows counted by outcome."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT a.id, a.title, a.url, f.name AS feed_name, "
                "COALESCE(a.published_at, a.fetched_at) AS t, r.status AS review "
                "FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id "
                "LEFT JOIN reviews r ON r.article_id = a.id "
                "ORDER BY COALESCE(a.published_at, a.fetched_at) DESC, a.id DESC LIMIT ?",
                (limit,),
            ).fetchall()
            counts: dict[tuple[int, str], int] = {}
            ids = [int(row["id"]) for row in rows]
            if ids:
                marks = ",".join("?" * len(ids))
                for row in conn.execute(
                    "SELECT article_id, status, COUNT(*) FROM deliveries "
                    f"WHERE article_id IN ({marks}) GROUP BY article_id, status",
                    ids,
                ):
                    counts[(int(row[0]), str(row[1]))] = int(row[2])
        return [
            StoryCounts(
                article_id=int(row["id"]),
                title=row["title"],
                url=row["url"],
                feed_name=row["feed_name"],
                time=float(row["t"]),
                sent=counts.get((int(row["id"]), "sent"), 0),
                pending=counts.get((int(row["id"]), "pending"), 0)
                + counts.get((int(row["id"]), "sending"), 0),
                failed=counts.get((int(row["id"]), "failed"), 0),
                review=row["review"],
            )
            for row in rows
        ]
