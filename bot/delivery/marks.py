"""Sent marks, committed in groups: the outbox keeps up with 1,000 sends a second.

One commit per send is one fsync per send (SQLite's `synchronous=FULL`, PostgreSQL's WAL
flush): about 200 a second on a real disk, whatever the HTTP client does. Here a send's
mark waits for the commit under way to end, then goes with every mark that arrived
meanwhile in one transaction: one commit for many sends at speed, one per send when
sends are rare (no timer, no added wait). Each caller still returns only once its own
mark is committed, so the worker records an outcome as before; a crash before that
commit leaves the row 'sending', the in-flight case the outbox already resends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

Marks = list[tuple[Sequence[int], str | None, float]]  # (rows, message id, chat pause)
Commit = Callable[[Marks], Awaitable[None]]


class SentMarks:
    def __init__(self, commit: Commit) -> None:
        self._commit = commit
        self._waiting: list[tuple[Sequence[int], str | None, float, asyncio.Future[None]]] = []
        self._flushing: asyncio.Task[None] | None = None
        self.commits = 0  # transactions made, for the benchmark

    async def mark(
        self, delivery_ids: Sequence[int], message_id: str | None, *, chat_pause: float = 0.0
    ) -> None:
        """Returns once this send's mark is committed; raises what the commit raised.
        `chat_pause`: the chat's next send waits so long, whichever sender claims it."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((delivery_ids, message_id, chat_pause, done))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        # Shielded: a stop that cancels this job must not cancel the commit of others.
        await asyncio.shield(done)

    async def _flush(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                await self._commit(
                    [(ids, message_id, pause) for ids, message_id, pause, _ in batch]
                )
            except BaseException as exc:
                for *_, done in batch:
                    if not done.done():
                        done.set_exception(exc) if isinstance(exc, Exception) else done.cancel()
                if not isinstance(exc, Exception):
                    raise
            else:
                self.commits += 1
                for *_, done in batch:
                    if not done.done():
                        done.set_result(None)
