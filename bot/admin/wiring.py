"""Building the admin room from the config: one place for the composition root and the CLI."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from bot.admin.access import CachedChatAccess
from bot.admin.desk import AdminDesk
from bot.admin.probe import FeedProbe, StoryRefresher
from bot.core.ports import ChatAccess, MessageEditor, StorePort, Summarizer
from bot.core.settings import Config
from feeds.fetch import Fetcher, FetchSettings
from feeds.urlguard import UrlGuard


def make_fetcher(config: Config) -> Fetcher:
    """The same guarded fetcher the poller uses: an admin's URL gets no more trust."""
    fetch = config.fetch
    return Fetcher(
        FetchSettings(
            timeout_seconds=fetch.timeout_seconds,
            max_bytes=fetch.max_bytes,
            max_redirects=fetch.max_redirects,
            user_agent=fetch.user_agent,
        ),
        UrlGuard(
            allow_private_addresses=fetch.allow_private_addresses,
            trusted_networks=fetch.trusted_networks,
        ),
    )


def build_admin_desk(
    config: Config,
    store: StorePort,
    fetcher: Fetcher,
    summarizer: Summarizer,
    *,
    access: ChatAccess | None = None,
    editors: Mapping[str, MessageEditor] | None = None,
) -> AdminDesk:
    """The admin room with test fetches and, given a platform's access, its rights checks."""
    return AdminDesk(
        store,
        probe=FeedProbe(fetcher),
        refresher=StoryRefresher(fetcher, summarizer, budget=config.summary.budget),
        access=CachedChatAccess(access) if access is not None else None,
        editors=editors,
    )


def platform_chat_access(config: Config) -> ChatAccess | None:
    """The Telegram adapter's `make_chat_access(config)`, when it exists and has a token.

    The CLI uses it to check that the bot may post in a channel before adding it.
    """
    if not config.telegram.token:
        return None
    try:
        module = importlib.import_module("bot.platforms.telegram")
    except ImportError:
        return None
    factory = getattr(module, "make_chat_access", None)
    if factory is None:
        return None
    access: ChatAccess | None = factory(config)
    return access
