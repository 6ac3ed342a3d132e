"""One entry point for every chat update: `handle(request, ctx) -> list[Reply]`.

Adapters call only this. It picks the handler from the command, the button's callback data
or the typed words, applies the group rules (commands only; admins decide), and never lets
an exception reach the adapter: a reader gets a short apology and the log gets the trace.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from types import ModuleType
from typing import Any

from handlers import subscriber
from handlers.base import Context, Reply, Request, Span, safe_url
from handlers.cards import article_card, clean, local_time
from handlers.i18n import LANGUAGES, resolve_language, t
from handlers.intents import match_intent
from handlers.subscriber import DEEP_LINK, text_reply

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
}

MAX_QUERY_CHARS = 200
SEARCH_FALLBACK_LIMIT = 5
INLINE_LIMIT = 10
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


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
        "settings": subscriber.settings,
        "lang": subscriber.lang,
        "search": search,
        "more": more,
    }


async def _command(request: Request, ctx: Context) -> list[Reply]:
    raw = (request.command or "").strip().lstrip("/").partition("@")[0].lower()
    name = ALIASES.get(raw, raw)
    handler = _handlers().get(name)
    if handler is not None:
        return await handler(replace(request, command=name), ctx)
    admin = _optional_module("handlers.admin")
    if admin is not None and hasattr(admin, "handle_admin"):
        answer: list[Reply] | None = await admin.handle_admin(replace(request, command=raw), ctx)
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
            return await subscriber.settings_callback(request, ctx)
        if prefix == "lang":
            return await subscriber.lang_callback(request, ctx)
        # Other rooms' buttons (admin actions "adm:…", search pages), when those rooms exist.
        for module_name, function in (
            ("handlers.admin", "handle_admin"),
            ("handlers.search", "handle_callback"),
        ):
            module = _optional_module(module_name)
            if module is not None and hasattr(module, function):
                answer: list[Reply] | None = await getattr(module, function)(request, ctx)
                if answer is not None:
                    return answer
    chat = await subscriber.open_chat(request, ctx)
    return [subscriber.notice_only(t(subscriber.language_of(chat), "unknown.button"))]


async def _unknown_text(request: Request, ctx: Context) -> list[Reply]:
    chat = await subscriber.open_chat(request, ctx)
    language = subscriber.language_of(chat)
    key = "unknown.text_words" if subscriber.speaks_words(request) else "unknown.text"
    return [text_reply(t(language, key, example="đà lạt"))]


# --- search: handlers/search.py when it exists, a minimal answer until then ---------------


def _optional_module(name: str) -> ModuleType | None:
    """Import a room that may not be written yet; a room that is broken still raises."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise


def _delegate(module_name: str, function: str) -> Callable[..., Awaitable[Any]] | None:
    module = _optional_module(module_name)
    found = getattr(module, function, None) if module is not None else None
    return found if callable(found) else None


async def search(request: Request, ctx: Context) -> list[Reply]:
    """/search QUERY: handlers.search.search_command, or a plain list of matching titles."""
    command = _delegate("handlers.search", "search_command")
    if command is not None:
        answer: list[Reply] = await command(request, ctx)
        return answer
    chat = await subscriber.open_chat(request, ctx)
    language = subscriber.language_of(chat)
    query = clean(" ".join(request.args))[:MAX_QUERY_CHARS]
    if not query:
        key = "search.usage_words" if subscriber.speaks_words(request) else "search.usage"
        return [text_reply(t(language, key))]
    hits = await ctx.store.db.call(ctx.store.search.search, query, limit=SEARCH_FALLBACK_LIMIT)
    shown = query[:60]
    if not hits:
        return [text_reply(t(language, "search.none", query=shown))]
    body: list[Span] = [Span(t(language, "search.results", query=shown))]
    for hit in hits:
        article = hit.article
        body.append(Span("\n• "))
        body.append(Span(clean(article.title) or "…", bold=True, url=safe_url(article.url)))
        when = local_time(article.time, ctx.timezone, "%d/%m/%Y")
        if when:
            body.append(Span(f" — {when}"))
    return [Reply(body=tuple(body))]


async def more(request: Request, ctx: Context) -> list[Reply]:
    """Zalo's «xem thêm» (next page): handlers.search.more_command, else how to page."""
    command = _delegate("handlers.search", "more_command")
    if command is not None:
        answer: list[Reply] = await command(request, ctx)
        return answer
    chat = await subscriber.open_chat(request, ctx)
    key = "search.usage_words" if subscriber.speaks_words(request) else "search.usage"
    return [text_reply(t(subscriber.language_of(chat), key))]


async def inline(request: Request, ctx: Context) -> list[Reply]:
    """An inline query ("@bot đà lạt", or a shared "a_<id>"): story cards to pick from.

    One shape, whoever answers: `inline_results(request, ctx) -> list[Reply]`, one story's
    card per result; the Telegram adapter makes each an InlineQueryResultArticle.
    """
    results = _delegate("handlers.search", "inline_results")
    if results is not None:
        answer: list[Reply] = await results(request, ctx)
        return answer
    language = resolve_language(request.user_language or ctx.default_language)
    query = clean(request.text)[:MAX_QUERY_CHARS]
    link = DEEP_LINK.fullmatch(query)
    if link:
        article = await ctx.store.db.call(ctx.store.articles.get, int(link[1]))
        articles = [article] if article is not None else []
    elif query:
        hits = await ctx.store.db.call(ctx.store.search.search, query, limit=INLINE_LIMIT)
        articles = [hit.article for hit in hits]
    else:
        articles = await ctx.store.db.call(ctx.store.articles.latest, INLINE_LIMIT)
    return [article_card(a, language, request.bot_username, ctx.timezone) for a in articles]
