"""One story's deliveries: to the chats whose alerts it answers, then to every chat that
takes its feed and section. Written inside the caller's transaction (a poll's, a review
decision's), so a story and its outbox rows exist together or not at all."""

from __future__ import annotations

from bot.core.alerts import StoryText
from bot.core.records import StoryRecord
from bot.store.alerts import match_alerts
from bot.store.db import Connection, Database

# A push this big outdates PostgreSQL's planner statistics of the outbox until autovacuum
# catches up, a minute or more later; meanwhile each claim sorted every pending row (0.3 s
# a claim at 100,000, bench/fanout.py --database). So the push refreshes them itself.
REPLAN_AFTER = 10_000


def refresh_plans(db: Database, queued: int) -> None:
    """After `queued` new outbox rows: ANALYZE the outbox on PostgreSQL when they are many
    (SQLite's claim keeps to its index without statistics)."""
    if queued < REPLAN_AFTER:
        return
    with db.transaction() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute("ANALYZE deliveries")


# Delivery priorities, claimed highest first: breaking news, then a reader's alert (which
# also skips the digest), then everything else in publication order.
BREAKING, ALERT, NORMAL = 2, 1, 0


def enqueue_story(
    conn: Connection,
    article_id: int,
    feed_id: int | None,
    story: StoryRecord,
    at: float,
    timezone: str,
    *,
    breaking: bool = False,
) -> int:
    """A new story's deliveries: to chats whose alert it answers, then to its subscribers."""
    alerted = match_alerts(conn, StoryText(story.title, story.lead, story.body))
    queued = enqueue_alerts(conn, article_id, alerted, at, timezone, breaking=breaking)
    return queued + enqueue_article(
        conn, article_id, feed_id, at, timezone, section=story.section, breaking=breaking
    )


def enqueue_stored(conn: Connection, article_id: int, at: float, timezone: str) -> int:
    """A stored story's deliveries, as `enqueue_story` queues a new one (an approved review)."""
    row = conn.execute(
        "SELECT feed_id, title, lead, body, section, breaking FROM articles WHERE id = ?",
        (article_id,),
    ).fetchone()
    if row is None:
        return 0
    breaking = bool(row["breaking"])
    text = StoryText(row["title"] or "", row["lead"] or "", row["body"] or "")
    queued = enqueue_alerts(
        conn, article_id, match_alerts(conn, text), at, timezone, breaking=breaking
    )
    return queued + enqueue_article(
        conn, article_id, row["feed_id"], at, timezone, section=row["section"], breaking=breaking
    )


def enqueue_alerts(
    conn: Connection,
    article_id: int,
    alerted: dict[int, str],
    at: float,
    timezone: str,
    *,
    breaking: bool = False,
) -> int:
    """One row per active chat whose alert matched, due now (quiet hours as the chat wants)."""
    if not alerted:
        return 0
    cursor = conn.executemany(
        """
        INSERT INTO deliveries (article_id, chat_ref, due_at, created_at, priority, alert)
        SELECT :article, c.id,
            CASE WHEN :priority = 2 OR c.quiet_start IS NULL OR c.quiet_style = 'silent'
                 THEN :now
                 ELSE bantin_due(:now, :tz, 'instant', c.digest_hour, c.quiet_start, c.quiet_end)
            END,
            :now, :priority, :alert
        FROM chats c
        WHERE c.id = :chat AND c.active = 1
        ON CONFLICT DO NOTHING
        """,
        [
            {
                "article": article_id,
                "chat": chat_ref,
                "alert": words,
                "now": at,
                "tz": timezone,
                "priority": BREAKING if breaking else ALERT,
            }
            for chat_ref, words in alerted.items()
        ],
    )
    return max(cursor.rowcount, 0)


_IN_CHOSEN_SECTIONS = """
        AND (
            NOT EXISTS (SELECT 1 FROM chat_sections cs WHERE cs.chat_ref = c.id)
            OR EXISTS (
                SELECT 1 FROM chat_sections cs WHERE cs.chat_ref = c.id AND cs.section = :section
            )
        )
"""


def enqueue_article(
    conn: Connection,
    article_id: int,
    feed_id: int | None,
    at: float,
    timezone: str,
    *,
    section: str | None = None,
    breaking: bool = False,
) -> int:
    """One delivery row per active chat taking everything from this feed (or every feed),
    in this story's section if the chat chose sections. Breaking news skips the digest
    and quiet hours (the worker sends it silently then)."""
    # Most newsrooms' readers choose no sections: then the per-chat check is left out.
    sections = conn.execute("SELECT 1 FROM chat_sections LIMIT 1").fetchone() is not None
    cursor = conn.execute(
        """
        INSERT INTO deliveries (article_id, chat_ref, due_at, created_at, priority)
        SELECT :article, c.id,
            CASE WHEN :priority = 2 THEN :now
                 WHEN c.mode = 'instant' AND (c.quiet_start IS NULL OR c.quiet_style = 'silent')
                 THEN :now
                 ELSE bantin_due(:now, :tz, c.mode, c.digest_hour, c.quiet_start, c.quiet_end)
            END,
            :now, :priority
        FROM chats c
        WHERE c.active = 1 AND c.receive = 'all' AND EXISTS (
            SELECT 1 FROM subscriptions s
            WHERE s.chat_ref = c.id AND (s.feed_id IS NULL OR s.feed_id = :feed)
        )
        """
        + (_IN_CHOSEN_SECTIONS if sections else "")
        + " ON CONFLICT DO NOTHING",
        {
            "article": article_id,
            "feed": feed_id,
            "now": at,
            "tz": timezone,
            "section": section,
            "priority": BREAKING if breaking else NORMAL,
        },
    )
    return cursor.rowcount
