"""Logging for a machine nobody watches: one line (or one JSON object) per event, and no
secret in any of them, exceptions and tracebacks included."""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING

from bot.platforms.redact import guard_root_handlers, remember_secret, remember_url_secrets

if TYPE_CHECKING:
    from bot.core.settings import Config

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# httpx logs full URLs (with a bot token in them); the schedulers log every tick.
NOISY = ("httpx", "httpcore", "apscheduler.executors", "apscheduler.scheduler")
SECRET_ENV = (
    "BANTIN_TELEGRAM_TOKEN",
    "BANTIN_ZALO_TOKEN",
    "BANTIN_ZALO_WEBHOOK_SECRET",
    "BANTIN_TELEGRAM_WEBHOOK_SECRET",
    "BANTIN_LLM_API_KEY",
)
URL_ENV = ("BANTIN_DATABASE_URL", "HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")

log = logging.getLogger("bantin")


class JsonFormatter(logging.Formatter):
    """`[log] format = "json"`: one object per event, for a log collector."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            event["exception"] = record.exc_text
        return json.dumps(event, ensure_ascii=False)


_ours: logging.Handler | None = None


def configure_logging(verbose: bool = False, format: str = "text") -> None:
    """To stderr; called again once the config is read, for its `[log] format`.

    Handlers someone else put on the root logger (a test runner's) are left in place and
    only given the redaction filter, as `logging.basicConfig` would leave them.
    """
    global _ours
    root = logging.getLogger()
    formatter = JsonFormatter() if format == "json" else logging.Formatter(TEXT_FORMAT)
    if _ours is not None and _ours in root.handlers:
        _ours.setFormatter(formatter)
    elif not root.handlers:
        _ours = logging.StreamHandler(sys.stderr)
        _ours.setFormatter(formatter)
        root.addHandler(_ours)
        sys.excepthook = _log_uncaught
        threading.excepthook = _log_thread_crash
    if _ours is not None and _ours in root.handlers:
        root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    guard_root_handlers()


def remember_env_secrets(env: Mapping[str, str] | None = None) -> None:
    """Before the config is read: the secrets the environment holds."""
    env = os.environ if env is None else env
    for name in SECRET_ENV:
        remember_secret(env.get(name))
    for name in URL_ENV:
        remember_url_secrets(env.get(name) or env.get(name.lower()))


def remember_config_secrets(config: Config, env: Mapping[str, str] | None = None) -> None:
    env = os.environ if env is None else env
    secrets = (config.telegram.token, config.zalo.token, config.zalo.webhook_secret)
    for secret in (*secrets, config.telegram.webhook_secret):
        remember_secret(secret)
    remember_secret(env.get(config.summary.api_key_env))
    for url in (config.storage_url, config.telegram.proxy_url, config.zalo.proxy_url):
        remember_url_secrets(url)


def _log_uncaught(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    log.critical("bantin: crashed: %s", kind.__name__, exc_info=(kind, value, tb))


def _log_thread_crash(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    name = args.thread.name if args.thread else "?"
    log.error(
        "thread %s: crashed: %s",
        name,
        args.exc_type.__name__,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )
