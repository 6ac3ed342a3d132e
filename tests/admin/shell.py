"""Running `bantin` as cron would: a config on the fake site, the CLI's own event loop."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from tests.admin.conftest import PARAGRAPHS
from tests.fakes.news_site import VN_TZ, FakeNewsSite


def write_config(tmp_path: Path, site: FakeNewsSite, *, db: str = "bantin.sqlite3") -> Path:
    config = tmp_path / f"{db}.toml"
    config.write_text(
        f"""
[storage]
path = "{db}"

[poll]
interval_seconds = 60
alert_after_failures = 2

[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 2.0

[[feeds]]
name = "Tin tức"
url = "{site.feed_url}"
""",
        encoding="utf-8",
    )
    return config


def publish(
    site: FakeNewsSite, slug: str, title: str, section: str = "tin-tuc", minutes_ago: int = 5
) -> str:
    return site.add_story(
        slug,
        title,
        "(Lamdongtv.vn) - Mở đầu của tin.",
        PARAGRAPHS,
        published=datetime.now(VN_TZ) - timedelta(minutes=minutes_ago),
        section=section,
    )


async def poll(config: str) -> None:
    """`bantin poll` from an async test: the CLI runs its own event loop, so in a thread."""
    assert await asyncio.to_thread(main, ["poll", "--config", config]) == 0


async def arun(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return await asyncio.to_thread(run, capsys, *argv)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
