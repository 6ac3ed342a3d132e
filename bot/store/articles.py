"""Articles, the stories waiting for their page, and the one transaction a poll ends in."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from bot.core.records import Article, PendingPage, PollOutcome, Reposted, StoryRecord
from bot.store.db import Connection, Database, now
from bot.store.fanout import BREAKING, enqueue_article, enqueue_story, refresh_plans
from bot.store.feeds import mark_success
from bot.store.review import hold
from bot.store.rows import article_from_row, media_json
from bot.store.search import ARTICLE_COLUMNS


class ArticleStore:
    def __init__(
        self, db: Database, timezone: str = "Asia/Ho_Chi_Minh", *, review: bool = False
    ) -> None:
        self.db = db
        self.timezone = timezone
        # `[publish] review`: a story to push waits for an editor (bot.store.review).
        self.review = review

    def known_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of these keys are stored already, or waiting for their page."""
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        with self.db.reading() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for table in ("articles", "pending_pages"):
                    rows = conn.execute(
                        f"SELECT key FROM {table} WHERE key IN ({marks})", chunk
                    ).fetchall()
                    found.update(row[0] for row in rows)
        return found

    def record_poll(
        self,
        feed_id: int,
        stories: Sequence[tuple[StoryRecord, bool]],
        pending: Sequence[PendingPage],
        *,
        etag: str | None,
        last_modified: str | None,
        next_check_at: float,
        retried_keys: Sequence[str] = (),
        backlog_left: bool = False,
    ) -> PollOutcome:
        """One transaction: articles, their index entries, their deliveries, the feed's state.

        Each story comes with whether to push it: the first poll of a feed stores what it
        lists without pushing, so a channel is not flooded with last month's news; a feed
        stays unprimed while that first listing is still being taken in (`backlog_left`).
        """
        at = now()
        ids: list[int] = []
        deliveries = 0
        with self.db.transaction() as conn:
            for key in retried_keys:
                conn.execute("DELETE FROM pending_pages WHERE key = ?", (key,))
            feed = conn.execute("SELECT priority FROM feeds WHERE id = ?", (feed_id,)).fetchone()
            breaking = feed is not None and feed["priority"] == "breaking"
            for story, push in stories:
                article_id = insert_article(conn, feed_id, story, at, breaking=breaking)
                if article_id is None:
                    continue
                ids.append(article_id)
                if push and self.review:
                    hold(conn, article_id, at)
                elif push:
                    deliveries += enqueue_story(
                        conn, article_id, feed_id, story, at, self.timezone, breaking=breaking
                    )
            for page in pending:
                conn.execute(
                    """
                    INSERT INTO pending_pages (feed_id, key, entry, push, attempts, last_error,
                        next_try_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET attempts = excluded.attempts,
                        last_error = excluded.last_error, next_try_at = excluded.next_try_at
                    """,
                    (
                        feed_id,
                        page.key,
                        json.dumps(page.entry, ensure_ascii=False),
                        int(page.push),
                        page.attempts,
                        page.error,
                        page.next_try_at,
                    ),
                )
            conn.execute(
                "UPDATE feeds SET etag = ?, last_modified = ?, "
                "primed = CASE WHEN ? = 1 THEN 1 ELSE primed END WHERE id = ?",
                (etag, last_modified, int(not backlog_left), feed_id),
            )
            recovered = mark_success(conn, feed_id, next_check_at)
        refresh_plans(self.db, deliveries)
        return PollOutcome(tuple(ids), deliveries, recovered)

    def due_pending(
        self, feed_id: int, at: float
    ) -> list[tuple[str, dict[str, object], bool, int]]:
        """Stories of this feed whose page is due for another try: key, entry, push, attempts."""
        with self.db.reading() as conn:
            rows = conn.execute(
                "SELECT key, entry, push, attempts FROM pending_pages "
                "WHERE feed_id = ? AND next_try_at <= ? ORDER BY id",
                (feed_id, at),
            ).fetchall()
        return [(r["key"], json.loads(r["entry"]), bool(r["push"]), r["attempts"]) for r in rows]

    def get(self, article_id: int) -> Article | None:
        with self.db.reading() as conn:
            row = conn.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id "
                "WHERE a.id = ?",
                (article_id,),
            ).fetchone()
        return article_from_row(row) if row else None

    def latest(self, limit: int = 5, *, feed_ids: Sequence[int] | None = None) -> list[Article]:
        where = ""
        params: list[object] = []
        if feed_ids is not None and not feed_ids:
            return []
        if feed_ids is not None:
            # "+": walk the time index newest first and filter, rather than sort a feed's rows.
            where = f"WHERE +a.feed_id IN ({','.join('?' * len(feed_ids))})"
            params.extend(feed_ids)
        params.append(limit)
        with self.db.reading() as conn:
            rows = conn.execute(
                f"SELECT {ARTICLE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id "
                f"{where} ORDER BY COALESCE(a.published_at, a.fetched_at) DESC, a.id DESC LIMIT ?",
                params,
            ).fetchall()
        return [article_from_row(row) for row in rows]

    def count(self) -> int:
        with self.db.reading() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def update_text(self, article_id: int, story: StoryRecord) -> bool:
        """The site corrected a story: new text, same key, index rebuilt for it."""
        with self.db.transaction() as conn:
            old = conn.execute(
                "SELECT title, lead, body FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if old is None:
                return False
            conn.dialect.fulltext.unindex(conn, article_id, old["title"], old["lead"], old["body"])
            conn.execute(
                """
                UPDATE articles SET title = ?, lead = ?, body = ?, summary = ?, image = ?,
                    updated_at = ?
                WHERE id = ?
                """,
                (
                    story.title,
                    story.lead,
                    story.body,
                    story.summary,
                    story.image,
                    now(),
                    article_id,
                ),
            )
            conn.dialect.fulltext.index(conn, article_id, story.title, story.lead, story.body)
        return True

    def post_again(self, article_id: int) -> Reposted:
        """Queue a stored story for every subscribed chat that does not have it yet.

        A chat that got it keeps its message (one row per story and chat); a row that
        failed or was cancelled goes back to the queue.
        """
        at = now()
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT feed_id, section, breaking FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row is None:
                return Reposted(new=0, requeued=0, already_sent=0)
            new = enqueue_article(
                conn,
                article_id,
                row["feed_id"],
                at,
                self.timezone,
                section=row["section"],
                breaking=bool(row["breaking"]),
            )
            requeued = conn.execute(
                """
                UPDATE deliveries SET status = 'pending', due_at = ?, attempts = 0,
                    last_error = NULL
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

    def mark_breaking(self, article_id: int) -> Reposted | None:
        """Breaking news: what is queued of this story goes first, now, past digests and
        quiet hours; chats that take its feed and do not have it yet get it too. None when
        there is no such story."""
        at = now()
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT feed_id, section FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
            if row is None:
                return None
            conn.execute("UPDATE articles SET breaking = 1 WHERE id = ?", (article_id,))
            requeued = conn.execute(
                "UPDATE deliveries SET priority = ?, due_at = ? "
                "WHERE article_id = ? AND status = 'pending'",
                (BREAKING, at, article_id),
            ).rowcount
            new = enqueue_article(
                conn,
                article_id,
                row["feed_id"],
                at,
                self.timezone,
                section=row["section"],
                breaking=True,
            )
            sent = conn.execute(
                "SELECT COUNT(*) FROM deliveries WHERE article_id = ? AND status = 'sent'",
                (article_id,),
            ).fetchone()[0]
        return Reposted(new=new, requeued=requeued, already_sent=int(sent))


def insert_article(
    conn: Connection, feed_id: int | None, story: StoryRecord, at: float, *, breaking: bool = False
) -> int | None:
    """Store and index a story; None when its key is stored already."""
    row = conn.execute(
        """
        INSERT INTO articles (key, feed_id, url, title, lead, body, summary, image, section,
            published_at, fetched_at, media, breaking)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (key) DO NOTHING
        RETURNING id
        """,
        (
            story.key,
            feed_id,
            story.url,
            story.title,
            story.lead,
            story.body,
            story.summary,
            story.image,
            story.section,
            story.published_at,
            at,
            media_json(story.video, story.images),
            int(breaking),
        ),
    ).fetchone()
    if row is None:
        return None
    article_id = int(row[0])
    conn.dialect.fulltext.index(conn, article_id, story.title, story.lead, story.body)
    return article_id
