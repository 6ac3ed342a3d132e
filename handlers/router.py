"""One entry point for every chat update: `handle(request, ctx) -> list[Reply]`.

Adapters call only this. It picks the handler from the command, the button's callback data
or the typed words, applies the group rules (commands only; admins decide), and never lets
an exception reach the adapter: a reader gets a short apology and the log gets the trace.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.core.replies import Reply, Request
from handlers import admin, alerts, greeting, review, search, settings, subscriber, topics
from handlers.base import Context
from handlers.cards import clean
from handlers.i18n import LANGUAGES, resolve_language, t
from handlers.intents import match_intent
from handlers.subscriber import text_reply

log = logging.getLogger(__name__)

Handler = Callable[[Request, Context], Awaitable[list[Reply]]]

# language → command → description, for Telegram's setMyCommands (one call per language).
COMMANDS: dict[str, dict[str, str]] = {
    language: subscriber.command_list(language) for language in LANGUAGES
}

# Vietnamese-friendly spellings of the same commands ("/dangky", "/tim đà lạt").
ALIASES: dict[str, str] = {
    "dangky": "start",
    "batdau": "start",
    "huy": "stop",
    "huydangky": "stop",
    "dung": "stop",
    "trogiup": "help",
    "huongdan": "help",
    "menu": "help",
    "tinmoi": "latest",
    "moinhat": "latest",
    "tim": "search",
    "timkiem": "search",
    "caidat": "settings",
    "ngonngu": "lang",
    "language": "lang",
    "xemthem": "more",
    "alerts": "alert",
    "theodoi": "alert",
    "botheodoi": "unalert",
}

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")

# In a group, only these change what the group gets (`subscriber.may_change`): only for them
# is the sender's admin status worth asking the platform (getChatMember).
_GROUP_ADMIN_COMMANDS = frozenset(
    {"start", "stop", "settings", "lang", "alert", "unalert", "route"}
)
_GROUP_ADMIN_BUTTONS = frozenset({"set", "lang", "alert"})  # callback data "set:…", "lang:…"
_GROUPS = frozenset({"group", "supergroup"})


def parse_command(text: str, bot_username: str | None = None) -> tuple[str, tuple[str, ...]] | None:
    """Split a typed command: "/latest@BantinBot 3" → ("latest", ("3",)).

    None when the text is not a command or is addressed to another bot.
    """
    stripped = text.lstrip()
    if len(stripped) < 2 or stripped[0] != "/" or stripped[1].isspace():
        return None
    head, *rest = stripped[1:].split(maxsplit=64)
    name, _, target = head.partition("@")
    if target and bot_username and target.lower() != bot_username.lower():
        return None
    return name.lower(), tuple(rest[:64])


def needs_group_admin(request: Request) -> bool:
    """Does this request change a group, so that whether its sender is an admin matters?

    Adapters ask before they look the sender up; what a group's admin may do is decided
    here and in the handlers, never in an adapter.
    """
    if request.chat_kind not in _GROUPS:
        return False
    if request.command is not None:
        return ALIASES.get(request.command, request.command) in _GROUP_ADMIN_COMMANDS
    if request.callback is not None:
        return request.callback.partition(":")[0] in _GROUP_ADMIN_BUTTONS
    return False


async def handle(request: Request, ctx: Context) -> list[Reply]:
    """Route one update; always returns (possibly no) replies, never raises."""
    try:
        return await _route(request, ctx)
    except Exception:
        # The message text is the reader's: keep it out of the log.
        log.exception(
            "handler failed: platform=%s chat=%s command=%r callback=%r",
            request.platform,
            request.chat_id,
            (request.command or "")[:32],
            (request.callback or "")[:64],
        )
        if request.is_group and request.command is None and request.callback is None:
            return []
        language = resolve_language(request.user_language or ctx.default_language)
        message = t(language, "error.internal")
        if request.callback is not None:
            return [subscriber.notice_only(message)]
        return [text_reply(message)]


async def _route(request: Request, ctx: Context) -> list[Reply]:
    if request.inline:
        return await inline(request, ctx)
    if request.callback is not None:
        return await _callback(request, ctx)
    if request.command is None:
        parsed = parse_command(request.text, request.bot_username)
        if parsed is not None:
            request = replace(request, command=parsed[0], args=parsed[1])
    if request.command is not None:
        return await _command(request, ctx)
    edited = await review.take_edit(request, ctx)  # an editor's new summary, asked for
    if edited is not None:
        return edited
    if request.is_group:
        return []  # groups talk among themselves; the bot answers commands only
    intent = match_intent(request.text)
    if intent is not None:
        return await _command(replace(request, command=intent.command, args=intent.args), ctx)
    return await _unknown_text(request, ctx)


def _handlers() -> dict[str, Handler]:
    return {
        "start": subscriber.start,
        "stop": subscriber.stop,
        "help": subscriber.help_command,
        "latest": subscriber.latest,
        "settings": settings.settings,
        "lang": settings.lang,
        "search": search_command,
        "more": more,
        "greet": greeting.greet,
        "alert": alerts.alert,
        "unalert": alerts.unalert,
        "route": topics.route,
    }


async def _command(request: Request, ctx: Context) -> list[Reply]:
    raw = (request.command or "").strip().lstrip("/").partition("@")[0].lower()
    name = ALIASES.get(raw, raw)
    handler = _handlers().get(name)
    if handler is not None:
        return await handler(replace(request, command=name), ctx)
    answer = await admin.handle_admin(replace(request, command=raw), ctx)
    if answer is not None:
        return answer
    chat = await subscriber.open_chat(request, ctx)
    shown = raw if _COMMAND.fullmatch(raw) else clean(raw)[:32] or "?"
    return [text_reply(t(subscriber.language_of(chat), "unknown.command", command=shown))]


async def _callback(request: Request, ctx: Context) -> list[Reply]:
    data = request.callback or ""
    prefix = data.partition(":")[0]
    if len(data) <= 64:
        if prefix == "set":
            return await settings.settings_callback(request, ctx)
        if prefix == "lang":
            return await settings.lang_callback(request, ctx)
        if prefix == "alert":
            return await alerts.alert_callback(request, ctx)
        # Other rooms' buttons: admin actions ("adm:…"), search pages.
        for other_room in (admin.handle_admin, search.handle_callback):
            answer = await other_room(request, ctx)
            if answer is not None:
                return answer
    chat = await subscriber.open_chat(request, ctx)
    return [subscriber.notice_only(t(subscriber.language_of(chat), "unknown.button"))]


async def _unknown_text(request: Request, ctx: Context) -> list[Reply]:
    chat = await subscriber.open_chat(request, ctx)
    language = subscriber.language_of(chat)
    key = "unknown.text_words" if subscriber.speaks_words(request) else "unknown.text"
    return [text_reply(t(language, key, example="đà lạt"))]


# --- search lives in handlers/search.py ---------------------------------------------------


async def search_command(request: Request, ctx: Context) -> list[Reply]:
    """/search QUERY, with pages."""
    return await search.search_command(request, ctx)


async def more(request: Request, ctx: Context) -> list[Reply]:
    """Zalo's «xem thêm»: the next page of the chat's last search."""
    return await search.more_command(request, ctx)


async def inline(request: Request, ctx: Context) -> list[Reply]:
    """An inline query ("@bot đà lạt", or a shared "a_<id>"): one story card per result;
    the Telegram adapter makes each an InlineQueryResultArticle."""
    return await search.inline_results(request, ctx)
