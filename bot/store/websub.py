"""Feeds' WebSub subscriptions (hub, topic, our secret, the lease), on either backend.

The secret is in the store so that whichever process receives a push (an intake process
behind the proxy, in a fleet) can check its signature; a push makes its feed due at once,
so the poller (of any process) fetches it on its next look.
"""

from __future__ import annotations

from bot.core.records import WebSubSubscription
from bot.store.db import Database, Row, now


class WebSubStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, feed_id: int) -> WebSubSubscription | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT * FROM websub WHERE feed_id = ?", (feed_id,)).fetchone()
        return _from_row(row) if row else None

    def requested(self, feed_id: int, hub: str, topic: str, secret: str) -> None:
        """We asked the hub (before its answer: it may verify while we wait)."""
        with self.db.transaction() as conn:
            conn.execute(
                """
                INSERT INTO websub (feed_id, hub, topic, secret, state, requested_at)
                VALUES (?, ?, ?, ?, 'requested', ?)
                ON CONFLICT (feed_id) DO UPDATE SET hub = excluded.hub,
                    topic = excluded.topic, secret = excluded.secret,
                    requested_at = excluded.requested_at,
                    state = CASE WHEN websub.state = 'active' AND websub.topic = excluded.topic
                                 THEN 'active' ELSE 'requested' END
                """,
                (feed_id, hub, topic, secret, now()),
            )

    def verified(self, feed_id: int, lease_until: float, renew_at: float) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE websub SET state = 'active', lease_until = ?, renew_at = ?, "
                "last_error = NULL WHERE feed_id = ?",
                (lease_until, renew_at, feed_id),
            )

    def failed(self, feed_id: int, state: str, error: str, retry_at: float) -> None:
        """The hub refused ("denied") or could not be asked ("failed"): ask again later."""
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE websub SET state = ?, last_error = ?, renew_at = ? WHERE feed_id = ?",
                (state, error[:500], retry_at, feed_id),
            )

    def due(self, at: float) -> list[WebSubSubscription]:
        """Subscriptions to ask for again: a lease near its end, a refusal to retry, or a
        request the hub never verified (an hour on)."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT w.* FROM websub w JOIN feeds f ON f.id = w.feed_id "
                "WHERE f.paused = 0 AND (w.renew_at <= ? "
                "OR (w.state = 'requested' AND w.requested_at <= ?)) ORDER BY w.feed_id",
                (at, at - 3600),
            ).fetchall()
        return [_from_row(row) for row in rows]

    def pushed(self, feed_id: int) -> None:
        """The hub pushed a new version: the feed is due now (unless it is backing off)."""
        at = now()
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE websub SET pushes = pushes + 1, last_push_at = ? WHERE feed_id = ?",
                (at, feed_id),
            )
            conn.execute(
                "UPDATE feeds SET next_check_at = ? "
                "WHERE id = ? AND failures = 0 AND next_check_at > ?",
                (at, feed_id, at),
            )

    def remove(self, feed_id: int) -> bool:
        with self.db.transaction() as conn:
            return conn.execute("DELETE FROM websub WHERE feed_id = ?", (feed_id,)).rowcount > 0


def _from_row(row: Row) -> WebSubSubscription:
    return WebSubSubscription(
        feed_id=row["feed_id"],
        hub=row["hub"],
        topic=row["topic"],
        secret=row["secret"],
        state=row["state"],
        requested_at=row["requested_at"],
        lease_until=row["lease_until"],
        renew_at=row["renew_at"],
        last_error=row["last_error"],
        pushes=row["pushes"],
    )
