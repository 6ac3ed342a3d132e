"""Each store backend's repositories offer exactly what the store port promises.

The async facade forwards by name (bot/store/__init__.py), so a method the port names but
a repository lacks, or one whose parameters differ, would only fail at run time: here it
fails at once, for every port method.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from bot.core import ports
from bot.store import Store

REPOSITORIES = {
    "feeds": ports.FeedsPort,
    "articles": ports.ArticlesPort,
    "chats": ports.ChatsPort,
    "deliveries": ports.DeliveriesPort,
    "search": ports.SearchPort,
    "audit": ports.AuditPort,
    "stats": ports.StatsPort,
    "broadcasts": ports.BroadcastsPort,
    "review": ports.ReviewPort,
    "alerts": ports.AlertsPort,
    "retention": ports.RetentionPort,
    "health": ports.HealthPort,
    "paid": ports.PaidPort,
    "fleet": ports.FleetPort,
    "dashboard": ports.DashboardPort,
    "signin": ports.SignInPort,
    "topics": ports.TopicsPort,
    "websub": ports.WebSubPort,
}


def port_methods(port: type) -> list[str]:
    return [n for n, v in vars(port).items() if inspect.iscoroutinefunction(v)]


@pytest.mark.parametrize("name", sorted(REPOSITORIES))
def test_the_sqlite_repositories_match_the_port(name: str, tmp_path: Path) -> None:
    store = Store(tmp_path / "bantin.sqlite3")
    try:
        repository = getattr(store.sync, name)
        port = REPOSITORIES[name]
        assert port_methods(port), name
        for method in port_methods(port):
            promised = inspect.signature(getattr(port, method))
            offered = inspect.signature(getattr(type(repository), method))
            assert list(offered.parameters) == list(promised.parameters), (name, method)
            for param, want in promised.parameters.items():
                have = offered.parameters[param]
                assert (have.kind, have.default) == (want.kind, want.default), (name, method)
            assert str(offered.return_annotation) == str(promised.return_annotation), method
    finally:
        store.close()


async def test_the_facade_awaits_on_the_database_thread(tmp_path: Path) -> None:
    store = Store(tmp_path / "bantin.sqlite3")
    try:
        chat = await store.chats.upsert("telegram", "42")
        assert await store.chats.get("telegram", "42") == chat
        assert store.sync.chats.get("telegram", "42") == chat
        with pytest.raises(AttributeError):
            _ = store.chats._missing  # private names are not part of any port
    finally:
        store.close()
