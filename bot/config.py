"""Typed, validated settings from `config.toml`, with secrets from the environment.

A wrong value stops Bantin at start with the file, the key and what was expected, so an
admin never finds out from a silent misbehaviour hours later.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config_platforms import check_shared_path, read_telegram, read_zalo
from bot.core.settings import (
    DEFAULT_LLM_KEY_ENV,
    DEFAULT_LLM_MODEL,
    DEFAULT_LLM_URL,
    DEFAULT_USER_AGENT,
    Config,
    DeliveryConfig,
    FeedConfig,
    FetchConfig,
    LogConfig,
    PollConfig,
    SummaryConfig,
    redact_url,
)
from feeds.transport import PROXY_SCHEMES
from feeds.urlguard import UrlGuard

CONFIG_ENV = "BANTIN_CONFIG"
DATABASE_URL_ENV = "BANTIN_DATABASE_URL"
DEFAULT_CONFIG_NAME = "config.toml"

# The embedded defaults: what `bantin run` does with no config file at all. They match
# the documented config.toml at the top of the repository.
EMBEDDED_DEFAULTS = """
[bot]
timezone = "Asia/Ho_Chi_Minh"
language = "vi"

[storage]
path = "data/bantin.sqlite3"

[poll]
interval_seconds = 60

[fetch]
allow_private_addresses = false

[[feeds]]
name = "Lâm Đồng TV"
url = "https://lamdongtv.vn/tin-tuc"
kind = "html"
item = ".news-list .item, .list-news .item, .other-news .item, article"
link = "a[href*='/tin-tuc/']"
title = "h3, h2, .title"
section = "tin-tuc"

[[feeds]]
name = "Báo Lâm Đồng - Thời sự"
url = "https://baolamdong.vn/rss/thoi-su"
section = "thoi-su"

[[feeds]]
name = "Báo Lâm Đồng - Xã hội"
url = "https://baolamdong.vn/rss/xa-hoi"
section = "xa-hoi"

[[feeds]]
name = "Báo Lâm Đồng - Kinh tế"
url = "https://baolamdong.vn/rss/kinh-te"
section = "kinh-te"
"""


# Keys whose value is a secret: a complaint about one never repeats the value.
SECRET_KEYS = frozenset({"token", "webhook_secret", "proxy_url", "api_key"})


class ConfigError(ValueError):
    """A setting that Bantin cannot run with; the message names the file and the key."""


class _Reader:
    """Reads one table of the TOML document, naming file and key in every complaint."""

    def __init__(self, source: str, table: Mapping[str, Any], prefix: str) -> None:
        self.source = source
        self.table = table
        self.prefix = prefix
        self.known: set[str] = set()

    def fail(self, key: str, expected: str, value: object) -> ConfigError:
        shown = "<hidden>" if key in SECRET_KEYS else repr(value)
        return ConfigError(f"{self.source}: {self.prefix}{key}: expected {expected}, got {shown}")

    def _get(self, key: str) -> Any:
        self.known.add(key)
        return self.table.get(key)

    def text(self, key: str, default: str, *, choices: tuple[str, ...] = ()) -> str:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, str):
            raise self.fail(key, "a string", value)
        if choices and value not in choices:
            raise self.fail(key, "one of " + ", ".join(repr(c) for c in choices), value)
        return value

    def url(self, key: str, default: str) -> str:
        value = self.text(key, default)
        if value:
            try:
                UrlGuard().check_syntax(value)
            except ValueError as exc:
                raise self.fail(key, f"an http(s) URL ({exc})", value) from None
        return value.rstrip("/")

    def proxy_url(self, key: str) -> str:
        """An http, https or socks5 proxy URL; its credentials are secrets, never echoed."""
        value = self.text(key, "").strip()
        if not value:
            return ""
        problem = proxy_url_problem(value)
        if problem:
            raise ConfigError(
                f"{self.source}: {self.prefix}{key}: expected an http, https or socks5 proxy "
                f"URL ({problem}), got {redact_url(value)!r}"
            )
        return value

    def number(self, key: str, default: float, *, minimum: float, maximum: float) -> float:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"a number from {minimum:g} to {maximum:g}", value)
        if not minimum <= value <= maximum:
            raise self.fail(key, f"a number from {minimum:g} to {maximum:g}", value)
        return float(value)

    def whole(self, key: str, default: int, *, minimum: int, maximum: int) -> int:
        value = self._get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"a whole number from {minimum} to {maximum}", value)
        if not minimum <= value <= maximum:
            raise self.fail(key, f"a whole number from {minimum} to {maximum}", value)
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(key, "true or false", value)
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise self.fail(key, "a list of strings", value)
        return tuple(str(v) for v in value)

    def ids(
        self, key: str, *, what: str = "numeric user ids", default: tuple[int, ...] = ()
    ) -> tuple[int, ...]:
        value = self._get(key)
        if value is None:
            return default
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise self.fail(key, f"a list of {what}", value)
        return tuple(value)

    def finish(self) -> None:
        unknown = sorted(set(self.table) - self.known)
        if unknown:
            raise ConfigError(
                f"{self.source}: {self.prefix}{unknown[0]}: unknown key "
                f"(known keys: {', '.join(sorted(self.known))})"
            )


def _table(source: str, document: Mapping[str, Any], name: str) -> _Reader:
    value = document.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{source}: [{name}]: expected a table, got {value!r}")
    return _Reader(source, value, f"[{name}] ")


def parse_config(text: str, source: str, env: Mapping[str, str] | None = None) -> Config:
    """Build a Config from TOML text; `source` names the file in error messages."""
    env = os.environ if env is None else env
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None

    known_tables = {"bot", "storage", "poll", "fetch", "summary", "telegram", "zalo", "feeds"}
    known_tables |= {"publish", "card", "log", "delivery", "dashboard", "websub"}
    for name in document:
        if name not in known_tables:
            raise ConfigError(
                f"{source}: [{name}]: unknown table (known: {', '.join(sorted(known_tables))})"
            )

    bot = _table(source, document, "bot")
    timezone = bot.text("timezone", "Asia/Ho_Chi_Minh")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise bot.fail(
            "timezone", "an IANA time zone such as 'Asia/Ho_Chi_Minh'", timezone
        ) from None
    language = bot.text("language", "vi", choices=("vi", "en"))
    from bot.config_desk import read_bot_name, read_dashboard, read_desk

    bot_name = read_bot_name(bot)
    bot.finish()
    publish, card = read_desk(source, document)

    storage = _table(source, document, "storage")
    storage_path = Path(storage.text("path", "data/bantin.sqlite3"))
    if not str(storage_path):
        raise storage.fail("path", "a file path", "")
    storage_url = storage.text("url", "") or env.get(DATABASE_URL_ENV, "")
    if storage_url and not _is_postgres_url(storage_url):
        raise storage.fail(
            "url",
            f"a PostgreSQL URL such as 'postgresql://bantin@127.0.0.1:5432/bantin' "
            f"(or ${DATABASE_URL_ENV})",
            redact_url(storage_url),
        )
    keep_deliveries_days = storage.whole("keep_deliveries_days", 30, minimum=1, maximum=3650)
    storage.finish()

    p = _table(source, document, "poll")
    poll = PollConfig(
        interval_seconds=p.whole("interval_seconds", 60, minimum=1, maximum=86_400),
        max_new_per_poll=p.whole("max_new_per_poll", 30, minimum=1, maximum=100_000),
        page_concurrency=p.whole("page_concurrency", 4, minimum=1, maximum=32),
        max_backoff_seconds=p.whole("max_backoff_seconds", 3600, minimum=1, maximum=7 * 86_400),
        alert_after_failures=p.whole("alert_after_failures", 5, minimum=1, maximum=1000),
        page_retry_limit=p.whole("page_retry_limit", 5, minimum=1, maximum=100),
    )
    p.finish()

    f = _table(source, document, "fetch")
    fetch = FetchConfig(
        allow_private_addresses=f.flag("allow_private_addresses", False),
        trusted_networks=f.texts("trusted_networks"),
        timeout_seconds=f.number("timeout_seconds", 20.0, minimum=0.1, maximum=600),
        max_bytes=f.whole("max_bytes", 5_000_000, minimum=1024, maximum=500_000_000),
        max_redirects=f.whole("max_redirects", 5, minimum=0, maximum=20),
        user_agent=f.text("user_agent", DEFAULT_USER_AGENT),
        proxy_url=f.proxy_url("proxy_url"),
    )
    try:
        UrlGuard(trusted_networks=fetch.trusted_networks)
    except ValueError as exc:
        raise f.fail(
            "trusted_networks", f"a list of CIDR networks ({exc})", fetch.trusted_networks
        ) from None
    f.finish()

    s = _table(source, document, "summary")
    summary = SummaryConfig(
        provider=s.text("provider", "extractive", choices=("extractive", "openai")),
        budget=s.whole("budget", 600, minimum=100, maximum=4000),
        base_url=s.url("base_url", DEFAULT_LLM_URL),
        model=s.text("model", DEFAULT_LLM_MODEL),
        api_key_env=s.text("api_key_env", DEFAULT_LLM_KEY_ENV),
        timeout_seconds=s.number("timeout_seconds", 20.0, minimum=0.1, maximum=600),
        max_tokens=s.whole("max_tokens", 400, minimum=16, maximum=8000),
    )
    s.finish()

    telegram = read_telegram(source, document, env)
    zalo = read_zalo(source, document, env)
    check_shared_path(source, telegram, zalo)

    lg = _table(source, document, "log")
    log_config = LogConfig(format=lg.text("format", "text", choices=("text", "json")))
    lg.finish()

    d = _table(source, document, "delivery")
    delivery = DeliveryConfig(
        give_up_after_hours=d.number("give_up_after_hours", 6.0, minimum=0.01, maximum=24 * 30),
        lease_seconds=d.number("lease_seconds", 60.0, minimum=1.0, maximum=3600.0),
    )
    d.finish()

    from bot.config_desk import read_websub

    websub = read_websub(source, document)

    raw_feeds = document.get("feeds", [])
    if not isinstance(raw_feeds, list):
        raise ConfigError(f"{source}: [[feeds]]: expected an array of tables, got {raw_feeds!r}")
    feeds: list[FeedConfig] = []
    seen_names: set[str] = set()
    for index, raw in enumerate(raw_feeds):
        if not isinstance(raw, dict):
            raise ConfigError(f"{source}: [[feeds]] #{index + 1}: expected a table, got {raw!r}")
        r = _Reader(source, raw, f"[[feeds]] #{index + 1} ")
        name = r.text("name", "")
        if not name.strip():
            raise r.fail("name", "a non-empty name", name)
        if name in seen_names:
            raise r.fail("name", "a name no other feed has", name)
        seen_names.add(name)
        url = r.url("url", "")
        if not url:
            raise r.fail("url", "the feed's http(s) URL", url)
        kind = r.text("kind", "rss", choices=("rss", "html"))
        item = r.text("item", "") or None
        if kind == "html" and not item:
            raise r.fail("item", "a CSS selector for each story on the listing page", item)
        feeds.append(
            FeedConfig(
                name=name.strip(),
                url=url,
                kind=kind,
                section=r.text("section", "") or None,
                item=item,
                link=r.text("link", "a"),
                title=r.text("title", "") or None,
                priority=r.text("priority", "normal", choices=("normal", "breaking")),
            )
        )
        r.finish()

    return Config(
        source=source,
        timezone=timezone,
        language=language,
        storage_path=storage_path,
        storage_url=storage_url,
        keep_deliveries_days=keep_deliveries_days,
        poll=poll,
        fetch=fetch,
        summary=summary,
        telegram=telegram,
        zalo=zalo,
        feeds=tuple(feeds),
        bot_name=bot_name,
        publish=publish,
        card=card,
        log=log_config,
        delivery=delivery,
        dashboard=read_dashboard(_table(source, document, "dashboard")),
        websub=websub,
    )


def _is_postgres_url(url: str) -> bool:
    """postgresql://[user[:password]@][host][:port][/database][?options], as libpq reads it."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        return False
    return parts.scheme in ("postgresql", "postgres") and bool(parts.netloc or parts.query)


def find_config_path(explicit: str | None, env: Mapping[str, str] | None = None) -> Path | None:
    """--config, else $BANTIN_CONFIG, else ./config.toml; None means the embedded defaults."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    local = Path(DEFAULT_CONFIG_NAME)
    return local if local.is_file() else None


def load_config(explicit: str | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Load the config Bantin should run with; the storage path is taken relative to the file."""
    path = find_config_path(explicit, env)
    if path is None:
        return parse_config(EMBEDDED_DEFAULTS, "<embedded defaults>", env)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: the config file is not UTF-8 text") from None
    config = parse_config(text, str(path), env)
    if not config.storage_path.is_absolute():
        config = replace(config, storage_path=path.parent / config.storage_path)
    return config


def proxy_url_problem(value: str) -> str | None:
    """What is wrong with a proxy URL, in words that never include its password."""
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        return "not a URL with a host and a numeric port"
    if parts.scheme.lower() not in PROXY_SCHEMES:
        return f"the scheme must be one of {', '.join(PROXY_SCHEMES)}"
    if not parts.hostname:
        return "no host"
    if port == 0:
        return "port 0"
    return None
