"""Bantin's storage behind the store port: one SQLite file (WAL, FTS5) by default,
PostgreSQL for a fleet (`[storage] url`).

Callers `await store.articles.latest(…)`: the hop onto a database thread happens here,
so handlers, feeds and the worker never know that the database blocks. The same
repositories, called directly on the caller's thread, are `store.sync`: for one-shot CLI
commands and tests that set up rows, never for code on the event loop. The repositories
are written once against `bot.store.db`; `open_store` picks the backend from the config.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from bot.core.dashboard import DashboardPort, SignInPort
from bot.core.ports import (
    AlertsPort,
    ArticlesPort,
    AuditPort,
    BroadcastsPort,
    ChatsPort,
    DeliveriesPort,
    FeedsPort,
    FleetPort,
    HealthPort,
    PaidPort,
    RetentionPort,
    ReviewPort,
    SearchPort,
    StatsPort,
    TopicsPort,
    WebSubPort,
)
from bot.core.records import BackupResult
from bot.store.alerts import AlertStore
from bot.store.articles import ArticleStore
from bot.store.audit import AuditLog
from bot.store.backup import backup
from bot.store.broadcasts import BroadcastStore
from bot.store.chats import ChatStore
from bot.store.dashboard import DashboardStore
from bot.store.db import Database, IntegrityError, StoreError
from bot.store.deliveries import DeliveryStore
from bot.store.feeds import FeedStore
from bot.store.fleet import FleetStore
from bot.store.health import HealthStore
from bot.store.paid import PaidPlan, PaidStore
from bot.store.retention import OutboxRetention
from bot.store.review import ReviewStore
from bot.store.search import SearchIndex
from bot.store.signin import SignInStore
from bot.store.sqlite import SqliteDatabase
from bot.store.stats import StatsStore
from bot.store.topics import TopicStore
from bot.store.websub import WebSubStore

if TYPE_CHECKING:
    from bot.core.settings import Config

__all__ = ["IntegrityError", "Store", "StoreError", "Tables", "open_store"]


# What a reader's /search, page button or inline query asks: never behind the writer.
READER_SEARCHES = frozenset({"search", "search_page", "feed_id", "recall_query", "last_search"})


class Tables:
    """The blocking repositories over one database, one per kind of row."""

    def __init__(
        self, db: Database, timezone: str, *, review: bool = False, paid: PaidPlan | None = None
    ) -> None:
        self.feeds = FeedStore(db)
        self.articles = ArticleStore(db, timezone, review=review)
        self.search = SearchIndex(db)
        self.chats = ChatStore(db, timezone)
        self.deliveries = DeliveryStore(db)
        self.audit = AuditLog(db)
        self.stats = StatsStore(db, timezone, paid=paid)
        self.paid = PaidStore(db, timezone)
        self.broadcasts = BroadcastStore(db)
        self.review = ReviewStore(db, timezone)
        self.alerts = AlertStore(db, timezone)
        self.retention = OutboxRetention(db)
        self.health = HealthStore(db)
        self.fleet = FleetStore(db)
        self.dashboard = DashboardStore(db, timezone)
        self.signin = SignInStore(db)
        self.topics = TopicStore(db)
        self.websub = WebSubStore(db)


class _OnDatabaseThread:
    """A repository whose every method is awaited and runs on the database thread.

    The ports say what each method takes and returns (tests/store/test_ports.py holds the
    repositories to them), so this stays one small proxy instead of a wrapper per method.
    """

    def __init__(
        self, repository: object, db: Database, reads: frozenset[str] = frozenset()
    ) -> None:
        self._repository = repository
        self._db = db
        self._reads = reads  # readers' queries: on the backend's read path (`call_read`)

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        method = getattr(self._repository, name)
        if name.startswith("_") or not callable(method):
            raise AttributeError(name)
        db, repository = self._db, self._repository
        reads = name in self._reads

        async def on_database_thread(*args: Any, **kwargs: Any) -> Any:
            call = db.call_read if reads else db.call
            return await call(getattr(repository, name), *args, **kwargs)

        on_database_thread.__name__ = name
        on_database_thread.__doc__ = method.__doc__
        self.__dict__[name] = on_database_thread  # built once per method
        return on_database_thread


class Store:
    """The store as the port `bot.core.ports.StorePort` describes it.

    Given a path, it opens (and migrates) that SQLite file; given a `Database`, it uses
    it (`open_store` gives it a PostgreSQL one when the config has a URL).
    """

    def __init__(
        self,
        target: Path | str | Database,
        *,
        timezone: str = "Asia/Ho_Chi_Minh",
        review: bool = False,
        paid: PaidPlan | None = None,
    ) -> None:
        """`paid`: the Telegram send rates `/stats` projects the queue's drain time with."""
        self.db = target if isinstance(target, Database) else SqliteDatabase(target)
        self.timezone = timezone
        self.sync = Tables(self.db, timezone, review=review, paid=paid)
        self.feeds = cast(FeedsPort, _OnDatabaseThread(self.sync.feeds, self.db))
        self.articles = cast(ArticlesPort, _OnDatabaseThread(self.sync.articles, self.db))
        self.search = cast(
            SearchPort, _OnDatabaseThread(self.sync.search, self.db, READER_SEARCHES)
        )
        self.chats = cast(ChatsPort, _OnDatabaseThread(self.sync.chats, self.db))
        self.deliveries = cast(DeliveriesPort, _OnDatabaseThread(self.sync.deliveries, self.db))
        self.audit = cast(AuditPort, _OnDatabaseThread(self.sync.audit, self.db))
        self.stats = cast(StatsPort, _OnDatabaseThread(self.sync.stats, self.db))
        self.broadcasts = cast(BroadcastsPort, _OnDatabaseThread(self.sync.broadcasts, self.db))
        self.review = cast(ReviewPort, _OnDatabaseThread(self.sync.review, self.db))
        self.alerts = cast(AlertsPort, _OnDatabaseThread(self.sync.alerts, self.db))
        self.retention = cast(RetentionPort, _OnDatabaseThread(self.sync.retention, self.db))
        self.health = cast(HealthPort, _OnDatabaseThread(self.sync.health, self.db))
        self.paid = cast(PaidPort, _OnDatabaseThread(self.sync.paid, self.db))
        self.fleet = cast(FleetPort, _OnDatabaseThread(self.sync.fleet, self.db))
        self.dashboard = cast(DashboardPort, _OnDatabaseThread(self.sync.dashboard, self.db))
        self.signin = cast(SignInPort, _OnDatabaseThread(self.sync.signin, self.db))
        self.topics = cast(TopicsPort, _OnDatabaseThread(self.sync.topics, self.db))
        self.websub = cast(WebSubPort, _OnDatabaseThread(self.sync.websub, self.db))

    async def backup(self, target: Path) -> BackupResult:
        """A consistent copy of the whole store at `target`, taken while the bot runs."""
        return await self.db.call(backup, self.db, target)

    def close(self) -> None:
        self.db.close()


def open_store(config: Config) -> Store:
    """The store the config names: PostgreSQL when `[storage] url` is set, else the file."""
    paid = paid_plan(config)
    if not config.storage_url:
        return Store(
            config.storage_path,
            timezone=config.timezone,
            review=config.publish.review,
            paid=paid,
        )
    try:
        from bot.store.postgres import PostgresDatabase
    except ImportError as exc:
        raise StoreError(
            f"[storage] url is a PostgreSQL database, but its driver is missing ({exc.name}): "
            "pip install 'bantin[postgres]'"
        ) from None
    return Store(
        PostgresDatabase(config.storage_url),
        timezone=config.timezone,
        review=config.publish.review,
        paid=paid,
    )


def paid_plan(config: Config) -> PaidPlan:
    """`[telegram]`'s free rate and paid broadcast budget."""
    t = config.telegram
    return PaidPlan(
        free_rate=t.messages_per_second,
        stars_per_day=t.paid_broadcast_stars_per_day,
        after_minutes=t.paid_broadcast_after_minutes,
    )
