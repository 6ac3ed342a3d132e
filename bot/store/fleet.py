"""What the processes of one fleet share beyond the outbox: who is running, and each bot
token's send pace.

Telegram's and Zalo's limits are per bot token, not per process, so every sender for one
token takes its send slots from one row (`send_pace`, a lane): a reservation moves the
lane's next free slot on by `count` intervals and says how long until the first one. The
times are the database's own clock, so senders on machines whose clocks disagree still
leave a whole interval apart; a 429 heard by one sender moves `paused_until`, which every
other sender sees at its next reservation.
"""

from __future__ import annotations

from bot.core.records import FleetProcess
from bot.store.db import Connection, Database, now


def _clock(conn: Connection) -> str:
    """The database's clock, in seconds since the epoch, as SQL."""
    if conn.dialect.name == "postgresql":
        return "EXTRACT(EPOCH FROM clock_timestamp())::float8"
    return "((julianday('now') - 2440587.5) * 86400.0)"


def _greatest(conn: Connection) -> str:
    return "GREATEST" if conn.dialect.name == "postgresql" else "MAX"


class FleetStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- processes -------------------------------------------------------------------

    def join(self, holder: str, role: str, host: str, pid: int) -> None:
        at = now()
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO processes (holder, role, host, pid, started_at, seen_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (holder) DO UPDATE SET "
                "role = excluded.role, seen_at = excluded.seen_at",
                (holder, role, host, pid, at, at),
            )

    def beat(self, holder: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("UPDATE processes SET seen_at = ? WHERE holder = ?", (now(), holder))

    def leave(self, holder: str) -> None:
        with self.db.transaction() as conn:
            conn.execute("DELETE FROM processes WHERE holder = ?", (holder,))

    def processes(self, seen_after: float) -> list[FleetProcess]:
        """Processes seen since `seen_after`, and any holding a lease, with what they hold."""
        with self.db.reading() as conn:
            rows = conn.execute(
                """
                SELECT h.holder, p.role, p.host, p.pid, p.started_at, p.seen_at,
                       h.held, h.lease_until
                FROM (
                    SELECT holder, COUNT(*) AS held, MAX(lease_until) AS lease_until
                    FROM deliveries WHERE status = 'sending' AND holder IS NOT NULL
                    GROUP BY holder
                    UNION ALL
                    SELECT holder, 0 AS held, NULL AS lease_until FROM processes
                    WHERE seen_at >= ? AND holder NOT IN (
                        SELECT holder FROM deliveries
                        WHERE status = 'sending' AND holder IS NOT NULL)
                ) h LEFT JOIN processes p ON p.holder = h.holder
                ORDER BY p.started_at, h.holder
                """,
                (seen_after,),
            ).fetchall()
        return [
            FleetProcess(
                holder=row[0],
                role=row[1] or "?",
                host=row[2] or "?",
                pid=int(row[3] or 0),
                started_at=row[4],
                seen_at=row[5],
                held=int(row[6]),
                lease_until=row[7],
            )
            for row in rows
        ]

    # ---- the shared send pace --------------------------------------------------------

    def reserve(self, lane: str, count: int, interval: float) -> tuple[float, float]:
        """`count` send slots `interval` apart on `lane`: (seconds until the first, seconds
        of pause still in force). The slots are this caller's; unused ones are lost."""
        with self.db.transaction() as conn:
            clock, greatest = _clock(conn), _greatest(conn)
            conn.execute(
                "INSERT INTO send_pace (lane, next_slot, paused_until) VALUES (?, 0, 0) "
                "ON CONFLICT (lane) DO NOTHING",
                (lane,),
            )
            row = conn.execute(
                f"UPDATE send_pace SET next_slot = "
                f"{greatest}(next_slot, paused_until, {clock}) + :span "
                f"WHERE lane = :lane "
                f"RETURNING next_slot - :span - {clock}, paused_until - {clock}",
                {"lane": lane, "span": count * interval},
            ).fetchone()
        return max(0.0, float(row[0])), max(0.0, float(row[1]))

    def pause(self, lane: str, seconds: float) -> None:
        """A 429 on this lane: no sender of the fleet sends before `seconds` from now."""
        with self.db.transaction() as conn:
            clock, greatest = _clock(conn), _greatest(conn)
            conn.execute(
                "INSERT INTO send_pace (lane, next_slot, paused_until) VALUES (?, 0, 0) "
                "ON CONFLICT (lane) DO NOTHING",
                (lane,),
            )
            conn.execute(
                f"UPDATE send_pace SET paused_until = {greatest}(paused_until, {clock} + ?) "
                f"WHERE lane = ?",
                (seconds, lane),
            )
