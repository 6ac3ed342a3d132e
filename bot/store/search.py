"""The full-text index of articles: folded text in FTS5, queried with bm25 weights.

The index stores the folded form (lowercase, no diacritics, đ→d) so that "da lat" finds
"Đà Lạt"; SQLite's own remove_diacritics would leave "đ" alone.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from bot.store.db import Database
from bot.store.records import Article
from bot.text import fold, normalize

_WORD = re.compile(r"\w+", re.UNICODE)
ARTICLE_COLUMNS = "a.*, f.name AS feed_name"


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: Article
    score: float


def index_article(conn: sqlite3.Connection, article_id: int, title: str, lead: str, body: str) -> None:
    conn.execute(
        "INSERT INTO articles_fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
        (article_id, fold(title), fold(lead), fold(body)),
    )


def unindex_article(
    conn: sqlite3.Connection, article_id: int, title: str, lead: str, body: str
) -> None:
    """A contentless index forgets a row only when told the exact text it indexed."""
    conn.execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, lead, body) "
        "VALUES ('delete', ?, ?, ?, ?)",
        (article_id, fold(title), fold(lead), fold(body)),
    )


def query_terms(query: str) -> list[str]:
    """The folded words of a query, in order."""
    return _WORD.findall(fold(normalize(query)))


def match_expression(terms: list[str]) -> str:
    """Every word must appear; the whole query as a phrase ranks first through bm25."""
    quoted = [f'"{term}"' for term in terms]
    return " AND ".join(quoted)


class SearchIndex:
    def __init__(self, db: Database) -> None:
        self.db = db

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        feed_id: int | None = None,
        since: float | None = None,
    ) -> list[SearchHit]:
        terms = query_terms(query)
        if not terms:
            return []
        sql = f"""
            SELECT {ARTICLE_COLUMNS}, bm25(articles_fts, 10.0, 4.0, 1.0) AS score
            FROM articles_fts
            JOIN articles a ON a.id = articles_fts.rowid
            LEFT JOIN feeds f ON f.id = a.feed_id
            WHERE articles_fts MATCH ?
              AND (? IS NULL OR a.feed_id = ?)
              AND (? IS NULL OR COALESCE(a.published_at, a.fetched_at) >= ?)
            ORDER BY score, COALESCE(a.published_at, a.fetched_at) DESC
            LIMIT ? OFFSET ?
        """
        params = (match_expression(terms), feed_id, feed_id, since, since, limit, offset)
        with self.db.reading() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [SearchHit(Article.from_row(row), float(row["score"])) for row in rows]
