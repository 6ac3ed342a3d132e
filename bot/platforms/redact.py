"""Keeping a bot token out of every log line: platform URLs carry it (`/bot<TOKEN>/…`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable


class RedactToken(logging.Filter):
    """Replaces the token in a record's message and traceback, whoever logged it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.token:
            return True
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.token in record.exc_text:
            record.exc_text = record.exc_text.replace(self.token, "<token>")
        return True


def protect_token(token: str, noisy_loggers: Iterable[str]) -> None:
    """Libraries that log request URLs go to WARNING; every root handler redacts the token."""
    for name in noisy_loggers:
        logging.getLogger(name).setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactToken) and f.token == token for f in handler.filters):
            handler.addFilter(RedactToken(token))
