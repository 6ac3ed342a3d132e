"""Admin commands in chat: feeds, channels, broadcasts, corrections, stats.

The router hands us every command it does not know (and callbacks starting "adm:");
`None` means "not an admin command". Whoever is not in `[telegram] admins` / `[zalo]
admins` is refused in one line, and the attempt is audited like every action. The work
itself is the admin room behind `AdminPort` (`ctx.admin`, put there by the composition
root), the same code `bantin feeds …` runs.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.admin_ports import AdminPort
from bot.core.records import AdminReply, Caller
from bot.core.replies import Button, Reply, Request, Span
from handlers.base import Context
from handlers.dashboard import dashboard_link
from handlers.i18n import resolve_language, t
from handlers.stats import format_stats

CALLBACK_PREFIX = "adm:"

USAGE = {
    "addfeed": "/addfeed URL [tên]",
    "removefeed": "/removefeed MÃ_NGUỒN",
    "pausefeed": "/pausefeed MÃ_NGUỒN",
    "resumefeed": "/resumefeed MÃ_NGUỒN",
    "addchannel": "/addchannel @ten_kenh (hoặc gõ trong chính nhóm đó)",
    "removechannel": "/removechannel @ten_kenh",
    "route": "/route @ten_kenh MÃ_NGUỒN|CHUYÊN_MỤC … (hoặc all)",
    "broadcast": "/broadcast NỘI DUNG",
    "xacnhan": "/xacnhan MÃ_THÔNG_BÁO",
    "post": "/post MÃ_TIN",
    "correct": "/correct MÃ_TIN",
    "retract": "/retract MÃ_TIN",
    "breaking": "/breaking MÃ_TIN",
}
ALIASES = {
    "quantri": "admin",
    "nguontin": "feeds",
    "kenh": "channels",
    "routefeeds": "route",
    "channelfeeds": "route",
    "thongke": "stats",
    "bangdieukhien": "dashboard",
    "confirm": "xacnhan",
}
COMMANDS = frozenset(
    {"admin", "feeds", "channels", "stats", "review", "dashboard", *USAGE, *ALIASES}
)
# The review desk's buttons ("adm:rv:ok:12"): a decision, or the start of a summary edit.
REVIEW_BUTTONS = frozenset({"rv:ok", "rv:drop", "rv:edit"})


def desk_of(ctx: Context) -> AdminPort:
    """The admin room the composition root put in the context."""
    if ctx.admin is None:
        raise LookupError("no admin room in this context: the composition root wires one")
    return ctx.admin


async def handle_admin(request: Request, ctx: Context) -> list[Reply] | None:
    """Answer an admin command or an "adm:" callback; None when it is neither."""
    from_button = bool(request.callback and request.callback.startswith(CALLBACK_PREFIX))
    if from_button:
        assert request.callback is not None
        command, args = _parse_callback(request.callback[len(CALLBACK_PREFIX) :])
    elif request.command is not None and request.command in COMMANDS:
        command, args = ALIASES.get(request.command, request.command), request.args
    else:
        return None
    desk = desk_of(ctx)
    caller = Caller.chat(request.platform, request.user_id or "?", request.user_name)
    if not ctx.is_admin(request):
        refusal = await desk.refuse_not_admin(caller, command, " ".join(args))
        if await admin_language(request, ctx) != "vi":
            refusal = AdminReply.refused(t("en", "admin.not_admin", name=ctx.bot_name))
        return [_reply(refusal, edit=False)]
    if command == "dashboard":
        return [await dashboard_link(request, ctx, caller, await admin_language(request, ctx))]
    answer = await _run(desk, ctx, request, caller, command, args)
    if command in REVIEW_BUTTONS:
        # A new message, the card stays: the notice tells the presser, the message the chat.
        return [replace(_reply(answer, edit=False), notice=answer.headline[:190])]
    return [_reply(answer, edit=from_button and command in ("bc:ok", "bc:no"))]


def admin_reply(answer: AdminReply) -> Reply:
    """An admin answer as a chat message (the review desk's typed summary uses it)."""
    return _reply(answer, edit=False)


def _parse_callback(data: str) -> tuple[str, tuple[str, ...]]:
    """ "bc:ok:12" → ("bc:ok", ("12",)); "cmd:feeds" → ("feeds", ())."""
    parts = data.split(":")
    if parts[0] == "cmd" and len(parts) > 1:
        return parts[1], tuple(parts[2:])
    return ":".join(parts[:2]), tuple(parts[2:])


async def _run(
    desk: AdminPort,
    ctx: Context,
    request: Request,
    caller: Caller,
    command: str,
    args: tuple[str, ...],
) -> AdminReply:
    language = await admin_language(request, ctx)
    if command == "admin":
        return AdminReply(
            True,
            t(language, "admin.menu", name=ctx.bot_name),
            actions=(
                (t(language, "admin.feeds"), "cmd:feeds"),
                (t(language, "admin.channels"), "cmd:channels"),
                (t(language, "admin.stats"), "cmd:stats"),
            ),
        )
    if command == "feeds":
        return await desk.feeds.show()
    if command == "review":
        return await desk.review.show()
    if command in REVIEW_BUTTONS:
        ref = args[0] if args else ""
        if command == "rv:edit":
            return await desk.review.begin_edit(caller, request.chat_id, ref)
        if command == "rv:ok":
            return await desk.review.approve(caller, ref)
        return await desk.review.drop(caller, ref)
    if command == "channels":
        return await desk.channels.show()
    if command == "stats":
        stats = await ctx.store.stats.collect()
        return AdminReply(True, format_stats(stats, ctx.timezone, language, ctx.bot_name))
    if command in ("bc:ok", "bc:no", "xacnhan"):
        number = _number(args[0]) if args else None
        if number is None:
            return AdminReply(False, f"Cần mã thông báo: {USAGE['xacnhan']}.")
        if command == "bc:no":
            return await desk.broadcasts.cancel(caller, number)
        return await desk.broadcasts.confirm(caller, number)
    if command == "broadcast":
        text = _rest_of_text(request, args)
        if not text:
            return AdminReply(False, t(language, "admin.usage", usage=USAGE["broadcast"]))
        return await desk.broadcasts.preview(caller, text)
    if command == "addchannel" and not args and request.is_group:
        # Typed inside the group itself: that group is the one meant.
        return await desk.channels.add(
            caller, request.chat_id, kind=request.chat_kind, title=request.chat_title
        )
    if command in USAGE and not args:
        return AdminReply(False, t(language, "admin.usage", usage=USAGE[command]))
    first = args[0] if args else ""
    if command == "addfeed":
        return await desk.feeds.add(caller, first, " ".join(args[1:]) or None)
    if command == "removefeed":
        return await desk.feeds.remove(caller, " ".join(args))
    if command in ("pausefeed", "resumefeed"):
        return await desk.feeds.set_paused(caller, " ".join(args), command == "pausefeed")
    if command == "addchannel":
        return await desk.channels.add(caller, first)
    if command == "removechannel":
        return await desk.channels.remove(caller, first)
    if command == "route":
        if len(args) < 2:
            return AdminReply(False, t(language, "admin.usage", usage=USAGE["route"]))
        return await desk.channels.route(caller, first, args[1:])
    if command == "post":
        return await desk.stories.post_again(caller, first)
    if command == "correct":
        return await desk.stories.correct(caller, first)
    if command == "retract":
        return await desk.stories.retract(caller, first)
    if command == "breaking":
        return await desk.stories.breaking(caller, first)
    return AdminReply(False, t(language, "admin.unknown", command=command))


async def admin_language(request: Request, ctx: Context) -> str:
    """The admin's own choice (/lang in their chat), else their client's, else the bot's."""
    chat = await ctx.store.chats.get(request.platform, request.chat_id)
    if chat is not None and not request.is_group:
        return resolve_language(chat.language)
    return resolve_language(request.user_language or ctx.default_language)


def _number(text: str) -> int | None:
    try:
        return int(text.strip().lstrip("#"))
    except ValueError:
        return None


def _rest_of_text(request: Request, args: tuple[str, ...]) -> str:
    """The broadcast as typed, line breaks kept: everything after the command word."""
    text = request.text.strip()
    if text.startswith("/"):
        head, _, rest = text.partition(" ")
        if "\n" in head:
            head, _, more = head.partition("\n")
            rest = more + (" " + rest if rest else "")
        return rest.strip()
    return " ".join(args).strip()


def _reply(answer: AdminReply, *, edit: bool) -> Reply:
    headline, _, rest = answer.text.partition("\n")
    body: tuple[Span, ...] = (Span(headline, bold=True),)
    if rest:
        body += (Span("\n" + rest),)
    row = tuple(Button(label, callback=CALLBACK_PREFIX + act) for label, act in answer.actions)
    buttons = (row,) if row else ()
    return Reply(body=body, buttons=buttons, edit=edit, notice=headline[:190] if edit else None)
