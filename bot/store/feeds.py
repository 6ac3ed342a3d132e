"""Feeds and their polling state: what is due, what failed, what the server said last."""

from __future__ import annotations

import json
from collections.abc import Sequence

from bot.core.records import FailureOutcome, Feed
from bot.core.settings import FeedConfig
from bot.store.db import Connection, Database, now
from bot.store.rows import feed_from_row


class FeedStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def sync_config(self, feeds: Sequence[FeedConfig]) -> None:
        """Make the config's feeds exist; a config feed that left the config is paused."""
        at = now()
        with self.db.transaction() as conn:
            for feed in feeds:
                selectors = _selectors(feed)
                conn.execute(
                    """
                    INSERT INTO feeds (name, url, kind, section, selectors, origin, created_at,
                        priority)
                    VALUES (?, ?, ?, ?, ?, 'config', ?, ?)
                    ON CONFLICT (name) DO UPDATE SET url = excluded.url, kind = excluded.kind,
                        section = excluded.section, selectors = excluded.selectors,
                        priority = excluded.priority
                    """,
                    (feed.name, feed.url, feed.kind, feed.section, selectors, at, feed.priority),
                )
            names = [feed.name for feed in feeds]
            kept = f"AND name NOT IN ({','.join('?' * len(names))})" if names else ""
            conn.execute(f"UPDATE feeds SET paused = 1 WHERE origin = 'config' {kept}", names)

    def add(self, feed: FeedConfig, *, origin: str = "admin") -> Feed:
        with self.db.transaction() as conn:
            new = conn.execute(
                """
                INSERT INTO feeds (name, url, kind, section, selectors, origin, created_at,
                    priority)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                RETURNING id
                """,
                (
                    feed.name,
                    feed.url,
                    feed.kind,
                    feed.section,
                    _selectors(feed),
                    origin,
                    now(),
                    feed.priority,
                ),
            ).fetchone()
            row = conn.execute("SELECT * FROM feeds WHERE id = ?", (new[0],)).fetchone()
        return feed_from_row(row)

    def remove(self, feed_id: int) -> bool:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM feeds WHERE id = ?", (feed_id,)).rowcount > 0

    def set_paused(self, feed_id: int, paused: bool) -> bool:
        with self.db.transaction() as conn:
            changed = conn.execute(
                "UPDATE feeds SET paused = ?, next_check_at = 0 WHERE id = ?",
                (int(paused), feed_id),
            )
            return changed.rowcount > 0

    def all(self) -> list[Feed]:
        with self.db.reading() as conn:
            rows = conn.execute("SELECT * FROM feeds ORDER BY id").fetchall()
        return [feed_from_row(row) for row in rows]

    def get(self, feed_id: int) -> Feed | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT * FROM feeds WHERE id = ?", (feed_id,)).fetchone()
        return feed_from_row(row) if row else None

    def find(self, name_or_id: str) -> Feed | None:
        """An admin names a feed by its id, its exact name or its URL."""
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT * FROM feeds WHERE CAST(id AS TEXT) = ? OR name = ? OR url = ?",
                (name_or_id, name_or_id, name_or_id),
            ).fetchone()
        return feed_from_row(row) if row else None

    def due(self, at: float) -> list[Feed]:
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM feeds WHERE paused = 0 AND next_check_at <= ? "
                "ORDER BY next_check_at",
                (at,),
            ).fetchall()
        return [feed_from_row(row) for row in rows]

    def take_poll(self, feed_id: int, holder: str, seconds: float) -> bool:
        """One poll of a feed at a time across the fleet: True when `holder` may poll it
        now (no one holds it, or the last holder's lease ran out)."""
        at = now()
        with self.db.transaction() as conn:
            return (
                conn.execute(
                    "UPDATE feeds SET poll_holder = ?, poll_lease_until = ? WHERE id = ? "
                    "AND (poll_holder IS NULL OR poll_holder = ? OR poll_lease_until < ?)",
                    (holder, at + seconds, feed_id, holder, at),
                ).rowcount
                == 1
            )

    def end_poll(self, feed_id: int, holder: str) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE feeds SET poll_holder = NULL, poll_lease_until = NULL "
                "WHERE id = ? AND poll_holder = ?",
                (feed_id, holder),
            )

    def record_not_modified(self, feed_id: int, next_check_at: float) -> bool:
        """A 304 is a success too; returns True when the feed had been failing (recovered)."""
        return self._record_success(feed_id, next_check_at)

    def _record_success(self, feed_id: int, next_check_at: float) -> bool:
        with self.db.transaction() as conn:
            return mark_success(conn, feed_id, next_check_at)

    def record_failure(
        self,
        feed_id: int,
        error: str,
        *,
        retry_after: float | None,
        interval: float,
        max_backoff: float,
        alert_after: int,
    ) -> FailureOutcome:
        """Back off exponentially (capped, never sooner than Retry-After); alert once."""
        at = now()
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT failures, alerted, failing_since FROM feeds WHERE id = ?", (feed_id,)
            ).fetchone()
            failures = int(row["failures"]) + 1
            delay = min(max_backoff, interval * 2 ** min(failures - 1, 20))
            if retry_after is not None:
                delay = max(delay, min(retry_after, max_backoff))
            alert = failures >= alert_after and not row["alerted"]
            conn.execute(
                """
                UPDATE feeds SET failures = ?, last_error = ?, next_check_at = ?,
                    failing_since = COALESCE(failing_since, ?),
                    alerted = CASE WHEN ? = 1 THEN 1 ELSE alerted END
                WHERE id = ?
                """,
                (failures, error, at + delay, at, int(alert), feed_id),
            )
        return FailureOutcome(failures=failures, next_check_at=at + delay, alert=alert)


def mark_success(conn: Connection, feed_id: int, next_check_at: float) -> bool:
    """Clear a feed's failure state inside the caller's transaction; True if it had alerted."""
    row = conn.execute("SELECT alerted FROM feeds WHERE id = ?", (feed_id,)).fetchone()
    conn.execute(
        """
        UPDATE feeds SET failures = 0, last_error = NULL, failing_since = NULL, alerted = 0,
            last_success_at = ?, next_check_at = ?
        WHERE id = ?
        """,
        (now(), next_check_at, feed_id),
    )
    return bool(row and row["alerted"])


def _selectors(feed: FeedConfig) -> str | None:
    if feed.kind != "html":
        return None
    return json.dumps({"item": feed.item, "link": feed.link, "title": feed.title})
