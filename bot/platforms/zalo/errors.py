"""Zalo's answers as delivery outcomes: retry later, the chat is gone, or rejected.

Read as Zalo documents them: 403 is "Internal server error" there, so it is retried (the
message may have gone out: a duplicate is better than a loss) unless its description says
the user blocked the bot or cannot be reached; a 429 names no wait, so the limiter pauses
adaptively. Which codes and phrases mean what is `[zalo]` configuration
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
        return SendOutcome.retry(f"{reason} (quota)", quota=True)
    lowered = description.lower()
    if any(p in lowered for p in settings.gone_phrases) or code in settings.gone_error_codes:
        return SendOutcome.gone(reason)
    if (
        code in settings.retry_error_codes
        or code >= 500
        or exc.http_status >= 500
        or any(p in lowered for p in settings.retry_phrases)
    ):
        # Zalo answered after reading the request: it may have delivered the message.
        return SendOutcome.retry(reason, maybe_sent=True)
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
