"""The seam between the repositories and a database: SQLite (embedded) or PostgreSQL (a fleet).

There is one set of repositories (`bot/store/*.py`); each backend gives them the same
small surface, so a repository is written once:

- `Database.transaction()` / `Database.reading()` yield a `Connection` whose `execute`
  takes SQLite's placeholders (`?` and `:name`) and returns rows readable by index and by
  column name (`row[0]`, `row["id"]`);
- `conn.dialect` holds what truly differs: the full-text index (`bot.store.fulltext`)
  and the row lock a claim takes;
- `Database.call` runs a repository method off the event loop (one SQLite thread, or a
  few threads over PostgreSQL's connection pool).

The SQL the repositories write is the part both engines read alike: `ON CONFLICT ...
DO NOTHING / DO UPDATE` (with the target table named in `DO UPDATE` expressions, as
PostgreSQL wants), `RETURNING id` for a new row's id, `CASE` rather than `MAX(a, b)` or
`a OR b` on integers, an alias on every subquery in `FROM`, and `bantin_due(...)` (a
Python function on SQLite, PL/pgSQL on PostgreSQL). Booleans are stored as 0/1 on both.
Each backend's migrations hold the same schema in its own DDL.
"""

from __future__ import annotations

import sqlite3
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

if TYPE_CHECKING:
    from bot.store.fulltext import FullText

P = ParamSpec("P")
T = TypeVar("T")

Params = Sequence[Any] | Mapping[str, Any]


class StoreError(RuntimeError):
    """The database cannot be used (newer schema, not a database, no permission, no server)."""


# A broken constraint (a duplicate name, a NULL where none may be) is this class on both
# backends: SQLite raises it itself, the PostgreSQL backend raises a subclass of it
# (`bot.store.postgres.connection.ConstraintError`), so callers catch one type.
IntegrityError = sqlite3.IntegrityError


class Row(Protocol):
    """A result row: `row[0]` or `row["name"]` (sqlite3.Row, or the PostgreSQL backend's)."""

    def __getitem__(self, key: int | str, /) -> Any: ...


class Cursor(Protocol):
    """What a repository reads back from `execute`: the DB-API subset both drivers share."""

    @property
    def rowcount(self) -> int: ...

    @property
    def lastrowid(self) -> int | None: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between the engines beyond their DDL."""

    name: str
    fulltext: FullText
    # Appended to the outbox claim's SELECT: lock the chosen rows, skip those another
    # sender holds ("" on SQLite, whose one writer at a time makes it moot).
    claim_lock: str = ""
    # The same for the outbox's own claim, which also locks the chats it picks: two
    # senders claiming at once must not both take a story for one chat.
    claim_chat_lock: str = ""


class Connection(Protocol):
    """One connection inside a transaction (or a read), as repositories use it."""

    @property
    def dialect(self) -> Dialect: ...

    def execute(self, sql: str, parameters: Params = ..., /) -> Cursor: ...

    def executemany(self, sql: str, parameters: Sequence[Params], /) -> Cursor: ...


class Database(ABC):
    """A store's database: transactions, reads, the thread hop, backup, close."""

    # Where the data lives, fit for a log line: a file path, or a URL with no password.
    where: str
    path: str
    # How many store calls run at once (`call`): one on SQLite, a few on PostgreSQL.
    threads: int

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Connection]:
        """One write transaction, committed at the end, rolled back on any exception."""

    @abstractmethod
    def reading(self) -> AbstractContextManager[Connection]:
        """Reads that belong together (one snapshot); inside a transaction, that transaction."""

    @abstractmethod
    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a blocking store method off the event loop and await its result."""

    def searching(self, budget: float) -> AbstractContextManager[Connection]:
        """Like `reading`, but stopped after `budget` seconds (raising SearchTimedOut)."""
        return self.reading()

    async def call_read(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """A reader's query, kept off the writers' way where the backend can (SQLite)."""
        return await self.call(fn, *args, **kwargs)

    @abstractmethod
    def backup(self, target: Path | str) -> None:
        """A consistent copy of the whole database into `target`, while the bot runs."""

    @abstractmethod
    def close(self) -> None: ...


class Budgeted:
    """A connection that refuses a new statement once a search's deadline has passed.

    The engine stops one long statement (SQLite's progress handler, PostgreSQL's
    statement_timeout); this stops a search made of many short ones.
    """

    def __init__(self, conn: Connection, deadline: float, budget: float) -> None:
        self._conn = conn
        self._deadline = deadline
        self._budget = budget

    @property
    def dialect(self) -> Dialect:
        return self._conn.dialect

    def _check(self) -> None:
        if time.monotonic() > self._deadline:
            from bot.core.records import SearchTimedOut

            raise SearchTimedOut(f"search stopped after {self._budget:g} s")

    def execute(self, sql: str, parameters: Params = (), /) -> Cursor:
        self._check()
        return self._conn.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Sequence[Params], /) -> Cursor:
        self._check()
        return self._conn.executemany(sql, parameters)


def now() -> float:
    """Wall-clock seconds; one place so tests and code agree on the unit."""
    return time.time()
