"""The PostgreSQL backend: psycopg 3 and its connection pool, for a fleet of processes.

`[storage] url = "postgresql://user@host:port/db"` (or `BANTIN_DATABASE_URL`). The
password comes from the URL or from libpq's own places (`PGPASSWORD`, `~/.pgpass`), and
never reaches a log line or an error: those name `where`, the URL without it.

The repositories are SQLite's (`bot/store/*.py`), read through `connection.PgConnection`.
Each `transaction()` or `reading()` borrows one pooled connection for its block and
gives it back; a thread keeps the connection it holds for blocks nested inside (a read
inside a transaction sees that transaction's writes, as on SQLite; a transaction inside
one is a savepoint). Writes run at READ
COMMITTED, with the outbox claim locking its rows (`FOR UPDATE ... SKIP LOCKED`) so
senders in other processes never take the same delivery; reads run as one REPEATABLE
READ, READ ONLY snapshot, so numbers read together belong together. `call` runs store
methods on a few threads, each with its own connection: a slow search does not hold up
the outbox.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import ParamSpec, TypeVar
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg import IsolationLevel
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.core.records import SearchTimedOut
from bot.core.settings import redact_url
from bot.store.db import Budgeted, Connection, Database, StoreError
from bot.store.postgres.connection import PgConnection, Row, connection_kwargs
from bot.store.postgres.migrations import MIGRATIONS

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

POOL_SIZE = 8  # connections per process, at most
THREADS = 4  # store calls at once; fewer than POOL_SIZE, so a nested block finds one free
CONNECT_SECONDS = 10
MIGRATION_LOCK = 0x62616E74  # pg_advisory_xact_lock key: one process migrates at a time


class PostgresDatabase(Database):
    def __init__(self, url: str, *, pool_size: int = POOL_SIZE, threads: int = THREADS) -> None:
        self.where = redact_url(url)
        self.path = self.where
        self.threads = threads
        self._secret = _password(url)
        self._local = threading.local()
        kwargs = connection_kwargs()
        try:
            with psycopg.connect(url, connect_timeout=CONNECT_SECONDS, **kwargs) as first:
                migrate(first, self.where)
        except psycopg.Error as exc:
            raise StoreError(
                f"{self.where}: cannot open the database: {self._clean(exc)}"
            ) from None
        self.pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            url,
            min_size=1,
            max_size=max(pool_size, threads + 1),
            kwargs={**kwargs, "connect_timeout": CONNECT_SECONDS},
            check=ConnectionPool.check_connection,
            name="bantin",
            open=False,
        )
        try:
            self.pool.open(wait=True, timeout=CONNECT_SECONDS)
        except PoolTimeout:
            self.pool.close()
            raise StoreError(f"{self.where}: cannot open the connection pool") from None
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="bantin-pg")

    def _clean(self, exc: BaseException) -> str:
        """The driver's message, with the password taken out should it ever appear."""
        text = str(exc).strip()
        for secret in self._secret:
            text = text.replace(secret, "***")
        return text

    @contextmanager
    def _borrow(self, *, writing: bool) -> Iterator[PgConnection]:
        previous: PgConnection | None = getattr(self._local, "conn", None)
        with self.pool.connection() as raw:
            raw.read_only = not writing
            raw.isolation_level = None if writing else IsolationLevel.REPEATABLE_READ
            conn = PgConnection(raw, writing=writing)
            self._local.conn = conn
            try:
                with raw.transaction():
                    yield conn
            finally:
                self._local.conn = previous

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        held: PgConnection | None = getattr(self._local, "conn", None)
        if held is not None and held.writing:
            with held.raw.transaction():  # a savepoint: a failure undoes this block only
                yield held
            return
        with self._borrow(writing=True) as conn:
            yield conn

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        held: PgConnection | None = getattr(self._local, "conn", None)
        if held is not None:
            yield held
            return
        with self._borrow(writing=False) as conn:
            yield conn

    @contextmanager
    def searching(self, budget: float) -> Iterator[Connection]:
        """A read the server cancels after `budget` seconds (statement_timeout, this read only)."""
        with self.reading() as conn:
            conn.execute(f"SET LOCAL statement_timeout = {max(1, int(budget * 1000))}")
            # A search's statements are all served by the GIN indexes; the planner would
            # rather scan the table for a common word's LIMITed count, expecting to stop
            # early, and then tests the tsvector of half the stories (bench/search.py
            # --database: p95 668 ms at 100,000 stories, budget reached 7 times in 151).
            conn.execute("SET LOCAL enable_seqscan = off")
            try:
                yield Budgeted(conn, time.monotonic() + budget, budget)
            except psycopg.errors.QueryCanceled:
                raise SearchTimedOut(f"search stopped after {budget:g} s") from None

    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))

    def backup(self, target: Path | str) -> None:
        """PostgreSQL has its own tool for a consistent copy of a live database."""
        raise StoreError(
            "the store is PostgreSQL: back it up with pg_dump, e.g. "
            f"pg_dump --format=custom --file={target} '{self.where}' "
            "(the password from PGPASSWORD or ~/.pgpass); restore with pg_restore"
        )

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self.pool.close()


def migrate(conn: psycopg.Connection[Row], where: str) -> None:
    """Bring the database to the newest schema, one process at a time.

    All steps in one transaction (PostgreSQL's DDL is transactional): a step that fails
    leaves the schema as it was.
    """
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS bantin_schema (version INTEGER NOT NULL)")
        row = conn.execute("SELECT version FROM bantin_schema").fetchone()
        if row is None:
            conn.execute("INSERT INTO bantin_schema (version) VALUES (0)")
        version = int(row[0]) if row else 0
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{where}: schema version {version} is newer than this Bantin knows "
                f"({len(MIGRATIONS)}); upgrade Bantin"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            conn.execute(script)
            conn.execute("UPDATE bantin_schema SET version = %s", (number,))
            log.info("store %s: migrated to schema %d", where, number)


def _password(url: str) -> tuple[str, ...]:
    try:
        password = urlsplit(url).password
    except ValueError:
        return ()
    if not password:
        return ()
    return tuple({password, unquote(password)})
