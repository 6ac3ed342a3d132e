"""Admin tests: a real store on a temp file, the fake news site on loopback, and fakes of
what the platform answers (ChatAccess) and does (MessageEditor)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest

from bot.admin.desk import AdminDesk
from bot.admin.probe import FeedProbe, StoryRefresher
from bot.app import extractive_summary
from bot.core.records import Article, Chat, ChatInfo, StoryRecord
from bot.core.replies import Reply, Request
from bot.core.settings import FeedConfig
from bot.store import Store
from feeds.fetch import Fetcher, FetchSettings
from feeds.urlguard import UrlGuard
from handlers import admin as admin_handlers
from handlers.base import Context
from tests.fakes.news_site import VN_TZ, FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram

ADMIN = "111"
STRANGER = "999"
PARAGRAPHS = [
    "Sáng nay, tỉnh Lâm Đồng tổ chức hội nghị tổng kết công tác năm với nhiều đại biểu.",
    "Hội nghị đánh giá kết quả đạt được và đề ra nhiệm vụ trọng tâm cho năm tới.",
]


@dataclass
class FakeAccess:
    """The platform's answers: who administers which chat, where the bot may post."""

    chat_admins: set[tuple[str, str]] = field(default_factory=set)
    postable: set[str] = field(default_factory=set)
    calls: list[tuple[str, ...]] = field(default_factory=list)

    async def is_admin(self, platform: str, chat_id: str, user_id: str) -> bool:
        self.calls.append(("is_admin", platform, chat_id, user_id))
        return (chat_id, user_id) in self.chat_admins

    async def can_post(self, platform: str, chat_id: str) -> bool:
        self.calls.append(("can_post", platform, chat_id))
        return chat_id in self.postable

    async def resolve(self, platform: str, ref: str) -> ChatInfo | None:
        if ref.startswith("@"):
            return ChatInfo(chat_id=channel_id(ref), title=ref, kind="channel")
        return None


def channel_id(name: str) -> str:
    return str(-1000000000000 - sum(map(ord, name)))


@dataclass
class FakeEditor:
    edits: list[tuple[str, str, str]] = field(default_factory=list)
    deletes: list[tuple[str, str]] = field(default_factory=list)

    async def edit_article(self, chat: Chat, message_id: str, article: Article) -> bool:
        self.edits.append((chat.chat_id, message_id, article.title))
        return True

    async def delete_message(self, chat: Chat, message_id: str) -> bool:
        self.deletes.append((chat.chat_id, message_id))
        return True


@pytest.fixture
def tg() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def site() -> Iterator[FakeNewsSite]:
    with FakeNewsSite(slow_seconds=2.0) as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(tmp_path / "bantin.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(
        FetchSettings(timeout_seconds=2.0),
        UrlGuard(trusted_networks=("127.0.0.1/32",)),
    ) as opened:
        yield opened


@pytest.fixture
def access() -> FakeAccess:
    return FakeAccess()


@pytest.fixture
def editor() -> FakeEditor:
    return FakeEditor()


@pytest.fixture
def desk(store: Store, fetcher: Fetcher, access: FakeAccess, editor: FakeEditor) -> AdminDesk:
    return AdminDesk(
        store,
        probe=FeedProbe(fetcher),
        refresher=StoryRefresher(fetcher, extractive_summary),
        access=access,
        editors={"telegram": editor},
    )


@pytest.fixture
def ctx(store: Store, desk: AdminDesk) -> Context:
    return Context(store=store, admins={"telegram": frozenset({ADMIN})}, admin=desk)


def request(
    text: str = "",
    *,
    user: str = ADMIN,
    chat_id: str | None = None,
    chat_kind: str = "private",
    callback: str | None = None,
    platform: str = "telegram",
) -> Request:
    """What the adapter would hand over for this message (or button press)."""
    command: str | None = None
    args: tuple[str, ...] = ()
    if text.startswith("/"):
        head, *rest = text.split()
        command = head[1:].lower()
        args = tuple(rest)
    return Request(
        platform=platform,
        chat_id=chat_id or user,
        chat_kind=chat_kind,
        user_id=user,
        user_name="Lan",
        text=text,
        command=command,
        args=args,
        callback=callback,
    )


async def say(ctx: Context, text: str = "", **kwargs: object) -> Reply:
    replies = await admin_handlers.handle_admin(request(text, **kwargs), ctx)  # type: ignore[arg-type]
    assert replies is not None, text
    assert len(replies) == 1
    return replies[0]


def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every table an admin command could change, except the audit log itself."""
    tables = ["feeds", "chats", "subscriptions", "broadcasts", "deliveries", "articles"]
    with store.db.reading() as conn:
        return {
            t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY id")] for t in tables
        }


def story(key: str, title: str = "Tin thử") -> StoryRecord:
    return StoryRecord(
        key=key,
        url=f"https://example.vn/{key}.html",
        title=title,
        lead="Mở đầu.",
        body="Thân bài.",
        summary="Tóm tắt.",
        image=None,
        section=None,
        published_at=datetime.now(VN_TZ).timestamp() - 120,
    )


def seed(store: Store) -> tuple[int, int]:
    """A feed, two active readers, one stored article delivered to both: (feed, article)."""
    feed = store.sync.feeds.add(FeedConfig(name="Thời sự", url="https://example.vn/rss/thoi-su"))
    for chat_id in ("501", "502"):
        chat = store.sync.chats.upsert("telegram", chat_id)
        store.sync.chats.subscribe(chat.id)
    outcome = store.sync.articles.record_poll(
        feed.id,
        [(story("k1"), True)],
        [],
        etag=None,
        last_modified=None,
        next_check_at=0,
    )
    article_id = outcome.article_ids[0]
    for number, delivery in enumerate(store.sync.deliveries.claim("telegram", 10), start=70):
        store.sync.deliveries.mark_sent(delivery.id, str(number))
    return feed.id, article_id
