"""A reader who says "xin chào" is answered, as a newsroom's front desk would answer."""

from __future__ import annotations

from bot.core.replies import Reply, Request
from handlers.base import Context
from handlers.i18n import t
from handlers.subscriber import language_of, open_chat, speaks_words, text_reply


async def greet(request: Request, ctx: Context) -> list[Reply]:
    """Hello back, with what the reader can do next in the words they would use."""
    chat = await open_chat(request, ctx)
    language = language_of(chat)
    if speaks_words(request):
        latest, search, help_, start = "“tin mới”", "“tìm đà lạt”", "“trợ giúp”", "“đăng ký”"
    else:
        latest, search, help_, start = "/latest", "/search đà lạt", "/help", "/start"
    next_step = (
        t(language, "greet.subscribed", latest=latest, search=search, help=help_)
        if chat.active
        else t(language, "greet.not_subscribed", start=start, latest=latest, help=help_)
    )
    return [text_reply(t(language, "greet.hello", name=ctx.bot_name), next_step)]
