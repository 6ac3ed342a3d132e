"""One measurement on SQLite and on PostgreSQL, same data, one run (`--database URL`).

SQLite gets a file in a temporary folder; PostgreSQL works in a schema of its own,
`bantin_bench`, made for the run and dropped after it. A database that already holds
tables is refused unless `--reset` is given (the bench writes millions of rows; even
then it drops and makes again only `bantin_bench`). `--database auto` starts a
throwaway server (bench/pgserver.py). The URL's password never reaches the output.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

from bot.core.settings import redact_url
from bot.store import Store
from bot.store.db import Connection

SCHEMA = "bantin_bench"

Opener = Callable[[], Store]


def add_arguments(parser: argparse.ArgumentParser, *, explain: bool = False) -> None:
    """The benches' `--database` options, added in one place."""
    group = parser.add_argument_group("PostgreSQL beside SQLite")
    group.add_argument(
        "--database",
        metavar="URL",
        help="postgresql://user@host:port/db, or auto (a throwaway server): the same "
        "measurement on SQLite (a temporary file) and on this database, side by side",
    )
    group.add_argument(
        "--reset",
        action="store_true",
        help=f"use a database that holds tables (only the schema {SCHEMA} is dropped and made)",
    )
    if explain:
        group.add_argument(
            "--explain", action="store_true", help="print PostgreSQL's plans for a few searches"
        )


def note(text: str) -> None:
    """One progress line on stderr: stage, counts, time."""
    print(text, file=sys.stderr, flush=True)


def in_schema(url: str) -> str:
    """The URL, its connections working in the bench's own schema."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={SCHEMA}')}"


def prepare_schema(url: str, reset: bool) -> None:
    """Refuse a database holding tables unless `reset`; make the bench's schema afresh."""
    import psycopg  # the `postgres` extra: only a run with --database needs it

    where = redact_url(url)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            tables = [
                f"{row[0]}.{row[1]}"
                for row in conn.execute(
                    "SELECT table_schema, table_name FROM information_schema.tables "
                    "WHERE table_schema NOT IN ('pg_catalog', 'information_schema') "
                    "ORDER BY 1, 2 LIMIT 4"
                )
            ]
            if tables and not reset:
                raise SystemExit(
                    f"{where} is not empty (tables {', '.join(tables)}, …): the bench writes "
                    f"up to millions of rows into a schema {SCHEMA}. Give --reset to go on "
                    f"(it drops and makes again {SCHEMA} only), or another database."
                )
            conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            conn.execute(f"CREATE SCHEMA {SCHEMA}")
    except psycopg.Error as exc:
        raise SystemExit(f"{where}: {str(exc).strip()}") from None


def drop_schema(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")


@contextmanager
def backends(database: str, reset: bool) -> Iterator[list[tuple[str, Opener]]]:
    """("sqlite", open), ("postgresql", open): each `open()` gives a new, empty store."""
    from bot.store.postgres import PostgresDatabase

    with ExitStack() as stack:
        folder = Path(stack.enter_context(_temporary_folder()))
        url = database
        if database == "auto":
            from bench.pgserver import throwaway

            url = stack.enter_context(throwaway()).url("bench")
        prepare_schema(url, reset)
        stack.callback(drop_schema, url)

        def sqlite() -> Store:
            return Store(folder / "bench.sqlite3")

        def postgresql() -> Store:
            return Store(PostgresDatabase(in_schema(url)))

        yield [("sqlite", sqlite), ("postgresql", postgresql)]


@contextmanager
def _temporary_folder() -> Iterator[str]:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bantin-bench-") as folder:
        yield folder


def server_version(store: Store) -> str:
    if store.db.where.startswith("postgres"):
        with store.db.reading() as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0]).split()[0]
    import sqlite3

    return sqlite3.sqlite_version


def size_mb(store: Store) -> float:
    """The store's size: its file (and WAL), or its schema's tables with their indexes."""
    if not store.db.where.startswith("postgres"):
        path = store.db.path
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p)) / 1e6
    with store.db.reading() as conn:
        row = conn.execute(
            "SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'"
        ).fetchone()
    return int(row[0]) / 1e6


def is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def bulk_insert(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterator[tuple[object, ...]]
) -> int:
    """Set-up rows in bulk (not what is measured): COPY on PostgreSQL, else executemany,
    in batches so a million rows never sit in memory at once."""
    count = 0
    if is_postgres(conn):
        raw = conn.raw  # type: ignore[attr-defined]  # PgConnection: the psycopg connection
        with raw.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({','.join('?' * len(columns))})"
    batch: list[tuple[object, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == 50_000:
            conn.executemany(sql, batch)
            count += len(batch)
            batch.clear()
    if batch:
        conn.executemany(sql, batch)
        count += len(batch)
    return count


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A Markdown table on stdout, ready for the README."""
    print(f"\n{title}\n")
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


class Stopwatch:
    def __init__(self) -> None:
        self.began = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.began
