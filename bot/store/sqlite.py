"""The embedded backend: one SQLite file (WAL, FTS5), one thread in front of it.

SQLite calls are short but not free; `SqliteDatabase.call` runs them on one worker thread
so the event loop never waits on the disk, and so writes are serialized without lock
contention. `bantin_due` is registered as a Python function (`bot.delivery.timing`).
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import ParamSpec, TypeVar

from bot.core.query import index_form
from bot.core.records import SearchTimedOut
from bot.delivery.timing import due_at
from bot.store.db import Budgeted, Connection, Database, Dialect, StoreError
from bot.store.fulltext import Filters, Match, Scope
from bot.store.migrations import MIGRATIONS

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

_TABLES: dict[Scope, str] = {"titles": "titles_fts", "stories": "articles_fts"}
PROGRESS_STEPS = 2_000  # SQLite VM steps between two looks at a search's clock


class Fts5:
    """Two contentless FTS5 tables of folded text, rowid = articles.id.

    `articles_fts(title, lead, body)` holds every word of a story, `titles_fts(title)`
    the titles only. SQLite's own remove_diacritics would leave "đ" alone, so the text
    is folded in Python (`index_form`) and the tokenizer only cuts it.
    """

    def index(self, conn: Connection, article_id: int, title: str, lead: str, body: str) -> None:
        conn.execute(
            "INSERT INTO articles_fts (rowid, title, lead, body) VALUES (?, ?, ?, ?)",
            (article_id, index_form(title), index_form(lead), index_form(body)),
        )
        conn.execute(
            "INSERT INTO titles_fts (rowid, title) VALUES (?, ?)", (article_id, index_form(title))
        )

    def unindex(self, conn: Connection, article_id: int, title: str, lead: str, body: str) -> None:
        """A contentless index forgets a row only when told the exact text it indexed."""
        conn.execute(
            "INSERT INTO articles_fts (articles_fts, rowid, title, lead, body) "
            "VALUES ('delete', ?, ?, ?, ?)",
            (article_id, index_form(title), index_form(lead), index_form(body)),
        )
        conn.execute(
            "INSERT INTO titles_fts (titles_fts, rowid, title) VALUES ('delete', ?, ?)",
            (article_id, index_form(title)),
        )

    def clear(self, conn: Connection) -> None:
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')")
        conn.execute("INSERT INTO titles_fts (titles_fts) VALUES ('delete-all')")

    def count(self, conn: Connection, scope: Scope, match: Match, cap: int) -> int:
        table = _TABLES[scope]
        sql = f"SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH ? LIMIT ?)"
        return int(conn.execute(sql, (match.key, cap)).fetchone()[0])

    def newest(
        self, conn: Connection, scope: Scope, match: Match, filters: Filters, cap: int
    ) -> Sequence[int]:
        """Walk the index newest first and stop at `cap` rows."""
        table = _TABLES[scope]
        if not filters.on_articles:
            rows = conn.execute(
                f"SELECT rowid FROM {table} WHERE {table} MATCH ? AND rowid >= ? "
                "ORDER BY rowid DESC LIMIT ?",
                (match.key, filters.min_id, cap),
            ).fetchall()
        else:
            rows = conn.execute(
                f"""
                SELECT t.rowid FROM {table} t JOIN articles a ON a.id = t.rowid
                WHERE {table} MATCH :match AND t.rowid >= :min_id
                  AND (:feed IS NULL OR a.feed_id = :feed)
                  AND (:section IS NULL OR a.section = :section)
                  AND (:since IS NULL OR COALESCE(a.published_at, a.fetched_at) >= :since)
                ORDER BY t.rowid DESC LIMIT :cap
                """,
                {
                    "match": match.key,
                    "min_id": filters.min_id,
                    "feed": filters.feed_id,
                    "section": filters.section,
                    "since": filters.since,
                    "cap": cap,
                },
            ).fetchall()
        return [int(r[0]) for r in rows]


SQLITE = Dialect(name="sqlite", fulltext=Fts5())


class SqliteConnection(sqlite3.Connection):
    """sqlite3's own connection, knowing its dialect (`conn.dialect`)."""

    dialect = SQLITE


class SqliteDatabase(Database):
    """WAL, `synchronous=FULL`, foreign keys, `busy_timeout`, `PRAGMA user_version` migrations."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self.where = self.path
        self.threads = 1
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(
                self.path,
                timeout=30.0,
                isolation_level=None,
                check_same_thread=False,
                factory=SqliteConnection,
            )
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.execute("PRAGMA busy_timeout=30000")
            self.conn.create_function("bantin_due", 6, due_at, deterministic=True)
            self._lock = threading.RLock()
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bantin-db")
            self._migrate()
            self._local = threading.local()
            self.reader = self._open_reader()
            self._read_executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="bantin-db-read", initializer=self._on_reader
            )
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the database: {exc}") from None

    def _open_reader(self) -> sqlite3.Connection | None:
        """Readers' searches get a connection (and a thread) of their own: in WAL mode they
        read a snapshot while the writer goes on, so the outbox never waits behind them."""
        if self.path == ":memory:":
            return None
        reader = sqlite3.connect(
            self.path,
            timeout=30.0,
            isolation_level=None,
            check_same_thread=False,
            factory=SqliteConnection,
        )
        reader.row_factory = sqlite3.Row
        reader.execute("PRAGMA query_only=ON")
        reader.execute("PRAGMA busy_timeout=30000")
        return reader

    def _on_reader(self) -> None:
        self._local.reading = True

    def _on_reader_thread(self) -> bool:
        return self.reader is not None and getattr(self._local, "reading", False)

    def _migrate(self) -> None:
        version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this Bantin knows "
                f"({len(MIGRATIONS)}); upgrade Bantin"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.transaction() as conn:
                for statement in _statements(script):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            log.info("store %s: migrated to schema %d", self.path, number)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any exception."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        if self._on_reader_thread():
            assert self.reader is not None
            yield self.reader  # type: ignore[misc]
            return
        with self._lock:
            yield self.conn

    @contextmanager
    def searching(self, budget: float) -> Iterator[Connection]:
        """A read that SQLite interrupts once `budget` seconds have passed."""
        with self.reading() as conn:
            assert isinstance(conn, sqlite3.Connection)
            deadline = time.monotonic() + budget
            conn.set_progress_handler(lambda: time.monotonic() > deadline, PROGRESS_STEPS)
            try:
                yield Budgeted(conn, deadline, budget)
            except sqlite3.OperationalError as exc:
                if "interrupted" in str(exc):
                    raise SearchTimedOut(f"search stopped after {budget:g} s") from None
                raise
            finally:
                conn.set_progress_handler(None, PROGRESS_STEPS)

    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a store method on the database thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))

    async def call_read(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a reader's query on the read thread, beside the writer."""
        if self.reader is None:
            return await self.call(fn, *args, **kwargs)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._read_executor, partial(fn, *args, **kwargs))

    def backup(self, target: Path | str) -> None:
        """A consistent copy while the bot runs, through SQLite's online backup API."""
        with self._lock:
            destination = sqlite3.connect(str(target))
            try:
                self.conn.backup(destination)
            finally:
                destination.close()

    def close(self) -> None:
        self._read_executor.shutdown(wait=True)
        self._executor.shutdown(wait=True)
        if self.reader is not None:
            self.reader.close()
        with self._lock:
            self.conn.close()


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements (sqlite3.executescript would commit on its own)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()
