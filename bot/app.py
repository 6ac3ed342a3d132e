"""The composition root: config in, store, fetcher, poller, scheduler and platforms wired.

The one place that builds the handlers' Context, each platform's rate limiter and delivery
worker, and the admin room; platforms are read by their capabilities, never their names.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.admin.desk import AdminDesk
from bot.admin.review import ReviewAnnouncer
from bot.admin.wiring import build_admin_desk, make_fetcher
from bot.config_desk import zalo_display_name
from bot.core.platform_ports import ChatAccess, MessageEditor, Summarizer
from bot.core.settings import Config
from bot.dashboard.server import make_dashboard
from bot.fleet import Membership, Role, RunLock, new_holder
from bot.launch import Launch
from bot.outlets import Outlet, Part, build_outlets, make_context
from bot.platforms.listener import Listeners
from bot.scheduler import make_scheduler
from bot.store import open_store
from bot.websub import WebSubService
from feeds.llm_summary import LLMSummarizer
from feeds.poller import Poller, PollReport
from feeds.summarize import summarize
from handlers.review import preview_card

if TYPE_CHECKING:
    from bot.core.records import Article, Feed
    from bot.core.replies import Reply
    from bot.core.review import ReviewItem

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

    def __init__(
        self,
        config: Config,
        *,
        on_article: Callable[[Article], None] | None = None,
        role: Role | None = None,
    ):
        self.config = config
        self.role = role or Role()
        self.holder = new_holder()
        self._polls: set[asyncio.Task[None]] = set()
        # Taken by `run`: a second `bantin run` on one SQLite file stops there.
        self.run_lock = None if config.storage_url else RunLock(config.storage_path)
        self.store = open_store(config)
        self.store.sync.feeds.sync_config(config.feeds)
        self.store.sync.chats.sync_channels("telegram", config.telegram.channels)
        self.fetcher = make_fetcher(config)
        self.llm = make_llm(config)
        self.summarizer = configured_summarizer(self.llm)
        self.context = make_context(config, self.store)
        self.part = Part(
            role=self.role,
            holder=self.holder,
            lease_seconds=config.delivery.lease_seconds,
            shared_pace=bool(config.storage_url),
        )
        self.membership = Membership(
            self.store, self.holder, self.role, lease_seconds=config.delivery.lease_seconds
        )
        # One HTTP listener per webhook address, shared by the platforms (and WebSub) on it.
        self.listeners = Listeners()
        self.platforms: list[Outlet] = build_outlets(
            config, self.context, self.part, self.listeners
        )
        self.admin = self._admin_desk()
        self.context.admin = self.admin
        self.dashboard = make_dashboard(config, self.store, self.admin, self.context)
        self.review = self._review_announcer()
        if config.zalo.token:
            # Zalo wants a bot's own name to begin with "Bot"; what it says uses [bot] name.
            log.info(
                "zalo: the bot's name in the Zalo console should be %r; readers are greeted as %r",
                zalo_display_name(config.bot_name),
                config.bot_name,
            )
        self.websub = (
            WebSubService(self.store, self.fetcher, config.websub, self._poll_feed, self.listeners)
            if config.websub.enabled
            else None
        )
        self.poller = Poller(
            self.store,
            self.fetcher,
            self.summarizer,
            config.poll,
            config.summary.budget,
            on_article=on_article,
            notify_admins=self.notify_admins,
            holder=self.holder,
            on_fetched=self.websub.subscriber.consider if self.websub is not None else None,
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

    async def _poll_feed(self, feed: Feed) -> PollReport:
        """One feed at once (a WebSub push), cancelled at stop like the scheduled polls."""
        return await self.poller.poll_feed(feed)

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
        """Poll, serve chats and deliver until `stop` is set, then stop all of it in order.

        Raises AlreadyRunning at once when another `bantin run` holds the SQLite file."""
        if self.run_lock is not None:
            self.run_lock.acquire()
        try:
            await self._run(stop)
        finally:
            if self.run_lock is not None:
                self.run_lock.release()

    async def _run(self, stop: asyncio.Event) -> None:
        scheduler = make_scheduler(
            self._poll_due, self.config.poll.interval_seconds, self.config.timezone
        )
        scheduler.add_job(
            self.prune_outbox, "interval", hours=6, id="prune-outbox", max_instances=1
        )
        if self.websub is not None and (self.role.polls or self.role.receives):
            scheduler.add_job(
                self.websub.renew, "interval", minutes=5, id="websub-renew", max_instances=1
            )
            await self.websub.start()
        if self.role.polls:
            await self.prune_outbox()
        if self.role.sends:
            await self._requeue_in_flight()
        await self.membership.join()
        if self.dashboard is not None and self.role.receives:
            await self.dashboard.start()
        launch = Launch(self.platforms, stop)
        try:
            await launch.wait_first_round()
            if launch.fatal is None:
                if self.role.polls:
                    scheduler.start()
                await stop.wait()
        finally:
            log.info("stopping: no new polls, finishing in-flight sends")
            if scheduler.running:
                scheduler.shutdown(wait=False)
            await launch.cancel()
            if self.dashboard is not None:
                await self.dashboard.stop()
            # Side by side: the workers release what waits for its turn at once, rather
            # than going on sending while the polls are cut short.
            await asyncio.gather(
                self._cancel_polls(),
                *(_stop(platform) for platform in launch.started),
                *([self.websub.stop()] if self.websub is not None else []),
            )
            await self.listeners.stop()
            await self.membership.leave()
        if launch.fatal is not None:
            raise launch.fatal

    async def _requeue_in_flight(self) -> None:
        """Rows a dead process left 'sending' go out again. Holding the SQLite run lock, no
        other process can be sending: all of them. On a shared database, only rows whose
        lease ran out: another sender may be sending the rest right now."""
        requeued = await self.store.deliveries.requeue_in_flight(expired_only=self.run_lock is None)
        if requeued:
            log.warning("outbox: %d sends were in flight at the last stop; sending again", requeued)


async def _stop(platform: Outlet) -> None:
    """Platforms stop side by side, so together they keep within SIGTERM's 10 seconds."""
    try:
        await asyncio.wait_for(platform.stop(), SHUTDOWN_SECONDS)
    except (TimeoutError, Exception):
        log.exception("platform %s: did not stop cleanly", platform.name)
