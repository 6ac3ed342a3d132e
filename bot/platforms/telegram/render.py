"""Reply → Telegram HTML: escaped here and only here, cut at Telegram's limits on a sentence
or word boundary, never inside a tag; buttons as an inline keyboard."""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode

from bot.core.replies import Button, Reply, Span, safe_url
from bot.platforms.cutting import shorten, units

log = logging.getLogger(__name__)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64


def fit_spans(spans: Sequence[Span], limit: int) -> tuple[Span, ...]:
    """Make the visible text fit `limit`, shortening the longest plain span first.

    Markup (bold, links) is never cut in the middle: a marked span is kept whole or, when
    nothing else is left to shorten, its text is cut like plain text and stays marked.
    """
    out = [span for span in spans if span.text]
    total = sum(units(s.text) for s in out)
    while total > limit and out:
        excess = total - limit
        plain = [i for i, s in enumerate(out) if s.url is None and not s.bold]
        index = max(plain or range(len(out)), key=lambda i: units(out[i].text))
        keep = units(out[index].text) - excess
        if keep >= 8:
            out[index] = replace(out[index], text=shorten(out[index].text, keep))
        else:
            del out[index]
        total = sum(units(s.text) for s in out)
    return tuple(out)


def render_html(spans: Sequence[Span], limit: int) -> str:
    if isinstance(spans, tuple):  # a pushed story's card: the same for thousands of chats
        return _render_html_once(spans, limit)
    return _render_html(spans, limit)


@lru_cache(maxsize=256)
def _render_html_once(spans: tuple[Span, ...], limit: int) -> str:
    return _render_html(spans, limit)


def _render_html(spans: Sequence[Span], limit: int) -> str:
    parts: list[str] = []
    for span in fit_spans(spans, limit):
        text = html.escape(span.text, quote=False)
        if span.bold:
            text = f"<b>{text}</b>"
        url = safe_url(span.url)
        if url:
            text = f'<a href="{html.escape(url, quote=True)}">{text}</a>'
        parts.append(text)
    return "".join(parts)


def render_plain(spans: Sequence[Span], limit: int) -> str:
    """The same text without markup, for when Telegram refuses our HTML."""
    return "".join(span.text for span in fit_spans(spans, limit))


def preview(url: str | None, *, large: bool = True) -> LinkPreviewOptions:
    """The story's page as the link preview, or none at all (never a random link's)."""
    safe = safe_url(url)
    if not safe:
        return LinkPreviewOptions(is_disabled=True)
    return (
        LinkPreviewOptions(url=safe, prefer_large_media=True)
        if large
        else LinkPreviewOptions(url=safe)
    )


def keyboard(buttons: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    """PTB's markup objects are immutable: one story's keyboard serves every chat."""
    if isinstance(buttons, tuple) and all(isinstance(row, tuple) for row in buttons):
        return _keyboard_once(buttons)
    return _keyboard(buttons)


@lru_cache(maxsize=256)
def _keyboard_once(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    return _keyboard(buttons)


def _keyboard(buttons: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup | None:
    rows: list[list[InlineKeyboardButton]] = []
    for row in buttons:
        out: list[InlineKeyboardButton] = []
        for button in row:
            label = button.text[:64] or "·"
            if button.url is not None:
                url = safe_url(button.url)
                if url:
                    out.append(InlineKeyboardButton(label, url=url))
            elif button.callback is not None:
                data = button.callback
                if len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    out.append(InlineKeyboardButton(label, callback_data=data))
                else:
                    log.warning("button %r dropped: callback data over 64 bytes", label)
            elif button.share is not None:
                out.append(InlineKeyboardButton(label, switch_inline_query=button.share))
        if out:
            rows.append(out)
    return InlineKeyboardMarkup(rows) if rows else None


def inline_result(index: int, reply: Reply) -> InlineQueryResultArticle:
    """One story card (`handlers.search.inline_results`) as an inline result.

    The card's first bold span (its title) is the result's title, the rest of its text
    the description; the card itself, buttons included, is what the reader posts.
    """
    head = next((span for span in reply.body if span.bold), None)
    title = (head.text if head is not None else reply.plain).strip()[:120] or "Bantin"
    rest = "".join(span.text for span in reply.body if span is not head)
    description = rest.strip()[:200] if head is not None else ""
    return InlineQueryResultArticle(
        id=str(index),
        title=title,
        description=description or None,
        url=safe_url(reply.preview_url),
        thumbnail_url=safe_url(reply.photo),
        input_message_content=InputTextMessageContent(
            render_html(reply.body, TEXT_LIMIT),
            parse_mode=ParseMode.HTML,
            link_preview_options=preview(reply.preview_url, large=False),
        ),
        reply_markup=keyboard(reply.buttons),
    )


def command_descriptions(commands: Mapping[str, Any], language: str) -> dict[str, str]:
    """name → description in `language`, from language → name → text (the router's shape)
    or name → language → text."""
    if language in commands and isinstance(commands[language], Mapping):
        return {str(k): str(v) for k, v in commands[language].items()}
    out: dict[str, str] = {}
    for name, description in commands.items():
        if isinstance(description, Mapping):
            out[str(name)] = str(description.get(language) or description.get("vi") or name)
        elif name not in ("vi", "en"):
            out[str(name)] = str(description)
    return out
