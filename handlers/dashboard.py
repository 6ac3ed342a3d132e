"""`/dashboard`: an admin asks, in a private chat, for a one-time link to the dashboard.

The link opens one browser session and expires in ten minutes; it is given only in a
private chat, where nobody else reads it. The link itself comes from the application
(`ctx.dashboard`, a `DashboardLinks`), which stores only its hash.
"""

from __future__ import annotations

from bot.core.dashboard import LINK_SECONDS
from bot.core.records import Caller
from bot.core.replies import Reply, Request, Span
from handlers.base import Context
from handlers.i18n import t


async def dashboard_link(request: Request, ctx: Context, caller: Caller, language: str) -> Reply:
    """The link for an admin (the caller was checked), or why there is none."""
    if request.is_group:
        return Reply(body=(Span(t(language, "dashboard.private")),))
    link = await ctx.dashboard.issue(caller) if ctx.dashboard is not None else None
    if link is None:
        return Reply(body=(Span(t(language, "dashboard.off")),))
    minutes = int(LINK_SECONDS // 60)
    return Reply(
        body=(
            Span(t(language, "dashboard.link", name=ctx.bot_name), bold=True),
            Span("\n"),
            Span(link, url=link),
            Span("\n" + t(language, "dashboard.note", minutes=minutes)),
        ),
    )
