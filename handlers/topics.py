"""`/route` inside a forum topic: which of the group's stories go to that topic.

`/route FEED… | all` typed in a topic routes those feeds (by id, name or section) there;
`/route off` in the topic stops it; `/route` alone lists the group's routes. A bot admin's
`/route @channel feed…` (the channels desk) is not this: it goes on to the admin room.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.records import Chat, Feed, TopicRoute
from bot.core.replies import Reply, Request
from bot.core.text import fold
from handlers import admin
from handlers.base import Context
from handlers.i18n import t
from handlers.subscriber import language_of, may_change, open_chat, text_reply

ALL = frozenset({"all", "*", "tat-ca", "tatca", "moi-tin"})
OFF = frozenset({"off", "tat", "stop", "huy", "dung"})
_GROUPS = frozenset({"group", "supergroup"})


def is_channel_route(request: Request) -> bool:
    """The admin room's `/route @channel …` (or a chat id), typed anywhere."""
    if not request.args:
        return request.chat_kind not in _GROUPS
    first = request.args[0]
    return first.startswith("@") or (first.lstrip("-").isdigit() and first.startswith("-"))


async def route(request: Request, ctx: Context) -> list[Reply]:
    """/route in a group (topics); anything else is the channels desk's /route."""
    if request.chat_kind not in _GROUPS or is_channel_route(request):
        answer = await admin.handle_admin(request, ctx)
        if answer is not None:
            return answer
    chat = await open_chat(request, ctx)
    language = language_of(chat)
    if request.chat_kind not in _GROUPS:
        return [text_reply(t(language, "topic.groups_only"))]
    if not request.args:
        return [await _list(request, ctx, chat)]
    if not may_change(request):
        return [text_reply(t(language, "group.admins_only"))]
    if request.thread_id is None:
        return [text_reply(t(language, "topic.need_topic"))]
    words = [w.strip(",").lower() for w in request.args if w.strip(",")]
    if len(words) == 1 and fold(words[0]) in OFF:
        removed = await ctx.store.topics.remove(chat.id, request.thread_id)
        return [text_reply(t(language, "topic.off" if removed else "topic.off_none"))]
    if any(fold(word) in ALL for word in words):
        await ctx.store.topics.route(chat.id, request.thread_id, None)
        await _receive(ctx, chat, None)
        return [text_reply(t(language, "topic.routed_all"))]
    feeds = await ctx.store.feeds.all()
    chosen: dict[int, Feed] = {}
    # "Thể thao" is one feed's name; "3 4 xa-hoi" are three references; commas separate.
    for part in (p.strip() for p in " ".join(request.args).split(",")):
        found = match_feeds(feeds, part) if part else []
        for word in part.split() if part and not found else ():
            matched = match_feeds(feeds, word)
            if not matched:
                names = ", ".join(f"{f.id} “{f.name}”" for f in feeds[:20]) or "—"
                refusal = t(language, "topic.unknown_feed", name=word[:40], feeds=names)
                return [text_reply(refusal)]
            found += matched
        chosen.update((f.id, f) for f in found)
    await ctx.store.topics.route(chat.id, request.thread_id, sorted(chosen))
    await _receive(ctx, chat, sorted(chosen))
    names = ", ".join(f"“{f.name}”" for f in chosen.values())
    return [text_reply(t(language, "topic.routed", feeds=names))]


def match_feeds(feeds: Sequence[Feed], token: str) -> list[Feed]:
    """A feed by id (#3 or 3), by name or by section, without diacritics ("xa-hoi")."""
    bare = token.lstrip("#")
    if bare.isdigit():
        return [f for f in feeds if str(f.id) == bare]
    folded = fold(token).replace("-", " ")
    by_name = [f for f in feeds if fold(f.name).replace("-", " ") == folded]
    if by_name:
        return by_name
    return [f for f in feeds if f.section and fold(f.section).replace("-", " ") == folded]


async def _receive(ctx: Context, chat: Chat, feed_ids: Sequence[int] | None) -> None:
    """A routed feed is one the group receives: subscribed to if it was not ("all": every
    feed, as the channels desk's `/route @channel all`)."""
    chosen = await ctx.store.chats.subscribed_feeds(chat.id)
    if not chat.active or not chosen:
        await ctx.store.chats.subscribe(chat.id, feed_ids)
        return
    if None in chosen:
        return
    if feed_ids is None:
        await ctx.store.chats.set_feeds(chat.id, None)
        return
    keep = {feed_id for feed_id in chosen if feed_id is not None}
    await ctx.store.chats.set_feeds(chat.id, sorted(keep | set(feed_ids)))


async def _list(request: Request, ctx: Context, chat: Chat) -> Reply:
    language = language_of(chat)
    routes = await ctx.store.topics.of_chat(chat.id)
    if not routes:
        return text_reply(t(language, "topic.none"))
    lines = [t(language, "topic.list")]
    by_thread: dict[int, list[TopicRoute]] = {}
    for item in routes:
        by_thread.setdefault(item.thread_id, []).append(item)
    for thread, items in by_thread.items():
        names = ", ".join(
            t(language, "topic.all_feeds") if r.feed_id is None else f"“{r.feed_name}”"
            for r in items
        )
        stopped = [r.inactive_reason or "?" for r in items if not r.active]
        line = t(language, "topic.line", thread=thread, feeds=names)
        if stopped:
            line += " " + t(language, "topic.stopped", reason=stopped[0])
        if thread == request.thread_id:
            line += t(language, "topic.here")
        lines.append(line)
    return text_reply(*lines)
