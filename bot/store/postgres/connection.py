"""psycopg connections that read the repositories' SQL as SQLite's driver does.

What a repository relies on, and how it is kept here:

- placeholders `?` and `:name` become psycopg's `%s` and `%(name)s` (and a literal `%`
  becomes `%%`), outside quoted strings and `::` casts; `INSERT OR IGNORE` becomes
  `INSERT ... ON CONFLICT DO NOTHING`, PostgreSQL's spelling of the same thing;
- parameters are bound on the client (`ClientCursor`): the repositories' `(? IS NULL OR
  x = ?)` filters need a typed NULL, which only a literal gives; floats are written as
  float8 literals so they compare and compute as the REAL columns' double precision;
- rows are tuples that also answer to column names, like `sqlite3.Row`;
- a broken constraint raises `ConstraintError`, a `bot.store.db.IntegrityError`;
- `cursor.lastrowid` is the id the last INSERT made, from `lastval()`, for SQL written for
  sqlite3 (the repositories themselves say `RETURNING id`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, ClassVar

import psycopg
from psycopg.adapt import AdaptersMap
from psycopg.rows import RowMaker
from psycopg.types.numeric import FloatDumper

from bot.store.db import Dialect, IntegrityError, Params
from bot.store.postgres.fulltext import TsVectors


class ConstraintError(IntegrityError):
    """A unique, NOT NULL, CHECK or foreign-key constraint refused a write."""


class Row(tuple[Any, ...]):
    """A result row: `row[0]`, `row["name"]` (the first column of that name), `row.keys()`."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type[Row]:
    index: dict[str, int] = {}
    for position, name in enumerate(names):
        index.setdefault(name, position)
    return type("Row", (Row,), {"__slots__": (), "_index": index})


def row_factory(cursor: psycopg.Cursor[Any]) -> RowMaker[Row]:
    """One tuple subclass per result shape, so a row costs what a tuple costs."""
    names = tuple(column.name for column in cursor.description or ())
    return _row_class(names)


class Float8Dumper(FloatDumper):
    """A Python float bound on the client as a float8 literal (a bare 1.5 would be numeric)."""

    def quote(self, obj: Any) -> bytes:
        return b"'" + repr(float(obj)).encode() + b"'::float8"


ADAPTERS = AdaptersMap(psycopg.adapters)
ADAPTERS.register_dumper(float, Float8Dumper)


class Cursor(psycopg.ClientCursor[Row]):
    inserted = False  # the last statement was an INSERT with no RETURNING

    @property
    def lastrowid(self) -> int | None:
        if not self.inserted or self.rowcount < 1:
            return None
        with self.connection.cursor() as other:
            row = other.execute("SELECT lastval()").fetchone()
        return int(row[0]) if row else None


POSTGRES = Dialect(
    name="postgresql",
    fulltext=TsVectors(),
    claim_lock=" FOR UPDATE OF d SKIP LOCKED",
    claim_chat_lock=" FOR UPDATE OF d, c SKIP LOCKED",
)


class PgConnection:
    """One pooled connection, inside a transaction, as the repositories use it."""

    dialect = POSTGRES

    def __init__(self, raw: psycopg.Connection[Row], *, writing: bool) -> None:
        self.raw = raw
        self.writing = writing

    def execute(self, sql: str, parameters: Params = (), /) -> Cursor:
        cursor = self.raw.cursor()
        assert isinstance(cursor, Cursor)
        query, inserted = translate(sql)
        try:
            cursor.execute(query, parameters)
        except psycopg.IntegrityError as exc:
            raise ConstraintError(str(exc)) from exc
        cursor.inserted = inserted
        return cursor

    def executemany(self, sql: str, parameters: Sequence[Params], /) -> Cursor:
        cursor = self.raw.cursor()
        assert isinstance(cursor, Cursor)
        try:
            cursor.executemany(translate(sql)[0], parameters)
        except psycopg.IntegrityError as exc:
            raise ConstraintError(str(exc)) from exc
        return cursor


def connection_kwargs() -> dict[str, Any]:
    """How every connection of the backend is made (the pool's and the migrator's)."""
    return {
        "autocommit": True,  # transactions are explicit: `with conn.transaction()`
        "context": ADAPTERS,
        "row_factory": row_factory,
        "cursor_factory": Cursor,
    }


_TOKENS = re.compile(r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|::|%|\?|:[A-Za-z_]\w*""")
_OR_IGNORE = re.compile(r"^\s*INSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_INSERT = re.compile(r"^\s*INSERT\b", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)


def _placeholder(match: re.Match[str]) -> str:
    token = match.group(0)
    if token[0] in "'\"" or token == "::":
        return token
    if token == "%":
        return "%%"
    if token == "?":
        return "%s"
    return f"%({token[1:]})s"


@lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, bool]:
    """SQLite-style SQL in psycopg's style; and whether it is an INSERT with no RETURNING."""
    query = _TOKENS.sub(_placeholder, sql)
    if _OR_IGNORE.match(query):
        query = _OR_IGNORE.sub("INSERT INTO", query, count=1).rstrip().rstrip(";")
        returning = _RETURNING.search(query)
        if returning:
            at = returning.start()
            query = f"{query[:at]}ON CONFLICT DO NOTHING {query[at:]}"
        else:
            query += " ON CONFLICT DO NOTHING"
    inserted = bool(_INSERT.match(query)) and not _RETURNING.search(query)
    return query, inserted
