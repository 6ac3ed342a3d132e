"""Bantin's settings as typed, frozen records: what every room is configured with.

Pure data; reading and checking `config.toml` is the application's job (`bot.config`).
Explicit config objects, as httpx has them: one type per concern, no copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

DEFAULT_USER_AGENT = "Bantin/0.1 (+https://github.com/bantin/bantin)"
DEFAULT_LLM_URL = "https://api.openai.com/v1"
DEFAULT_LLM_MODEL = "gpt-4o-mini"
DEFAULT_LLM_KEY_ENV = "BANTIN_LLM_API_KEY"
TELEGRAM_API = "https://api.telegram.org"
ZALO_API = "https://bot-api.zaloplatforms.com"
ZALO_WEBHOOK_LISTEN = "127.0.0.1:8443"
TELEGRAM_WEBHOOK_LISTEN = ZALO_WEBHOOK_LISTEN  # one listener for both unless told otherwise
# The Zalo docs list no error for "the user blocked the bot" or "never wrote to it": a send
# failing with one of these phrases in its description deactivates the chat.
ZALO_GONE_PHRASES = (
    "block",
    "chặn",
    "not reachable",
    "unreachable",
    "has not interacted",
    "user not found",
    "chat not found",
    "recipient not found",
    "not follow",
    "không tồn tại",
    "không tìm thấy người dùng",
)
# Besides every 5xx and network trouble: a description saying "server error" is retried
# whatever its code.
ZALO_RETRY_PHRASES = ("server error", "internal error", "timeout", "try again")


@dataclass(frozen=True, slots=True)
class FeedConfig:
    name: str
    url: str
    kind: str = "rss"
    section: str | None = None
    item: str | None = None
    link: str = "a"
    title: str | None = None
    priority: str = "normal"  # "breaking": every story of it goes before other pushes


@dataclass(frozen=True, slots=True)
class PollConfig:
    # A minute: with conditional GET an unchanged feed costs one 304 (bench/latency.py).
    interval_seconds: int = 60
    max_new_per_poll: int = 30
    page_concurrency: int = 4
    max_backoff_seconds: int = 3600
    alert_after_failures: int = 5
    page_retry_limit: int = 5


@dataclass(frozen=True, slots=True)
class FetchConfig:
    allow_private_addresses: bool = False
    trusted_networks: tuple[str, ...] = ()
    timeout_seconds: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = DEFAULT_USER_AGENT
    # http, https or socks5; "" lets HTTP(S)_PROXY / ALL_PROXY / NO_PROXY decide.
    proxy_url: str = field(default="", repr=False)


@dataclass(frozen=True, slots=True)
class SummaryConfig:
    provider: str = "extractive"
    budget: int = 600
    base_url: str = DEFAULT_LLM_URL
    model: str = DEFAULT_LLM_MODEL
    api_key_env: str = DEFAULT_LLM_KEY_ENV
    timeout_seconds: float = 20.0
    max_tokens: int = 400


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    token: str = field(default="", repr=False)
    api_base_url: str = TELEGRAM_API
    admins: tuple[int, ...] = ()
    channels: tuple[str, ...] = ()
    messages_per_second: float = 30.0
    private_chat_per_second: float = 1.0
    group_per_minute: float = 20.0
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 10.0
    poll_timeout_seconds: int = 10  # getUpdates `timeout`
    proxy_url: str = field(default="", repr=False)  # its credentials are secrets
    # Paid broadcast (bot/delivery/paid.py): Stars a day for `allow_paid_broadcast` sends
    # (0.1 Star each, up to 1,000/s), spent only while the queue would take longer than
    # `paid_broadcast_after_minutes` at `messages_per_second`. 0: never.
    paid_broadcast_stars_per_day: float = 0.0
    paid_broadcast_after_minutes: float = 10.0
    # Webhook intake instead of long polling when webhook_url is set (a public HTTPS URL;
    # the listener serves its path on webhook_listen).
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)
    webhook_listen: str = TELEGRAM_WEBHOOK_LISTEN
    webhook_max_body_bytes: int = 1 << 20
    webhook_read_seconds: float = 10.0


@dataclass(frozen=True, slots=True)
class ZaloConfig:
    """`[zalo]`; what the Zalo documentation leaves open has a field, each default the safe side.

    The docs' table labels 403 "Internal server error": it is retried unless its
    description says the user blocked the bot or cannot be reached (`gone_phrases`).
    A 429 carries no retry_after: every send pauses, from about a second and doubling while
    429s continue, up to `quota_pause_seconds`.
    """

    token: str = field(default="", repr=False)
    api_base_url: str = ZALO_API
    admins: tuple[str, ...] = ()
    messages_per_second: float = 5.0
    private_chat_per_second: float = 1.0
    poll_timeout_seconds: int = 30
    quota_pause_seconds: float = 60.0
    gone_error_codes: tuple[int, ...] = ()
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)
    webhook_listen: str = ZALO_WEBHOOK_LISTEN
    gone_phrases: tuple[str, ...] = ZALO_GONE_PHRASES
    retry_error_codes: tuple[int, ...] = (403, 408, 429)
    retry_phrases: tuple[str, ...] = ZALO_RETRY_PHRASES
    connect_timeout_seconds: float = 5.0
    read_timeout_seconds: float = 15.0
    typing_action: bool = True  # "typing…" while the handlers work (sendChatAction)
    delete_webhook_for_polling: bool = True  # getUpdates does not work while one is set
    handler_concurrency: int = 8
    webhook_max_body_bytes: int = 1 << 20
    webhook_read_seconds: float = 10.0
    recent_updates: int = 2048  # message ids remembered to drop a redelivered event
    proxy_url: str = field(default="", repr=False)  # its credentials are secrets


@dataclass(frozen=True, slots=True)
class WebSubConfig:
    """`[websub]`: feeds that advertise a hub push to `callback_url` (public; "" = off),
    received on `listen`; polling stays the fallback."""

    callback_url: str = ""
    listen: str = ZALO_WEBHOOK_LISTEN
    lease_seconds: int = 10 * 86_400  # asked of the hub; it decides, we renew before
    max_body_bytes: int = 5_000_000

    @property
    def enabled(self) -> bool:
        return bool(self.callback_url)


@dataclass(frozen=True, slots=True)
class LogConfig:
    """`[log]`: "text" lines for a terminal or journald, "json" objects for a collector."""

    format: str = "text"


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """`[delivery]`: a send whose outcome is unknown (it may have arrived) is retried until
    it has been unknown this long; only then is the row failed. A claimed row is leased to
    its process for `lease_seconds`, renewed while it lives: how long a dead process's
    rows wait before another sender takes them."""

    give_up_after_hours: float = 6.0
    lease_seconds: float = 60.0


@dataclass(frozen=True, slots=True)
class PublishConfig:
    """`[publish]`: whether a new story waits for an editor, who the editors are."""

    review: bool = False
    # A Telegram group or channel id for the preview cards; "" sends them to each admin.
    editors_chat: str = ""
    auto_publish_after_minutes: int = 0  # 0: a story nobody decided on waits forever


@dataclass(frozen=True, slots=True)
class CardConfig:
    """`[card]`: what a pushed story shows, on Telegram and Zalo alike."""

    summary_chars: int = 300
    image: bool = True
    source: bool = True
    time: bool = True
    album: bool = False  # several photos of a story go as an album (up to 10)


@dataclass(frozen=True, slots=True)
class DashboardConfig:
    """`[dashboard]`: the editors' pages in a browser, served by `bantin run` when `listen`
    is set ("127.0.0.1:8080"); `public_url` is the address the sign-in links carry (the
    reverse proxy's), else `http://{listen}`."""

    listen: str = ""
    public_url: str = ""
    session_hours: int = 12

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.listen}").rstrip("/")


@dataclass(frozen=True, slots=True)
class Config:
    source: str
    timezone: str = "Asia/Ho_Chi_Minh"
    language: str = "vi"
    storage_path: Path = Path("data/bantin.sqlite3")
    # A PostgreSQL URL ([storage] url or BANTIN_DATABASE_URL); when set, storage_path is
    # not used. It may hold a password: never print it, print `storage_label`.
    storage_url: str = field(default="", repr=False)
    poll: PollConfig = PollConfig()
    fetch: FetchConfig = FetchConfig()
    summary: SummaryConfig = SummaryConfig()
    telegram: TelegramConfig = TelegramConfig()
    zalo: ZaloConfig = ZaloConfig()
    feeds: tuple[FeedConfig, ...] = ()
    # The newsroom's own name in the welcome, help and cards (`[bot] name`).
    bot_name: str = "Bantin"
    publish: PublishConfig = PublishConfig()
    card: CardConfig = CardConfig()
    log: LogConfig = LogConfig()
    delivery: DeliveryConfig = DeliveryConfig()
    dashboard: DashboardConfig = DashboardConfig()
    websub: WebSubConfig = WebSubConfig()
    # [storage] keep_deliveries_days: sent outbox rows older than this are pruned.
    keep_deliveries_days: int = 30

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def storage_label(self) -> str:
        """Where the data lives, fit for a log line (no password)."""
        return redact_url(self.storage_url) if self.storage_url else str(self.storage_path)


def parse_listen(listen: str) -> tuple[str, int]:
    """ "127.0.0.1:8443" or "[::1]:8443" → (host, port); a webhook listener's address."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"webhook_listen must be host:port, got {listen!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def redact_url(url: str) -> str:
    """The URL with its password (if any) replaced by "***", for logs and errors."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<a database URL that cannot be read>"
    if password is None and "password=" not in parts.query:
        return url
    netloc = parts.netloc
    if password is not None:
        userinfo, _, host = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:***@{host}"
    query = "&".join(
        "password=***" if item.startswith("password=") else item for item in parts.query.split("&")
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
