"""Admin commands in chat: feeds, channels, broadcasts, corrections, stats.

The router hands us every command it does not know (and callbacks starting "adm:");
`None` means "not an admin command". Whoever is not in `[telegram] admins` / `[zalo]
admins` is refused in one line, and the attempt is audited like every action. The work
itself is `bot.admin.AdminOps`, the same code `bantin feeds …` runs.

The admin room (`bot.admin`) reaches SQLite and the network, so it is imported only when
an admin command or button arrives, never when handlers/ is imported (see
tests/test_architecture.py). The composition root has loaded it by then anyway.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from bot.core.replies import Button, Reply, Request, Span
from handlers.base import Context

if TYPE_CHECKING:
    from bot.admin.access import Caller
    from bot.admin.ops import AdminOps, Outcome
    from bot.store import Store

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
    "/stats — thống kê"
)


def ops_for(ctx: Context) -> AdminOps:
    """The AdminOps the composition root put in the context, else a bare one that refuses
    what needs a platform (test fetches, channel checks, edits)."""
    if ctx.admin_ops is None:
        from bot.admin.ops import AdminOps

        ctx.admin_ops = AdminOps(cast("Store", ctx.store), timezone=ctx.timezone)
    return ctx.admin_ops


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
    from bot.admin.access import Caller

    ops = ops_for(ctx)
    caller = Caller.chat(request.platform, request.user_id or "?", request.user_name)
    if not ctx.is_admin(request):
        outcome = await ops.refuse_not_admin(caller, command, " ".join(args))
        return [_reply(outcome, edit=False)]
    outcome = await _run(ops, ctx, request, caller, command, args)
    return [_reply(outcome, edit=from_button and command in ("bc:ok", "bc:no"))]


def _parse_callback(data: str) -> tuple[str, tuple[str, ...]]:
    """ "bc:ok:12" → ("bc:ok", ("12",)); "cmd:feeds" → ("feeds", ())."""
    parts = data.split(":")
    if parts[0] == "cmd" and len(parts) > 1:
        return parts[1], tuple(parts[2:])
    return ":".join(parts[:2]), tuple(parts[2:])


async def _run(
    ops: AdminOps,
    ctx: Context,
    request: Request,
    caller: Caller,
    command: str,
    args: tuple[str, ...],
) -> Outcome:
    from bot.admin.ops import Outcome
    from bot.admin.report import format_stats

    if command == "admin":
        return Outcome(
            True,
            MENU,
            actions=(
                ("Nguồn tin", "cmd:feeds"),
                ("Kênh", "cmd:channels"),
                ("Thống kê", "cmd:stats"),
            ),
        )
    if command == "feeds":
        return await ops.list_feeds()
    if command == "channels":
        return await ops.list_channels()
    if command == "stats":
        return Outcome(True, format_stats(await ops.stats(), ctx.timezone))
    if command in ("bc:ok", "bc:no", "xacnhan"):
        number = _number(args[0]) if args else None
        if number is None:
            return Outcome(False, f"Cần mã thông báo: {USAGE['xacnhan']}.")
        if command == "bc:no":
            return await ops.broadcast_cancel(caller, number)
        return await ops.broadcast_confirm(caller, number)
    if command == "broadcast":
        text = _rest_of_text(request, args)
        if not text:
            return Outcome(False, f"Cách dùng: {USAGE['broadcast']}.")
        return await ops.broadcast_preview(caller, text)
    if command == "addchannel" and not args and request.is_group:
        # Typed inside the group itself: that group is the one meant.
        return await ops.add_channel(
            caller, request.chat_id, kind=request.chat_kind, title=request.chat_title
        )
    if command in USAGE and not args:
        return Outcome(False, f"Cách dùng: {USAGE[command]}.")
    first = args[0] if args else ""
    if command == "addfeed":
        return await ops.add_feed(caller, first, " ".join(args[1:]) or None)
    if command == "removefeed":
        return await ops.remove_feed(caller, " ".join(args))
    if command in ("pausefeed", "resumefeed"):
        return await ops.set_paused(caller, " ".join(args), command == "pausefeed")
    if command == "addchannel":
        return await ops.add_channel(caller, first)
    if command == "removechannel":
        return await ops.remove_channel(caller, first)
    if command == "route":
        if len(args) < 2:
            return Outcome(False, f"Cách dùng: {USAGE['route']}.")
        return await ops.route_channel(caller, first, args[1:])
    if command == "post":
        return await ops.post_again(caller, first)
    if command == "correct":
        return await ops.correct(caller, first)
    if command == "retract":
        return await ops.retract(caller, first)
    return Outcome(False, f"Không có lệnh quản trị «{command}». Gõ /admin.")


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


def _reply(outcome: Outcome, *, edit: bool) -> Reply:
    headline, _, rest = outcome.text.partition("\n")
    body: tuple[Span, ...] = (Span(headline, bold=True),)
    if rest:
        body += (Span("\n" + rest),)
    row = tuple(Button(label, callback=CALLBACK_PREFIX + act) for label, act in outcome.actions)
    buttons = (row,) if row else ()
    return Reply(body=body, buttons=buttons, edit=edit, notice=headline[:190] if edit else None)
