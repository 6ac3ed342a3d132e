"""The newsroom's records as every room sees them: feed, article, chat, delivery, story.

Frozen dataclasses with no storage types: each store backend maps its rows to these
(`bot.store.rows`), and handlers, feeds and the worker read them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from bot.core.query import ParsedQuery


@dataclass(frozen=True, slots=True)
class Feed:
    id: int
    name: str
    url: str
    kind: str
    section: str | None
    selectors: dict[str, str]
    origin: str
    paused: bool
    primed: bool
    etag: str | None
    last_modified: str | None
    failures: int
    last_error: str | None
    failing_since: float | None
    alerted: bool
    last_success_at: float | None
    next_check_at: float
    priority: str = "normal"  # "breaking": its stories go before every other push


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    key: str
    feed_id: int | None
    feed_name: str | None
    url: str
    title: str
    lead: str
    body: str
    summary: str
    image: str | None
    section: str | None
    published_at: float | None
    fetched_at: float
    # The page's video (a direct MP4, or an embedded player's page) and its photos.
    video: str | None = None
    images: tuple[str, ...] = ()

    @property
    def time(self) -> float:
        """When the story appeared: its publication time, else when we first saw it."""
        return self.published_at if self.published_at is not None else self.fetched_at


@dataclass(frozen=True, slots=True)
class Chat:
    id: int
    platform: str
    chat_id: str
    kind: str
    title: str | None
    language: str
    active: bool
    is_channel: bool
    mode: str
    digest_hour: int
    quiet_start: int | None
    quiet_end: int | None
    inactive_reason: str | None
    receive: str = "all"  # "alerts": only stories matching one of the chat's alerts
    quiet_style: str = "hold"  # "silent": quiet hours deliver without a sound, not later

    @property
    def is_private(self) -> bool:
        return self.kind == "private"


@dataclass(frozen=True, slots=True)
class Subscription:
    """What a chat takes: every feed, and its subscription rows as stored (`[None]`: all)."""

    feeds: list[Feed]
    chosen: list[int | None]

    @property
    def chosen_ids(self) -> set[int] | None:
        """The chosen feeds; None when the chat takes every feed."""
        if not self.chosen or None in self.chosen:
            return None
        return {feed_id for feed_id in self.chosen if feed_id is not None}


@dataclass(frozen=True, slots=True)
class Delivery:
    """A claimed outbox row with what is needed to send it."""

    id: int
    chat: Chat
    article: Article | None
    broadcast_text: str | None
    attempts: int
    message_id: str | None
    alert: str | None = None  # the chat's alert this story answers, as the reader typed it
    priority: int = 0  # 1: breaking news, claimed before every other row
    # Sends of this row whose outcome was unknown (it may have arrived), and since when.
    ambiguous: int = 0
    ambiguous_since: float | None = None


@dataclass(frozen=True, slots=True)
class TopicRoute:
    """Where a forum chat's stories of one feed (None: every feed) go: a topic (thread)."""

    chat_ref: int
    thread_id: int
    feed_id: int | None
    feed_name: str | None
    active: bool
    inactive_reason: str | None


@dataclass(frozen=True, slots=True)
class WebSubSubscription:
    """A feed's subscription at its WebSub hub: "requested" until the hub verifies it,
    "active" until `lease_until`, "denied" or "failed" (tried again at `renew_at`)."""

    feed_id: int
    hub: str
    topic: str
    secret: str = field(repr=False)
    state: str = "requested"
    requested_at: float = 0.0
    lease_until: float | None = None
    renew_at: float | None = None
    last_error: str | None = None
    pushes: int = 0


@dataclass(frozen=True, slots=True)
class Alert:
    """One of a chat's keyword alerts: the words as typed, and their folded form."""

    id: int
    chat_ref: int
    words: str
    folded: str


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A story ready to be stored: extracted, cleaned and summarized."""

    key: str
    url: str
    title: str
    lead: str
    body: str
    summary: str
    image: str | None
    section: str | None
    published_at: float | None
    video: str | None = None
    images: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PendingPage:
    """A story whose page could not be fetched or extracted yet; `entry` is its feed data."""

    key: str
    entry: dict[str, object]
    error: str
    next_try_at: float
    attempts: int = 1
    push: bool = True


@dataclass(frozen=True, slots=True)
class PollOutcome:
    article_ids: tuple[int, ...]
    deliveries: int
    recovered: bool


@dataclass(frozen=True, slots=True)
class FailureOutcome:
    failures: int
    next_check_at: float
    alert: bool


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: float
    actor: str
    action: str
    detail: str
    result: str


@dataclass(frozen=True, slots=True)
class FailingFeed:
    id: int
    name: str
    failures: int
    since: float | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class FleetProcess:
    """A `bantin run` of the fleet, or a holder of leased deliveries (`held` rows)."""

    holder: str
    role: str
    host: str
    pid: int
    started_at: float | None
    seen_at: float | None
    held: int = 0
    lease_until: float | None = None


@dataclass(frozen=True, slots=True)
class Stats:
    """`subscribers[platform][kind]` counts active chats; windows end at `generated_at`."""

    generated_at: float
    feeds: int
    feeds_paused: int
    articles: int
    subscribers: dict[str, dict[str, int]]
    new_this_week: int
    lost_this_week: int
    stories_today: dict[str, int]
    deliveries_24h: dict[str, int]
    failing_feeds: list[FailingFeed]
    latency_p50: float | None
    latency_p95: float | None
    latency_samples: int
    broadcasts_24h: int = 0
    extra: dict[str, object] = field(default_factory=dict)
    # Telegram's paid broadcast today (0.1 Star a send), and how long the queue due now
    # takes to drain at the rates and budget configured (None: nothing queued).
    stars_today: float = 0.0
    paid_stars_per_day: float = 0.0
    drain_seconds: float | None = None
    # The fleet: processes seen in the last minute (and lease holders), the queue per
    # platform (pending and sending rows), when the oldest pending row was queued.
    processes: list[FleetProcess] = field(default_factory=list)
    queue: dict[str, int] = field(default_factory=dict)
    oldest_pending_at: float | None = None

    @property
    def active_chats(self) -> int:
        return sum(sum(kinds.values()) for kinds in self.subscribers.values())

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["active_chats"] = self.active_chats
        return data


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: Article
    score: float


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of results, and whether there is a next one."""

    hits: tuple[SearchHit, ...]
    query: ParsedQuery
    has_more: bool


# ---- the admin room: who asks, what it answers, what the store reports back ----------


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks: a chat user ("telegram:123") or the shell ("cli:alice").

    The shell is trusted as the operator of the machine; chat users are checked.
    """

    actor: str
    platform: str | None = None
    user_id: str | None = None

    @property
    def is_shell(self) -> bool:
        return self.platform is None

    @classmethod
    def chat(cls, platform: str, user_id: str, name: str | None = None) -> Caller:
        label = f"{platform}:{user_id}" + (f" ({name})" if name else "")
        return cls(actor=label, platform=platform, user_id=user_id)


@dataclass(frozen=True, slots=True)
class AdminReply:
    """What an admin operation answers, in chat and in the shell alike.

    `text`: the first line is the answer (or the refusal, with its reason), then details.
    `actions` are follow-ups as (label, action) pairs, e.g. ("Xác nhận", "bc:ok:12"); chat
    renders them as buttons, the CLI ignores them.
    """

    ok: bool
    text: str
    data: dict[str, object] = field(default_factory=dict)
    actions: tuple[tuple[str, str], ...] = ()

    @property
    def headline(self) -> str:
        return self.text.splitlines()[0] if self.text else ""

    @classmethod
    def refused(cls, reason: str) -> AdminReply:
        return cls(False, reason)


@dataclass(frozen=True, slots=True)
class ChatInfo:
    """A chat as the platform describes it ("@name" resolved to its id and title)."""

    chat_id: str
    title: str | None = None
    kind: str = "channel"


@dataclass(frozen=True, slots=True)
class Audience:
    """Every active chat a broadcast would reach, per platform."""

    by_platform: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_platform.values())


@dataclass(frozen=True, slots=True)
class BroadcastConfirmation:
    status: str  # "queued" | "already" | "missing" | "expired" | "not_author"
    queued: int = 0
    text: str = ""


@dataclass(frozen=True, slots=True)
class Reposted:
    """A story queued again: new rows, failed or cancelled rows requeued, chats that have it."""

    new: int
    requeued: int
    already_sent: int


@dataclass(frozen=True, slots=True)
class BackupResult:
    status: str  # "ok" | "same_file" | "no_directory" | "corrupt" | "failed"
    path: str
    size: int = 0
    detail: str = ""


@dataclass(frozen=True, slots=True)
class HealthFacts:
    """What `bantin health` judges: each platform's last answer, the last good poll."""

    answered: dict[str, float] = field(default_factory=dict)
    last_poll: float | None = None
    feeds: int = 0


class SearchTimedOut(Exception):
    """A search ran past its time budget and was stopped, so one reader cannot stall the bot."""
