"""Zalo updates in, by long polling (`getUpdates`) or from the webhook, to the handlers.

Zalo may hand an event out twice: a message id seen lately is dropped. One chat's updates
are answered one at a time, in order ("tìm đà lạt" then "xem thêm"); chats side by side.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Coroutine
from typing import Any

from bot.core.replies import Reply, Request
from bot.core.settings import ZaloConfig
from bot.platforms.base import Handle, Replies
from bot.platforms.zalo.client import (
    EVENT_IMAGE,
    EVENT_TEXT,
    ZaloClient,
    ZaloError,
    ZaloNetworkError,
    ZaloUpdate,
    parse_update,
)
from bot.platforms.zalo.send import PLATFORM, ZaloSender
from handlers.base import Context

log = logging.getLogger(__name__)


class ZaloIntake:
    """Turns Zalo events into `Request`s and answers them; owns its background tasks."""

    def __init__(
        self,
        settings: ZaloConfig,
        client: ZaloClient,
        handle: Handle,
        context: Context,
        replies: Replies,
        sender: ZaloSender,
    ) -> None:
        self.settings = settings
        self.client = client
        self.handle = handle
        self.context = context
        self.replies = replies
        self.sender = sender
        self.tasks: set[asyncio.Task[None]] = set()
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._chat_locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._slots = asyncio.Semaphore(settings.handler_concurrency)
        self._poller: asyncio.Task[None] | None = None
        self.stopping = False

    def spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coroutine, name=name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    # ---- long polling ------------------------------------------------------------------

    async def prepare_polling(self) -> None:
        """getUpdates does not work while a webhook is set: remove one left over."""
        if not self.settings.delete_webhook_for_polling:
            return
        try:
            info = await self.client.get_webhook_info()
            if info.url:
                await self.client.delete_webhook()
                log.warning("zalo: a webhook was set; deleted it to use long polling")
        except (ZaloError, ZaloNetworkError) as exc:
            log.warning("zalo: could not check the webhook (%s)", exc)

    def start_polling(self) -> None:
        self._poller = asyncio.create_task(self._poll(), name="zalo-updates")

    async def _poll(self) -> None:
        """getUpdates in a loop; Zalo hands out one update per call and forgets it."""
        failures = 0
        while not self.stopping:
            try:
                updates = await self.client.get_updates(self.settings.poll_timeout_seconds)
                failures = 0
            except asyncio.CancelledError:
                raise
            except (ZaloError, ZaloNetworkError) as exc:
                failures += 1
                wait = min(30.0, 0.5 * 2 ** min(failures, 6))
                if isinstance(exc, ZaloError) and exc.code == 401:
                    log.error("zalo: the token was refused; retrying in %.0f s", wait)
                else:
                    log.warning("zalo: getUpdates failed (%s); retrying in %.1f s", exc, wait)
                await asyncio.sleep(wait)
                continue
            except Exception:
                log.exception("zalo: getUpdates failed unexpectedly")
                await asyncio.sleep(5.0)
                continue
            for update in updates:
                self.dispatch(update)

    async def stop(self) -> None:
        """No more updates; those being answered get two seconds, then are cancelled."""
        self.stopping = True
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        tasks = list(self.tasks)
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=2.0)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=1.0)

    # ---- one update --------------------------------------------------------------------

    def accept(self, payload: dict[str, Any]) -> None:
        """The webhook's callback: parse now, handle in the background."""
        update = parse_update(payload)
        if update is None:
            log.warning("zalo webhook: a body that is not an update was ignored")
            return
        self.dispatch(update)

    def dispatch(self, update: ZaloUpdate) -> None:
        recent = self._recent
        if update.message_id:
            if update.message_id in recent:
                log.info("zalo: event %s delivered twice; ignored", update.message_id)
                return
            recent[update.message_id] = None
            while len(recent) > self.settings.recent_updates:
                recent.popitem(last=False)
        self.spawn(self._on_update(update), f"zalo-update-{update.chat_id}")

    async def _on_update(self, update: ZaloUpdate) -> None:
        locks = self._chat_locks
        lock, users = locks.get(update.chat_id, (asyncio.Lock(), 0))
        locks[update.chat_id] = (lock, users + 1)
        try:
            async with lock, self._slots:
                await self._handle_update(update)
        except Exception:
            log.exception("chat zalo:%s: update failed", update.chat_id)
        finally:
            lock, users = locks[update.chat_id]
            if users <= 1:
                del locks[update.chat_id]
            else:
                locks[update.chat_id] = (lock, users - 1)

    async def _handle_update(self, update: ZaloUpdate) -> None:
        if update.is_bot:
            return
        if update.event_name == EVENT_TEXT:
            text = update.text or ""
        elif update.event_name == EVENT_IMAGE:
            text = update.caption or ""
        else:
            # Stickers say nothing we act on; "unsupported" is what Zalo sends instead of
            # the content for protected users (children, …): nothing of it is kept.
            log.info("chat zalo:%s: %s ignored", update.chat_id, update.event_name)
            return
        if not text.strip():
            return
        request = Request(
            platform=PLATFORM,
            chat_id=update.chat_id,
            chat_kind="private" if update.is_private else "group",
            chat_title=update.user_name if update.is_private else None,
            user_id=update.user_id,
            user_name=update.user_name,
            text=text,
            is_chat_admin=update.is_private,
            buttons=False,
        )
        log.info(
            "chat zalo:%s: %s",
            update.chat_id,
            "command" if text.lstrip().startswith("/") else "text",
        )
        if self.settings.typing_action:  # in the background: the answer must not wait on it
            self.spawn(self._typing(update.chat_id), "zalo-typing")
        replies = await self.handle(request, self.context)

        async def put(reply: Reply) -> None:
            try:
                await self.sender.send(update.chat_id, reply)
            except ValueError as exc:
                log.warning("chat zalo:%s: reply not sendable: %s", update.chat_id, exc)

        await self.replies.send_all(update.chat_id, replies, put)

    async def _typing(self, chat_id: str) -> None:
        with contextlib.suppress(ZaloError, ZaloNetworkError):
            await self.client.send_chat_action(chat_id, "typing")
