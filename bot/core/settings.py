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


@dataclass(frozen=True, slots=True)
class FeedConfig:
    name: str
    url: str
    kind: str = "rss"
    section: str | None = None
    item: str | None = None
    link: str = "a"
    title: str | None = None


@dataclass(frozen=True, slots=True)
class PollConfig:
    interval_seconds: int = 300
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


@dataclass(frozen=True, slots=True)
class ZaloConfig:
    token: str = field(default="", repr=False)
    api_base_url: str = ZALO_API
    admins: tuple[str, ...] = ()
    messages_per_second: float = 5.0
    private_chat_per_second: float = 1.0
    poll_timeout_seconds: int = 30
    quota_pause_seconds: float = 60.0
    gone_error_codes: tuple[int, ...] = (403,)
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)
    webhook_listen: str = ZALO_WEBHOOK_LISTEN


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

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def storage_label(self) -> str:
        """Where the data lives, fit for a log line (no password)."""
        return redact_url(self.storage_url) if self.storage_url else str(self.storage_path)


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
