"""The dashboard's records and ports: what the browser pages read, and the one-time links.

Pure data and `Protocol`s. The store keeps sign-in links and sessions only as hashes
(`bot/store/signin.py`); the pages' figures come from `bot/store/dashboard.py`; the
server that draws them is `bot/dashboard/`. Handlers see only `DashboardLinks`: "give
this admin a sign-in link", so `/dashboard` works without knowing about HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.records import Caller

# A sign-in link lives this long and opens one session only.
LINK_SECONDS = 600.0


@dataclass(frozen=True, slots=True)
class StoryCounts:
    """One stored story with how its pushes went: sent, waiting (pending or in flight), failed.

    `review` is its place in the review queue ("waiting", "published", "dropped"), None
    when it never waited for an editor.
    """

    article_id: int
    title: str
    url: str
    feed_name: str | None
    time: float
    sent: int
    pending: int
    failed: int
    review: str | None = None


@dataclass(frozen=True, slots=True)
class DaySeries:
    """Values per local day, oldest first: `days[i]` is that day's midnight (epoch seconds)."""

    days: tuple[float, ...]
    series: dict[str, tuple[float | None, ...]]


@dataclass(frozen=True, slots=True)
class HourCounts:
    """Deliveries per hour, oldest first: `hours[i]` is the hour's start (epoch seconds)."""

    hours: tuple[float, ...]
    sent: tuple[int, ...]
    failed: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Redeemed:
    """What a sign-in link came to: "ok" (then `actor`…), "used", "expired" or "unknown"."""

    outcome: str
    actor: str = ""
    platform: str = ""
    user_id: str = ""


@dataclass(frozen=True, slots=True)
class Session:
    """A signed-in editor: who, as which platform user, until when."""

    actor: str
    platform: str
    user_id: str
    expires_at: float


class DashboardPort(Protocol):
    """The figures and lists the dashboard's pages show; each works on SQLite and PostgreSQL."""

    async def subscribers_by_day(self, days: int = 30, at: float | None = None) -> DaySeries: ...
    async def deliveries_by_hour(self, hours: int = 24, at: float | None = None) -> HourCounts: ...
    async def latency_by_day(self, days: int = 14, at: float | None = None) -> DaySeries: ...
    async def stories(self, limit: int = 30) -> list[StoryCounts]: ...


class SignInPort(Protocol):
    """One-time sign-in links and browser sessions, kept as SHA-256 hashes of their tokens."""

    async def add_link(
        self, token_hash: str, actor: str, platform: str, user_id: str, expires_at: float
    ) -> None: ...
    async def peek_link(self, token_hash: str, at: float) -> Redeemed: ...
    async def redeem(
        self, token_hash: str, session_hash: str, session_expires_at: float, at: float
    ) -> Redeemed: ...
    async def session(self, session_hash: str, at: float) -> Session | None: ...
    async def end_session(self, session_hash: str) -> None: ...


class DashboardLinks(Protocol):
    """What `/dashboard` asks of the application: a one-time link for this admin."""

    async def issue(self, caller: Caller) -> str | None:
        """The sign-in link (valid `LINK_SECONDS`, once), or None when the dashboard is off."""
        ...
