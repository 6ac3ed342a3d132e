"""Reply → Zalo plain text: Zalo has no markup and no buttons, so links are written out
and link buttons become lines ("Đọc tiếp: URL"); cut at 2000 on a sentence or word
boundary, a link never cut in the middle."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.core.replies import Reply, Span, safe_url
from bot.platforms.cutting import shorten as cut_text
from bot.platforms.cutting import units
from bot.platforms.zalo.client import TEXT_LIMIT

_URL = re.compile(r"https?://\S+")


def shorten(text: str, budget: int) -> str:
    """Cut to `budget` units with an ellipsis: whole sentences, else whole words; links whole."""
    return cut_text(text, budget, unbreakable=_URL)


def _body_text(spans: Sequence[Span]) -> str:
    """Spans as plain text; a link is written out on its own line after the line it is in.

    A link already written in the text (search results print the story's URL) is not
    repeated.
    """
    plain = "".join(span.text for span in spans)
    out: list[str] = []
    pending: list[str] = []
    for span in spans:
        url = safe_url(span.url)
        text = span.text
        if pending and "\n" in text:
            head, _, tail = text.partition("\n")
            out.append(head)
            out.extend("\n" + link for link in pending)
            pending = []
            text = "\n" + tail
        out.append(text)
        if url and url not in plain and url not in pending:
            pending.append(url)
    out.extend("\n" + link for link in pending)
    return "".join(out).strip()


def _button_lines(reply: Reply, body: str) -> list[str]:
    """Link buttons as text lines ("Đọc tiếp: URL"); other buttons cannot work on Zalo."""
    lines: list[str] = []
    for row in reply.buttons:
        for button in row:
            url = safe_url(button.url)
            if url and url not in body:
                label = button.text.strip() or "Link"
                lines.append(f"{label}: {url}")
    return lines


def render_text(reply: Reply, limit: int = TEXT_LIMIT) -> str:
    """The reply as Zalo plain text within `limit`; link lines are kept, the body is cut."""
    body = _body_text(reply.body)
    if not body and reply.notice:
        body = reply.notice.strip()
    lines = _button_lines(reply, body)
    while lines and units("\n".join(lines)) > limit // 2:
        lines.pop()  # absurd button rows: the story's text matters more
    footer = "\n".join(lines)
    if not footer:
        return shorten(body, limit)
    if not body:
        return footer
    room = limit - units(footer) - 2
    return shorten(body, room) + "\n\n" + footer
