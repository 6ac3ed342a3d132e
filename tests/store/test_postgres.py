"""What is PostgreSQL's own in the store: its schema steps, `bantin_due` in PL/pgSQL,
snapshots and row locks, the SQL it is handed, and a password that never shows.

The promises both backends share are tested on both (tests/bot/test_store.py,
tests/search, tests/delivery); these are the PostgreSQL side of what SQLite tests with
its PRAGMAs, and what only a server has.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import psycopg
import pytest

from bot.config import ConfigError, parse_config
from bot.core.records import StoryRecord
from bot.core.settings import FeedConfig
from bot.delivery.timing import due_at
from bot.store import IntegrityError, Store, StoreError, open_store
from bot.store.articles import insert_article
from bot.store.migrations import MIGRATIONS as SQLITE_MIGRATIONS
from bot.store.postgres import PostgresDatabase
from bot.store.postgres.connection import PgConnection, translate
from bot.store.postgres.migrations import MIGRATIONS
from tests.store.postgres import PostgresServer


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    opened = Store(PostgresDatabase(postgres_url))
    try:
        yield opened
    finally:
        opened.close()


def story(key: str, title: str, published: float) -> StoryRecord:
    return StoryRecord(
        key, f"https://lamdongtv.vn/{key}.html", title, "", "", "", None, None, published
    )


def test_both_backends_have_the_same_schema_steps() -> None:
    assert len(MIGRATIONS) == len(SQLITE_MIGRATIONS)


def test_schema_is_versioned_and_a_newer_one_is_refused(
    postgres_server: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    name = postgres_server.new_database()
    url = postgres_server.url(name)
    try:
        with caplog.at_level(logging.INFO, logger="bot.store.postgres"):
            first = Store(PostgresDatabase(url))
        assert caplog.text.count("migrated to schema") == len(MIGRATIONS)
        first.sync.feeds.sync_config([FeedConfig(name="Tin tức", url="https://lamdongtv.vn/rss")])
        first.close()
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="bot.store.postgres"):
            again = Store(PostgresDatabase(url))  # reopening migrates nothing, keeps data
        assert "migrated" not in caplog.text
        assert [feed.name for feed in again.sync.feeds.all()] == ["Tin tức"]
        again.close()
        with psycopg.connect(url, autocommit=True) as raw:
            assert raw.execute("SELECT version FROM bantin_schema").fetchone() == (len(MIGRATIONS),)
            raw.execute("UPDATE bantin_schema SET version = version + 1")
        with pytest.raises(StoreError, match="newer than this Bantin knows"):
            PostgresDatabase(url)
    finally:
        postgres_server.drop_database(name)


@pytest.mark.parametrize("zone", ["Asia/Ho_Chi_Minh", "Asia/Tokyo", "America/New_York"])
def test_bantin_due_is_the_python_rule(store: Store, zone: str) -> None:
    """The PL/pgSQL function gives what `bot.delivery.timing.due_at` gives (no DST change
    falls in these days)."""
    tz = ZoneInfo(zone)
    moments = [
        datetime(2024, 3, 12, hour, minute, second, tzinfo=tz).timestamp() + fraction
        for hour in range(24)
        for minute, second, fraction in ((0, 0, 0.0), (29, 59, 0.25), (59, 59, 0.999))
    ]
    rules = [
        ("instant", 7, None, None),
        ("instant", 7, 22, 6),
        ("instant", 7, 8, 17),
        ("instant", 7, 8, 8),
        ("digest", 7, None, None),
        ("digest", 0, 22, 6),
        ("digest", 23, None, None),
    ]
    with store.db.reading() as conn:
        for moment in moments:
            for mode, hour, start, end in rules:
                got = conn.execute(
                    "SELECT bantin_due(?, ?, ?, ?, ?, ?)", (moment, zone, mode, hour, start, end)
                ).fetchone()[0]
                want = due_at(moment, zone, mode, hour, start, end)
                assert got == pytest.approx(want, abs=1e-6), (moment, mode, hour, start, end)


def test_reads_are_one_snapshot_and_writes_see_their_own_rows(store: Store) -> None:
    with store.db.reading() as conn:
        assert conn.execute("SHOW transaction_isolation").fetchone()[0] == "repeatable read"
        assert conn.execute("SHOW transaction_read_only").fetchone()[0] == "on"
    with store.db.transaction() as conn:
        assert conn.execute("SHOW transaction_isolation").fetchone()[0] == "read committed"
        assert conn.execute("SHOW transaction_read_only").fetchone()[0] == "off"
        store.sync.audit.record("cli", "kept", "", "ok")  # joins this transaction
        assert len(store.sync.audit.recent()) == 1  # a read inside sees it
        with pytest.raises(RuntimeError), store.db.transaction():
            store.sync.audit.record("cli", "undone", "", "ok")
            raise RuntimeError("a nested transaction is a savepoint")
    assert [entry.action for entry in store.sync.audit.recent()] == ["kept"]
    with pytest.raises(RuntimeError), store.db.transaction():
        store.sync.audit.record("cli", "undone", "", "ok")
        raise RuntimeError("the whole transaction is rolled back")
    assert [entry.action for entry in store.sync.audit.recent()] == ["kept"]


def test_a_broken_constraint_is_the_stores_integrity_error(store: Store) -> None:
    feed = FeedConfig(name="Tin tức", url="https://lamdongtv.vn/rss")
    store.sync.feeds.add(feed)
    with pytest.raises(IntegrityError, match="duplicate key"):
        store.sync.feeds.add(feed)
    assert len(store.sync.feeds.all()) == 1
    store.sync.feeds.add(FeedConfig(name="Khác", url="https://lamdongtv.vn/khac"))  # usable


def test_two_senders_never_claim_the_same_delivery(postgres_url: str) -> None:
    """Two processes' stores claim at once: `FOR UPDATE ... SKIP LOCKED` keeps them apart."""
    stores = [Store(PostgresDatabase(postgres_url)) for _ in range(2)]
    try:
        first = stores[0].sync
        first.feeds.sync_config([FeedConfig(name="Tin tức", url="https://lamdongtv.vn/rss")])
        feed_id = first.feeds.all()[0].id
        for n in range(60):
            first.chats.subscribe(first.chats.upsert("telegram", str(n)).id)
        for round_number in range(4):
            first.articles.record_poll(
                feed_id,
                [(story(f"s{round_number}", "Tin", float(round_number)), True)],
                [],
                etag=None,
                last_modified=None,
                next_check_at=0,
            )
            start = threading.Barrier(2)
            claimed: list[list[int]] = [[], []]
            threads = [
                threading.Thread(target=claim_all, args=(stores[i], start, claimed[i]))
                for i in range(2)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            both = claimed[0] + claimed[1]
            assert len(both) == len(set(both)) == 60, round_number
            for delivery_id in both:
                first.deliveries.mark_sent(delivery_id, "m")
    finally:
        for opened in stores:
            opened.close()


def claim_all(store: Store, start: threading.Barrier, claimed: list[int]) -> None:
    start.wait()
    while batch := store.sync.deliveries.claim("telegram", 7):
        claimed.extend(d.id for d in batch)


def test_the_search_reads_the_gin_indexes(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every query the search sends to `search_docs` can be served by an index: the GIN
    index when no window of ids bounds it (never a walk of the primary key testing each
    row, which for a rare word would read the whole table)."""
    with store.db.transaction() as conn:
        for n in range(2000):
            title = f"Festival hoa Đà Lạt {n}" if n % 400 == 0 else f"Tin thời tiết số {n}"
            insert_article(conn, None, story(f"k{n}", title, n), n)
        conn.execute("ANALYZE search_docs")
    seen: list[tuple[str, object]] = []
    real = PgConnection.execute

    def recording(self: PgConnection, sql: str, parameters: object = (), /) -> object:
        if "search_docs" in sql:
            seen.append((sql, parameters))
        return real(self, sql, parameters)  # type: ignore[arg-type]

    monkeypatch.setattr(PgConnection, "execute", recording)
    store.sync.search.search("festival hoa da la")
    store.sync.search.search("dalat", since=10.0)
    monkeypatch.undo()
    assert len(seen) >= 5
    with store.db.transaction() as conn:
        # A table this small is cheapest read whole; at a newsroom's size the planner
        # picks the index by itself. Here: is there an index each query can use at all?
        conn.execute("SET LOCAL enable_seqscan = off")
        conn.execute("SET LOCAL enable_indexscan = off")  # GIN serves bitmap scans only
        for sql, parameters in seen:
            plan = "\n".join(
                str(row[0])
                for row in conn.execute("EXPLAIN " + sql, parameters)  # type: ignore[arg-type]
            )
            assert "Seq Scan on search_docs" not in plan, plan
            if "article_id >=" not in sql:  # else a window of ids bounds the walk anyway
                assert "search_docs_title" in plan or "search_docs_story" in plan, plan
                assert "search_docs_pkey" not in plan, plan


def test_sqlite_style_sql_is_read_as_postgresql_style() -> None:
    assert translate("SELECT a FROM t WHERE b = ? AND c = :name AND d::text LIKE '5%?:x'") == (
        "SELECT a FROM t WHERE b = %s AND c = %(name)s AND d::text LIKE '5%?:x'",
        False,
    )
    assert translate("SELECT 100 % 7, 'it''s ?'") == ("SELECT 100 %% 7, 'it''s ?'", False)
    assert translate("INSERT OR IGNORE INTO t (a) SELECT ? WHERE true") == (
        "INSERT INTO t (a) SELECT %s WHERE true ON CONFLICT DO NOTHING",
        True,
    )
    assert translate("insert or ignore into t (a) values (?) returning id") == (
        "INSERT INTO t (a) values (%s) ON CONFLICT DO NOTHING returning id",
        False,
    )


def test_rows_read_by_name_and_position_and_inserts_know_their_id(store: Store) -> None:
    with store.db.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO audit_log (at, actor, action, detail, result) VALUES (?, ?, ?, ?, ?)",
            (1.5, "cli", "test", "", "ok"),
        )
        assert cursor.lastrowid == 1
        assert conn.execute("UPDATE audit_log SET result = 'x'").lastrowid is None
        row = conn.execute("SELECT id, at, actor AS id FROM audit_log").fetchone()
        assert (row[0], row["id"], row["at"], row[2]) == (1, 1, 1.5, "cli")
        assert isinstance(row["at"], float)
        again = conn.execute(
            "INSERT OR IGNORE INTO search_state (key, value) VALUES ('rebuild', 'x')"
        )
        assert (again.rowcount, again.lastrowid) == (0, None)


def test_a_bad_url_or_password_never_shows_the_password(
    postgres_server: PostgresServer, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "s3cr3t-n0t-this-one"
    wrong = postgres_server.url("bantin_test").replace(postgres_server.password, secret)
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreError) as refused:
        PostgresDatabase(wrong)
    assert "password authentication failed" in str(refused.value)
    assert secret not in str(refused.value) and secret not in caplog.text
    assert "bantin:***@127.0.0.1" in str(refused.value)
    with pytest.raises(ConfigError, match=r"\[storage\] url") as bad:
        parse_config(f'[storage]\nurl = "mysql://bantin:{secret}@db/x"\n', "config.toml", env={})
    assert secret not in str(bad.value)


def test_the_url_from_config_or_environment_opens_postgresql_and_never_prints_its_password(
    postgres_server: PostgresServer, postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    password = postgres_server.password
    from_env = parse_config("", "<test>", env={"BANTIN_DATABASE_URL": postgres_url})
    assert from_env.storage_url == postgres_url
    in_file = parse_config(f'[storage]\nurl = "{postgres_url}"\n', "<test>", env={})
    assert in_file.storage_url == postgres_url
    assert password not in repr(in_file) and password not in in_file.storage_label
    assert in_file.storage_label.startswith("postgresql://bantin:***@127.0.0.1:")
    with caplog.at_level(logging.DEBUG):
        store = open_store(in_file)
        try:
            assert isinstance(store.db, PostgresDatabase)
            store.sync.feeds.sync_config(in_file.feeds)
            assert store.sync.feeds.all() == []
        finally:
            store.close()
    assert password not in caplog.text
    plain = parse_config("", "<test>", env={})
    assert plain.storage_url == "" and plain.storage_label == "data/bantin.sqlite3"


def test_the_password_may_come_from_pgpassword(
    postgres_server: PostgresServer, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bare = postgres_server.url("bantin_test", password=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    monkeypatch.delenv("PGPASSWORD", raising=False)
    with pytest.raises(StoreError, match="password"):
        PostgresDatabase(bare)
    monkeypatch.setenv("PGPASSWORD", postgres_server.password)
    PostgresDatabase(bare).close()


def test_backup_says_to_use_pg_dump(postgres_server: PostgresServer, store: Store) -> None:
    with pytest.raises(StoreError, match=r"pg_dump --format=custom --file=copy\.dump") as refused:
        store.db.backup("copy.dump")
    assert "postgresql://bantin:***@127.0.0.1" in str(refused.value)
    assert postgres_server.password not in str(refused.value)


def test_a_store_is_usable_from_several_threads_at_once(store: Store) -> None:
    """`call` runs on a few threads, each with its own pooled connection."""

    async def many() -> list[int]:
        def slow_count() -> int:
            with store.db.reading() as conn:
                conn.execute("SELECT pg_sleep(0.2)")
            return store.sync.articles.count()

        return await asyncio.gather(*(store.db.call(slow_count) for _ in range(store.db.threads)))

    start = time.monotonic()
    assert asyncio.run(many()) == [0] * store.db.threads
    assert time.monotonic() - start < 0.2 * store.db.threads * 0.75
