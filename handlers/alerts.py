"""/alert: keyword alerts, the same on Telegram (buttons) and Zalo (typed words).

`/alert sạt lở` (or "theo dõi sạt lở") adds one, `/alert` lists them, ✖ or
"bỏ theo dõi N" removes one, `/alert only` and `/alert all` switch between alerts only and
everything. What an alert means is `bot.core.alerts`; the store keeps and matches them.
"""

from __future__ import annotations

from bot.core.alerts import MAX_ALERT_CHARS, MAX_ALERT_SYLLABLES, MAX_ALERTS, AlertError
from bot.core.alerts import parse_alert as parse_alert_words
from bot.core.records import Chat
from bot.core.replies import Button, Reply, Request, Span
from bot.core.text import fold
from handlers.base import Context
from handlers.cards import clean
from handlers.i18n import t
from handlers.subscriber import (
    language_of,
    may_change,
    notice_only,
    open_chat,
    speaks_words,
    text_reply,
)

_ONLY = frozenset({"only", "chi", "chi-theo-doi"})
_ALL = frozenset({"all", "tat-ca", "moi-tin"})
_REMOVE = frozenset({"del", "remove", "rm", "bo", "xoa"})
ALERT_LABEL_CHARS = 40


async def alert(request: Request, ctx: Context) -> list[Reply]:
    """`/alert` lists, `/alert only|all` switches, `/alert del N` removes, else adds."""
    chat = await open_chat(request, ctx)
    language = language_of(chat)
    args = [arg for arg in request.args if arg.strip()]
    if args and not may_change(request):
        return [text_reply(t(language, "group.admins_only_settings"))]
    if not args:
        return [await alert_list(request, ctx, chat)]
    head = fold(args[0]).lower()
    if len(args) == 1 and head in _ONLY:
        return [await _switch(request, ctx, chat, "alerts")]
    if len(args) == 1 and head in _ALL:
        return [await _switch(request, ctx, chat, "all")]
    if head in _REMOVE and len(args) == 2 and args[1].strip(".#").isdigit():
        return [await _remove_numbered(request, ctx, chat, args[1])]
    return [await _add(request, ctx, chat, " ".join(args))]


async def unalert(request: Request, ctx: Context) -> list[Reply]:
    """ "bỏ theo dõi N": remove the chat's alert number N (as /alert lists them)."""
    chat = await open_chat(request, ctx)
    if not may_change(request):
        return [text_reply(t(language_of(chat), "group.admins_only_settings"))]
    if not request.args:
        return [await alert_list(request, ctx, chat)]
    return [await _remove_numbered(request, ctx, chat, " ".join(request.args))]


async def alert_callback(request: Request, ctx: Context) -> list[Reply]:
    """Buttons: "alert:del:<id>", "alert:only", "alert:all"; the list is redrawn in place."""
    chat = await open_chat(request, ctx)
    language = language_of(chat)
    if not may_change(request):
        return [notice_only(t(language, "group.admins_only_settings"))]
    parts = (request.callback or "").split(":")
    if parts[1:2] == ["del"] and len(parts) == 3 and parts[2].isascii() and parts[2].isdigit():
        alerts = await ctx.store.alerts.of_chat(chat.id)
        chosen = next((a for a in alerts if a.id == int(parts[2])), None)
        if chosen is None or not await ctx.store.alerts.remove(chat.id, chosen.id):
            return [notice_only(t(language, "unknown.button"))]
        notice = t(language, "alert.removed", words=clean(chosen.words))
        return [await alert_list(request, ctx, chat, edit=True, notice=notice)]
    if parts[1:] in (["only"], ["all"]):
        receive = "alerts" if parts[1] == "only" else "all"
        if chat.receive == receive:
            return [notice_only(t(language, "settings.saved"))]
        fresh = await ctx.store.alerts.set_receive(chat.id, receive)
        notice = t(language, "alert.only_set" if receive == "alerts" else "alert.all_set")
        return [await alert_list(request, ctx, fresh, edit=True, notice=notice)]
    return [notice_only(t(language, "unknown.button"))]


async def _add(request: Request, ctx: Context, chat: Chat, words: str) -> Reply:
    language = language_of(chat)
    try:
        parse_alert_words(words)
    except AlertError as exc:
        return text_reply(_refusal(request, language, exc.reason))
    shown = clean(" ".join(words.split()))
    was_active = chat.active
    status = await ctx.store.alerts.add(chat.id, words)
    if status == "limit":
        return text_reply(t(language, "alert.limit", max=MAX_ALERTS))
    if status == "duplicate":
        return text_reply(t(language, "alert.duplicate", words=shown))
    lines = [t(language, "alert.added", words=shown)]
    if not was_active:
        lines.append(t(language, "alert.started"))
    return text_reply(*lines)


def _refusal(request: Request, language: str, reason: str) -> str:
    if reason == "too_long":
        return t(language, "alert.too_long", syllables=MAX_ALERT_SYLLABLES, chars=MAX_ALERT_CHARS)
    if reason == "only_excluded":
        return t(language, "alert.only_excluded")
    return t(language, "alert.empty_words" if speaks_words(request) else "alert.empty")


async def _remove_numbered(request: Request, ctx: Context, chat: Chat, value: str) -> Reply:
    language = language_of(chat)
    number = value.strip(".#")
    alerts = await ctx.store.alerts.of_chat(chat.id)
    shown = number if number.isascii() and number.isdigit() else clean(value)[:8]
    if number.isascii() and number.isdigit():
        chosen = alerts[int(number) - 1] if 1 <= int(number) <= len(alerts) else None
    else:  # "bỏ theo dõi sạt lở": the alert by its words
        try:
            folded = parse_alert_words(value).folded
        except AlertError:
            folded = ""
        chosen = next((a for a in alerts if a.folded == folded), None)
    if chosen is None:
        return text_reply(t(language, "alert.not_found", number=shown))
    await ctx.store.alerts.remove(chat.id, chosen.id)
    return await alert_list(
        request, ctx, chat, lead=t(language, "alert.removed", words=clean(chosen.words))
    )


async def _switch(request: Request, ctx: Context, chat: Chat, receive: str) -> Reply:
    language = language_of(chat)
    fresh = await ctx.store.alerts.set_receive(chat.id, receive)
    lead = t(language, "alert.only_set" if receive == "alerts" else "alert.all_set")
    return await alert_list(request, ctx, fresh, lead=lead)


async def alert_list(
    request: Request,
    ctx: Context,
    chat: Chat,
    *,
    edit: bool = False,
    notice: str | None = None,
    lead: str | None = None,
) -> Reply:
    """The chat's alerts, numbered, with what it receives and how to change both."""
    language = language_of(chat)
    words = speaks_words(request)
    alerts = await ctx.store.alerts.of_chat(chat.id)
    lines: list[str] = []
    if lead:
        lines += [lead, ""]
    if alerts:
        lines.append(t(language, "alert.list_title"))
        lines += [f"{number}. {clean(a.words)}" for number, a in enumerate(alerts, start=1)]
        lines.append(t(language, "alert.remove_hint_words" if words else "alert.remove_hint"))
    else:
        lines.append(t(language, "alert.none_words" if words else "alert.none"))
    lines.append("")
    if chat.receive == "alerts":
        lines.append(t(language, "alert.mode_alerts"))
        if not alerts:
            lines.append(
                t(language, "alert.only_no_alerts_words" if words else "alert.only_no_alerts")
            )
    else:
        lines.append(t(language, "alert.mode_all"))
    lines.append(t(language, "alert.mode_hint"))
    buttons: tuple[tuple[Button, ...], ...] = ()
    if request.buttons:
        rows: list[tuple[Button, ...]] = [
            (
                Button(
                    f"✖ {number}. {clean(a.words)[:ALERT_LABEL_CHARS]}",
                    callback=f"alert:del:{a.id}",
                ),
            )
            for number, a in enumerate(alerts, start=1)
        ]
        rows.append(
            (
                Button(
                    ("✅ " if chat.receive == "alerts" else "") + t(language, "alert.button_only"),
                    callback="alert:only",
                ),
                Button(
                    ("✅ " if chat.receive == "all" else "") + t(language, "alert.button_all"),
                    callback="alert:all",
                ),
            )
        )
        buttons = tuple(rows)
    return Reply(body=(Span("\n".join(lines)),), buttons=buttons, edit=edit, notice=notice)
