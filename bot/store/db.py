"""One SQLite file: connection settings, migrations, transactions, and a way off the event loop.

SQLite calls are short but not free; `Database.call` runs them on one worker thread so the
event loop never waits on the disk, and so writes are serialized without lock contention.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import ParamSpec, TypeVar

from bot.delivery.timing import due_at
from bot.store.migrations import MIGRATIONS

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")


class StoreError(RuntimeError):
    """The database file cannot be used (newer schema, not a database, no permission)."""


class Database:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(
                self.path, timeout=30.0, isolation_level=None, check_same_thread=False
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
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: cannot open the database: {exc}") from None

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
    def transaction(self) -> Iterator[sqlite3.Connection]:
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
    def reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self.conn

    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a store method on the database thread and await its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))

    def backup(self, target: Path | str) -> None:
        """A consistent copy while the bot runs, through SQLite's online backup API."""
        with self._lock:
            destination = sqlite3.connect(str(target))
            try:
                self.conn.backup(destination)
            finally:
                destination.close()

    def close(self) -> None:
        self._executor.shutdown(wait=True)
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


def now() -> float:
    """Wall-clock seconds; one place so tests and code agree on the unit."""
    return time.time()
