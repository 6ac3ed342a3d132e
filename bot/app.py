"""The composition root: config in, store, fetcher, poller, scheduler and platforms wired."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot.admin.desk import AdminDesk
from bot.admin.wiring import build_admin_desk, make_fetcher
from bot.core.ports import ChatAccess, MessageEditor, Summarizer
from bot.core.settings import Config
from bot.platforms import build_platforms
from bot.scheduler import make_scheduler
from bot.store import open_store
from feeds.llm_summary import LLMSummarizer
from feeds.poller import Poller, PollReport
from feeds.summarize import summarize

if TYPE_CHECKING:
    from bot.core.records import Article
    from bot.platforms.base import Platform

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
        self.platforms: list[Platform] = build_platforms(config, self.store)
        self.admin = self._admin_desk()
        for platform in self.platforms:
            platform.context.admin = self.admin
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
        """The admin room; with Telegram running, its rights checks, lookups and edits."""
        access: ChatAccess | None = None
        editors: dict[str, MessageEditor] = {}
        for platform in self.platforms:
            if platform.name == "telegram":
                from bot.platforms.telegram import TelegramPlatform

                assert isinstance(platform, TelegramPlatform)
                access = platform.chats
                editors["telegram"] = platform.chats
        return build_admin_desk(
            self.config, self.store, self.fetcher, self.summarizer, access=access, editors=editors
        )

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
        finally:
            self._polls.discard(task)

    async def _cancel_polls(self) -> None:
        """A poll cut short loses nothing: its results are written in one transaction, or not."""
        polls = [task for task in self._polls if not task.done()]
        for task in polls:
            task.cancel()
        if polls:
            await asyncio.wait(polls, timeout=2.0)

    async def run(self, stop: asyncio.Event) -> None:
        """Poll, serve chats and deliver until `stop` is set, then stop all of it in order."""
        scheduler = make_scheduler(
            self._poll_due, self.config.poll.interval_seconds, self.config.timezone
        )
        started: list[Platform] = []
        requeued = await self.store.deliveries.requeue_in_flight()
        if requeued:
            log.warning("outbox: %d sends were in flight at the last stop; sending again", requeued)
        try:
            for platform in self.platforms:
                await platform.start()
                started.append(platform)
                log.info("platform %s: started", platform.name)
            scheduler.start()
            await stop.wait()
        finally:
            log.info("stopping: no new polls, finishing in-flight sends")
            scheduler.shutdown(wait=False)
            await self._cancel_polls()
            await asyncio.gather(*(_stop(platform) for platform in started))


async def _stop(platform: Platform) -> None:
    """Platforms stop side by side, so together they keep within SIGTERM's 10 seconds."""
    try:
        await asyncio.wait_for(platform.stop(), SHUTDOWN_SECONDS)
    except (TimeoutError, Exception):
        log.exception("platform %s: did not stop cleanly", platform.name)
