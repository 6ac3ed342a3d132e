"""The few writes only admin operations make, each one transaction on the outbox's terms.

They live here rather than in the shared store modules because nothing else needs them;
they go through `Database.transaction()` like every other write.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.records import Chat
from bot.store import Store
from bot.store.articles import enqueue_article
from bot.store.db import now
from bot.store.rows import chat_from_row

DRAFT_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Audience:
    by_platform: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_platform.values())


def audience(store: Store) -> Audience:
    """Every active chat: readers, groups and channels, on every platform."""
    with store.db.reading() as conn:
        rows = conn.execute(
            "SELECT platform, COUNT(*) FROM chats WHERE active = 1 GROUP BY platform"
        ).fetchall()
    return Audience({row[0]: int(row[1]) for row in rows})


def draft_broadcast(store: Store, text: str, author: str) -> int:
    """A broadcast row with no deliveries yet: nothing goes out before confirmation."""
    with store.db.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO broadcasts (text, author, created_at) VALUES (?, ?, ?)",
            (text, author, now()),
        )
        return int(cursor.lastrowid or 0)


@dataclass(frozen=True, slots=True)
class Confirmed:
    status: str  # "queued" | "already" | "missing" | "expired" | "not_author"
    queued: int = 0
    text: str = ""


def confirm_broadcast(store: Store, broadcast_id: int, author: str) -> Confirmed:
    """Queue the draft for every active chat, once: a second tap finds it queued already."""
    at = now()
    with store.db.transaction() as conn:
        row = conn.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()
        if row is None:
            return Confirmed("missing")
        if row["author"] != author:
            return Confirmed("not_author")
        queued = conn.execute(
            "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
        ).fetchone()[0]
        if queued:
            return Confirmed("already", int(queued), row["text"])
        if at - float(row["created_at"]) > DRAFT_SECONDS:
            return Confirmed("expired", text=row["text"])
        cursor = conn.execute(
            "INSERT OR IGNORE INTO deliveries (broadcast_id, chat_ref, due_at, created_at) "
            "SELECT ?, id, ?, ? FROM chats WHERE active = 1",
            (broadcast_id, at, at),
        )
        return Confirmed("queued", cursor.rowcount, row["text"])


def cancel_broadcast(store: Store, broadcast_id: int, author: str) -> bool:
    """Drop a draft nobody confirmed; a queued broadcast is not touched."""
    with store.db.transaction() as conn:
        return (
            conn.execute(
                "DELETE FROM broadcasts WHERE id = ? AND author = ? AND NOT EXISTS "
                "(SELECT 1 FROM deliveries WHERE broadcast_id = broadcasts.id)",
                (broadcast_id, author),
            ).rowcount
            > 0
        )


@dataclass(frozen=True, slots=True)
class Reposted:
    new: int
    requeued: int
    already_sent: int


def post_again(store: Store, article_id: int, feed_id: int | None) -> Reposted:
    """Queue a stored story for every subscribed chat that does not have it yet.

    A chat that got it keeps its message (one row per story and chat); a row that failed or
    was cancelled goes back to the queue.
    """
    at = now()
    with store.db.transaction() as conn:
        new = enqueue_article(conn, article_id, feed_id, at, store.timezone)
        requeued = conn.execute(
            """
            UPDATE deliveries SET status = 'pending', due_at = ?, attempts = 0, last_error = NULL
            WHERE article_id = ? AND status IN ('failed', 'cancelled')
              AND chat_ref IN (SELECT id FROM chats WHERE active = 1)
            """,
            (at, article_id),
        ).rowcount
        sent = conn.execute(
            "SELECT COUNT(*) FROM deliveries WHERE article_id = ? AND status = 'sent'",
            (article_id,),
        ).fetchone()[0]
    return Reposted(new=new, requeued=requeued, already_sent=int(sent))


def cancel_pending(store: Store, article_id: int, reason: str) -> int:
    """Stop what has not gone out yet for a retracted story."""
    with store.db.transaction() as conn:
        return conn.execute(
            "UPDATE deliveries SET status = 'cancelled', last_error = ? "
            "WHERE article_id = ? AND status = 'pending'",
            (reason, article_id),
        ).rowcount


def note_retracted(store: Store, article_id: int, chat_refs: list[int], reason: str) -> None:
    """The row stays 'sent' (it was), with a note that its message was deleted."""
    if not chat_refs:
        return
    marks = ",".join("?" * len(chat_refs))
    with store.db.transaction() as conn:
        conn.execute(
            f"UPDATE deliveries SET last_error = ? WHERE article_id = ? AND status = 'sent' "
            f"AND chat_ref IN ({marks})",
            [reason, article_id, *chat_refs],
        )


def channel_routes(store: Store, chat: Chat) -> list[str]:
    """Names of the feeds routed to a channel; ["*"] for every feed."""
    with store.db.reading() as conn:
        rows = conn.execute(
            "SELECT s.feed_id, f.name FROM subscriptions s LEFT JOIN feeds f ON f.id = s.feed_id "
            "WHERE s.chat_ref = ? ORDER BY s.feed_id",
            (chat.id,),
        ).fetchall()
    return ["*" if row[0] is None else str(row[1]) for row in rows]


def add_channel(store: Store, platform: str, chat_id: str, kind: str, title: str | None) -> Chat:
    """One transaction: the chat exists, is a channel, is active, gets every feed by default.

    A channel that had routes keeps them (it was removed and is added back).
    """
    at = now()
    with store.db.transaction() as conn:
        conn.execute(
            """
            INSERT INTO chats (platform, chat_id, kind, title, is_channel, active, created_at,
                changed_at)
            VALUES (?, ?, ?, ?, 1, 1, ?, ?)
            ON CONFLICT (platform, chat_id) DO UPDATE SET is_channel = 1, active = 1,
                inactive_reason = NULL, kind = excluded.kind,
                title = COALESCE(excluded.title, title), changed_at = excluded.changed_at
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


def remove_channel(store: Store, chat_ref: int, reason: str) -> None:
    """No longer a channel and no longer pushed to; what was queued for it is cancelled."""
    store.sync.chats.deactivate(chat_ref, reason)
    store.sync.chats.set_channel(chat_ref, False)
