"""How long the outbox remembers: sent rows go after `[storage] keep_deliveries_days`.

A sent row is what /correct and /retract need (the message id of a story in a chat), so
the rows of the newest stories are kept whatever their age; rows still pending or in
flight are never pruned.
"""

from __future__ import annotations

from bot.store.db import Database

KEEP_LATEST_STORIES = 200
_BATCH = 50_000


class OutboxRetention:
    def __init__(self, db: Database) -> None:
        self.db = db

    def prune_deliveries(self, before: float, keep_latest_stories: int = 200) -> int:
        """Delete finished rows (sent, failed, cancelled) older than `before`, in batches so
        a long outbox does not hold the writer; the newest stories' rows stay."""
        removed = 0
        while True:
            with self.db.transaction() as conn:
                count = conn.execute(
                    """
                    DELETE FROM deliveries WHERE id IN (
                        SELECT d.id FROM deliveries d
                        WHERE d.status IN ('sent', 'failed', 'cancelled')
                          AND COALESCE(d.sent_at, d.created_at) < :before
                          AND (d.article_id IS NULL OR d.article_id NOT IN (
                              SELECT newest.id FROM (
                                  SELECT id FROM articles ORDER BY id DESC LIMIT :keep
                              ) newest
                          ))
                        LIMIT :batch
                    )
                    """,
                    {"before": before, "keep": keep_latest_stories, "batch": _BATCH},
                ).rowcount
            removed += count
            if count < _BATCH:
                return removed
