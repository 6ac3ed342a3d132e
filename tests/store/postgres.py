"""A throwaway PostgreSQL server for the tests: a temporary folder, loopback, a free port.

The distribution's own binaries (`initdb`, `pg_ctl`: Debian keeps them in
/usr/lib/postgresql/<version>/bin; `.ci/run` installs the `postgresql` package when they
are missing). PostgreSQL refuses to run as root, so under root the server runs as the
unprivileged user `bantin-test` (created when missing) through `runuser`. Durability is
off (fsync, synchronous_commit): the data dies with the test session anyway.

The tests share one migrated database, emptied before each test (`reset`: every table
truncated, ids restarted), which costs about 20 ms where a fresh copy of a database costs
300; a test about migrations themselves asks for a blank database (`new_database`).
"""

from __future__ import annotations

import glob
import itertools
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import ParamSpec, TypeVar

import psycopg

from bot.core.records import SearchTimedOut
from bot.store.db import Connection, Database, Dialect, Params
from bot.store.db import Cursor as DbCursor
from bot.store.search import SearchIndex

P = ParamSpec("P")
T = TypeVar("T")

USER = "bantin-test"  # the system account the server runs as, under root
SUPERUSER = "bantin"  # the database role the tests connect as
SHARED_DATABASE = "bantin_test"
KEPT = ("bantin_schema", "search_state")  # what `reset` leaves as the migrations made it


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else the newest Debian version."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """`durable=True` (the benchmarks) keeps fsync and synchronous commit on, as a real
    server runs, and gives it more shared buffers; the tests run with both off."""

    def __init__(self, binaries: Path, *, durable: bool = False) -> None:
        self.binaries = binaries
        self.durable = durable
        self.root = Path(tempfile.mkdtemp(prefix="bantin-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.password = secrets.token_urlsafe(12)
        self._numbers = itertools.count(1)
        self._as_root = os.geteuid() == 0

    def url(self, database: str, *, password: bool = True) -> str:
        secret = f":{self.password}" if password else ""
        return f"postgresql://{SUPERUSER}{secret}@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        args = [str(self.binaries / command[0]), *command[1:]]
        if self._as_root:
            args = ["runuser", "-u", USER, "--", *args]
        subprocess.run(args, check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if self._as_root:
            _ensure_user()
            shutil.chown(self.root, USER)
        password_file = self.root / "password"
        password_file.write_text(self.password, encoding="utf-8")
        if self._as_root:
            shutil.chown(password_file, USER)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=scram-sha-256",
            f"--pwfile={password_file}",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        password_file.unlink()
        throwaway = ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.root}",
                *([] if self.durable else throwaway),
                "-c max_connections=300",
                f"-c shared_buffers={'512MB' if self.durable else '64MB'}",
            ]
        )
        log = self.root / "server.log"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(log), "-w", "-o", options, "start")
        with self._admin() as conn:
            conn.execute(f"CREATE DATABASE {SHARED_DATABASE}")
        from bot.store.postgres import PostgresDatabase

        PostgresDatabase(self.url(SHARED_DATABASE)).close()  # migrated once

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def reset(self) -> str:
        """The shared database as a fresh one: no rows, ids from 1; its URL.

        Connections a finished test left open (a store not closed, a killed process)
        are ended first, so they cannot hold a lock the truncation waits for.
        """
        with psycopg.connect(self.url(SHARED_DATABASE), autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            tables = [
                str(row[0])
                for row in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> ALL(%s)",
                    (list(KEPT),),
                )
            ]
            conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
            conn.execute("UPDATE search_state SET value = '0' WHERE key = 'rebuild'")
        return self.url(SHARED_DATABASE)

    def create_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")

    def new_database(self) -> str:
        """A blank database (no schema yet); its name."""
        name = f"blank_{os.getpid()}_{next(self._numbers)}"
        with self._admin() as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return name

    def drop_database(self, name: str) -> None:
        with self._admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _ensure_user() -> None:
    found = subprocess.run(["id", "-u", USER], capture_output=True)
    if found.returncode != 0:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", USER],
            check=True,
            capture_output=True,
        )


class Traced(Database):
    """The real database, passed through, remembering every statement its connections run.

    So a test or a benchmark can EXPLAIN what a repository asked, exactly as it asked it,
    without a copy of the repository's SQL that could drift from it.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.where, self.path, self.threads = db.where, db.path, db.threads
        self.statements: list[tuple[str, Params]] = []

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.db.transaction() as conn:
            yield _Recording(conn, self.statements)

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        with self.db.reading() as conn:
            yield _Recording(conn, self.statements)

    @contextmanager
    def searching(self, budget: float) -> Iterator[Connection]:
        with self.db.searching(budget) as conn:
            yield _Recording(conn, self.statements)

    async def call(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self.db.call(fn, *args, **kwargs)

    def backup(self, target: Path | str) -> None:
        self.db.backup(target)

    def close(self) -> None:
        """The wrapped database belongs to whoever opened it."""


class _Recording:
    def __init__(self, conn: Connection, into: list[tuple[str, Params]]) -> None:
        self._conn = conn
        self._into = into

    @property
    def dialect(self) -> Dialect:
        return self._conn.dialect

    def execute(self, sql: str, parameters: Params = (), /) -> DbCursor:
        self._into.append((sql, parameters))
        return self._conn.execute(sql, parameters)

    def executemany(self, sql: str, parameters: Sequence[Params], /) -> DbCursor:
        return self._conn.executemany(sql, parameters)


def search_plans(db: Database, query: str, *, seqscan: bool = True) -> list[str]:
    """PostgreSQL's plans for the full-text statements one `SearchIndex.search` runs.

    `seqscan=False` asks for a plan without a sequential scan where one exists: on a
    small table the planner rightly reads every page, so this is how a test sees that
    each statement *can* use the index (a statement that cannot still shows "Seq Scan").
    """
    traced = Traced(db)
    with suppress(SearchTimedOut):  # the statements it got to are still worth explaining
        SearchIndex(traced).search(query)
    plans = []
    for sql, parameters in traced.statements:
        if "@@" not in sql:
            continue
        with db.reading() as conn:
            if not seqscan:
                conn.execute("SET LOCAL enable_seqscan = off")
            rows = conn.execute("EXPLAIN " + sql, parameters).fetchall()
        plans.append("\n".join(str(row[0]) for row in rows))
    return plans
