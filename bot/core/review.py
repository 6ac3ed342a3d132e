"""The review queue's records: a story held for an editor, and what a decision came to.

With `[publish] review = true` a polled story is stored and searchable but waits here,
out of the outbox, until an editor publishes or drops it (in chat, the shell or the
dashboard: all of them call the same store methods).
"""

from __future__ import annotations

from dataclasses import dataclass

WAITING = "waiting"
PUBLISHED = "published"
DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One held story. `summary` is the editor's text, None while the machine's stands."""

    article_id: int
    status: str
    title: str
    summary: str | None
    created_at: float
    announced_at: float | None
    decided_at: float | None
    decided_by: str | None

    @property
    def waiting(self) -> bool:
        return self.status == WAITING


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """`outcome`: "done" (decided now), "already" (someone decided first: see `item`),
    "missing" (no such story in the queue)."""

    outcome: str
    item: ReviewItem | None = None
    queued: int = 0
