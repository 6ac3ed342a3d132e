"""Keeping every secret out of every line Bantin prints: log records, their tracebacks, and
the CLI's own error messages.

Platform URLs carry the bot token (`/bot<TOKEN>/…`) and libraries put URLs in their
exceptions; a database URL or a proxy URL may carry a password. Whoever learns a secret
registers it here (`remember_secret`); the filter on the root handlers and `redact` replace
each one, whatever logged it or raised it.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import Iterable, Iterator
from typing import Any, TextIO
from urllib.parse import quote, unquote, urlsplit

HIDDEN = "<secret>"
_MIN_LENGTH = 4  # shorter "secrets" would blank out ordinary words
_lock = threading.Lock()
_secrets: set[str] = set()


def remember_secret(secret: str | None) -> None:
    """Hide `secret` (and the forms it takes in a URL) from now on."""
    if not secret or len(secret) < _MIN_LENGTH:
        return
    forms = {secret, quote(secret, safe=""), quote(secret)}
    _, colon, tail = secret.partition(":")  # a Telegram token's secret half, alone
    if colon and len(tail) >= 8:
        forms.add(tail)
    with _lock:
        _secrets.update(f for f in forms if len(f) >= _MIN_LENGTH)


def remember_url_secrets(url: str | None) -> None:
    """The password (and user:password) of a database or proxy URL."""
    if not url:
        return
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return
    if password:
        remember_secret(unquote(password))
        remember_secret(password)
    for item in parts.query.split("&"):
        if item.startswith("password="):
            remember_secret(unquote(item.partition("=")[2]))


def redact(text: str) -> str:
    """`text` with every remembered secret replaced, longest first."""
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, HIDDEN)
    return text


class RedactSecrets(logging.Filter):
    """Replaces the secrets in a record's message and traceback, whoever logged it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def guard_root_handlers() -> None:
    """Every handler on the root logger redacts (the CLI calls it once logging is set up)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())


# The name the platform adapters have used since the first release.
RedactToken = RedactSecrets


def protect_token(token: str, noisy_loggers: Iterable[str]) -> None:
    """Libraries that log request URLs go to WARNING; every root handler redacts the token."""
    remember_secret(token)
    for name in noisy_loggers:
        logging.getLogger(name).setLevel(logging.WARNING)
    guard_root_handlers()


class RedactingStream:
    """A text stream whose every write is redacted: what the CLI prints, whoever prints it."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(redact(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@contextlib.contextmanager
def redacted_output() -> Iterator[None]:
    """sys.stdout and sys.stderr redacted for the block (the CLI wraps each command)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = RedactingStream(out)
    sys.stderr = RedactingStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
