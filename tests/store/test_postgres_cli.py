"""Every `bantin` command on a PostgreSQL store, as an admin or cron would run it.

The config names the database by URL (with its password); nothing printed shows the
password, and `bantin backup` says to use pg_dump.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import Store
from bot.store.postgres import PostgresDatabase
from tests.fakes.news_site import VN_TZ, FakeNewsSite
from tests.store.postgres import PostgresServer

PARAGRAPHS = [
    "Sáng nay, tỉnh Lâm Đồng tổ chức hội nghị tổng kết công tác năm với nhiều đại biểu.",
    "Hội nghị đánh giá kết quả đạt được và đề ra nhiệm vụ trọng tâm cho năm tới.",
]


@pytest.fixture
def site() -> Iterator[FakeNewsSite]:
    with FakeNewsSite() as running:
        yield running


class Shell:
    """`bantin …` with this test's config; every output is checked for the password."""

    def __init__(self, config: Path, password: str, capsys: pytest.CaptureFixture[str]) -> None:
        self.config = str(config)
        self.password = password
        self.capsys = capsys

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        self.capsys.readouterr()
        code = main([*argv, "--config", self.config])
        captured = self.capsys.readouterr()
        assert self.password not in captured.out + captured.err, argv
        return code, captured.out, captured.err


@pytest.fixture
def bantin(
    tmp_path: Path,
    site: FakeNewsSite,
    postgres_server: PostgresServer,
    postgres_url: str,
    capsys: pytest.CaptureFixture[str],
) -> Shell:
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[storage]
url = "{postgres_url}"

[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 2.0

[[feeds]]
name = "Tin tức"
url = "{site.feed_url}"
""",
        encoding="utf-8",
    )
    return Shell(config, postgres_server.password, capsys)


def test_every_command_works_on_postgresql(
    bantin: Shell,
    site: FakeNewsSite,
    postgres_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for n, section in enumerate(("tin-tuc", "xa-hoi")):
        site.add_story(
            f"tin-{n}",
            f"Đà Lạt đón mùa hoa {n}",
            "(Lamdongtv.vn) - Mở đầu của tin.",
            PARAGRAPHS,
            published=datetime.now(VN_TZ) - timedelta(minutes=5 + n),
            section=section,
        )
    assert bantin("poll")[0] == 0
    code, out, _ = bantin("search", "--json", "da lat")
    assert code == 0 and [r["title"] for r in json.loads(out)] == ["Đà Lạt đón mùa hoa 0"]
    code, out, _ = bantin("stats", "--json")
    assert code == 0 and json.loads(out)["articles"] == 1

    code, out, _ = bantin("feeds", "add", site.section_feed_url("xa-hoi"), "--name", "Xã hội")
    assert code == 0 and out.startswith("Đã thêm nguồn tin")
    code, _, err = bantin("feeds", "add", site.section_feed_url("xa-hoi"), "--name", "Xã hội")
    assert code == 1 and err.startswith("bantin: ")  # a duplicate is refused, not a crash
    assert bantin("feeds", "pause", "Xã hội")[0] == 0
    assert bantin("feeds", "resume", "Xã hội")[0] == 0
    code, out, _ = bantin("feeds", "list", "--json")
    assert [f["name"] for f in json.loads(out)["feeds"]] == ["Tin tức", "Xã hội"]

    opml = tmp_path / "feeds.opml"
    assert bantin("export-opml", "--output", str(opml))[0] == 0
    assert bantin("feeds", "remove", "Xã hội")[0] == 0
    code, out, _ = bantin("import-opml", str(opml))
    assert code == 0 and "+ Xã hội" in out

    store = Store(PostgresDatabase(postgres_url))
    try:
        store.sync.chats.subscribe(store.sync.chats.upsert("zalo", "z-9").id)
        code, out, _ = bantin("broadcast", "Bảo trì tối nay")
        assert code == 0 and "Sẽ gửi tới 1 chat" in out and "--yes" in out
        code, out, _ = bantin("broadcast", "Bảo trì tối nay", "--yes")
        assert code == 0 and "cho 1 chat" in out
        assert store.sync.deliveries.pending_count("zalo") == 1
    finally:
        store.close()
    assert bantin("channels", "list")[0] == 0

    code, _, err = bantin("backup", str(tmp_path / "copy.dump"))
    assert code == 2 and "pg_dump" in err and "bantin:***@127.0.0.1" in err

    code, out, _ = bantin("audit", "--json")
    actions = [entry["action"] for entry in json.loads(out)]
    assert actions[:2] == ["feeds.add", "feeds.add"] and "broadcast.send" in actions
    assert bantin.password not in caplog.text


def test_channels_add_on_postgresql(bantin: Shell) -> None:
    code, out, _ = bantin("channels", "add", "-100777", "--no-check")
    assert code == 0 and "Đã thêm kênh" in out
