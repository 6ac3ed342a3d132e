"""The search index on PostgreSQL: tsvectors of Python-folded tokens under GIN indexes.

`search_docs` has one row per article: `title` (its title's words) and `story` (title,
lead and body). Both are written as tsvector literals built here from
`bot.core.query.folded_tokens`, the very tokens SQLite's FTS5 tables get, so nothing of
PostgreSQL's own parser or dictionaries (which would read "25/02/2023" or "đ" their own
way) comes between a story and its index. Positions are kept, with an empty position
between title, lead and body, so a phrase (`<->`) never spans two fields, as in FTS5;
a prefix is `:*`, which GIN serves too. Queries are built the same way, as tsquery
literals, so a match here is a match there, and the ranking in Python sees the same
candidates.

Limits of the type, far beyond a news story: positions stop at 16383, a word keeps its
first 256 positions, and words past the first 100,000 of a story are not indexed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.query import folded_tokens
from bot.store.fulltext import Filters, Match, Scope

if TYPE_CHECKING:
    from bot.store.db import Connection

MAX_POSITION = 16_383
MAX_POSITIONS_PER_WORD = 256
MAX_WORDS = 100_000
MAX_WORD_BYTES = 2_046

_COLUMNS: dict[Scope, str] = {"titles": "title", "stories": "story"}


def _quote(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(fields: Sequence[str]) -> str:
    """The tsvector literal of these texts, one after the other, a position apart."""
    positions: dict[str, list[int]] = {}
    at = 0
    for text in fields:
        for word in folded_tokens(text):
            at += 1
            if at > MAX_WORDS:
                break
            if len(word.encode()) > MAX_WORD_BYTES:
                continue
            kept = positions.setdefault(word, [])
            if len(kept) < MAX_POSITIONS_PER_WORD:
                kept.append(min(at, MAX_POSITION))
        at += 1
    return " ".join(
        f"{_quote(word)}:{','.join(map(str, sorted(set(where))))}"
        for word, where in positions.items()
    )


def tsquery(match: Match) -> str:
    """FTS5's `"a b"*` is `'a' <-> 'b':*`; its `"a" AND "b"*` is `'a' & 'b':*`."""
    terms = match.terms
    if match.phrase:
        last = len(terms) - 1
        words = [
            _quote(t.folded) + (":*" if i == last and t.prefix else "") for i, t in enumerate(terms)
        ]
        return " <-> ".join(words)
    return " & ".join(_quote(t.folded) + (":*" if t.prefix else "") for t in terms)


class TsVectors:
    def index(self, conn: Connection, article_id: int, title: str, lead: str, body: str) -> None:
        conn.execute(
            "INSERT INTO search_docs (article_id, title, story) "
            "VALUES (?, ?::tsvector, ?::tsvector) ON CONFLICT (article_id) "
            "DO UPDATE SET title = excluded.title, story = excluded.story",
            (article_id, tsvector([title]), tsvector([title, lead, body])),
        )

    def unindex(self, conn: Connection, article_id: int, title: str, lead: str, body: str) -> None:
        conn.execute("DELETE FROM search_docs WHERE article_id = ?", (article_id,))

    def clear(self, conn: Connection) -> None:
        conn.execute("DELETE FROM search_docs")

    def count(self, conn: Connection, scope: Scope, match: Match, cap: int) -> int:
        column = _COLUMNS[scope]
        row = conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM search_docs WHERE {column} @@ ?::tsquery "
            "LIMIT ?) AS hits",
            (tsquery(match), cap),
        ).fetchone()
        return int(row[0])

    def newest(
        self, conn: Connection, scope: Scope, match: Match, filters: Filters, cap: int
    ) -> Sequence[int]:
        """The matches through the GIN index, then the newest `cap` of them.

        `article_id + 0` keeps the planner from walking the primary key newest first and
        testing every row against the query: quick for a word in every story, a scan of
        the whole table for a rare one (and a phrase's rarity is what PostgreSQL guesses
        worst). From the GIN index the cost is that of the matches, which the caller
        bounds for very common words with `min_id`.
        """
        column = _COLUMNS[scope]
        since_id = "AND s.article_id >= :min_id" if filters.min_id > 0 else ""
        joined = ""
        if filters.on_articles:
            joined = """
                JOIN articles a ON a.id = s.article_id
                WHERE (:feed IS NULL OR a.feed_id = :feed)
                  AND (:section IS NULL OR a.section = :section)
                  AND (:since IS NULL OR COALESCE(a.published_at, a.fetched_at) >= :since)
                  AND"""
        rows = conn.execute(
            f"""
            SELECT s.article_id FROM search_docs s {joined or "WHERE"}
                s.{column} @@ :match::tsquery {since_id}
            ORDER BY s.article_id + 0 DESC LIMIT :cap
            """,
            {
                "match": tsquery(match),
                "min_id": filters.min_id,
                "feed": filters.feed_id,
                "section": filters.section,
                "since": filters.since,
                "cap": cap,
            },
        ).fetchall()
        return [int(r[0]) for r in rows]
