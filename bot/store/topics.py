"""A forum chat's routes: which of its stories go to which topic (Telegram's threads).

A delivery row stays one per (story, chat); the topic is looked up when the message is
built, so the outbox needs no column of its own. A feed goes to one topic of a chat at a
time (routing it again moves it); a route for every feed (`feed_id` NULL) takes what no
feed route claims. A closed or deleted topic deactivates its routes: the chat's stories
then go where its other stories go, and the route stays listed with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.records import TopicRoute
from bot.store.db import Database, now


class TopicStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def route(self, chat_ref: int, thread_id: int, feed_ids: Sequence[int] | None) -> None:
        """These feeds (None: every story) go to this topic, moved from any other topic."""
        keys: list[int | None] = [None] if feed_ids is None else [*sorted(set(feed_ids))]
        with self.db.transaction() as conn:
            for feed_id in keys:
                conn.execute(
                    "DELETE FROM topic_routes WHERE chat_ref = ? AND "
                    + ("feed_id IS NULL" if feed_id is None else "feed_id = ?"),
                    (chat_ref,) if feed_id is None else (chat_ref, feed_id),
                )
                conn.execute(
                    "INSERT INTO topic_routes (chat_ref, thread_id, feed_id, active, created_at) "
                    "VALUES (?, ?, ?, 1, ?)",
                    (chat_ref, thread_id, feed_id, now()),
                )

    def of_chat(self, chat_ref: int) -> list[TopicRoute]:
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT r.chat_ref, r.thread_id, r.feed_id, f.name AS feed_name, r.active, "
                "r.inactive_reason FROM topic_routes r LEFT JOIN feeds f ON f.id = r.feed_id "
                "WHERE r.chat_ref = ? ORDER BY r.thread_id, r.feed_id IS NOT NULL, f.name",
                (chat_ref,),
            ).fetchall()
        return [
            TopicRoute(
                chat_ref=row["chat_ref"],
                thread_id=row["thread_id"],
                feed_id=row["feed_id"],
                feed_name=row["feed_name"],
                active=bool(row["active"]),
                inactive_reason=row["inactive_reason"],
            )
            for row in rows
        ]

    def remove(self, chat_ref: int, thread_id: int) -> int:
        """`/route off` in a topic: it gets nothing routed any more."""
        with self.db.transaction() as conn:
            return conn.execute(
                "DELETE FROM topic_routes WHERE chat_ref = ? AND thread_id = ?",
                (chat_ref, thread_id),
            ).rowcount

    def thread_for(self, chat_ref: int, feed_ids: Sequence[int]) -> int | None:
        """The topic for a message carrying stories of these feeds: the feed's own route
        when they share one feed, else the chat's route for every story, else None."""
        distinct = set(feed_ids)
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT thread_id, feed_id FROM topic_routes WHERE chat_ref = ? AND active = 1",
                (chat_ref,),
            ).fetchall()
        routes: dict[int | None, int] = {row["feed_id"]: row["thread_id"] for row in rows}
        if len(distinct) == 1:
            (feed_id,) = distinct
            if feed_id in routes:
                return routes[feed_id]
        return routes.get(None)

    def deactivate(self, chat_ref: int, thread_id: int, reason: str) -> int:
        """The topic is closed or gone: its routes stop (kept, with the reason, for /route).

        Returns how many routes were active: 0 means another send already did it."""
        with self.db.transaction() as conn:
            return conn.execute(
                "UPDATE topic_routes SET active = 0, inactive_reason = ?, changed_at = ? "
                "WHERE chat_ref = ? AND thread_id = ? AND active = 1",
                (reason, now(), chat_ref, thread_id),
            ).rowcount
