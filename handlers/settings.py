"""The reader's choices: /settings (feeds, instant or digest, quiet hours) and /lang.

A setting is applied by the same code whether it comes from a button ("set:hour:7") or
from text ("/settings hour 7", for Zalo, which has no buttons).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.records import Chat, Feed, Subscription
from bot.core.replies import Button, Reply, Request, Span
from bot.core.text import fold
from handlers.base import Context
from handlers.cards import clean
from handlers.choices import choice_buttons, toggle_section
from handlers.i18n import LANGUAGES, t
from handlers.subscriber import (
    hour_label,
    language_of,
    may_change,
    notice_only,
    open_chat,
    text_reply,
)

DIGEST_HOURS = (6, 7, 12, 18, 21)
QUIET_PRESETS = ((22, 6), (23, 7), (21, 6))
MAX_FEED_BUTTONS = 40
FEED_LABEL_CHARS = 40

LANGUAGE_NAMES = {"vi": "🇻🇳 Tiếng Việt", "en": "🇬🇧 English"}
_LANGUAGE_ALIASES = {
    "vi": "vi", "vn": "vi", "viet": "vi", "tiengviet": "vi", "vietnamese": "vi",
    "en": "en", "eng": "en", "english": "en", "tienganh": "en", "anh": "en",
}  # fmt: skip


# --- /settings --------------------------------------------------------------------------------


async def feed_choice(ctx: Context, chat: Chat) -> Subscription:
    return await ctx.store.chats.subscription(chat.id)


async def settings(request: Request, ctx: Context) -> list[Reply]:
    """Show the chat's settings; with arguments (`/settings hour 7`) change one first."""
    chat = await open_chat(request, ctx)
    if not request.args:
        return [await settings_view(request, ctx, chat)]
    return [await _change(request, ctx, chat, [a.lower() for a in request.args[:3]], edit=False)]


async def settings_callback(request: Request, ctx: Context) -> list[Reply]:
    """A settings button: apply it and redraw the same message (edit=True)."""
    chat = await open_chat(request, ctx)
    parts = (request.callback or "").split(":")[1:4]
    return [await _change(request, ctx, chat, parts, edit=True)]


async def _change(
    request: Request, ctx: Context, chat: Chat, parts: list[str], *, edit: bool
) -> Reply:
    """Apply a setting. A button press that changes nothing only answers with a notice (the
    message stays as it is); typed text gets the notice as the first line of the view."""
    language = language_of(chat)
    if not may_change(request):
        notice = t(language, "group.admins_only_settings")
        if edit:
            return notice_only(notice)
        return await settings_view(request, ctx, chat, lead=notice)
    before = await feed_choice(ctx, chat)
    notice_key, fresh = await apply_setting(ctx, chat, parts, before)
    notice = t(language, notice_key)
    if notice_key != "settings.saved":
        if edit:
            return notice_only(notice)
        return await settings_view(request, ctx, chat, lead=notice, choice=before)
    # A changed chat row means mode, hour or quiet hours: the feeds are as they were.
    after = before if fresh != chat else await feed_choice(ctx, chat)
    if edit and fresh == chat and after.chosen == before.chosen and parts[0] != "section":
        # Pressing what is already chosen: Telegram refuses an edit that changes nothing.
        return notice_only(notice)
    return await settings_view(
        request, ctx, fresh, edit=edit, notice=notice, lead=None if edit else notice, choice=after
    )


async def apply_setting(
    ctx: Context, chat: Chat, parts: Sequence[str], choice: Subscription
) -> tuple[str, Chat]:
    """Apply one setting ("feed", "3"): the i18n key of what to tell the reader, and the chat
    as it is now. `choice` is the chat's feeds as just read (for "feed")."""
    if len(parts) != 2:
        return "settings.invalid", chat
    what, value = parts
    chats = ctx.store.chats
    if what == "feed":
        return await _toggle_feed(ctx, chat, value, choice), chat
    if what == "mode" and value in ("instant", "digest"):
        fresh = await chats.update_settings(chat.id, mode=value)
        return "settings.saved", fresh
    if what == "hour":
        hour = parsehour_label(value)
        if hour is None:
            return "settings.invalid", chat
        # Choosing the digest's hour means wanting the digest.
        fresh = await chats.update_settings(chat.id, mode="digest", digest_hour=hour)
        return "settings.saved", fresh
    if what == "receive" and value in ("all", "alerts"):
        return "settings.saved", await ctx.store.alerts.set_receive(chat.id, value)
    if what == "quietstyle" and value in ("hold", "silent"):
        return "settings.saved", await ctx.store.alerts.set_quiet_style(chat.id, value)
    if what == "section":
        return await toggle_section(ctx, chat, value), chat
    if what == "quiet":
        if value in ("off", "0", "none", "tat", "khong"):
            fresh = await chats.update_settings(chat.id, quiet_hours=None)
            return "settings.saved", fresh
        quiet = parse_quiet(value)
        if quiet is None:
            return "settings.invalid", chat
        fresh = await chats.update_settings(chat.id, quiet_hours=quiet)
        return "settings.saved", fresh
    return "settings.invalid", chat


async def _toggle_feed(ctx: Context, chat: Chat, value: str, choice: Subscription) -> str:
    if value == "all":
        await ctx.store.chats.set_feeds(chat.id, None)
        return "settings.saved"
    known = [feed.id for feed in choice.feeds]
    feed_id = int(value) if value.isascii() and value.isdigit() and len(value) <= 12 else None
    if feed_id not in known:
        return "settings.invalid"
    chosen = choice.chosen_ids
    current = set(known) if chosen is None else set(chosen)
    current ^= {feed_id}
    if not current:
        return "settings.keep_one"
    target = None if current >= set(known) else sorted(current)
    await ctx.store.chats.set_feeds(chat.id, target)
    return "settings.saved"


def parsehour_label(value: str) -> int | None:
    """An hour of the day: "7" or "07" → 7; anything outside 0–23 → None."""
    if not (value.isascii() and value.isdigit() and len(value) <= 2):
        return None
    hour = int(value)
    return hour if 0 <= hour <= 23 else None


def parse_quiet(value: str) -> tuple[int, int] | None:
    """Quiet hours: "22-6" → (22, 6), 22:00 to 06:00; equal ends would mean all day or never."""
    start, sep, end = value.partition("-")
    first, second = parsehour_label(start), parsehour_label(end)
    if not sep or first is None or second is None or first == second:
        return None
    return first, second


async def settings_view(
    request: Request,
    ctx: Context,
    chat: Chat,
    *,
    edit: bool = False,
    notice: str | None = None,
    lead: str | None = None,
    choice: Subscription | None = None,
) -> Reply:
    """The settings message: where things stand, and the buttons (or words) to change them.

    `choice`: the chat's feeds if the caller has just read them (else they are read here).
    """
    language = language_of(chat)
    if choice is None:
        choice = await feed_choice(ctx, chat)
    feeds = choice.feeds
    chosen = choice.chosen_ids
    buttonless = not request.buttons
    visible = [f for f in feeds if not f.paused or (chosen is not None and f.id in chosen)]

    if chosen is None:
        feeds_text = t(language, "settings.feeds_all")
    else:
        feeds_text = ", ".join(clean(f.name) for f in feeds if f.id in chosen) or "—"
    if chat.mode == "digest":
        mode_text = t(language, "settings.mode_digest", hour=hour_label(chat.digest_hour))
    else:
        mode_text = t(language, "settings.mode_instant")
    if chat.quiet_start is not None and chat.quiet_end is not None:
        quiet_text = t(
            language,
            "settings.quiet_range",
            start=hour_label(chat.quiet_start),
            end=hour_label(chat.quiet_end),
        )
    else:
        quiet_text = t(language, "settings.quiet_none")
    status = t(language, "settings.active" if chat.active else "settings.inactive")
    sections, chosen_sections = await ctx.store.alerts.section_choice(chat.id)
    receive = "settings.receive_alerts" if chat.receive == "alerts" else "settings.receive_all"
    style = "settings.quiet_silent" if chat.quiet_style == "silent" else "settings.quiet_hold"
    lines = [
        t(language, "settings.status", value=status),
        t(language, "settings.receive", value=t(language, receive)),
        t(language, "settings.feeds", value=feeds_text),
        t(
            language,
            "settings.sections",
            value=", ".join(chosen_sections) or t(language, "settings.sections_all"),
        ),
        t(language, "settings.mode", value=mode_text),
        t(language, "settings.quiet", value=quiet_text),
        t(language, "settings.quiet_style", value=t(language, style)),
        "",
    ]
    if chat.receive == "alerts" and not await ctx.store.alerts.of_chat(chat.id):
        lines[-1:] = [t(language, "settings.no_alerts_hint"), ""]
    if buttonless:
        lines += [
            t(language, "settings.feed_numbered", id=f.id, name=clean(f.name))
            for f in visible[:MAX_FEED_BUTTONS]
        ]
        lines.append(t(language, "settings.hint_words"))
        lines.append(t(language, "settings.hint_more_words"))
    else:
        lines.append(t(language, "settings.hint"))
    body: tuple[Span, ...] = (
        Span(t(language, "settings.title"), bold=True),
        Span("\n" + "\n".join(lines)),
    )
    if lead:
        body = (Span(lead + "\n\n"), *body)
    buttons = (
        ()
        if buttonless
        else _settings_buttons(chat, visible, chosen, language)
        + choice_buttons(chat, sections, chosen_sections, language)
    )
    return Reply(body=body, buttons=buttons, edit=edit, notice=notice)


def _mark(on: bool, label: str) -> str:
    return f"✅ {label}" if on else label


def _settings_buttons(
    chat: Chat, feeds: Sequence[Feed], chosen: set[int] | None, language: str
) -> tuple[tuple[Button, ...], ...]:
    rows: list[tuple[Button, ...]] = [
        (Button(_mark(chosen is None, t(language, "settings.all_feeds")), callback="set:feed:all"),)
    ]
    feed_buttons = [
        Button(
            ("✅ " if chosen is None or f.id in chosen else "▫️ ")
            + (clean(f.name)[:FEED_LABEL_CHARS] or str(f.id)),
            callback=f"set:feed:{f.id}",
        )
        for f in feeds[:MAX_FEED_BUTTONS]
    ]
    rows += [tuple(feed_buttons[i : i + 2]) for i in range(0, len(feed_buttons), 2)]
    rows.append(
        (
            Button(
                _mark(chat.mode == "instant", t(language, "settings.instant")),
                callback="set:mode:instant",
            ),
            Button(
                _mark(chat.mode == "digest", t(language, "settings.digest")),
                callback="set:mode:digest",
            ),
        )
    )
    if chat.mode == "digest":
        hours = sorted({*DIGEST_HOURS, chat.digest_hour})
        rows.append(
            tuple(
                Button(_mark(h == chat.digest_hour, hour_label(h)), callback=f"set:hour:{h}")
                for h in hours
            )
        )
    current = (
        (chat.quiet_start, chat.quiet_end)
        if chat.quiet_start is not None and chat.quiet_end is not None
        else None
    )
    presets = list(QUIET_PRESETS)
    if current is not None and current not in presets:
        presets.insert(0, current)
    quiet_buttons = [
        Button(
            _mark(
                current == (a, b),
                t(language, "settings.quiet_button", start=hour_label(a), end=hour_label(b)),
            ),
            callback=f"set:quiet:{a}-{b}",
        )
        for a, b in presets
    ]
    quiet_buttons.append(
        Button(_mark(current is None, t(language, "settings.quiet_off")), callback="set:quiet:off")
    )
    rows.append(tuple(quiet_buttons))
    return tuple(rows)


# --- /lang --------------------------------------------------------------------------------------


def parse_language(value: str) -> str | None:
    """A language we speak from what people type ("en", "English", "tiếng việt"), else None."""
    key = "".join(fold(value).split())
    return _LANGUAGE_ALIASES.get(key)


async def lang(request: Request, ctx: Context) -> list[Reply]:
    """`/lang en` switches; `/lang` alone offers the choice (buttons, or words on Zalo)."""
    chat = await open_chat(request, ctx)
    language = language_of(chat)
    if request.args:
        chosen = parse_language(" ".join(request.args[:3])[:40])
        if chosen is None:
            return [_language_choice(request, language, t(language, "lang.unknown"))]
        return [await _set_language(request, ctx, chat, chosen, edit=False)]
    return [_language_choice(request, language, "")]


async def lang_callback(request: Request, ctx: Context) -> list[Reply]:
    chat = await open_chat(request, ctx)
    language = language_of(chat)
    chosen = parse_language((request.callback or "").partition(":")[2][:40])
    if chosen is None:
        return [notice_only(t(language, "lang.unknown"))]
    return [await _set_language(request, ctx, chat, chosen, edit=True)]


async def _set_language(
    request: Request, ctx: Context, chat: Chat, chosen: str, *, edit: bool
) -> Reply:
    if not may_change(request):
        notice = t(language_of(chat), "group.admins_only_settings")
        # A member's press leaves the chooser as it is and says why, to that member only.
        return notice_only(notice) if edit else text_reply(notice)
    await ctx.store.chats.update_settings(chat.id, language=chosen)
    done = t(chosen, "lang.set")
    return text_reply(done, edit=edit, notice=done)


def _language_choice(request: Request, language: str, note: str) -> Reply:
    if not request.buttons:
        return text_reply(note, t(language, "lang.choose_words"))
    buttons = (tuple(Button(LANGUAGE_NAMES[code], callback=f"lang:{code}") for code in LANGUAGES),)
    return Reply(
        body=(Span("\n".join(x for x in (note, t(language, "lang.choose")) if x)),), buttons=buttons
    )
