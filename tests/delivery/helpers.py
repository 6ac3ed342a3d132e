"""Shared set-up for delivery tests: a config pointing at the fake, chats, stories."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from bot.config import parse_config
from bot.core.records import Chat, StoryRecord
from bot.core.settings import Config
from bot.store import Store
from bot.store.articles import enqueue_article, insert_article
from tests.fakes.telegram_api import FakeTelegram

_keys = itertools.count(1)


def telegram_config(
    tmp_path: Path,
    fake: FakeTelegram,
    *,
    channels: tuple[str, ...] = (),
    admins: tuple[int, ...] = (),
    per_second: float = 200.0,
    private_per_second: float = 50.0,
    group_per_minute: float = 3000.0,
    database_url: str = "",
    lease_seconds: float = 60.0,
) -> Config:
    """Fast limits by default: the tests are about outcomes, the limiter has its own.

    `database_url` puts the store on PostgreSQL (the `database_url` fixture), else the
    SQLite file in `tmp_path`.
    """
    storage_url = f'url = "{database_url}"' if database_url else ""
    channel_list = ", ".join(f'"{c}"' for c in channels)
    admin_list = ", ".join(str(a) for a in admins)
    text = f"""
[storage]
path = "{tmp_path / "bantin.sqlite3"}"
{storage_url}

[poll]
interval_seconds = 3600

[telegram]
token = "{fake.token}"
api_base_url = "{fake.url}"
channels = [{channel_list}]
admins = [{admin_list}]
messages_per_second = {per_second}
private_chat_per_second = {private_per_second}
group_per_minute = {group_per_minute}

[delivery]
lease_seconds = {lease_seconds}
"""
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return parse_config(text, str(path))


def add_chat(
    store: Store,
    chat_id: str | int,
    *,
    kind: str = "private",
    language: str = "vi",
    mode: str = "instant",
) -> Chat:
    chat = store.sync.chats.upsert("telegram", str(chat_id), kind=kind, language=language)
    store.sync.chats.subscribe(chat.id)
    if mode != "instant":
        store.sync.chats.update_settings(chat.id, mode=mode)
    found = store.sync.chats.get("telegram", str(chat_id))
    assert found is not None
    return found


def add_story(
    store: Store,
    title: str = "Lâm Đồng khởi công tuyến cao tốc",
    *,
    summary: str = "Sáng nay, tỉnh Lâm Đồng khởi công tuyến cao tốc mới. Dự án dài 70 km.",
    image: str | None = "https://baolamdong.vn/anh/cao-toc.jpg",
    url: str | None = None,
    published_at: float | None = None,
    deliver: bool = True,
) -> int:
    """Store a story and its delivery rows in one transaction, as the poller does."""
    number = next(_keys)
    story = StoryRecord(
        key=f"test-{number}-{time.monotonic_ns()}",
        url=url or f"https://baolamdong.vn/thoi-su/tin-{number}.html",
        title=title,
        lead="",
        body=summary,
        summary=summary,
        image=image,
        section="thoi-su",
        published_at=published_at if published_at is not None else time.time(),
    )
    at = time.time()
    with store.db.transaction() as conn:
        article_id = insert_article(conn, None, story, at)
        assert article_id is not None
        if deliver:
            enqueue_article(conn, article_id, None, at, "Asia/Ho_Chi_Minh")
    return article_id


def statuses(store: Store) -> dict[str, int]:
    return store.sync.deliveries.counts()
