"""Our own send limiter: one global pace, one pace per chat, one shared pause.

Telegram allows about 30 messages/s overall, 1/s in a private chat and 20/min in a group
or channel. PTB's AIORateLimiter has no per-private-chat limit, and a 429 must make every
send wait, not just the one that got it; so the worker paces itself with this.

Slots are reserved, not polled: each caller takes the next free time and sleeps until it,
so N waiting sends cost N sleeps and the achieved rate stays at the configured one.

A 429 that names no wait (Zalo's) pauses adaptively (`slow_down`): about a second first,
doubling while 429s keep coming, up to `quota_pause_seconds`, easing back after successes.
The sends already in flight when one 429 is heard meet the same quota: they count once.

On a shared database the global slots come from the fleet (`bot.delivery.pace`): every
process sending for one bot token keeps to one pace together, and a 429 pauses them all.
The per-chat pace holds fleet-wide through the outbox (`chats.pace_until`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.delivery.pace import SharedPace


@dataclass(frozen=True, slots=True)
class Limits:
    messages_per_second: float = 30.0
    private_chat_per_second: float = 1.0
    group_per_minute: float = 20.0
    quota_pause_seconds: float = 60.0  # the longest adaptive pause after 429s with no wait
    quota_first_pause: float = 1.0

    def chat_interval(self, private: bool) -> float:
        if private:
            return 1.0 / self.private_chat_per_second
        return 60.0 / self.group_per_minute


class RateLimiter:
    def __init__(
        self,
        limits: Limits,
        *,
        clock: Callable[[], float] = time.monotonic,
        shared: SharedPace | None = None,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self.shared = shared
        self._waiting = 0  # sends waiting for a shared slot
        self._interval = 1.0 / limits.messages_per_second
        self._next_global = 0.0
        self._paused_until = 0.0
        self._last_release = float("-inf")
        self._next_chat: dict[str, float] = {}
        self._pruned_at = 0.0
        self._quota_pause = 0.0  # the adaptive pause now in force (0: full speed)
        self._quota_heard_at = float("-inf")  # when the last 429 that counted was heard
        self.quota_pauses = 0  # 429s that counted (not those the in-flight sends shared)

    @property
    def clock(self) -> Callable[[], float]:
        return self._clock

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    @property
    def backlog(self) -> float:
        """Seconds of global slots already promised to waiting sends."""
        if self.shared is not None:
            return self._waiting * self._interval
        return max(0.0, self._next_global - self._clock())

    def pause(self, seconds: float) -> None:
        """A 429: no send anywhere before `seconds` from now (in the fleet, when shared)."""
        if self.shared is not None:
            self.shared.pause(seconds)
        self._hold(seconds)

    def _hold(self, seconds: float) -> None:
        until = self._clock() + seconds
        if until > self._paused_until:
            self._paused_until = until
        self._next_global = max(self._next_global, self._paused_until)

    def slow_down(self, released_at: float) -> float:
        """A 429 with no wait, met by a send that left at `released_at`: the pause in force.

        A send that left before the last counted 429 was heard met that same quota, so it
        does not double the pause again.
        """
        if released_at >= self._quota_heard_at:
            limits = self.limits
            first = min(limits.quota_first_pause, limits.quota_pause_seconds)
            doubled = self._quota_pause * 2 if self._quota_pause else first
            self._quota_pause = min(limits.quota_pause_seconds, max(first, doubled))
            self._quota_heard_at = self._clock()
            self.quota_pauses += 1
            self.pause(self._quota_pause)
        return max(self.paused_for, 0.0)

    def sped_up(self, released_at: float) -> None:
        """A success after the last 429: halve the next adaptive pause, to none at last."""
        if self._quota_pause and released_at >= self._quota_heard_at:
            half = self._quota_pause / 2
            self._quota_pause = 0.0 if half < self.limits.quota_first_pause else half

    async def acquire(self, chat_key: str, private: bool) -> float:
        """Wait for this chat's next turn, then for the next global slot; the release time."""
        now = self._clock()
        self._prune(now)
        chat_at = max(now, self._next_chat.get(chat_key, 0.0))
        self._next_chat[chat_key] = chat_at + self.limits.chat_interval(private)
        if chat_at > now:
            await asyncio.sleep(chat_at - now)
        while True:
            now = self._clock()
            if self._paused_until > now:
                await asyncio.sleep(self._paused_until - now)
                continue
            if self.shared is not None:
                self._waiting += 1
                try:
                    slot, paused = await self.shared.next_slot()
                finally:
                    self._waiting -= 1
                if paused > 0:
                    self._hold(paused)  # another sender of this token heard a 429
                    continue
            else:
                slot = max(now, self._next_global)
                self._next_global = slot + self._interval
            now = self._clock()
            if slot > now:
                await asyncio.sleep(slot - now)
            now = self._clock()
            if self._paused_until > now:
                continue  # a 429 arrived while this send waited: its slot is void
            # No catch-up bursts: when the loop was busy and several sends wake at once,
            # they still leave a whole interval apart (Telegram counts arrivals, and a
            # catch-up faster than the rate is what drew a 429 in a 10,000-chat push).
            release = max(now, self._last_release + self._interval)
            self._last_release = release
            if release > now:
                await asyncio.sleep(release - now)
            return release

    def forget(self, chat_key: str) -> None:
        self._next_chat.pop(chat_key, None)

    def _prune(self, now: float) -> None:
        """Drop chats whose turn has passed, so 100,000 chats do not stay in memory."""
        if now - self._pruned_at < 30.0 or len(self._next_chat) < 10_000:
            return
        self._pruned_at = now
        self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
