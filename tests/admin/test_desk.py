"""The admin room keeps its port's promises and reaches the store through the port only."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from bot.admin.desk import AdminDesk
from bot.core import admin_ports as ports
from bot.store import Store

REPO = Path(__file__).resolve().parents[2]
AREAS = {
    "feeds": ports.FeedAdminPort,
    "channels": ports.ChannelAdminPort,
    "broadcasts": ports.BroadcastAdminPort,
    "stories": ports.StoryAdminPort,
    "backup": ports.BackupAdminPort,
    "review": ports.ReviewAdminPort,
}


def port_methods(port: type) -> list[str]:
    return [n for n, v in vars(port).items() if inspect.iscoroutinefunction(v)]


def same_signature(offered: object, promised: object) -> None:
    have = inspect.signature(offered)  # type: ignore[arg-type]
    want = inspect.signature(promised)  # type: ignore[arg-type]
    assert list(have.parameters) == list(want.parameters)
    for name, param in want.parameters.items():
        assert (have.parameters[name].kind, have.parameters[name].default) == (
            param.kind,
            param.default,
        ), name
    assert str(have.return_annotation) == str(want.return_annotation)


@pytest.mark.parametrize("area", sorted(AREAS))
def test_each_area_offers_what_its_port_promises(area: str, tmp_path: Path) -> None:
    store = Store(tmp_path / "bantin.sqlite3")
    try:
        desk = AdminDesk(store)
        promised = {n for n, v in vars(ports.AdminPort).items() if isinstance(v, property)}
        assert promised == set(AREAS)
        for method in port_methods(AREAS[area]):
            same_signature(getattr(type(getattr(desk, area)), method), getattr(AREAS[area], method))
        same_signature(AdminDesk.refuse_not_admin, ports.AdminPort.refuse_not_admin)
    finally:
        store.close()


SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b|\.db\b|store\.run\(|\.sync\.|transaction\(")


def test_the_admin_room_holds_no_sql_and_awaits_the_store_port() -> None:
    for path in sorted((REPO / "bot" / "admin").glob("*.py")):
        found = [m.group(0) for m in SQL.finditer(path.read_text(encoding="utf-8"))]
        assert found == [], (path.name, found)
