"""The ports: what the rooms need of the outside world, as small `Protocol`s.

Handlers, feeds and the delivery worker are typed against these; the application
(`bot/`) provides them: the store backends, the platform adapters, the admin room. A
port is async where the outside world is slow, so a caller never knows whether a thread,
a socket or a pool is behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from bot.core.outcome import SendOutcome
from bot.core.query import ParsedQuery
from bot.core.records import (
    AdminReply,
    Article,
    Audience,
    AuditEntry,
    BackupResult,
    BroadcastConfirmation,
    Caller,
    Chat,
    ChatInfo,
    Delivery,
    FailureOutcome,
    Feed,
    HealthFacts,
    PendingPage,
    PollOutcome,
    Reposted,
    SearchHit,
    SearchPage,
    Stats,
    StoryRecord,
    Subscription,
)
from bot.core.replies import Reply
from bot.core.settings import FeedConfig


class FeedsPort(Protocol):
    """The feeds and their polling state (`feeds.next_check_at` is the schedule)."""

    async def add(self, feed: FeedConfig, *, origin: str = "admin") -> Feed: ...
    async def all(self) -> list[Feed]: ...
    async def due(self, at: float) -> list[Feed]: ...
    async def find(self, name_or_id: str) -> Feed | None: ...
    async def get(self, feed_id: int) -> Feed | None: ...
    async def record_failure(
        self,
        feed_id: int,
        error: str,
        *,
        retry_after: float | None,
        interval: float,
        max_backoff: float,
        alert_after: int,
    ) -> FailureOutcome: ...
    async def record_not_modified(self, feed_id: int, next_check_at: float) -> bool: ...
    async def remove(self, feed_id: int) -> bool: ...
    async def set_paused(self, feed_id: int, paused: bool) -> bool: ...
    async def sync_config(self, feeds: Sequence[FeedConfig]) -> None: ...


class ArticlesPort(Protocol):
    """Stored stories, the pages still to fetch, and the one transaction a poll ends in."""

    async def count(self) -> int: ...
    async def due_pending(
        self, feed_id: int, at: float
    ) -> list[tuple[str, dict[str, object], bool, int]]: ...
    async def get(self, article_id: int) -> Article | None: ...
    async def known_keys(self, keys: Iterable[str]) -> set[str]: ...
    async def latest(
        self, limit: int = 5, *, feed_ids: Sequence[int] | None = None
    ) -> list[Article]: ...
    async def record_poll(
        self,
        feed_id: int,
        stories: Sequence[tuple[StoryRecord, bool]],
        pending: Sequence[PendingPage],
        *,
        etag: str | None,
        last_modified: str | None,
        next_check_at: float,
        retried_keys: Sequence[str] = (),
        backlog_left: bool = False,
    ) -> PollOutcome: ...
    async def post_again(self, article_id: int) -> Reposted: ...
    async def update_text(self, article_id: int, story: StoryRecord) -> bool: ...


class ChatsPort(Protocol):
    """Chats (readers, groups, channels), their settings and subscriptions."""

    async def add_channel(
        self, platform: str, chat_id: str, kind: str, title: str | None
    ) -> Chat: ...
    async def by_ref(self, chat_ref: int) -> Chat | None: ...
    async def channel_routes(self, chat_ref: int) -> list[str]: ...
    async def channels(self, platform: str | None = None) -> list[Chat]: ...
    async def deactivate(self, chat_ref: int, reason: str) -> None: ...
    async def get(self, platform: str, chat_id: str) -> Chat | None: ...
    async def migrate(self, platform: str, old_chat_id: str, new_chat_id: str) -> Chat | None: ...
    async def remove_channel(self, chat_ref: int, reason: str) -> None: ...
    async def set_feeds(self, chat_ref: int, feed_ids: Sequence[int] | None) -> None: ...
    async def subscribe(self, chat_ref: int, feed_ids: Sequence[int] | None = None) -> None: ...
    async def subscribed_feeds(self, chat_ref: int) -> list[int | None]: ...
    async def subscription(self, chat_ref: int) -> Subscription: ...
    async def sync_channels(self, platform: str, chat_ids: Sequence[str]) -> None: ...
    async def unsubscribe(self, chat_ref: int, reason: str = "unsubscribed") -> None: ...
    async def update_settings(
        self,
        chat_ref: int,
        *,
        language: str | None = None,
        mode: str | None = None,
        digest_hour: int | None = None,
        quiet_hours: tuple[int, int] | bool | None = False,
    ) -> Chat: ...
    async def upsert(
        self,
        platform: str,
        chat_id: str,
        *,
        kind: str = "private",
        title: str | None = None,
        language: str | None = None,
    ) -> Chat: ...


class DeliveriesPort(Protocol):
    """The outbox: one row per (article, chat); the truth of what is sent."""

    async def cancel_pending(self, article_id: int, reason: str) -> int: ...
    async def chat_gone(self, chat_ref: int, delivery_ids: Sequence[int], reason: str) -> None: ...
    async def claim(self, platform: str, limit: int, at: float | None = None) -> list[Delivery]: ...
    async def claim_digest(
        self, delivery_id: int, limit: int = 30, at: float | None = None
    ) -> list[Delivery]: ...
    async def counts(self) -> dict[str, int]: ...
    async def mark_failed(self, delivery_id: int, error: str) -> None: ...
    async def mark_failed_many(self, delivery_ids: Sequence[int], error: str) -> None: ...
    async def mark_sent(self, delivery_id: int, message_id: str | None) -> None: ...
    async def mark_sent_many(self, delivery_ids: Sequence[int], message_id: str | None) -> None: ...
    async def note_retracted(
        self, article_id: int, chat_refs: Sequence[int], reason: str
    ) -> None: ...
    async def pending_count(self, platform: str | None = None) -> int: ...
    async def release(self, delivery_ids: Sequence[int]) -> None: ...
    async def requeue_in_flight(self) -> int: ...
    async def retry_later(
        self, delivery_id: int, due_at: float, error: str, *, count: bool = True
    ) -> None: ...
    async def retry_later_many(
        self, delivery_ids: Sequence[int], due_at: float, error: str, *, count: bool = True
    ) -> None: ...
    async def retry_unknown_many(
        self, delivery_ids: Sequence[int], due_at: float, error: str, since: float
    ) -> None: ...
    async def sent_messages(self, article_id: int) -> list[tuple[Chat, str]]: ...


class SearchPort(Protocol):
    """Reader search over stored stories, and what a chat searched last."""

    async def feed_id(self, name: str) -> int | None: ...
    async def last_search(self, platform: str, chat_id: str) -> tuple[str, int] | None: ...
    async def recall_query(self, query_id: int) -> str | None: ...
    async def remember_last(self, platform: str, chat_id: str, query: str, page: int) -> None: ...
    async def remember_query(self, query: str) -> int: ...
    async def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        feed_id: int | None = None,
        section: str | None = None,
        since: float | None = None,
    ) -> list[SearchHit]: ...
    async def search_page(
        self,
        query: str | ParsedQuery,
        *,
        limit: int = 10,
        offset: int = 0,
        feed_id: int | None = None,
        section: str | None = None,
        since: float | None = None,
        now: float | None = None,
    ) -> SearchPage: ...


class AuditPort(Protocol):
    """Who did what to the newsroom; rows are only appended."""

    async def recent(
        self, limit: int = 50, *, since: float | None = None, actor: str | None = None
    ) -> list[AuditEntry]: ...
    async def record(self, actor: str, action: str, detail: str, result: str) -> int: ...


class BroadcastsPort(Protocol):
    """An admin's message to every active chat: a draft first, queued once on confirmation."""

    async def audience(self) -> Audience: ...
    async def cancel(self, broadcast_id: int, author: str) -> bool: ...
    async def confirm(self, broadcast_id: int, author: str) -> BroadcastConfirmation: ...
    async def draft(self, text: str, author: str) -> int: ...


class StatsPort(Protocol):
    """The newsroom's health in numbers, for `/stats` and `bantin stats`."""

    async def collect(self, at: float | None = None) -> Stats: ...


class HealthPort(Protocol):
    """Heartbeats the platform adapters write and `bantin health` reads."""

    async def beat(self, platform: str, at: float) -> None: ...

    async def facts(self) -> HealthFacts: ...


class StorePort(Protocol):
    """The store as its callers see it: one async repository per kind of row."""

    @property
    def feeds(self) -> FeedsPort: ...
    @property
    def articles(self) -> ArticlesPort: ...
    @property
    def chats(self) -> ChatsPort: ...
    @property
    def deliveries(self) -> DeliveriesPort: ...
    @property
    def search(self) -> SearchPort: ...
    @property
    def audit(self) -> AuditPort: ...
    @property
    def stats(self) -> StatsPort: ...
    @property
    def broadcasts(self) -> BroadcastsPort: ...
    @property
    def health(self) -> HealthPort: ...

    async def backup(self, target: Path) -> BackupResult:
        """A consistent copy of the whole store at `target`, taken while the bot runs."""
        ...


class Messenger(Protocol):
    """One platform's way to put a reply in a chat; every error becomes a SendOutcome."""

    platform: str

    async def send(self, chat: Chat, reply: Reply) -> SendOutcome: ...


class MessageEditor(Protocol):
    """A platform's way to change what it already delivered (Telegram: editMessage*/delete).

    Return False when the platform says the message is gone or can no longer be changed;
    raise for anything else (it is reported, the other chats are still tried).
    """

    async def edit_article(self, chat: Chat, message_id: str, article: Article) -> bool: ...

    async def delete_message(self, chat: Chat, message_id: str) -> bool: ...


class ChatAccess(Protocol):
    """What the platform says about a chat (Telegram: getChatMember for the user and the bot)."""

    async def is_admin(self, platform: str, chat_id: str, user_id: str) -> bool:
        """Is this user an administrator (or the creator) of that chat?"""
        ...

    async def can_post(self, platform: str, chat_id: str) -> bool:
        """May the bot send messages there (a channel admin with post rights, a group member)?"""
        ...


@runtime_checkable
class ChatDirectory(Protocol):
    """Optional beside `ChatAccess`: "@name" → the chat's numeric id and title (getChat)."""

    async def resolve(self, platform: str, ref: str) -> ChatInfo | None: ...


class Summarizer(Protocol):
    """Turns a story's text into the summary a card shows (offline, or an LLM with fallback)."""

    async def __call__(
        self, title: str, paragraphs: Sequence[str], lead: str | None, budget: int
    ) -> str: ...


# ---- the admin room, by area: what the admin chat commands (and the CLI) call ---------


class FeedAdminPort(Protocol):
    async def show(self) -> AdminReply: ...
    async def add(
        self,
        caller: Caller,
        url: str,
        name: str | None = None,
        *,
        section: str | None = None,
        kind: str = "rss",
        selectors: Mapping[str, str | None] | None = None,
        check: bool = True,
    ) -> AdminReply: ...
    async def remove(self, caller: Caller, ref: str) -> AdminReply: ...
    async def set_paused(self, caller: Caller, ref: str, paused: bool) -> AdminReply: ...


class ChannelAdminPort(Protocol):
    async def show(self) -> AdminReply: ...
    async def add(
        self,
        caller: Caller,
        ref: str,
        *,
        platform: str = "telegram",
        check: bool = True,
        kind: str | None = None,
        title: str | None = None,
    ) -> AdminReply: ...
    async def remove(
        self, caller: Caller, ref: str, *, platform: str = "telegram"
    ) -> AdminReply: ...
    async def route(
        self, caller: Caller, ref: str, feed_refs: Sequence[str], *, platform: str = "telegram"
    ) -> AdminReply: ...


class BroadcastAdminPort(Protocol):
    async def preview(self, caller: Caller, text: str) -> AdminReply: ...
    async def confirm(self, caller: Caller, broadcast_id: int) -> AdminReply: ...
    async def cancel(self, caller: Caller, broadcast_id: int) -> AdminReply: ...


class StoryAdminPort(Protocol):
    async def post_again(self, caller: Caller, ref: str) -> AdminReply: ...
    async def correct(self, caller: Caller, ref: str, *, refetch: bool = True) -> AdminReply: ...
    async def retract(self, caller: Caller, ref: str) -> AdminReply: ...


class BackupAdminPort(Protocol):
    async def copy(self, caller: Caller, target: Path) -> AdminReply: ...
    async def export_opml(self, caller: Caller) -> str: ...
    async def import_opml(self, caller: Caller, text: str, *, source: str = "") -> AdminReply: ...


class AdminPort(Protocol):
    """The admin room: every operation checks, does one thing and is audited (who, what,
    result); refusals say why in one line."""

    @property
    def feeds(self) -> FeedAdminPort: ...
    @property
    def channels(self) -> ChannelAdminPort: ...
    @property
    def broadcasts(self) -> BroadcastAdminPort: ...
    @property
    def stories(self) -> StoryAdminPort: ...
    @property
    def backup(self) -> BackupAdminPort: ...

    async def refuse_not_admin(self, caller: Caller, action: str, detail: str) -> AdminReply:
        """Someone not on the admin list tried an admin command: say so, and audit it."""
        ...
