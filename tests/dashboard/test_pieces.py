"""The dashboard's parts on their own: /dashboard on Zalo, the charts' escaping, the config."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.config import ConfigError, parse_config
from bot.dashboard.auth import SignInLinks, csrf_token, token_hash
from bot.dashboard.charts import bar_chart, hbar_chart, line_chart
from bot.dashboard.texts import number
from bot.store import Store
from handlers.base import Context
from tests.admin.conftest import say

ZALO_ADMIN = "6ede9afa66b88fe6d6a9"


async def test_a_zalo_admin_gets_a_link_and_a_reader_does_not(tmp_path: Path) -> None:
    store = Store(tmp_path / "bantin.sqlite3")
    try:
        from bot.admin.desk import AdminDesk

        ctx = Context(
            store=store,
            admins={"zalo": frozenset({ZALO_ADMIN})},
            admin=AdminDesk(store),
            bot_name="Lâm Đồng TV",
        )
        off = await say(ctx, "/dashboard", user=ZALO_ADMIN, platform="zalo")
        assert "chưa bật" in off.plain
        ctx.dashboard = SignInLinks(store, "https://bantin.example.vn/dash/")
        answer = await say(ctx, "/dashboard", user=ZALO_ADMIN, platform="zalo")
        link = next(span.url for span in answer.body if span.url)
        assert link.startswith("https://bantin.example.vn/dash/login?t=")
        assert "Lâm Đồng TV" in answer.plain and "10 phút" in answer.plain
        token = link.split("t=", 1)[1]
        peeked = store.sync.signin.peek_link(token_hash(token), time.time())
        assert (peeked.outcome, peeked.platform, peeked.user_id) == ("ok", "zalo", ZALO_ADMIN)
        refused = await say(ctx, "/dashboard", user="stranger", platform="zalo")
        assert "login" not in refused.plain
        actions = [(e.actor, e.action) for e in store.sync.audit.recent()]
        assert (f"zalo:{ZALO_ADMIN} (Lan)", "dashboard.link") in actions
        assert any(actor.startswith("zalo:stranger") for actor, _ in actions)
    finally:
        store.close()


def test_charts_escape_their_words_and_draw_something() -> None:
    evil = '<script>alert("x")</script>'
    svg = line_chart(evil, ["01/12", "02/12"], {evil: [1.0, None], "zalo": [2.0, 3.0]})
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert svg.count("<polyline") == 1  # the series with a gap has no two points in a row
    bars = bar_chart("x", ["00h", "01h"], {"sent": [3, 0], "failed": [1, 0]})
    assert bars.count('class="bar"') == 2
    assert "Chưa" in bar_chart("x", ["00h"], {"sent": [0]}, empty="Chưa có dữ liệu")
    feeds = hbar_chart("x", [(evil, 4)])
    assert "<script>" not in feeds and 'class="bar"' in feeds


def test_csrf_tokens_belong_to_their_session_and_numbers_their_language() -> None:
    assert csrf_token("a") == csrf_token("a") != csrf_token("b")
    assert number(4.2, "vi") == "4,2" and number(3, "vi") == "3"
    assert number(1234, "vi") == "1.234" and number(4.5, "en") == "4.5"


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ('listen = "8080"', "listen"),
        ('listen = "127.0.0.1:http"', "listen"),
        ('listen = "127.0.0.1:8080"\npublic_url = "ftp://x"', "public_url"),
        ('listen = "127.0.0.1:8080"\nsession_hours = 0', "session_hours"),
        ('listen = "127.0.0.1:8080"\npassword = "x"', "password"),
    ],
)
def test_wrong_dashboard_settings_are_named(table: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=rf"\[dashboard\] {problem}"):
        parse_config(f"[dashboard]\n{table}\n", "config.toml", env={})


def test_dashboard_settings() -> None:
    config = parse_config(
        '[dashboard]\nlisten = "127.0.0.1:8080"\npublic_url = "https://b.vn/dash/"\n',
        "config.toml",
        env={},
    )
    assert config.dashboard.base_url == "https://b.vn/dash"
    assert parse_config("", "x", env={}).dashboard.listen == ""


def test_the_cookie_is_secure_behind_https_and_lives_under_the_public_path(
    tmp_path: Path,
) -> None:
    from aiohttp import web

    from bot.admin.desk import AdminDesk
    from bot.dashboard.server import DashboardServer

    store = Store(tmp_path / "bantin.sqlite3")
    try:
        for public, secure, path in (
            ("https://bantin.example.vn/dash", True, "/dash"),
            ("", False, "/"),
        ):
            config = parse_config(
                f'[dashboard]\nlisten = "127.0.0.1:0"\npublic_url = "{public}"\n', "x", env={}
            )
            server = DashboardServer(config, store, AdminDesk(store), {})
            response = web.Response()
            server.cookie(response, "bantin_session", "v", 60)
            header = response.cookies["bantin_session"].output()
            assert "HttpOnly" in header and "SameSite=Strict" in header
            assert ("Secure" in header) is secure and f"Path={path}" in header
    finally:
        store.close()
