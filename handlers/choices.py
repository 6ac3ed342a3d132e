"""The /settings choices beside feeds and hours: what a chat receives (everything or its
alerts only), whether quiet hours hold pushes or deliver them silently, and its sections."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.alerts import section_slug
from bot.core.records import Chat
from bot.core.replies import Button
from handlers.base import Context
from handlers.i18n import t

MAX_SECTION_BUTTONS = 30
SECTION_LABEL_CHARS = 30


def _mark(on: bool, label: str) -> str:
    return f"✅ {label}" if on else label


async def toggle_section(ctx: Context, chat: Chat, value: str) -> str:
    """Choose or unchoose a section; "all" (or choosing none) means every section."""
    if value == "all":
        await ctx.store.alerts.set_sections(chat.id, [])
        return "settings.saved"
    known = await ctx.store.alerts.sections()
    slug = section_slug(value)
    if slug not in known:
        return "settings.invalid"
    chosen = set(await ctx.store.alerts.chosen_sections(chat.id))
    chosen ^= {slug}
    await ctx.store.alerts.set_sections(chat.id, sorted(chosen))
    return "settings.saved"


def choice_buttons(
    chat: Chat, sections: Sequence[str], chosen: Sequence[str], language: str
) -> tuple[tuple[Button, ...], ...]:
    """What a chat receives, how quiet hours treat pushes, and its sections."""
    rows: list[tuple[Button, ...]] = [
        tuple(
            Button(_mark(chat.receive == value, t(language, key)), callback=f"set:receive:{value}")
            for value, key in (
                ("all", "settings.receive_all"),
                ("alerts", "settings.receive_alerts"),
            )
        ),
        tuple(
            Button(
                _mark(chat.quiet_style == value, t(language, key)),
                callback=f"set:quietstyle:{value}",
            )
            for value, key in (("hold", "settings.quiet_hold"), ("silent", "settings.quiet_silent"))
        ),
    ]
    if sections:
        rows.append(
            (
                Button(
                    _mark(not chosen, t(language, "settings.all_sections")),
                    callback="set:section:all",
                ),
            )
        )
        section_buttons = [
            Button(
                ("✅ " if not chosen or name in chosen else "▫️ ") + name[:SECTION_LABEL_CHARS],
                callback=f"set:section:{name}"[:64],
            )
            for name in sections[:MAX_SECTION_BUTTONS]
        ]
        rows += [tuple(section_buttons[i : i + 3]) for i in range(0, len(section_buttons), 3)]
    return tuple(rows)
