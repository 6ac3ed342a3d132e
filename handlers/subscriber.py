"""The reader's commands: /start, /stop, /help, /latest (settings and /lang: `handlers.settings`).

Each is `async (request, ctx) -> list[Reply]`, reaching the store through its async port
(`await ctx.store.chats.get(…)`), so the event loop never waits on the disk. Settings are applied by
the same code whether they come from a button ("set:hour:7") or from text
("/settings hour 7", for Zalo, which has no buttons).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.records import Article, Chat, Feed
from bot.core.replies import Reply, Request, Span
from handlers.base import Context
from handlers.cards import article_card, clean
from handlers.i18n import resolve_language, t

LATEST_DEFAULT = 5
LATEST_MAX = 10
DEEP_LINK = re.compile(r"a_(\d{1,12})")
WELCOME_FEED_NAMES = 5

# Commands in the order /help and Telegram's menu list them.
COMMAND_ORDER = ("start", "latest", "search", "alert", "settings", "lang", "help", "stop")


def command_list(language: str) -> dict[str, str]:
    """command → one-line description, for /help and Telegram's setMyCommands."""
    return {name: t(language, f"cmd.{name}") for name in COMMAND_ORDER}


def text_reply(*lines: str, edit: bool = False, notice: str | None = None) -> Reply:
    """A plain reply, one line per argument (empty arguments skipped)."""
    return Reply(body=(Span("\n".join(line for line in lines if line)),), edit=edit, notice=notice)


def speaks_words(request: Request) -> bool:
    """Hints name typed words where people type rather than tap (no buttons: Zalo)."""
    return not request.buttons


# --- the chat -----------------------------------------------------------------------------


async def open_chat(request: Request, ctx: Context) -> Chat:
    """The chat this request comes from, remembered; a new chat speaks its user's language.

    Every message and button press comes through here: a known chat whose kind and title
    are as they were is only read; the store is written (a transaction) only for a new chat
    or one renamed or changed in kind.
    """
    title = clean(request.chat_title)[:255] or None
    known = await ctx.store.chats.get(request.platform, request.chat_id)
    if (
        known is not None
        and known.kind == request.chat_kind
        and (title is None or known.title == title)
    ):
        return known
    first_language = (
        "en"
        if resolve_language(request.user_language) == "en"
        else resolve_language(ctx.default_language)
    )
    return await ctx.store.chats.upsert(
        request.platform,
        request.chat_id,
        kind=request.chat_kind,
        title=title,
        language=first_language,
    )


def language_of(chat: Chat) -> str:
    return resolve_language(chat.language)


def may_change(request: Request) -> bool:
    """In a group, only its admins decide for everyone; in a private chat, its owner."""
    return not request.is_group or request.is_chat_admin


# --- /start, /stop ------------------------------------------------------------------------


async def start(request: Request, ctx: Context) -> list[Reply]:
    """Subscribe this chat; `/start a_<id>` (a shared story's deep link) opens that story."""
    chat = await open_chat(request, ctx)
    language = language_of(chat)
    if request.args:
        link = DEEP_LINK.fullmatch(request.args[0])
        if link:
            return [await story_card(ctx, int(link[1]), language, request.bot_username)]
    if not may_change(request):
        return [text_reply(t(language, "group.admins_only"))]
    chosen = await ctx.store.chats.subscribed_feeds(chat.id)
    # Someone who chose sections, stopped, and came back keeps the sections they chose.
    keep: list[int] | None = None
    if chosen and None not in chosen:
        keep = [feed_id for feed_id in chosen if feed_id is not None]
    await ctx.store.chats.subscribe(chat.id, keep)
    feeds = await ctx.store.feeds.all()
    names = _feed_names(feeds, keep, language)
    if request.is_group:
        greeting = t(language, "start.group_welcome")
    elif chat.active:
        greeting = t(language, "start.again")
    else:
        greeting = t(language, "start.welcome", name=ctx.bot_name)
    if chat.mode == "digest":
        receive = t(
            language, "start.receive_digest", feeds=names, hour=hour_label(chat.digest_hour)
        )
    else:
        receive = t(language, "start.receive_instant", feeds=names)
    how = t(language, "start.how_to_stop_words" if speaks_words(request) else "start.how_to_stop")
    return [text_reply(greeting, receive, how)]


async def stop(request: Request, ctx: Context) -> list[Reply]:
    """Unsubscribe this chat; what was still queued for it is cancelled by the store."""
    chat = await open_chat(request, ctx)
    language = language_of(chat)
    if not may_change(request):
        return [text_reply(t(language, "group.admins_only"))]
    if not chat.active:
        return [text_reply(t(language, "stop.not_subscribed"))]
    await ctx.store.chats.unsubscribe(chat.id, "unsubscribed")
    return [text_reply(t(language, "stop.done_words" if speaks_words(request) else "stop.done"))]


def _feed_names(feeds: Sequence[Feed], chosen: Sequence[int] | None, language: str) -> str:
    shown = [f for f in feeds if (f.id in chosen if chosen is not None else not f.paused)]
    names = [clean(f.name) for f in shown if clean(f.name)]
    if not names:
        return t(language, "start.no_feeds")
    if len(names) > WELCOME_FEED_NAMES:
        return ", ".join(names[:WELCOME_FEED_NAMES]) + ", …"
    return ", ".join(names)


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00"


# --- /help ----------------------------------------------------------------------------------


async def help_command(request: Request, ctx: Context) -> list[Reply]:
    """What the bot does and every command, with the typed words where they work."""
    chat = await open_chat(request, ctx)
    language = language_of(chat)
    lines = [t(language, "help.title", name=ctx.bot_name), "", t(language, "help.commands")]
    lines += [f"/{name} — {text}" for name, text in command_list(language).items()]
    lines.append(t(language, "help.latest_arg", max=LATEST_MAX))
    if not request.is_group:
        lines += ["", t(language, "help.words")]
    elif request.chat_kind == "supergroup":
        lines.append(t(language, "help.route"))
    return [Reply(body=(Span("\n".join(lines)),))]


# --- /latest and story cards ----------------------------------------------------------------


def latest_count(args: Sequence[str]) -> int:
    """`/latest 3` → 3; nonsense or nothing → the default; capped at LATEST_MAX."""
    if args and args[0].isascii() and args[0].isdigit() and len(args[0]) <= 6:
        return max(1, min(LATEST_MAX, int(args[0])))
    return LATEST_DEFAULT


async def latest(request: Request, ctx: Context) -> list[Reply]:
    """The n newest stories of the chat's sections as cards, oldest first (newest at the
    bottom, where a chat is read)."""
    chat = await open_chat(request, ctx)
    language = language_of(chat)
    chosen = await ctx.store.chats.subscribed_feeds(chat.id)
    feed_ids = None
    if chosen and None not in chosen:
        feed_ids = [feed_id for feed_id in chosen if feed_id is not None]
    articles: list[Article] = await ctx.store.articles.latest(
        latest_count(request.args), feed_ids=feed_ids
    )
    if not articles:
        return [text_reply(t(language, "latest.none"))]
    return [
        article_card(article, language, request.bot_username, ctx.timezone, ctx.card)
        for article in reversed(articles)
    ]


async def story_card(
    ctx: Context, article_id: int, language: str, bot_username: str | None
) -> Reply:
    """One story's card by id (a deep link, a share), or a polite note that it is gone."""
    article = await ctx.store.articles.get(article_id)
    if article is None:
        return text_reply(t(language, "card.not_found"))
    return article_card(article, language, bot_username, ctx.timezone, ctx.card)


def notice_only(notice: str) -> Reply:
    """An answer to a button press that leaves the message alone (the adapter sends no body)."""
    return Reply(body=(), notice=notice)
