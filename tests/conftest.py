"""Fixtures every test room shares."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.store import Store

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BANTIN_SHARED", REPO.parent / "shared"))
BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared` beside the checkout: the seed story, the 60 pages, VietNews."""
    if not SHARED.is_dir():
        pytest.fail(f"shared data not found at {SHARED}; set BANTIN_SHARED")
    return SHARED


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[object]:
    """One throwaway PostgreSQL server for the session (tests/store/postgres.py).

    Without PostgreSQL installed the tests that need it fail in CI (CI=true: `.ci/run`
    installs it) and are skipped elsewhere, saying why.
    """
    from tests.store.postgres import PostgresServer, find_binaries

    binaries = find_binaries()
    if binaries is None:
        reason = "PostgreSQL is not installed (no initdb): apt-get install postgresql"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = PostgresServer(binaries)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: object) -> str:
    """The URL of an empty, migrated PostgreSQL database for this test alone."""
    from tests.store.postgres import PostgresServer

    assert isinstance(postgres_server, PostgresServer)
    return postgres_server.reset()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend under test: the test runs once on each."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> str:
    """`[storage] url` for the backend under test ("" for the SQLite file)."""
    if backend == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return ""


@pytest.fixture
def new_store(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Store]]:
    """Open this test's store on the backend under test; called again, open it again."""
    opened: list[Store] = []

    def open_store(*, timezone: str = "Asia/Ho_Chi_Minh") -> Store:
        if database_url:
            from bot.store.postgres import PostgresDatabase

            store = Store(PostgresDatabase(database_url), timezone=timezone)
        else:
            store = Store(tmp_path / "bantin.sqlite3", timezone=timezone)
        opened.append(store)
        return store

    yield open_store
    for store in opened:
        store.close()
