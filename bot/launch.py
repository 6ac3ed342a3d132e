"""Starting the platforms so that the network cannot take Bantin down at start.

Each platform starts in a task of its own. One that cannot be reached is tried again with
a capped backoff, one log line per try saying what to check, while polling and the other
platforms go on; a token the platform rejects stops Bantin, as a config error does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.platforms.startup import PlatformUnreachable, TokenRejected

if TYPE_CHECKING:
    from bot.outlets import Outlet

log = logging.getLogger("bantin.launch")

FIRST_WAIT_SECONDS = 1.0
MAX_WAIT_SECONDS = 300.0
# How long `run` waits for every platform's first try before polling starts, so that a
# rejected token stops Bantin before it does any work.
FIRST_ROUND_SECONDS = 15.0


class Launch:
    """The start of every outlet; `started` are the ones up, `fatal` a rejected token."""

    def __init__(
        self,
        outlets: Sequence[Outlet],
        stop: asyncio.Event,
        *,
        first_wait: float = FIRST_WAIT_SECONDS,
        max_wait: float = MAX_WAIT_SECONDS,
    ) -> None:
        self.stop = stop
        self.first_wait = first_wait
        self.max_wait = max_wait
        self.started: list[Outlet] = []
        self.fatal: TokenRejected | None = None
        self._first_tries = len(outlets)
        self.first_round = asyncio.Event()
        if not outlets:
            self.first_round.set()
        self._tasks = [
            asyncio.create_task(self._start(outlet), name=f"start-{outlet.name}")
            for outlet in outlets
        ]

    async def wait_first_round(self, timeout: float = FIRST_ROUND_SECONDS) -> None:
        """Until every platform was tried once, the timeout passed, or a stop came."""
        waits = [
            asyncio.create_task(self.first_round.wait()),
            asyncio.create_task(self.stop.wait()),
        ]
        await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        for task in waits:
            task.cancel()

    def _tried(self, attempt: int) -> None:
        if attempt == 1:
            self._first_tries -= 1
            if self._first_tries <= 0:
                self.first_round.set()

    async def _start(self, outlet: Outlet) -> None:
        wait = self.first_wait
        attempt = 1
        while not self.stop.is_set():
            try:
                await outlet.start()
            except asyncio.CancelledError:
                with contextlib.suppress(Exception):
                    await outlet.platform.stop()
                raise
            except TokenRejected as exc:
                self.fatal = exc
                self.stop.set()
                self._tried(attempt)
                return
            except PlatformUnreachable as exc:
                log.warning(
                    "platform %s: cannot reach %s (%s), try %d; %s; next try in %.0f s",
                    outlet.name,
                    exc.where,
                    exc.reason,
                    attempt,
                    exc.check,
                    wait,
                )
            except Exception as exc:  # a bug or a surprise: still never the whole bot
                log.error(
                    "platform %s: start failed (%s: %s), try %d; next try in %.0f s",
                    outlet.name,
                    type(exc).__name__,
                    exc,
                    attempt,
                    wait,
                )
            else:
                self.started.append(outlet)
                log.info("platform %s: started", outlet.name)
                self._tried(attempt)
                return
            self._tried(attempt)
            attempt += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), wait)
            wait = min(wait * 2, self.max_wait)

    async def cancel(self) -> None:
        """Stop trying; platforms already up are the caller's to stop."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
