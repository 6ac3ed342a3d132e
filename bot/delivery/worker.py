"""The outbox worker: claim due rows, pace them, send them, record what happened.

The outbox is the truth (DESIGN.md, Promises: Delivery). A row is 'sending' only while a
task of this worker owns it; on stop, rows whose request has not begun to be written (they
wait for the limiter, a connection or a connect) are released at once, sends already on
the wire are given a few seconds to finish, and a crash leaves rows 'sending' for
`requeue_in_flight` at the next start: at least once, duplicates only for sends in flight.

A send whose outcome is unknown (a read timeout, a reset mid-answer, a 5xx after the
request) may have arrived or not: it is retried with backoff, a duplicate being better
than a loss, until it has been unknown for `give_up_after_seconds`; the count and the
time of the first one are in the row, so a restart carries on where this run stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from bot.core.outcome import Kind, SendOutcome, watch_wire
from bot.core.platform_ports import Messenger
from bot.core.settings import CardConfig
from bot.delivery.compose import chat_label, compose, silent_now, what
from bot.delivery.jobs import Job, WorkerSettings, join_claim
from bot.delivery.marks import SentMarks
from bot.delivery.paid import PaidLane
from bot.delivery.ratelimit import RateLimiter
from bot.delivery.timing import backoff_seconds
from handlers.cards import CARD

if TYPE_CHECKING:
    from bot.core.ports import StorePort
    from bot.core.records import Chat, Delivery

log = logging.getLogger(__name__)

NotifyAdmins = Callable[[str], Awaitable[None]]
MAX_MIGRATIONS = 2
# 429s one job may draw before it goes back to the queue (not counted as a failed attempt):
# a chat that keeps drawing them must not hold its row 'sending' and pause everyone forever.
MAX_FLOOD_WAITS = 3


class DeliveryWorker:
    def __init__(
        self,
        store: StorePort,
        messenger: Messenger,
        limiter: RateLimiter,
        settings: WorkerSettings | None = None,
        *,
        timezone: str = "Asia/Ho_Chi_Minh",
        notify_admins: NotifyAdmins | None = None,
        card: CardConfig = CARD,
        paid_lane: PaidLane | None = None,
    ) -> None:
        self.store = store
        self.paid_lane = paid_lane  # Telegram's paid broadcast (bot/delivery/paid.py)
        self.card = card
        self.timezone = timezone
        self.messenger = messenger
        self.limiter = limiter
        self.settings = settings or WorkerSettings()
        self.notify_admins = notify_admins
        self.platform = messenger.platform
        self._jobs: set[Job] = set()
        self._wake = asyncio.Event()
        self._stopping = False
        self._runner: asyncio.Task[None] | None = None
        self._alerted: set[str] = set()
        self.marks = SentMarks(store.deliveries.mark_sent_batch)  # group commit of sends
        self.sent = 0
        self.flood_waits = 0

    # ---- lifecycle -------------------------------------------------------------------

    def start(self) -> None:
        self._runner = asyncio.create_task(self.run(), name=f"delivery-{self.platform}")

    async def stop(self) -> None:
        """Stop claiming; release what waits for its turn; let sends on the wire finish and
        record their outcome (for up to `stop_grace_seconds`)."""
        self._stopping = True  # from here the claim loop makes no job
        self._wake.set()
        jobs = list(self._jobs)  # a finished job leaves self._jobs; keep them all here
        # At once, not after the claim loop (it may wait behind a busy database): what has
        # written nothing must not go on leaving the limiter meanwhile.
        for job in jobs:
            if not job.on_wire and job.task is not None:
                job.task.cancel()
        if self._runner is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        on_wire = [job.task for job in jobs if job.on_wire and job.task is not None]
        if on_wire:
            log.info("delivery %s: waiting for %d sends on the wire", self.platform, len(on_wire))
            _, late = await asyncio.wait(on_wire, timeout=self.settings.stop_grace_seconds)
            for task in late:
                task.cancel()
        tasks = [job.task for job in jobs if job.task is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=1.0)
        released = await self._release_unsettled(jobs)
        if released:
            log.info("delivery %s: released %d unsent rows", self.platform, released)
        self._jobs.clear()
        if self.paid_lane is not None:  # paid lane: unused reservations back to the budget
            await self.paid_lane.close()

    async def _release_unsettled(self, jobs: Sequence[Job]) -> int:
        """A digest claim that a cancelled job left running finishes (and joins its job)
        first, so the rows it claimed are released too."""
        claims = [job.digest_claim for job in jobs if job.digest_claim is not None]
        if claims:
            await asyncio.wait(claims)
        unsettled = [i for job in jobs if not job.settled for i in job.ids]
        await self.store.deliveries.release(unsettled)
        return len(unsettled)

    async def drain(self, timeout: float) -> None:
        """Tests and the benchmark: wait until nothing is due or owned."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = await self.store.deliveries.pending_count(self.platform)
            if pending == 0 and not self._jobs:
                return
            await asyncio.sleep(0.05)
        raise TimeoutError(f"delivery {self.platform}: outbox not drained in {timeout} s")

    # ---- the loop --------------------------------------------------------------------

    async def run(self) -> None:
        settings = self.settings
        while not self._stopping:
            self._wake.clear()
            # ---- paid lane hook: while it is on, every new job is paid; its pace and the
            # budget left decide how many rows to claim
            limiter, capacity = self.limiter, settings.max_in_flight
            lane = self.paid_lane
            if lane is not None and await self._lane_on(lane):
                limiter, capacity = lane.limiter, lane.room
            # ---- end of the paid lane hook
            free = capacity - len(self._jobs)
            claimed: list[Delivery] = []
            # Claim only what can go out soon: a row claimed early is a row a crash
            # would resend, and one a stop has to release.
            if free > 0 and limiter.paused_for == 0 and limiter.backlog < 0.5:
                try:
                    claimed = await self.store.deliveries.claim(
                        self.platform,
                        free,
                        holder=settings.holder,
                        lease_seconds=settings.lease_seconds,
                    )
                except Exception:
                    log.exception("delivery %s: could not claim from the outbox", self.platform)
                if self._stopping:
                    if claimed:
                        await self.store.deliveries.release([d.id for d in claimed])
                    break
                for delivery in claimed:
                    job = Job([delivery])
                    job.task = asyncio.create_task(self._run_job(job))
                    self._jobs.add(job)
            if claimed or limiter.backlog >= 0.5:
                # Busy: look again soon, or when a quarter of the slots are free.
                wait = max(limiter.paused_for, 0.05)
            else:
                wait = settings.idle_seconds
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)

    async def _lane_on(self, lane: PaidLane) -> bool:
        try:
            return await lane.refresh()
        except Exception:  # the lane is an extra: the free lane goes on without it
            log.exception("delivery %s: could not look at the paid lane", self.platform)
            return False

    def _job_done(self, job: Job) -> None:
        self._jobs.discard(job)
        if len(self._jobs) <= self.settings.max_in_flight * 3 // 4:
            self._wake.set()

    async def _run_job(self, job: Job) -> None:
        try:
            await self._deliver(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception(
                "delivery %s: unexpected error for chat %s, %s",
                self.platform,
                chat_label(job.deliveries[0].chat),
                what(job.deliveries[0]),
            )
            if not job.settled:
                await self._retry_later(job, "internal error", count=True)
        finally:
            if job.paid and not job.paid_spent and self.paid_lane is not None:
                self.paid_lane.refund()  # refused, not sent, or stopped: nothing to pay
            self._job_done(job)

    async def _deliver(self, job: Job) -> None:
        first = job.deliveries[0]
        if first.chat.mode == "digest" and first.article is not None and first.priority == 0:
            await self._claim_digest(job)
        chat = first.chat
        migrations = 0
        # paid lane hook: a paid job goes at the lane's pace, with allow_paid_broadcast
        paid = job.paid = self.paid_lane is not None and await self.paid_lane.take()
        limiter = self.paid_lane.limiter if paid and self.paid_lane else self.limiter
        while not self._stopping:  # a stop leaves the job unsettled: its rows are released
            job.wire = None
            released_at = await limiter.acquire(chat.chat_id, chat.is_private)
            job.wire = watch_wire()  # written when the platform's client starts the request
            sent_at = time.time()
            outcome = await self._send(job, chat, paid=paid)
            job.paid_spent = outcome.kind is Kind.SENT or outcome.maybe_sent
            if outcome.kind is Kind.RETRY and (outcome.retry_after is not None or outcome.quota):
                if outcome.retry_after is not None:
                    wait = outcome.retry_after
                    limiter.pause(wait)
                else:
                    wait = limiter.slow_down(released_at)
                self.flood_waits += 1
                job.flood_waits += 1
                log.warning(
                    "delivery %s: flood wait %.1f s (chat %s, %s): every send waits",
                    self.platform,
                    wait,
                    chat_label(chat),
                    what(first),
                )
                if job.flood_waits >= MAX_FLOOD_WAITS:
                    await self._retry_later(
                        job,
                        f"{outcome.reason} ({job.flood_waits} flood waits in a row)",
                        count=False,
                        at_least=wait,
                    )
                    return
                continue
            if outcome.kind is Kind.SENT:
                limiter.sped_up(released_at)
            if outcome.kind is Kind.MIGRATED and migrations < MAX_MIGRATIONS:
                migrations += 1
                chat = await self._migrate(chat, outcome)
                continue
            await self._record(job, chat, outcome, sent_at)
            return

    async def _claim_digest(self, job: Job) -> None:
        """Claim the digest's other rows and make them the job's when the claim ends, even
        if a stop cancels the job meanwhile (`_release_unsettled` waits for it)."""
        first = job.deliveries[0]
        settings = self.settings
        claim = asyncio.ensure_future(
            self.store.deliveries.claim_digest(
                first.id,
                settings.digest_max - 1,
                holder=settings.holder,
                lease_seconds=settings.lease_seconds,
            )
        )
        claim.add_done_callback(partial(join_claim, job))
        job.digest_claim = claim
        await asyncio.shield(claim)

    async def _send(self, job: Job, chat: Chat, *, paid: bool = False) -> SendOutcome:
        reply = compose(job.deliveries, chat.language, self.timezone, self.card)
        if silent_now(job.deliveries, time.time(), self.timezone):
            reply = replace(reply, silent=True)
        if paid:
            reply = replace(reply, paid=True)
        return await self.messenger.send(chat, reply)

    async def _migrate(self, chat: Chat, outcome: SendOutcome) -> Chat:
        assert outcome.new_chat_id is not None
        moved = await self.store.chats.migrate(chat.platform, chat.chat_id, outcome.new_chat_id)
        log.warning(
            "chat %s migrated to %s: resending there", chat_label(chat), outcome.new_chat_id
        )
        self.limiter.forget(chat.chat_id)
        return moved if moved is not None else replace(chat, chat_id=outcome.new_chat_id)

    # ---- outcomes --------------------------------------------------------------------

    async def _record(self, job: Job, chat: Chat, outcome: SendOutcome, sent_at: float) -> None:
        first = job.deliveries[0]
        store = self.store
        if outcome.kind is Kind.SENT:
            await self.marks.mark(
                job.ids,
                outcome.message_id,
                chat_pause=self.limiter.limits.chat_interval(chat.is_private),
            )
            job.settled = True
            self.sent += 1
            log.info(
                "sent %s to chat %s (message %s)",
                what(first) if len(job.deliveries) == 1 else f"digest of {len(job.deliveries)}",
                chat_label(chat),
                outcome.message_id,
            )
        elif outcome.kind is Kind.GONE:
            await store.deliveries.chat_gone(chat.id, job.ids, outcome.reason)
            job.settled = True
            self.limiter.forget(chat.chat_id)
            log.warning("chat %s deactivated: %s", chat_label(chat), outcome.reason)
        elif outcome.kind is Kind.REJECTED or outcome.kind is Kind.MIGRATED:
            reason = outcome.reason or "migrated too many times"
            await store.deliveries.mark_failed_many(job.ids, reason)
            job.settled = True
            log.error("rejected %s for chat %s: %s", what(first), chat_label(chat), reason)
            await self._alert_once(
                outcome.cause or reason,
                f"{self.platform} từ chối gửi tin (chat {chat.chat_id}, {what(first)}): "
                f"{reason}. Các chat khác gặp cùng lỗi sẽ không được báo lại.",
            )
        elif outcome.maybe_sent:
            await self._unknown(job, chat, outcome, sent_at)
        else:
            if first.attempts >= self.settings.max_attempts:
                await store.deliveries.mark_failed_many(
                    job.ids,
                    f"{outcome.reason} (after {first.attempts} attempts)",
                )
                job.settled = True
                log.error(
                    "gave up %s for chat %s after %d attempts: %s",
                    what(first),
                    chat_label(chat),
                    first.attempts,
                    outcome.reason,
                )
                await self._alert_once(
                    "attempts:" + outcome.reason[:60],
                    f"Không gửi được tin sau {first.attempts} lần ({self.platform}): "
                    f"{outcome.reason}",
                )
                return
            await self._retry_later(job, outcome.reason, count=True)

    async def _unknown(self, job: Job, chat: Chat, outcome: SendOutcome, sent_at: float) -> None:
        """It may have arrived: send again later (a duplicate beats a loss) until the row
        has been unknown for `give_up_after_seconds`; then it is failed, saying so."""
        first = job.deliveries[0]
        since = first.ambiguous_since if first.ambiguous_since is not None else sent_at
        times = first.ambiguous + 1
        hours = (time.time() - since) / 3600
        if time.time() - since >= self.settings.give_up_after_seconds:
            reason = (
                f"{outcome.reason}: outcome unknown {times} times in {hours:.1f} h; "
                f"given up, it may have arrived"
            )
            await self.store.deliveries.mark_failed_many(job.ids, reason)
            job.settled = True
            log.error("gave up %s for chat %s: %s", what(first), chat_label(chat), reason)
            await self._alert_once(
                "unknown:" + outcome.reason[:60],
                f"Không rõ tin đã đến chưa sau {times} lần gửi ({self.platform}, "
                f"chat {chat.chat_id}): {outcome.reason}. Đã ngừng gửi lại.",
            )
            return
        delay = backoff_seconds(
            times, base=self.settings.backoff_base, cap=self.settings.backoff_cap
        )
        reason = f"{outcome.reason} (outcome unknown {times} times; may duplicate)"
        await self.store.deliveries.retry_unknown_many(job.ids, time.time() + delay, reason, since)
        job.settled = True
        log.warning(
            "%s for chat %s, %s: sending again in %.0f s; the chat may get it twice",
            outcome.reason,
            chat_label(chat),
            what(first),
            delay,
        )

    async def _retry_later(
        self, job: Job, reason: str, *, count: bool, at_least: float = 0.0
    ) -> None:
        first = job.deliveries[0]
        delay = backoff_seconds(
            max(first.attempts, 1), base=self.settings.backoff_base, cap=self.settings.backoff_cap
        )
        delay = max(delay, at_least)
        due = time.time() + delay
        await self.store.deliveries.retry_later_many(job.ids, due, reason, count=count)
        job.settled = True
        log.warning(
            "retry %s for chat %s in %.0f s: %s",
            what(first),
            chat_label(first.chat),
            delay,
            reason,
        )

    async def _alert_once(self, cause: str, text: str) -> None:
        if cause in self._alerted or self.notify_admins is None:
            return
        self._alerted.add(cause)
        try:
            await self.notify_admins(text)
        except Exception:  # an alert must never stop the worker
            log.exception("delivery %s: could not alert admins", self.platform)
