"""The audit log: who did what to the newsroom, when, and how it ended.

Every admin action, from chat or from the shell, leaves one row; `bantin audit` prints
them. Rows are only ever appended.
"""

from __future__ import annotations

from bot.core.records import AuditEntry
from bot.store.db import Database, now


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def record(self, actor: str, action: str, detail: str, result: str) -> int:
        with self.db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO audit_log (at, actor, action, detail, result) VALUES (?, ?, ?, ?, ?) "
                "RETURNING id",
                (now(), actor, action, detail, result),
            ).fetchone()
            return int(row[0])

    def recent(
        self, limit: int = 50, *, since: float | None = None, actor: str | None = None
    ) -> list[AuditEntry]:
        """Newest last, so a terminal shows the latest line at the bottom."""
        with self.db.reading() as conn:
            rows = conn.execute(
                """
                SELECT * FROM (
                    SELECT * FROM audit_log
                    WHERE (:since IS NULL OR at >= :since) AND (:actor IS NULL OR actor = :actor)
                    ORDER BY id DESC LIMIT :limit
                ) AS recent ORDER BY id
                """,
                {"since": since, "actor": actor, "limit": limit},
            ).fetchall()
        return [
            AuditEntry(
                id=row["id"],
                at=row["at"],
                actor=row["actor"],
                action=row["action"],
                detail=row["detail"],
                result=row["result"],
            )
            for row in rows
        ]
