"""The platforms, each with its rate limiter and delivery worker: what `App` runs.

A process's role decides what an outlet does: an intake process takes readers' messages
in but pushes nothing, a sender pushes the outbox but takes nothing in, a poller keeps
only the platform's client, to alert the admins. On a shared database (PostgreSQL) the
limiter takes its global pace from the fleet, so every sender for one bot token keeps to
the platform's limit together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from bot.admin.access import admin_ids
from bot.core.platform_ports import ChatAccess
from bot.core.settings import Config
from bot.delivery.jobs import WorkerSettings
from bot.delivery.pace import SharedPace, lane_name
from bot.delivery.paid import PaidLane
from bot.delivery.ratelimit import Limits, RateLimiter
from bot.delivery.worker import DeliveryWorker
from bot.fleet import Role
from bot.store import paid_plan
from bot.store.paid import PaidPlan
from handlers.base import Context

if TYPE_CHECKING:
    import httpx

    from bot.core.ports import StorePort
    from bot.platforms.base import Handle, Platform
    from bot.platforms.listener import Listeners


@dataclass(frozen=True, slots=True)
class Part:
    """This process's share of the work: its role, its name in the leases, and whether
    its pace is shared with other processes (a PostgreSQL store)."""

    role: Role = field(default_factory=Role)
    holder: str = ""
    lease_seconds: float = 60.0
    shared_pace: bool = False


SOLE = Part()


class Outlet:
    """A platform and the delivery worker that pushes the outbox through its messenger."""

    def __init__(self, platform: Platform, worker: DeliveryWorker, *, sends: bool = True) -> None:
        self.platform = platform
        self.worker = worker
        self.sends = sends

    @property
    def name(self) -> str:
        return self.platform.name

    async def start(self) -> None:
        await self.platform.start()
        if self.sends:
            self.worker.start()

    async def stop(self) -> None:
        """The worker first (it owns claimed rows), then the platform's intake and client."""
        try:
            await self.worker.stop()
        finally:
            await self.platform.stop()

    async def notify_admins(self, text: str) -> None:
        await self.platform.notify_admins(text)


def make_context(config: Config, store: StorePort) -> Context:
    """What every platform's handlers see; the admin room is added once it is built."""
    return Context(
        store=store,
        timezone=config.timezone,
        default_language=config.language,
        admins=admin_ids(config),
        bot_name=config.bot_name,
        card=config.card,
    )


def _outlet(
    platform: Platform,
    context: Context,
    limits: Limits,
    in_flight: int,
    worker_settings: WorkerSettings | None,
    part: Part,
    token: str,
    give_up: float = 6 * 3600.0,
    paid: PaidPlan | None = None,
) -> Outlet:
    limiter = _limiter(context, limits, part, lane_name(platform.name, token))
    paid_lane = None
    if paid is not None and paid.on:  # Telegram's paid broadcast: a lane of its own
        paced = replace(limits, messages_per_second=paid.paid_rate)
        lane = lane_name(f"{platform.name}-paid", token)
        paid_limiter = _limiter(context, paced, part, lane)
        paid_lane = PaidLane(context.store, paid, paid_limiter, timezone=context.timezone)
    settings = worker_settings or WorkerSettings(
        max_in_flight=in_flight,
        give_up_after_seconds=give_up,
        holder=part.holder,
        lease_seconds=part.lease_seconds,
    )
    worker = DeliveryWorker(
        context.store,
        platform.messenger,
        limiter,
        settings,
        timezone=context.timezone,
        notify_admins=platform.notify_admins,
        card=context.card,
        paid_lane=paid_lane,
    )
    return Outlet(platform, worker, sends=part.role.sends)


def _limiter(context: Context, limits: Limits, part: Part, lane: str) -> RateLimiter:
    """A limiter whose global pace is the fleet's on a shared database."""
    limiter = RateLimiter(limits)
    if part.shared_pace:
        interval = 1.0 / limits.messages_per_second
        limiter.shared = SharedPace(context.store.fleet, lane, interval, limiter.clock)
    return limiter


def telegram_outlet(
    config: Config,
    context: Context,
    *,
    handle: Handle | None = None,
    commands: Mapping[str, Any] | None = None,
    worker_settings: WorkerSettings | None = None,
    part: Part = SOLE,
    listeners: Listeners | None = None,
) -> Outlet:
    """Telegram: about 30 messages/s overall, 1/s per private chat, 20/min per group."""
    from bot.platforms.telegram import TelegramAdapter

    settings = config.telegram
    adapter = TelegramAdapter(
        settings,
        context,
        handle=handle,
        commands=commands,
        receive=part.role.receives,
        listeners=listeners,
    )
    limits = Limits(
        messages_per_second=settings.messages_per_second,
        private_chat_per_second=settings.private_chat_per_second,
        group_per_minute=settings.group_per_minute,
    )
    in_flight = max(8, int(settings.messages_per_second * 2))
    give_up = config.delivery.give_up_after_hours * 3600
    paid = paid_plan(config)
    return _outlet(
        adapter, context, limits, in_flight, worker_settings, part, settings.token, give_up, paid
    )


def zalo_outlet(
    config: Config,
    context: Context,
    *,
    handle: Handle | None = None,
    worker_settings: WorkerSettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    part: Part = SOLE,
    listeners: Listeners | None = None,
) -> Outlet:
    """Zalo: one-to-one chats only, so a fleet-wide rate and one per reader."""
    from bot.platforms.zalo import ZaloAdapter

    settings = config.zalo
    adapter = ZaloAdapter(
        settings,
        context,
        handle=handle,
        transport=transport,
        receive=part.role.receives,
        listeners=listeners,
    )
    limits = Limits(
        messages_per_second=settings.messages_per_second,
        private_chat_per_second=settings.private_chat_per_second,
        quota_pause_seconds=settings.quota_pause_seconds,
    )
    in_flight = max(4, int(settings.messages_per_second * 2))
    give_up = config.delivery.give_up_after_hours * 3600
    return _outlet(
        adapter, context, limits, in_flight, worker_settings, part, settings.token, give_up
    )


def build_outlets(
    config: Config,
    context: Context,
    part: Part = SOLE,
    listeners: Listeners | None = None,
) -> list[Outlet]:
    """One per platform that has a token; none means Bantin only polls. Webhooks on one
    address share one listener of `listeners`."""
    from bot.platforms.listener import Listeners

    listeners = listeners if listeners is not None else Listeners()
    outlets: list[Outlet] = []
    if config.telegram.token:
        outlets.append(telegram_outlet(config, context, part=part, listeners=listeners))
    if config.zalo.token:
        outlets.append(zalo_outlet(config, context, part=part, listeners=listeners))
    return outlets


def cli_chat_access(config: Config) -> ChatAccess | None:
    """For `bantin channels add`: Telegram's checks with a bot of its own, when it has a token."""
    if not config.telegram.token:
        return None
    from bot.platforms.telegram import make_chat_access

    return make_chat_access(config.telegram, config.timezone)
