"""The outbox: claim what is due, record what happened. The outbox is the truth.

A claim is a lease: the row names its holder (a process, `bot.fleet`) and the time its
claim lasts; the holder renews it while it runs. Rows whose lease ran out belong to a
process that died, and only those go back to the queue (`requeue_in_flight`).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.records import Article, Chat, Delivery
from bot.store.chats import deactivate_chat
from bot.store.db import Connection, Database, now
from bot.store.rows import article_from_row, chat_from_row
from bot.store.search import ARTICLE_COLUMNS

# How long a claim lasts unless its holder renews it (a live worker does, every third of
# it): the time after a process dies before another sends what it held.
LEASE_SECONDS = 60.0


class DeliveryStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(
        self,
        platform: str,
        limit: int,
        at: float | None = None,
        *,
        holder: str = "",
        lease_seconds: float = LEASE_SECONDS,
    ) -> list[Delivery]:
        """Mark up to `limit` due rows as sending, held by `holder`, at most one per chat.

        A chat's next row is its oldest story still pending, and only when nothing is in
        flight for that chat and its last send is far enough behind (`pace_until`, shared
        by every sender): that keeps every chat in publication order even when an earlier
        send is waiting to be retried. Priority comes before order: breaking news (2), then
        a reader's alerts (1), overtake everything else queued (0).
        """
        at = now() if at is None else at
        # `+d.due_at` keeps the planner on the claim index, which yields rows in claim
        # order: without statistics (SQLite has none unless analyzed; PostgreSQL until
        # autovacuum has seen a big push) it took the (status, due_at) index and sorted
        # every pending row, 2.8 s a claim at 1,000,000 (bench/fanout.py --database).
        with self.db.transaction() as conn:
            rows = conn.execute(
                """
                SELECT d.id FROM deliveries d
                JOIN chats c ON c.id = d.chat_ref
                LEFT JOIN articles a ON a.id = d.article_id
                WHERE d.status = 'pending' AND +d.due_at <= :now
                  AND c.platform = :platform AND c.active = 1
                  AND (c.pace_until IS NULL OR c.pace_until <= :now)
                  AND NOT EXISTS (
                      SELECT 1 FROM deliveries busy
                      WHERE busy.chat_ref = d.chat_ref AND busy.status = 'sending'
                  )
                  AND NOT EXISTS (
                      SELECT 1 FROM deliveries older
                      LEFT JOIN articles oa ON oa.id = older.article_id
                      WHERE older.chat_ref = d.chat_ref AND older.status = 'pending'
                        AND (older.priority > d.priority OR (older.priority = d.priority
                          AND (COALESCE(oa.published_at, oa.fetched_at, older.created_at),
                            older.id)
                          < (COALESCE(a.published_at, a.fetched_at, d.created_at), d.id)))
                  )
                ORDER BY d.priority DESC, d.due_at, d.id LIMIT :limit
                """
                + conn.dialect.claim_chat_lock,
                {"platform": platform, "now": at, "limit": limit},
            ).fetchall()
            return _mark_sending(conn, [row[0] for row in rows], at, holder, lease_seconds)

    def claim_digest(
        self,
        delivery_id: int,
        limit: int = 30,
        at: float | None = None,
        *,
        holder: str = "",
        lease_seconds: float = LEASE_SECONDS,
    ) -> list[Delivery]:
        """The other stories due for a digest chat with this claimed row, marked as sending.

        A digest chat's rows share the chat's digest hour as their due time; they go out
        as one message, oldest story first. The claimed row itself is not returned.
        """
        at = now() if at is None else at
        with self.db.transaction() as conn:
            rows = conn.execute(
                """
                SELECT d.id FROM deliveries d
                JOIN deliveries claimed ON claimed.id = :claimed
                LEFT JOIN articles a ON a.id = d.article_id
                WHERE d.chat_ref = claimed.chat_ref AND d.status = 'pending'
                  AND d.article_id IS NOT NULL AND d.due_at <= :now
                ORDER BY COALESCE(a.published_at, a.fetched_at, d.created_at), d.id
                LIMIT :limit
                """
                + conn.dialect.claim_lock,
                {"claimed": delivery_id, "now": at, "limit": limit},
            ).fetchall()
            return _mark_sending(conn, [row[0] for row in rows], at, holder, lease_seconds)

    def mark_sent(self, delivery_id: int, message_id: str | None) -> None:
        self.mark_sent_many([delivery_id], message_id)

    def renew_leases(self, holder: str, until: float) -> int:
        """A live holder keeps its rows: their leases now last until `until`."""
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE deliveries SET lease_until = ? WHERE holder = ? AND status = 'sending'",
                (until, holder),
            ).rowcount

    def retry_later(
        self, delivery_id: int, due_at: float, error: str, *, count: bool = True
    ) -> None:
        self.retry_later_many([delivery_id], due_at, error, count=count)

    def mark_failed(self, delivery_id: int, error: str) -> None:
        self.mark_failed_many([delivery_id], error)

    def release(self, delivery_ids: Sequence[int]) -> None:
        """Give back rows claimed but not sent (shutdown): they go out on the next start."""
        if not delivery_ids:
            return
        marks = ",".join("?" * len(delivery_ids))
        with self.db.transaction() as conn:
            conn.execute(
                f"UPDATE deliveries SET status = 'pending', attempts = attempts - 1, "
                f"holder = NULL, lease_until = NULL "
                f"WHERE status = 'sending' AND id IN ({marks})",
                list(delivery_ids),
            )

    def requeue_in_flight(self, at: float | None = None, *, expired_only: bool = True) -> int:
        """Rows a dead process left 'sending' may or may not have arrived: send them again,
        counted as unknown outcomes from their claim (`retry_unknown_many`).

        Only rows whose lease ran out are taken, never a live process's; `expired_only=False`
        is for the one process that knows no other can be running (the SQLite run lock).
        """
        at = now() if at is None else at
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE deliveries SET status = 'pending', last_error = 'in flight at a crash', "
                "ambiguous = ambiguous + 1, "
                "ambiguous_since = COALESCE(ambiguous_since, claimed_at), "
                "holder = NULL, lease_until = NULL "
                "WHERE status = 'sending' AND (? = 0 OR lease_until IS NULL OR lease_until < ?)",
                (1 if expired_only else 0, at),
            ).rowcount

    def sent_messages(self, article_id: int) -> list[tuple[Chat, str]]:
        """Where a story was delivered, with the platform's message id (for edits, deletes)."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT c.*, d.message_id FROM deliveries d JOIN chats c ON c.id = d.chat_ref "
                "WHERE d.article_id = ? AND d.status = 'sent' AND d.message_id IS NOT NULL",
                (article_id,),
            ).fetchall()
        return [(chat_from_row(row), row["message_id"]) for row in rows]

    def counts(self) -> dict[str, int]:
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT status, COUNT(*) FROM deliveries GROUP BY status"
            ).fetchall()
        return {row[0]: row[1] for row in rows}

    def pending_count(self, platform: str | None = None) -> int:
        with self.db.reading() as conn:
            return int(
                conn.execute(
                    "SELECT COUNT(*) FROM deliveries d JOIN chats c ON c.id = d.chat_ref "
                    "WHERE d.status IN ('pending', 'sending') AND (? IS NULL OR c.platform = ?)",
                    (platform, platform),
                ).fetchone()[0]
            )

    # ---- one job's outcome, in one transaction ------------------------------------------
    # A job (a story card, or a digest of up to 30 rows) is one message: its rows must
    # change together, or a crash midway leaves some 'sent' and others 'sending' for
    # `requeue_in_flight` to send again.

    def mark_sent_many(
        self,
        delivery_ids: Sequence[int],
        message_id: str | None,
        *,
        chat_pause: float = 0.0,
    ) -> None:
        """These rows went out as one message (`message_id`): all of them are sent. The
        chat's next send waits `chat_pause` seconds, whichever sender claims it."""
        self.mark_sent_batch([(delivery_ids, message_id, chat_pause)])

    def mark_sent_batch(self, sends: Sequence[tuple[Sequence[int], str | None, float]]) -> None:
        """Many sends' marks in one transaction (the worker's group commit): one commit,
        one fsync, for every send that finished while the previous commit ran. Each is
        (rows, message id, chat pause), as `mark_sent_many` takes them."""
        if not sends:
            return
        at = now()
        with self.db.transaction() as conn:
            for delivery_ids, message_id, chat_pause in sends:
                if not delivery_ids:
                    continue
                marks = ",".join("?" * len(delivery_ids))
                conn.execute(
                    f"UPDATE deliveries SET status = 'sent', sent_at = ?, message_id = ?, "
                    f"last_error = NULL WHERE id IN ({marks})",
                    [at, message_id, *delivery_ids],
                )
                if chat_pause > 0:
                    conn.execute(
                        "UPDATE chats SET pace_until = ? "
                        "WHERE id = (SELECT chat_ref FROM deliveries WHERE id = ?)",
                        (at + chat_pause, delivery_ids[0]),
                    )

    def mark_failed_many(self, delivery_ids: Sequence[int], error: str) -> None:
        if not delivery_ids:
            return
        marks = ",".join("?" * len(delivery_ids))
        with self.db.transaction() as conn:
            conn.execute(
                f"UPDATE deliveries SET status = 'failed', last_error = ? WHERE id IN ({marks})",
                [error, *delivery_ids],
            )

    def retry_later_many(
        self, delivery_ids: Sequence[int], due_at: float, error: str, *, count: bool = True
    ) -> None:
        """Back to the queue together; `count=False` for waits not the rows' fault (429)."""
        if not delivery_ids:
            return
        marks = ",".join("?" * len(delivery_ids))
        with self.db.transaction() as conn:
            conn.execute(
                f"UPDATE deliveries SET status = 'pending', due_at = ?, last_error = ?, "
                f"attempts = attempts - ? WHERE id IN ({marks})",
                [due_at, error, 0 if count else 1, *delivery_ids],
            )

    def retry_unknown_many(
        self, delivery_ids: Sequence[int], due_at: float, error: str, since: float
    ) -> None:
        """Back to the queue after a send whose outcome is unknown: counted apart from
        attempts (its limit is its age), remembered with when it first happened."""
        if not delivery_ids:
            return
        marks = ",".join("?" * len(delivery_ids))
        with self.db.transaction() as conn:
            conn.execute(
                f"UPDATE deliveries SET status = 'pending', due_at = ?, last_error = ?, "
                f"attempts = attempts - 1, ambiguous = ambiguous + 1, "
                f"ambiguous_since = COALESCE(ambiguous_since, ?) WHERE id IN ({marks})",
                [due_at, error, since, *delivery_ids],
            )

    def chat_gone(self, chat_ref: int, delivery_ids: Sequence[int], reason: str) -> None:
        """The platform says the chat is gone: fail this job's rows and deactivate the chat
        (as `ChatStore.deactivate` does: inactive, its pending rows cancelled), together."""
        with self.db.transaction() as conn:
            if delivery_ids:
                marks = ",".join("?" * len(delivery_ids))
                conn.execute(
                    f"UPDATE deliveries SET status = 'failed', last_error = ? "
                    f"WHERE id IN ({marks})",
                    [reason, *delivery_ids],
                )
            deactivate_chat(conn, chat_ref, reason)

    def cancel_pending(self, article_id: int, reason: str) -> int:
        """Stop what has not gone out yet for a retracted story."""
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE deliveries SET status = 'cancelled', last_error = ? "
                "WHERE article_id = ? AND status = 'pending'",
                (reason, article_id),
            ).rowcount

    def note_retracted(self, article_id: int, chat_refs: Sequence[int], reason: str) -> None:
        """The row stays 'sent' (it was), with a note that its message was deleted."""
        if not chat_refs:
            return
        marks = ",".join("?" * len(chat_refs))
        with self.db.transaction() as conn:
            conn.execute(
                f"UPDATE deliveries SET last_error = ? WHERE article_id = ? AND status = 'sent' "
                f"AND chat_ref IN ({marks})",
                [reason, article_id, *chat_refs],
            )


def _mark_sending(
    conn: Connection, ids: list[int], at: float, holder: str, lease_seconds: float
) -> list[Delivery]:
    """Claim these rows for `holder` (inside the caller's transaction) and load them."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    conn.execute(
        f"UPDATE deliveries SET status = 'sending', claimed_at = ?, holder = ?, "
        f"lease_until = ?, attempts = attempts + 1 WHERE id IN ({marks})",
        [at, holder or None, at + lease_seconds, *ids],
    )
    return _load(conn, ids)


def _load(conn: Connection, ids: list[int]) -> list[Delivery]:
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"""
        SELECT d.id AS delivery_id, d.attempts AS delivery_attempts,
            d.message_id AS delivery_message_id, d.article_id AS delivery_article_id,
            d.alert AS delivery_alert, d.priority AS delivery_priority,
            d.ambiguous AS delivery_ambiguous, d.ambiguous_since AS delivery_ambiguous_since,
            b.text AS broadcast_text, c.*
        FROM deliveries d JOIN chats c ON c.id = d.chat_ref
        LEFT JOIN broadcasts b ON b.id = d.broadcast_id
        WHERE d.id IN ({marks}) ORDER BY d.due_at, d.id
        """,
        ids,
    ).fetchall()
    article_ids = sorted({row["delivery_article_id"] for row in rows if row["delivery_article_id"]})
    articles: dict[int, Article] = {}
    if article_ids:
        amarks = ",".join("?" * len(article_ids))
        for arow in conn.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id "
            f"WHERE a.id IN ({amarks})",
            article_ids,
        ):
            articles[arow["id"]] = article_from_row(arow)
    return [
        Delivery(
            id=row["delivery_id"],
            chat=chat_from_row(row),
            article=articles.get(row["delivery_article_id"]),
            broadcast_text=row["broadcast_text"],
            attempts=row["delivery_attempts"],
            message_id=row["delivery_message_id"],
            alert=row["delivery_alert"],
            priority=row["delivery_priority"],
            ambiguous=row["delivery_ambiguous"],
            ambiguous_since=row["delivery_ambiguous_since"],
        )
        for row in rows
    ]
