"""Admin commands in chat: feeds, channels, broadcasts, corrections, stats.

The router hands us every command it does not know (and callbacks starting "adm:");
`None` means "not an admin command". Whoever is not in `[telegram] admins` / `[zalo]
admins` is refused in one line, and the attempt is audited like every action. The work
itself is the admin room behind `AdminPort` (`ctx.admin`, put there by the composition
root), the same code `bantin feeds …` runs.
"""

from __future__ import annotations

from bot.core.ports import AdminPort
from bot.core.records import AdminReply, Caller
from bot.core.replies import Button, Reply, Request, Span
from handlers.base import Context
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
    "confirm": "xacnhan",
}
COMMANDS = frozenset({"admin", "feeds", "channels", "stats", *USAGE, *ALIASES})

MENU = (
    "Quản trị Bantin:\n"
    "/feeds — các nguồn tin · /addfeed URL [tên] · /removefeed · /pausefeed · /resumefeed\n"
    "/channels — các kênh · /addchannel @kenh · /removechannel @kenh · "
    "/route @kenh nguồn… (hoặc all)\n"
    "/broadcast NỘI DUNG — thông báo tới mọi người (cần xác nhận)\n"
    "/post MÃ_TIN — gửi lại · /correct MÃ_TIN — sửa tin đã gửi · /retract MÃ_TIN — gỡ tin\n"
    "/breaking MÃ_TIN — tin nóng: gửi trước mọi tin khác\n"
    "/stats — thống kê"
)


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
        return [_reply(refusal, edit=False)]
    answer = await _run(desk, ctx, request, caller, command, args)
    return [_reply(answer, edit=from_button and command in ("bc:ok", "bc:no"))]


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
    if command == "admin":
        return AdminReply(
            True,
            MENU,
            actions=(
                ("Nguồn tin", "cmd:feeds"),
                ("Kênh", "cmd:channels"),
                ("Thống kê", "cmd:stats"),
            ),
        )
    if command == "feeds":
        return await desk.feeds.show()
    if command == "channels":
        return await desk.channels.show()
    if command == "stats":
        return AdminReply(True, format_stats(await ctx.store.stats.collect(), ctx.timezone))
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
            return AdminReply(False, f"Cách dùng: {USAGE['broadcast']}.")
        return await desk.broadcasts.preview(caller, text)
    if command == "addchannel" and not args and request.is_group:
        # Typed inside the group itself: that group is the one meant.
        return await desk.channels.add(
            caller, request.chat_id, kind=request.chat_kind, title=request.chat_title
        )
    if command in USAGE and not args:
        return AdminReply(False, f"Cách dùng: {USAGE[command]}.")
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
            return AdminReply(False, f"Cách dùng: {USAGE['route']}.")
        return await desk.channels.route(caller, first, args[1:])
    if command == "post":
        return await desk.stories.post_again(caller, first)
    if command == "correct":
        return await desk.stories.correct(caller, first)
    if command == "retract":
        return await desk.stories.retract(caller, first)
    if command == "breaking":
        return await desk.stories.breaking(caller, first)
    return AdminReply(False, f"Không có lệnh quản trị «{command}». Gõ /admin.")


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
