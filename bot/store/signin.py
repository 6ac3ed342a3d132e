"""The dashboard's one-time sign-in links and browser sessions.

Only the SHA-256 of a token is stored, so a copy of the database opens no dashboard. A
link is spent in the same transaction that opens its session: two browsers racing with
one link get one session between them.
"""

from __future__ import annotations

from bot.core.dashboard import Redeemed, Session
from bot.store.db import Connection, Database, now


class SignInStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add_link(
        self, token_hash: str, actor: str, platform: str, user_id: str, expires_at: float
    ) -> None:
        """A new link; links and sessions long dead are forgotten at the same time."""
        at = now()
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM dashboard_links WHERE expires_at < ?", (at - 86_400,))
            conn.execute("DELETE FROM dashboard_sessions WHERE expires_at < ?", (at,))
            conn.execute(
                "INSERT INTO dashboard_links "
                "(token_hash, actor, platform, user_id, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (token_hash, actor, platform, user_id, at, expires_at),
            )

    def peek_link(self, token_hash: str, at: float) -> Redeemed:
        """What the link would come to now, without spending it (the page before the button)."""
        with self.db.reading() as conn:
            return _state(conn, token_hash, at)

    def redeem(
        self, token_hash: str, session_hash: str, session_expires_at: float, at: float
    ) -> Redeemed:
        """Spend the link and open its session, or say why not ("used", "expired", "unknown")."""
        with self.db.transaction() as conn:
            won = conn.execute(
                "UPDATE dashboard_links SET used_at = ? "
                "WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? "
                "RETURNING actor, platform, user_id",
                (at, token_hash, at),
            ).fetchone()
            if won is None:
                return _state(conn, token_hash, at)
            conn.execute(
                "INSERT INTO dashboard_sessions "
                "(session_hash, actor, platform, user_id, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (
                    session_hash,
                    won["actor"],
                    won["platform"],
                    won["user_id"],
                    at,
                    session_expires_at,
                ),
            )
        return Redeemed("ok", won["actor"], won["platform"], won["user_id"])

    def session(self, session_hash: str, at: float) -> Session | None:
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT actor, platform, user_id, expires_at FROM dashboard_sessions "
                "WHERE session_hash = ? AND expires_at > ?",
                (session_hash, at),
            ).fetchone()
        if row is None:
            return None
        return Session(row["actor"], row["platform"], row["user_id"], float(row["expires_at"]))

    def end_session(self, session_hash: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM dashboard_sessions WHERE session_hash = ?", (session_hash,))


def _state(conn: Connection, token_hash: str, at: float) -> Redeemed:
    row = conn.execute(
        "SELECT actor, platform, user_id, expires_at, used_at FROM dashboard_links "
        "WHERE token_hash = ?",
        (token_hash,),
    ).fetchone()
    if row is None:
        return Redeemed("unknown")
    if row["used_at"] is not None:
        return Redeemed("used")
    if float(row["expires_at"]) <= at:
        return Redeemed("expired")
    return Redeemed("ok", row["actor"], row["platform"], row["user_id"])
