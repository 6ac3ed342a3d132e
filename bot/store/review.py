"""The review queue: stories held out of the outbox until an editor decides.

A held story is a `reviews` row; publishing it queues its deliveries in the same
transaction that records the decision, so two editors pressing at once publish it once
and the second is told who was first. The methods serve the chat buttons, the shell and
a dashboard alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.review import DROPPED, PUBLISHED, WAITING, ReviewDecision, ReviewItem
from bot.store.db import Connection, Database, Row, now
from bot.store.fanout import enqueue_stored, refresh_plans

_ITEM = """
    SELECT r.article_id, r.status, a.title, r.summary, r.created_at, r.announced_at,
        r.decided_at, r.decided_by
    FROM reviews r JOIN articles a ON a.id = r.article_id
"""


def hold(conn: Connection, article_id: int, at: float) -> None:
    """Put a new story in the queue instead of the outbox (inside `record_poll`)."""
    conn.execute(
        "INSERT INTO reviews (article_id, status, created_at) VALUES (?, ?, ?) "
        "ON CONFLICT (article_id) DO NOTHING",
        (article_id, WAITING, at),
    )


def _item(row: Row) -> ReviewItem:
    return ReviewItem(
        article_id=row["article_id"],
        status=row["status"],
        title=row["title"],
        summary=row["summary"],
        created_at=row["created_at"],
        announced_at=row["announced_at"],
        decided_at=row["decided_at"],
        decided_by=row["decided_by"],
    )


class ReviewStore:
    def __init__(self, db: Database, timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self.db = db
        self.timezone = timezone

    def get(self, article_id: int) -> ReviewItem | None:
        with self.db.reading() as conn:
            row = conn.execute(_ITEM + " WHERE r.article_id = ?", (article_id,)).fetchone()
        return _item(row) if row else None

    def waiting(self, limit: int = 50) -> list[ReviewItem]:
        """The queue, oldest first: the story waiting longest is the one to decide next."""
        with self.db.reading() as conn:
            rows = conn.execute(
                _ITEM + " WHERE r.status = ? ORDER BY r.created_at, r.article_id LIMIT ?",
                (WAITING, limit),
            ).fetchall()
        return [_item(row) for row in rows]

    def decided(self, limit: int = 50) -> list[ReviewItem]:
        """The latest decisions, newest first (for a dashboard's history)."""
        with self.db.reading() as conn:
            rows = conn.execute(
                _ITEM + " WHERE r.status <> ? ORDER BY r.decided_at DESC LIMIT ?",
                (WAITING, limit),
            ).fetchall()
        return [_item(row) for row in rows]

    def unannounced(self, limit: int = 20) -> list[ReviewItem]:
        """Waiting stories whose preview has not gone to the editors yet."""
        with self.db.reading() as conn:
            rows = conn.execute(
                _ITEM + " WHERE r.status = ? AND r.announced_at IS NULL "
                "ORDER BY r.created_at, r.article_id LIMIT ?",
                (WAITING, limit),
            ).fetchall()
        return [_item(row) for row in rows]

    def mark_announced(self, article_ids: Sequence[int]) -> None:
        at = now()
        with self.db.transaction() as conn:
            for article_id in article_ids:
                conn.execute(
                    "UPDATE reviews SET announced_at = ? WHERE article_id = ?", (at, article_id)
                )

    def overdue(self, before: float) -> list[int]:
        """Stories nobody decided on that have waited since before `before`."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT article_id FROM reviews WHERE status = ? AND created_at < ? "
                "ORDER BY created_at",
                (WAITING, before),
            ).fetchall()
        return [int(row[0]) for row in rows]

    def set_summary(self, article_id: int, summary: str) -> ReviewDecision:
        """The editor's summary, kept until the story is published (then it is the card's)."""
        with self.db.transaction() as conn:
            changed = conn.execute(
                "UPDATE reviews SET summary = ? WHERE article_id = ? AND status = ?",
                (summary, article_id, WAITING),
            ).rowcount
            row = conn.execute(_ITEM + " WHERE r.article_id = ?", (article_id,)).fetchone()
        if row is None:
            return ReviewDecision("missing")
        return ReviewDecision("done" if changed else "already", _item(row))

    def decide(self, article_id: int, publish: bool, actor: str) -> ReviewDecision:
        """Publish (queue for every subscribed chat) or drop a waiting story, once."""
        at = now()
        queued = 0
        with self.db.transaction() as conn:
            won = conn.execute(
                "UPDATE reviews SET status = ?, decided_at = ?, decided_by = ? "
                "WHERE article_id = ? AND status = ? RETURNING summary",
                (PUBLISHED if publish else DROPPED, at, actor, article_id, WAITING),
            ).fetchone()
            if won is not None and publish:
                if won["summary"] is not None:
                    conn.execute(
                        "UPDATE articles SET summary = ?, updated_at = ? WHERE id = ?",
                        (won["summary"], at, article_id),
                    )
                queued = enqueue_stored(conn, article_id, at, self.timezone)
            row = conn.execute(_ITEM + " WHERE r.article_id = ?", (article_id,)).fetchone()
        if row is None:
            return ReviewDecision("missing")
        refresh_plans(self.db, queued)
        return ReviewDecision("done" if won is not None else "already", _item(row), queued)

    def begin_edit(self, platform: str, chat_id: str, user_id: str, article_id: int) -> None:
        """This editor's next message in this chat is the story's new summary."""
        with self.db.transaction() as conn:
            conn.execute(
                """
                INSERT INTO review_edits (platform, chat_id, user_id, article_id, at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (platform, chat_id, user_id) DO UPDATE
                    SET article_id = excluded.article_id, at = excluded.at
                """,
                (platform, chat_id, user_id, article_id, now()),
            )

    def take_edit(self, platform: str, chat_id: str, user_id: str) -> int | None:
        """The story this editor's message is the summary of, if one was asked for (once)."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "DELETE FROM review_edits WHERE platform = ? AND chat_id = ? AND user_id = ? "
                "RETURNING article_id",
                (platform, chat_id, user_id),
            ).fetchone()
        return int(row[0]) if row else None
