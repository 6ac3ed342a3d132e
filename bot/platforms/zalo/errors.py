"""Zalo's answers as delivery outcomes: retry later, the chat is gone, or rejected.

The documentation lists no error for "this user blocked the bot" and says nothing of how
a 429 should be waited out: which codes and phrases mean what is `[zalo]` configuration
(`bot.core.settings.ZaloConfig`), each default the safe side.
"""

from __future__ import annotations

from bot.core.outcome import SendOutcome
from bot.core.settings import ZaloConfig
from bot.platforms.base import stable_cause
from bot.platforms.zalo.client import ZaloError, ZaloNetworkError


def classify(exc: Exception, settings: ZaloConfig | None = None) -> SendOutcome:
    """A failed send as a delivery outcome: retry later, the chat is gone, or rejected."""
    settings = settings or ZaloConfig()
    if isinstance(exc, ZaloNetworkError):
        return SendOutcome.retry(f"network: {exc.reason}", maybe_sent=exc.maybe_sent)
    if not isinstance(exc, ZaloError):
        return SendOutcome.retry(f"{type(exc).__name__}")
    code, description = exc.code, exc.description
    reason = f"Zalo {code}: {description}" if description else f"Zalo {code}"
    if code == 429:
        return SendOutcome.retry(f"{reason} (quota)", retry_after=settings.quota_pause_seconds)
    lowered = description.lower()
    if (
        code in settings.retry_error_codes
        or code >= 500
        or exc.http_status >= 500
        or any(p in lowered for p in settings.retry_phrases)
    ):
        return SendOutcome.retry(reason)
    if code in settings.gone_error_codes or any(p in lowered for p in settings.gone_phrases):
        return SendOutcome.gone(reason)
    if code == 401:
        return SendOutcome.rejected("the Zalo bot token was refused", cause="zalo invalid token")
    return SendOutcome.rejected(reason, cause=stable_cause(f"zalo {code} {description}"))


def outcome_of(exc: Exception, settings: ZaloConfig) -> SendOutcome | None:
    """Any exception of a send: Zalo's classified, a reply Zalo cannot take rejected."""
    if isinstance(exc, ZaloError | ZaloNetworkError):
        return classify(exc, settings)
    if isinstance(exc, ValueError):
        return SendOutcome.rejected(f"not sendable on Zalo: {exc}", cause=f"zalo {exc}")
    return None
