"""Bantin's storage: one SQLite file (WAL, FTS5), one object per kind of row."""

from __future__ import annotations

from pathlib import Path

from bot.store.articles import ArticleStore
from bot.store.audit import AuditLog
from bot.store.chats import ChatStore
from bot.store.db import Database, StoreError
from bot.store.deliveries import DeliveryStore
from bot.store.feeds import FeedStore
from bot.store.search import SearchIndex
from bot.store.stats import StatsStore

__all__ = ["Store", "StoreError"]


class Store:
    """The composition the application passes around: `store.articles.get(…)`, …"""

    def __init__(self, path: Path | str, *, timezone: str = "Asia/Ho_Chi_Minh") -> None:
        self.db = Database(path)
        self.feeds = FeedStore(self.db)
        self.articles = ArticleStore(self.db, timezone)
        self.search = SearchIndex(self.db)
        self.chats = ChatStore(self.db, timezone)
        self.deliveries = DeliveryStore(self.db)
        self.audit = AuditLog(self.db)
        self.stats = StatsStore(self.db, timezone)

    def close(self) -> None:
        self.db.close()
