"""What the delivery worker works with: its settings, and a job (one message to one chat,
made of one claimed row, or a digest's rows) with what a stop needs to know of it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.outcome import Wire

if TYPE_CHECKING:
    from bot.core.records import Delivery


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    max_in_flight: int = 60  # claimed rows owned at once (waiting for a slot or sending)
    idle_seconds: float = 0.5  # how often to look at the outbox when nothing is happening
    backoff_base: float = 5.0
    backoff_cap: float = 900.0
    max_attempts: int = 8
    digest_max: int = 30
    stop_grace_seconds: float = 5.0  # how long sends on the wire may take to finish at stop
    give_up_after_seconds: float = 6 * 3600.0  # `[delivery] give_up_after_hours`
    holder: str = ""  # this process in the outbox's leases (`bot.fleet`)
    lease_seconds: float = 60.0  # `[delivery] lease_seconds`


@dataclass(eq=False)
class Job:
    deliveries: list[Delivery]
    # The send under way: once its request began to be written, and until its outcome is
    # recorded, a stop must not cancel the job (the chat may have the message).
    wire: Wire | None = field(default=None, repr=False)
    settled: bool = False
    flood_waits: int = 0
    paid: bool = False  # a paid broadcast (bot/delivery/paid.py)
    paid_spent: bool = False  # its last send arrived or may have: it costs a Star tenth
    task: asyncio.Task[None] | None = field(default=None, repr=False)
    digest_claim: asyncio.Future[list[Delivery]] | None = field(default=None, repr=False)

    @property
    def ids(self) -> list[int]:
        return [d.id for d in self.deliveries]

    @property
    def on_wire(self) -> bool:
        return self.wire is not None and self.wire.written


def join_claim(job: Job, claim: asyncio.Future[list[Delivery]]) -> None:
    if not claim.cancelled() and claim.exception() is None:
        job.deliveries.extend(claim.result())
