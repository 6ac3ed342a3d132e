"""Building the admin room from the config: one place for the composition root and the CLI."""

from __future__ import annotations

from collections.abc import Mapping

from bot.admin.access import CachedChatAccess
from bot.admin.desk import AdminDesk
from bot.admin.probe import FeedProbe, StoryRefresher
from bot.core.platform_ports import ChatAccess, MessageEditor, Summarizer
from bot.core.ports import StorePort
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
            proxy_url=fetch.proxy_url or None,
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
        timezone=config.timezone,
        bot_name=config.bot_name,
    )
