"""The composition root: config in, store, fetcher, poller, scheduler and platforms wired.

The one place that builds the handlers' Context, each platform's rate limiter and delivery
worker, and the admin room; platforms are read by their capabilities, never their names.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bot.admin.access import admin_ids
from bot.admin.desk import AdminDesk
from bot.admin.review import ReviewAnnouncer
from bot.admin.wiring import build_admin_desk, make_fetcher
from bot.config_desk import zalo_display_name
from bot.core.ports import ChatAccess, MessageEditor, StorePort, Summarizer
from bot.core.settings import Config
from bot.delivery.paid import PaidLane
from bot.delivery.ratelimit import Limits, RateLimiter
from bot.delivery.worker import DeliveryWorker, WorkerSettings
from bot.launch import Launch
from bot.scheduler import make_scheduler
from bot.store import open_store, paid_plan
from feeds.llm_summary import LLMSummarizer
from feeds.poller import Poller, PollReport
from feeds.summarize import summarize
from handlers.base import Context
from handlers.review import preview_card

if TYPE_CHECKING:
    import httpx

    from bot.core.records import Article
    from bot.core.replies import Reply
    from bot.core.review import ReviewItem
    from bot.platforms.base import Handle, Platform

log = logging.getLogger(__name__)

SHUTDOWN_SECONDS = 8.0


async def extractive_summary(
    title: str, paragraphs: Sequence[str], lead: str | None, budget: int
) -> str:
    return summarize(title, paragraphs, lead=lead, budget=budget)


def make_llm(config: Config) -> LLMSummarizer | None:
    """An OpenAI-compatible model when configured; it falls back to the extractive summary."""
    if config.summary.provider != "openai":
        return None
    settings = config.summary
    return LLMSummarizer(
        base_url=settings.base_url,
        model=settings.model,
        api_key=os.environ.get(settings.api_key_env, ""),
        timeout_seconds=settings.timeout_seconds,
        max_tokens=settings.max_tokens,
    )


def configured_summarizer(llm: LLMSummarizer | None) -> Summarizer:
    """The summarizer the config asks for: the model's (with its fallback), or ours."""
    return llm.summarize if llm is not None else extractive_summary


class App:
    """Owns every long-lived object; `async with App(config)` opens and closes them in order."""

    def __init__(self, config: Config, *, on_article: Callable[[Article], None] | None = None):
        self.config = config
        self._polls: set[asyncio.Task[None]] = set()
        self.store = open_store(config)
        self.store.sync.feeds.sync_config(config.feeds)
        self.store.sync.chats.sync_channels("telegram", config.telegram.channels)
        self.fetcher = make_fetcher(config)
        self.llm = make_llm(config)
        self.summarizer = configured_summarizer(self.llm)
        self.context = make_context(config, self.store)
        self.platforms: list[Outlet] = build_outlets(config, self.context)
        self.admin = self._admin_desk()
        self.context.admin = self.admin
        self.review = self._review_announcer()
        if config.zalo.token:
            # Zalo wants a bot's own name to begin with "Bot"; what it says uses [bot] name.
            log.info(
                "zalo: the bot's name in the Zalo console should be %r; readers are greeted as %r",
                zalo_display_name(config.bot_name),
                config.bot_name,
            )
        self.poller = Poller(
            self.store,
            self.fetcher,
            self.summarizer,
            config.poll,
            config.summary.budget,
            on_article=on_article,
            notify_admins=self.notify_admins,
        )

    def _admin_desk(self) -> AdminDesk:
        """The admin room, with the rights checks and message editors the platforms have."""
        access: ChatAccess | None = None
        editors: dict[str, MessageEditor] = {}
        for outlet in self.platforms:
            platform = outlet.platform
            if platform.chat_access is not None and access is None:
                access = platform.chat_access
            if platform.message_editor is not None:
                editors[platform.name] = platform.message_editor
        return build_admin_desk(
            self.config, self.store, self.fetcher, self.summarizer, access=access, editors=editors
        )

    def _review_announcer(self) -> ReviewAnnouncer:
        """Previews go to `[publish] editors_chat`, else each Telegram admin's private chat,
        through the first platform with buttons (the decision needs them)."""
        config = self.config
        messenger = next(
            (o.platform.messenger for o in self.platforms if o.platform.has_buttons), None
        )
        editors = [config.publish.editors_chat] if config.publish.editors_chat else []
        editors = editors or [str(admin) for admin in config.telegram.admins]
        language, timezone, card = config.language, config.timezone, config.card

        def preview(article: Article, item: ReviewItem) -> Reply:
            return preview_card(article, item, language, timezone, card)

        return ReviewAnnouncer(
            self.store,
            self.admin.review,
            messenger,
            editors,
            preview,
            language=language,
            auto_publish_after_minutes=config.publish.auto_publish_after_minutes,
        )

    async def review_tick(self) -> None:
        """Show new held stories to the editors; publish those waiting too long."""
        if not self.config.publish.review:
            return
        try:
            await self.review.tick()
        except Exception:  # the queue waits for the next tick; the poller goes on
            log.exception("review: could not announce or auto-publish held stories")

    async def __aenter__(self) -> App:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self.fetcher.aclose()
        if self.llm is not None:
            await self.llm.aclose()
        self.store.close()

    async def notify_admins(self, text: str) -> None:
        log.warning("admin alert: %s", text)
        for platform in self.platforms:
            try:
                await platform.notify_admins(text)
            except Exception:  # an alert must never take the poller down
                log.exception("platform %s: could not alert admins", platform.name)

    async def poll_once(self) -> list[PollReport]:
        return await self.poller.poll_all()

    async def _poll_due(self) -> None:
        """The scheduler's job; the task is kept so that a stop can cancel it."""
        task = asyncio.current_task()
        assert task is not None
        self._polls.add(task)
        try:
            await self.poller.poll_due()
            await self.review_tick()
        finally:
            self._polls.discard(task)

    async def _cancel_polls(self) -> None:
        """A poll cut short loses nothing: its results are written in one transaction, or not."""
        polls = [task for task in self._polls if not task.done()]
        for task in polls:
            task.cancel()
        if polls:
            await asyncio.wait(polls, timeout=2.0)

    async def prune_outbox(self) -> int:
        """Forget sent rows older than `[storage] keep_deliveries_days` (the newest stories'
        rows stay, for /correct and /retract)."""
        before = time.time() - self.config.keep_deliveries_days * 86400
        try:
            removed = await self.store.retention.prune_deliveries(before)
        except Exception:
            log.exception("outbox: could not prune old deliveries")
            return 0
        if removed:
            log.info(
                "outbox: pruned %d deliveries older than %d days",
                removed,
                self.config.keep_deliveries_days,
            )
        return removed

    async def run(self, stop: asyncio.Event) -> None:
        """Poll, serve chats and deliver until `stop` is set, then stop all of it in order."""
        scheduler = make_scheduler(
            self._poll_due, self.config.poll.interval_seconds, self.config.timezone
        )
        scheduler.add_job(
            self.prune_outbox, "interval", hours=6, id="prune-outbox", max_instances=1
        )
        await self.prune_outbox()
        requeued = await self.store.deliveries.requeue_in_flight()
        if requeued:
            log.warning("outbox: %d sends were in flight at the last stop; sending again", requeued)
        launch = Launch(self.platforms, stop)
        try:
            await launch.wait_first_round()
            if launch.fatal is None:
                scheduler.start()
                await stop.wait()
        finally:
            log.info("stopping: no new polls, finishing in-flight sends")
            if scheduler.running:
                scheduler.shutdown(wait=False)
            await launch.cancel()
            # Side by side: the workers release what waits for its turn at once, rather
            # than going on sending while the polls are cut short.
            await asyncio.gather(
                self._cancel_polls(), *(_stop(platform) for platform in launch.started)
            )
        if launch.fatal is not None:
            raise launch.fatal


async def _stop(platform: Outlet) -> None:
    """Platforms stop side by side, so together they keep within SIGTERM's 10 seconds."""
    try:
        await asyncio.wait_for(platform.stop(), SHUTDOWN_SECONDS)
    except (TimeoutError, Exception):
        log.exception("platform %s: did not stop cleanly", platform.name)


# ---- the platforms, each with its limiter and delivery worker -----------------------------


class Outlet:
    """A platform and the delivery worker that pushes the outbox through its messenger."""

    def __init__(self, platform: Platform, worker: DeliveryWorker) -> None:
        self.platform = platform
        self.worker = worker

    @property
    def name(self) -> str:
        return self.platform.name

    async def start(self) -> None:
        await self.platform.start()
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
    give_up: float = 6 * 3600.0,
    paid_lane: PaidLane | None = None,
) -> Outlet:
    worker = DeliveryWorker(
        context.store,
        platform.messenger,
        RateLimiter(limits),
        worker_settings or WorkerSettings(max_in_flight=in_flight, give_up_after_seconds=give_up),
        timezone=context.timezone,
        notify_admins=platform.notify_admins,
        card=context.card,
        paid_lane=paid_lane,
    )
    return Outlet(platform, worker)


def telegram_paid_lane(config: Config, context: Context, limits: Limits) -> PaidLane | None:
    """`[telegram] paid_broadcast_stars_per_day` > 0: the paid lane, at 1,000 msg/s."""
    plan = paid_plan(config)
    if not plan.on:
        return None
    paced = replace(limits, messages_per_second=plan.paid_rate)
    return PaidLane(context.store, plan, RateLimiter(paced), timezone=config.timezone)


def telegram_outlet(
    config: Config,
    context: Context,
    *,
    handle: Handle | None = None,
    commands: Mapping[str, Any] | None = None,
    worker_settings: WorkerSettings | None = None,
) -> Outlet:
    """Telegram: about 30 messages/s overall, 1/s per private chat, 20/min per group."""
    from bot.platforms.telegram import TelegramAdapter

    settings = config.telegram
    adapter = TelegramAdapter(settings, context, handle=handle, commands=commands)
    limits = Limits(
        messages_per_second=settings.messages_per_second,
        private_chat_per_second=settings.private_chat_per_second,
        group_per_minute=settings.group_per_minute,
    )
    in_flight = max(8, int(settings.messages_per_second * 2))
    give_up = config.delivery.give_up_after_hours * 3600
    lane = telegram_paid_lane(config, context, limits)
    return _outlet(adapter, context, limits, in_flight, worker_settings, give_up, lane)


def zalo_outlet(
    config: Config,
    context: Context,
    *,
    handle: Handle | None = None,
    worker_settings: WorkerSettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Outlet:
    """Zalo: one-to-one chats only, so a fleet-wide rate and one per reader."""
    from bot.platforms.zalo import ZaloAdapter

    settings = config.zalo
    adapter = ZaloAdapter(settings, context, handle=handle, transport=transport)
    limits = Limits(
        messages_per_second=settings.messages_per_second,
        private_chat_per_second=settings.private_chat_per_second,
        quota_pause_seconds=settings.quota_pause_seconds,
    )
    in_flight = max(4, int(settings.messages_per_second * 2))
    give_up = config.delivery.give_up_after_hours * 3600
    return _outlet(adapter, context, limits, in_flight, worker_settings, give_up)


def build_outlets(config: Config, context: Context) -> list[Outlet]:
    """One per platform that has a token; none means Bantin only polls."""
    outlets: list[Outlet] = []
    if config.telegram.token:
        outlets.append(telegram_outlet(config, context))
    if config.zalo.token:
        outlets.append(zalo_outlet(config, context))
    return outlets


def cli_chat_access(config: Config) -> ChatAccess | None:
    """For `bantin channels add`: Telegram's checks with a bot of its own, when it has a token."""
    if not config.telegram.token:
        return None
    from bot.platforms.telegram import make_chat_access

    return make_chat_access(config.telegram, config.timezone)
