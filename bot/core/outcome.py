"""What happened to one send, in words every platform shares.

Each Messenger maps its own errors (PTB exceptions, Zalo error codes) to one of these, so
the worker's policy — retry, deactivate, rewrite the chat id, alert — lives in one place.

`Wire` is how a platform's HTTP client tells the worker that a send's request has begun
to leave: before that a stop may drop the send (nothing reached the platform), after it
the send must finish and its outcome be recorded.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    SENT = "sent"  # arrived; message_id kept for later edits
    RETRY = "retry"  # try again later (network trouble, a 5xx, a flood wait)
    GONE = "gone"  # the chat blocked us, was deleted, or kicked us: deactivate it
    MIGRATED = "migrated"  # the group became a supergroup with a new id: rewrite, resend
    REJECTED = "rejected"  # the platform refuses this message: do not retry, tell admins


@dataclass(frozen=True, slots=True)
class SendOutcome:
    kind: Kind
    message_id: str | None = None
    reason: str = ""
    # RETRY: seconds the platform asked every send to wait (429); None means our backoff.
    retry_after: float | None = None
    # RETRY: the request may have reached the platform (read timeout): a resend may duplicate.
    maybe_sent: bool = False
    # RETRY: the platform said "too many" without a wait (Zalo's 429): pause adaptively.
    quota: bool = False
    # MIGRATED: the chat's new id.
    new_chat_id: str | None = None
    # REJECTED: a short, stable name of the cause, so admins hear of each cause once.
    cause: str = ""

    @classmethod
    def sent(cls, message_id: str | int | None) -> SendOutcome:
        return cls(Kind.SENT, message_id=None if message_id is None else str(message_id))

    @classmethod
    def retry(
        cls,
        reason: str,
        *,
        retry_after: float | None = None,
        maybe_sent: bool = False,
        quota: bool = False,
    ) -> SendOutcome:
        return cls(
            Kind.RETRY, reason=reason, retry_after=retry_after, maybe_sent=maybe_sent, quota=quota
        )

    @classmethod
    def gone(cls, reason: str) -> SendOutcome:
        return cls(Kind.GONE, reason=reason)

    @classmethod
    def migrated(cls, new_chat_id: str | int, reason: str = "") -> SendOutcome:
        return cls(Kind.MIGRATED, new_chat_id=str(new_chat_id), reason=reason)

    @classmethod
    def rejected(cls, reason: str, cause: str = "") -> SendOutcome:
        return cls(Kind.REJECTED, reason=reason, cause=cause or reason[:80])


@dataclass(slots=True)
class Wire:
    """One send, as its HTTP client sees it: `written` once a request began to be written."""

    written: bool = False


_wire: ContextVar[Wire | None] = ContextVar("bantin_wire", default=None)


def watch_wire() -> Wire:
    """A fresh Wire for the sends the current task makes from now on."""
    wire = Wire()
    _wire.set(wire)
    return wire


def mark_written() -> None:
    """Called by a platform's HTTP client as a request's first bytes go out."""
    wire = _wire.get()
    if wire is not None:
        wire.written = True
