"""One `bantin run` among others: its name, its role, and what it holds.

A national newsroom runs several processes against one PostgreSQL: intake processes
behind the reverse proxy, one poller, a sender per bot token. Nothing is trusted to be
alone. Each process has a name (`holder`: host, pid and a nonce), registers itself, and
renews the leases of the deliveries it claimed; rows whose lease ran out belong to a
process that died and are sent again by whoever sweeps first.

SQLite is one file on one machine: there a second `bantin run` refuses to start (`RunLock`),
so the one process that runs may take back every row left 'sending' at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import secrets
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.ports import StorePort

log = logging.getLogger("bantin.fleet")

ROLES = ("all", "intake", "poll", "send")


@dataclass(frozen=True, slots=True)
class Role:
    """What a process does: `all` (the default), or one part of a fleet."""

    name: str = "all"

    def __post_init__(self) -> None:
        if self.name not in ROLES:
            raise ValueError(f"--role must be one of {', '.join(ROLES)}, got {self.name!r}")

    @property
    def receives(self) -> bool:
        """Takes readers' messages in (long polling or webhooks) and answers them."""
        return self.name in ("all", "intake")

    @property
    def polls(self) -> bool:
        """Polls the feeds, announces stories to review, prunes the outbox."""
        return self.name in ("all", "poll")

    @property
    def sends(self) -> bool:
        """Pushes the outbox to the platforms."""
        return self.name in ("all", "send")


def new_holder() -> str:
    """This process's name in the leases: readable in `bantin stats`, unique in the fleet."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(2)}"


class AlreadyRunning(RuntimeError):
    """Another `bantin run` holds this SQLite file."""


class RunLock:
    """An exclusive lock beside the SQLite file, held for as long as `bantin run` runs.

    flock is released by the kernel when the process dies, however it dies, so a crash
    never leaves a stale lock behind. One-shot commands (`poll`, `search`, `stats`) do not
    take it: they work beside a running bot.
    """

    def __init__(self, database: Path | str) -> None:
        self.database = Path(database)
        self.path = self.database.with_name(self.database.name + ".run.lock")
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            owner = handle.read().strip() or "another process"
            handle.close()
            raise AlreadyRunning(
                f"{self.database}: another `bantin run` is using this database ({owner}); "
                "stop it first, or give this one its own [storage] path "
                "(several processes on one database need PostgreSQL: [storage] url)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.truncate(0)
            self._file.close()  # closing drops the flock
            self._file = None


class Membership:
    """Registers this process, renews its leases, and sweeps up after dead ones.

    Every `lease_seconds / 3`: the process is seen, its claimed rows' leases are pushed
    on, and (for a sender) rows whose lease ran out go back to the queue.
    """

    def __init__(
        self,
        store: StorePort,
        holder: str,
        role: Role,
        *,
        lease_seconds: float,
    ) -> None:
        self.store = store
        self.holder = holder
        self.role = role
        self.lease_seconds = lease_seconds
        self._task: asyncio.Task[None] | None = None

    @property
    def every(self) -> float:
        return max(0.2, self.lease_seconds / 3)

    async def join(self) -> None:
        await self.store.fleet.join(self.holder, self.role.name, socket.gethostname(), os.getpid())
        log.info("fleet: %s joined as %s", self.holder, self.role.name)
        self._task = asyncio.create_task(self._beat(), name="fleet-beat")

    async def leave(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        try:
            await self.store.fleet.leave(self.holder)
        except Exception:  # the row only ages out of `bantin stats`
            log.exception("fleet: could not sign %s off", self.holder)

    async def tick(self) -> int:
        """One beat; the rows taken back from dead processes."""
        store = self.store
        await store.fleet.beat(self.holder)
        if not self.role.sends:
            return 0
        await store.deliveries.renew_leases(self.holder, time.time() + self.lease_seconds)
        swept = await store.deliveries.requeue_in_flight()
        if swept:
            log.warning(
                "outbox: %d sends held by a process that stopped renewing them; sending again "
                "(a chat may get one twice)",
                swept,
            )
        return swept

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.tick()
            except Exception:  # the next beat tries again; leases last three beats
                log.exception("fleet: beat of %s failed", self.holder)
