"""Chats (private, group, channel), their settings and their subscriptions."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.records import Chat, Subscription
from bot.store.db import Connection, Database, now
from bot.store.rows import chat_from_row, feed_from_row


class ChatStore:
    def __init__(self, db: Database, timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self.db = db
        self.timezone = timezone

    def get(self, platform: str, chat_id: str) -> Chat | None:
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT * FROM chats WHERE platform = ? AND chat_id = ?", (platform, chat_id)
            ).fetchone()
        return chat_from_row(row) if row else None

    def by_ref(self, chat_ref: int) -> Chat | None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT * FROM chats WHERE id = ?", (chat_ref,)).fetchone()
        return chat_from_row(row) if row else None

    def upsert(
        self,
        platform: str,
        chat_id: str,
        *,
        kind: str = "private",
        title: str | None = None,
        language: str | None = None,
    ) -> Chat:
        """Remember a chat we heard from; its settings survive, its title and kind follow it."""
        at = now()
        with self.db.transaction() as conn:
            conn.execute(
                """
                INSERT INTO chats (platform, chat_id, kind, title, language, active, created_at,
                    changed_at)
                VALUES (?, ?, ?, ?, COALESCE(?, 'vi'), 0, ?, ?)
                ON CONFLICT (platform, chat_id) DO UPDATE SET kind = excluded.kind,
                    title = COALESCE(excluded.title, chats.title)
                """,
                (platform, chat_id, kind, title, language, at, at),
            )
            row = conn.execute(
                "SELECT * FROM chats WHERE platform = ? AND chat_id = ?", (platform, chat_id)
            ).fetchone()
        return chat_from_row(row)

    def subscribe(self, chat_ref: int, feed_ids: Sequence[int] | None = None) -> None:
        """Activate the chat; None means every feed, else exactly these feeds."""
        at = now()
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE chats SET active = 1, inactive_reason = NULL, changed_at = ? WHERE id = ?",
                (at, chat_ref),
            )
            conn.execute("DELETE FROM subscriptions WHERE chat_ref = ?", (chat_ref,))
            targets: Sequence[int | None] = [None] if feed_ids is None else feed_ids
            conn.executemany(
                "INSERT INTO subscriptions (chat_ref, feed_id, created_at) VALUES (?, ?, ?)",
                [(chat_ref, feed_id, at) for feed_id in targets],
            )

    def set_feeds(self, chat_ref: int, feed_ids: Sequence[int] | None) -> None:
        """Choose the chat's feeds (None: every feed) without turning pushes on or off.

        /settings changes what a chat receives; only /start and /stop change whether it does.
        """
        at = now()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM subscriptions WHERE chat_ref = ?", (chat_ref,))
            targets: Sequence[int | None] = [None] if feed_ids is None else feed_ids
            conn.executemany(
                "INSERT INTO subscriptions (chat_ref, feed_id, created_at) VALUES (?, ?, ?)",
                [(chat_ref, feed_id, at) for feed_id in dict.fromkeys(targets)],
            )

    def unsubscribe(self, chat_ref: int, reason: str = "unsubscribed") -> None:
        """Stop pushes to this chat; what was still queued for it is cancelled."""
        self.deactivate(chat_ref, reason)

    def deactivate(self, chat_ref: int, reason: str) -> None:
        with self.db.transaction() as conn:
            deactivate_chat(conn, chat_ref, reason)

    def subscription(self, chat_ref: int) -> Subscription:
        """Every feed and the chat's choice among them, read together."""
        with self.db.reading() as conn:
            feeds = conn.execute("SELECT * FROM feeds ORDER BY id").fetchall()
            chosen = self.subscribed_feeds(chat_ref)
        return Subscription([feed_from_row(row) for row in feeds], chosen)

    def subscribed_feeds(self, chat_ref: int) -> list[int | None]:
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT feed_id FROM subscriptions WHERE chat_ref = ? ORDER BY feed_id",
                (chat_ref,),
            ).fetchall()
        return [row[0] for row in rows]

    def update_settings(
        self,
        chat_ref: int,
        *,
        language: str | None = None,
        mode: str | None = None,
        digest_hour: int | None = None,
        quiet_hours: tuple[int, int] | bool | None = False,
    ) -> Chat:
        """Change only what is given; `quiet_hours=None` clears them, False leaves them."""
        with self.db.transaction() as conn:
            if language is not None:
                conn.execute("UPDATE chats SET language = ? WHERE id = ?", (language, chat_ref))
            if mode is not None:
                conn.execute("UPDATE chats SET mode = ? WHERE id = ?", (mode, chat_ref))
            if digest_hour is not None:
                conn.execute(
                    "UPDATE chats SET digest_hour = ? WHERE id = ?", (digest_hour, chat_ref)
                )
            if quiet_hours is None:
                conn.execute(
                    "UPDATE chats SET quiet_start = NULL, quiet_end = NULL WHERE id = ?",
                    (chat_ref,),
                )
            elif isinstance(quiet_hours, tuple):
                conn.execute(
                    "UPDATE chats SET quiet_start = ?, quiet_end = ? WHERE id = ?",
                    (quiet_hours[0], quiet_hours[1], chat_ref),
                )
            if mode is not None or digest_hour is not None or quiet_hours is not False:
                # What is already queued follows the new rule: a chat that leaves the digest
                # must not wait for tomorrow's digest hour behind its oldest row. Breaking
                # news and alerts (priority > 0) keep their time: they skip the digest.
                conn.execute(
                    """
                    UPDATE deliveries SET due_at = bantin_due(
                        :now, :tz, c.mode, c.digest_hour, c.quiet_start, c.quiet_end)
                    FROM chats c
                    WHERE c.id = deliveries.chat_ref AND deliveries.chat_ref = :chat
                      AND deliveries.status = 'pending' AND deliveries.priority = 0
                    """,
                    {"now": now(), "tz": self.timezone, "chat": chat_ref},
                )
            row = conn.execute("SELECT * FROM chats WHERE id = ?", (chat_ref,)).fetchone()
        return chat_from_row(row)

    def migrate(self, platform: str, old_chat_id: str, new_chat_id: str) -> Chat | None:
        """A Telegram group became a supergroup: same chat, settings and outbox, new id."""
        with self.db.transaction() as conn:
            existing = conn.execute(
                "SELECT id FROM chats WHERE platform = ? AND chat_id = ?", (platform, new_chat_id)
            ).fetchone()
            old = conn.execute(
                "SELECT id FROM chats WHERE platform = ? AND chat_id = ?", (platform, old_chat_id)
            ).fetchone()
            if old is None:
                return None
            if existing is not None:
                # Both ids are known: keep the old row (it has the history), drop the new one.
                conn.execute("DELETE FROM chats WHERE id = ?", (existing["id"],))
            conn.execute(
                "UPDATE chats SET chat_id = ?, kind = 'supergroup', changed_at = ? WHERE id = ?",
                (new_chat_id, now(), old["id"]),
            )
            row = conn.execute("SELECT * FROM chats WHERE id = ?", (old["id"],)).fetchone()
        return chat_from_row(row)

    def sync_channels(self, platform: str, chat_ids: Sequence[str]) -> None:
        """Configured channels get every story unless an admin routed feeds to them."""
        at = now()
        with self.db.transaction() as conn:
            for chat_id in chat_ids:
                conn.execute(
                    """
                    INSERT INTO chats (platform, chat_id, kind, is_channel, active, created_at,
                        changed_at)
                    VALUES (?, ?, 'channel', 1, 1, ?, ?)
                    ON CONFLICT (platform, chat_id) DO UPDATE SET is_channel = 1
                    """,
                    (platform, chat_id, at, at),
                )
                conn.execute(
                    """
                    INSERT INTO subscriptions (chat_ref, feed_id, created_at)
                    SELECT c.id, NULL, ? FROM chats c
                    WHERE c.platform = ? AND c.chat_id = ?
                      AND NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.chat_ref = c.id)
                    """,
                    (at, platform, chat_id),
                )

    def channels(self, platform: str | None = None) -> list[Chat]:
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT * FROM chats WHERE is_channel = 1 AND (? IS NULL OR platform = ?) "
                "ORDER BY id",
                (platform, platform),
            ).fetchall()
        return [chat_from_row(row) for row in rows]

    def add_channel(self, platform: str, chat_id: str, kind: str, title: str | None) -> Chat:
        """One transaction: the chat exists, is a channel, is active, gets every feed by default.

        A channel that had routes keeps them (it was removed and is added back).
        """
        at = now()
        with self.db.transaction() as conn:
            conn.execute(
                """
                INSERT INTO chats (platform, chat_id, kind, title, is_channel, active, created_at,
                    changed_at)
                VALUES (?, ?, ?, ?, 1, 1, ?, ?)
                ON CONFLICT (platform, chat_id) DO UPDATE SET is_channel = 1, active = 1,
                    inactive_reason = NULL, kind = excluded.kind,
                    title = COALESCE(excluded.title, chats.title), changed_at = excluded.changed_at
                """,
                (platform, chat_id, kind, title, at, at),
            )
            row = conn.execute(
                "SELECT * FROM chats WHERE platform = ? AND chat_id = ?", (platform, chat_id)
            ).fetchone()
            conn.execute(
                "INSERT INTO subscriptions (chat_ref, feed_id, created_at) SELECT ?, NULL, ? "
                "WHERE NOT EXISTS (SELECT 1 FROM subscriptions WHERE chat_ref = ?)",
                (row["id"], at, row["id"]),
            )
        return chat_from_row(row)

    def remove_channel(self, chat_ref: int, reason: str) -> None:
        """No longer a channel and no longer pushed to; what was queued for it is cancelled."""
        with self.db.transaction() as conn:
            deactivate_chat(conn, chat_ref, reason)
            conn.execute(
                "UPDATE chats SET is_channel = 0, changed_at = ? WHERE id = ?", (now(), chat_ref)
            )

    def channel_routes(self, chat_ref: int) -> list[str]:
        """Names of the feeds routed to a channel; ["*"] for every feed."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT s.feed_id, f.name FROM subscriptions s "
                "LEFT JOIN feeds f ON f.id = s.feed_id WHERE s.chat_ref = ? ORDER BY s.feed_id",
                (chat_ref,),
            ).fetchall()
        return ["*" if row[0] is None else str(row[1]) for row in rows]


def deactivate_chat(conn: Connection, chat_ref: int, reason: str) -> None:
    """Inside the caller's transaction: no more pushes, and what was queued is cancelled."""
    conn.execute(
        "UPDATE chats SET active = 0, inactive_reason = ?, changed_at = ? WHERE id = ?",
        (reason, now(), chat_ref),
    )
    conn.execute(
        "UPDATE deliveries SET status = 'cancelled', last_error = ? "
        "WHERE chat_ref = ? AND status = 'pending'",
        (reason, chat_ref),
    )
