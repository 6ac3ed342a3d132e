"""Building `AdminOps` from the config: one place for the composition root and the CLI."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from bot.admin.access import CachedChatAccess
from bot.admin.ops import AdminOps
from bot.admin.probe import FeedProbe, StoryRefresher
from bot.core.ports import ChatAccess, MessageEditor
from bot.core.settings import Config
from bot.store import Store
from feeds.fetch import Fetcher, FetchSettings
from feeds.urlguard import UrlGuard

log = logging.getLogger(__name__)


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


def build_admin_ops(
    config: Config,
    store: Store,
    fetcher: Fetcher,
    *,
    access: ChatAccess | None = None,
    editors: Mapping[str, MessageEditor] | None = None,
) -> AdminOps:
    return AdminOps(
        store,
        probe=FeedProbe(fetcher),
        refresher=StoryRefresher(fetcher, budget=config.summary.budget),
        access=CachedChatAccess(access) if access is not None else None,
        editors=editors,
        timezone=config.timezone,
    )
