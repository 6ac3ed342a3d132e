"""Broadcasts: an admin's message to every active chat, through the outbox like a story.

A draft has no delivery rows, so nothing goes out before an admin confirms it; the
confirmation queues one row per active chat, once.
"""

from __future__ import annotations

from bot.core.records import Audience, BroadcastConfirmation
from bot.store.db import Database, now
from bot.store.fanout import refresh_plans

DRAFT_SECONDS = 3600.0


class BroadcastStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def audience(self) -> Audience:
        """Every active chat: readers, groups and channels, on every platform."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT platform, COUNT(*) FROM chats WHERE active = 1 GROUP BY platform"
            ).fetchall()
        return Audience({row[0]: int(row[1]) for row in rows})

    def draft(self, text: str, author: str) -> int:
        with self.db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO broadcasts (text, author, created_at) VALUES (?, ?, ?)",
                (text, author, now()),
            )
            return int(cursor.lastrowid or 0)

    def confirm(self, broadcast_id: int, author: str) -> BroadcastConfirmation:
        """Queue the draft for every active chat, once: a second tap finds it queued already."""
        at = now()
        with self.db.transaction() as conn:
            row = conn.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()
            if row is None:
                return BroadcastConfirmation("missing")
            if row["author"] != author:
                return BroadcastConfirmation("not_author")
            queued = conn.execute(
                "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
            ).fetchone()[0]
            if queued:
                return BroadcastConfirmation("already", int(queued), row["text"])
            if at - float(row["created_at"]) > DRAFT_SECONDS:
                return BroadcastConfirmation("expired", text=row["text"])
            queued = conn.execute(
                "INSERT OR IGNORE INTO deliveries (broadcast_id, chat_ref, due_at, created_at) "
                "SELECT ?, id, ?, ? FROM chats WHERE active = 1",
                (broadcast_id, at, at),
            ).rowcount
        refresh_plans(self.db, queued)
        return BroadcastConfirmation("queued", queued, row["text"])

    def cancel(self, broadcast_id: int, author: str) -> bool:
        """Drop a draft nobody confirmed; a queued broadcast is not touched."""
        with self.db.transaction() as conn:
            dropped = conn.execute(
                "DELETE FROM broadcasts WHERE id = ? AND author = ? AND NOT EXISTS "
                "(SELECT 1 FROM deliveries WHERE broadcast_id = broadcasts.id)",
                (broadcast_id, author),
            )
            return dropped.rowcount > 0
