"""The search over stored articles: which words to look for, and the ranking.

The index holds the folded form of every story (lowercase, no diacritics, đ→d, see
`bot.core.query.index_form`) so that "da lat" finds "Đà Lạt"; each backend keeps it in
its own engine (`bot.store.fulltext`: FTS5 on SQLite, tsvector/GIN on PostgreSQL), in two
parts: every word of a story, and the titles alone (small, so "these words in the
title" stays cheap).

A search never asks the engine to rank everything that matches. It runs a few candidate
queries (the words as a phrase in titles, all words in titles, the phrase anywhere, all
words anywhere), each walking the index newest first and stopping at `CANDIDATES`
rows, so a query made of very common words costs the same as a rare one. When they
fill less than the page asked for, each word alone is looked for too (stories holding
some of the words, ranked after those holding all). The union is ranked in Python by
`bot.core.ranking.rank` from the title and lead (diacritics kept, so a query typed with
them prefers stories that match them exactly), then by recency; the best few have their
body read where only it can tell whether a word typed with diacritics, or the phrase, is
really there (the index, folded and blind to punctuation, finds "sầu riêng" in "… năm
sau. Riêng năm 2023 …"). Both engines match the same tokens, so both give the same
answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from bot.core.query import ParsedQuery, Term, index_form, parse_query
from bot.core.ranking import (
    Candidate,
    idf_weights,
    order,
    rank,
    read_body,
    read_fields,
    score,
)
from bot.core.records import Article, SearchHit, SearchPage
from bot.store.db import Connection, Database
from bot.store.fulltext import Filters, Match, Scope
from bot.store.rows import article_from_row
from bot.store.vocabulary import Vocabulary

log = logging.getLogger(__name__)

ARTICLE_COLUMNS = "a.*, f.name AS feed_name"
TITLE_CANDIDATES = 150  # rows per title candidate query, newest first
BODY_CANDIDATES = 80  # rows per whole-story candidate query, newest first
COMMON_IN_TITLES = 1_000  # a word in this many titles is "very common"
STORY_WINDOW = 50_000  # newest stories scanned for a query of very common words only
BODY_CHECK = 20  # at least this many of the best have their body read, if it matters
BODY_ROUNDS = 3  # reads of bodies per search (a story found wanting lets another up)
# Stories holding only some of the words are looked for word by word, for a query of at
# most this many words (a reader's /search takes 20): beyond, each word's candidates
# would only swell the ranking, whose cost grows with words × candidates.
SOME_WORDS_UP_TO = 20
REBUILD_BATCH = 2_000
# One search's time budget: past it the engine stops the query (SearchTimedOut), so
# no reader's search holds a database connection for long.
SEARCH_BUDGET_SECONDS = 0.75


def rebuild_index(conn: Connection, batch: int = REBUILD_BATCH) -> int:
    """Empty the index and index every stored article again; returns how many."""
    fulltext = conn.dialect.fulltext
    fulltext.clear(conn)
    last = 0
    count = 0
    while True:
        rows = conn.execute(
            "SELECT id, title, lead, body FROM articles WHERE id > ? ORDER BY id LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            break
        for row in rows:
            fulltext.index(conn, row[0], row[1], row[2], row[3])
        last = rows[-1][0]
        count += len(rows)
    conn.execute(
        "INSERT INTO search_state (key, value) VALUES ('rebuild', '0') "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
    )
    return count


class SearchIndex:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.words = Vocabulary()
        self._ensure_built()

    # --- maintenance --------------------------------------------------------------------

    def _ensure_built(self) -> None:
        with self.db.reading() as conn:
            row = conn.execute("SELECT value FROM search_state WHERE key = 'rebuild'").fetchone()
        if row is None or row[0] != "1":
            return
        with self.db.transaction() as conn:
            count = rebuild_index(conn)
        log.info("search: indexed %d stored articles", count)

    def rebuild(self) -> int:
        with self.db.transaction() as conn:
            count = rebuild_index(conn)
        self.words.forget()
        return count

    # --- long queries behind page buttons ---------------------------------------------------

    def remember_query(self, query: str) -> int:
        """A short id for a query too long for Telegram's 64-byte callback data."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO search_queries (query, used_at) VALUES (?, ?) "
                "ON CONFLICT (query) DO UPDATE SET used_at = excluded.used_at",
                (query, time.time()),
            )
            row = conn.execute("SELECT id FROM search_queries WHERE query = ?", (query,)).fetchone()
            conn.execute(
                "DELETE FROM search_queries WHERE used_at < ?", (time.time() - 30 * 86400,)
            )
        return int(row[0])

    def recall_query(self, query_id: int) -> str | None:
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT query FROM search_queries WHERE id = ?", (query_id,)
            ).fetchone()
        return str(row[0]) if row else None

    def remember_last(self, platform: str, chat_id: str, query: str, page: int) -> None:
        """A chat's last search and page, so «xem thêm» can go on from it."""
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO search_last (platform, chat_id, query, page, at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (platform, chat_id) DO UPDATE SET "
                "query = excluded.query, page = excluded.page, at = excluded.at",
                (platform, chat_id, query, page, time.time()),
            )

    def last_search(self, platform: str, chat_id: str) -> tuple[str, int] | None:
        with self.db.reading() as conn:
            row = conn.execute(
                "SELECT query, page FROM search_last WHERE platform = ? AND chat_id = ?",
                (platform, chat_id),
            ).fetchone()
        return (str(row[0]), int(row[1])) if row else None

    # --- search -------------------------------------------------------------------------

    def feed_id(self, name: str) -> int | None:
        """A feed by its name, case and diacritics ignored (`feed:lamdong`)."""
        wanted = index_form(name).replace(" ", "")
        with self.db.reading() as conn:
            rows = conn.execute("SELECT id, name FROM feeds").fetchall()
        for row in rows:
            if index_form(row[1]).replace(" ", "") == wanted:
                return int(row[0])
        for row in rows:
            if wanted and wanted in index_form(row[1]).replace(" ", ""):
                return int(row[0])
        return None

    def search_page(
        self,
        query: str | ParsedQuery,
        *,
        limit: int = 10,
        offset: int = 0,
        feed_id: int | None = None,
        section: str | None = None,
        since: float | None = None,
        now: float | None = None,
    ) -> SearchPage:
        parsed = parse_query(query) if isinstance(query, str) else query
        if parsed.window_seconds is not None:
            window_start = (now if now is not None else time.time()) - parsed.window_seconds
            since = window_start if since is None else max(since, window_start)
        if parsed.feed is not None and feed_id is None:
            feed_id = self.feed_id(parsed.feed)
            if feed_id is None:
                return SearchPage((), parsed, False)
        if parsed.section is not None and section is None:
            section = parsed.section
        if not parsed.terms:
            return SearchPage((), parsed, False)
        with self.db.searching(SEARCH_BUDGET_SECONDS) as conn:
            terms = self.words.resolve(conn, parsed.terms)
            ranked = self._ranked(conn, terms, feed_id, section, since, offset + limit + 1)
            window = ranked[offset : offset + limit]
            articles = self._articles(conn, [c.id for c in window])
        hits = tuple(SearchHit(articles[c.id], c.score) for c in window if c.id in articles)
        found = replace(parsed, found_as=tuple(terms))
        return SearchPage(hits, found, len(ranked) > offset + limit)

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        feed_id: int | None = None,
        section: str | None = None,
        since: float | None = None,
    ) -> list[SearchHit]:
        page = self.search_page(
            query, limit=limit, offset=offset, feed_id=feed_id, section=section, since=since
        )
        return list(page.hits)

    def _ranked(
        self,
        conn: Connection,
        terms: Sequence[Term],
        feed_id: int | None,
        section: str | None,
        since: float | None,
        want: int,
    ) -> list[Candidate]:
        """The candidates ranked; the first `want` as the bodies would rank them."""
        min_id = 0
        if since is not None:
            # Stories are stored in time order: nothing fetched before `since` qualifies.
            row = conn.execute(
                "SELECT min(id) FROM articles WHERE fetched_at >= ?", (since,)
            ).fetchone()
            if row[0] is None:
                return []
            min_id = int(row[0])
        phrase = Match(tuple(terms), phrase=True)
        every = Match(tuple(terms))
        # A prefix over every story's words expands to thousands of terms ("than*": thanh,
        # thang, ...); there the last word stays whole when stories know it as a word.
        story_terms = list(terms)
        last = terms[-1]
        if last.prefix and self.words.known(conn, Match.word(Term(last.folded, last.exact))):
            story_terms[-1] = Term(last.folded, last.exact)
        story_phrase = Match(tuple(story_terms), phrase=True)
        story_every = Match(tuple(story_terms))

        # Every word very common ("thăm của ngoại"): a phrase that is rare as a whole
        # would make SQLite walk each word's whole list; walk only the newest stories.
        story_min_id = min_id
        if all(self.words.doc_freq(conn, Match.word(t)) >= COMMON_IN_TITLES for t in story_terms):
            story_min_id = max(min_id, self.words.total(conn) - STORY_WINDOW)

        def newest(scope: Scope, match: Match, cap: int) -> set[int]:
            floor = story_min_id if scope == "stories" else min_id
            filters = Filters(feed_id, section, since, floor)
            return set(conn.dialect.fulltext.newest(conn, scope, match, filters, cap))

        several = len(terms) > 1
        title_phrase = newest("titles", phrase, TITLE_CANDIDATES) if several else set()
        title_all = newest("titles", every, TITLE_CANDIDATES)
        any_phrase = newest("stories", story_phrase, BODY_CANDIDATES) if several else set()
        all_terms = newest("stories", story_every, BODY_CANDIDATES)
        ids = title_phrase | title_all | any_phrase | all_terms
        if several and len(ids) < want and len(story_terms) <= SOME_WORDS_UP_TO:
            for term in dict.fromkeys(story_terms):
                ids |= newest("stories", Match.word(term), BODY_CANDIDATES)
        if not ids:
            return []
        total = self.words.total(conn)
        weights = idf_weights(
            terms, {t.folded: self.words.doc_freq(conn, Match.word(t)) for t in terms}, total
        )
        candidates = [
            Candidate(
                id=row[0],
                title=row[1],
                lead=row[2],
                time=float(row[3]),
                title_phrase=row[0] in title_phrase,
                any_phrase=row[0] in any_phrase,
                # a phrase match holds every word: the same +1 however old it is
                all_terms=row[0] in all_terms
                or row[0] in title_all
                or row[0] in title_phrase
                or row[0] in any_phrase,
            )
            for row in _rows(
                conn,
                "SELECT id, title, lead, COALESCE(published_at, fetched_at) FROM articles "
                "WHERE id IN ({})",
                ids,
            )
        ]
        ranked = rank(candidates, terms, weights)
        return self._read_bodies(conn, ranked, terms, weights, want)

    def _read_bodies(
        self,
        conn: Connection,
        ranked: list[Candidate],
        terms: Sequence[Term],
        weights: Sequence[float],
        want: int,
    ) -> list[Candidate]:
        """Read the best as typed (title and lead, the body where only it can tell).

        Reading can only lower a story (the index was trusted) except where it finds a
        word typed with diacritics, so the first `want` are read (at first at least
        `BODY_CHECK` for such a query); a story that falls lets another up, read next round.
        """
        head_size = max(want, BODY_CHECK) if any(t.marked for t in terms) else want
        for round_ in range(BODY_ROUNDS):
            head = [c for c in ranked[: head_size if round_ == 0 else want] if c.seen is None]
            if not head:
                break
            unsure = [c for c in head if read_fields(c, terms)]
            if unsure:
                bodies = {
                    row[0]: str(row[1])
                    for row in _rows(
                        conn,
                        "SELECT id, body FROM articles WHERE id IN ({})",
                        [c.id for c in unsure],
                    )
                }
                for candidate in unsure:
                    read_body(candidate, bodies.get(candidate.id, "").lower(), terms)
            for candidate in head:
                score(candidate, terms, weights)
            ranked = order(ranked)
        return ranked

    def _articles(self, conn: Connection, ids: Sequence[int]) -> dict[int, Article]:
        if not ids:
            return {}
        rows = _rows(
            conn,
            f"SELECT {ARTICLE_COLUMNS} FROM articles a LEFT JOIN feeds f ON f.id = a.feed_id "
            "WHERE a.id IN ({})",
            ids,
        )
        return {int(row["id"]): article_from_row(row) for row in rows}


def _rows(conn: Connection, sql: str, ids: Iterable[int]) -> list[Any]:
    values = list(ids)
    out: list[Any] = []
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        out.extend(conn.execute(sql.format(",".join("?" * len(chunk))), chunk).fetchall())
    return out
