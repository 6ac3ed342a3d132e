"""Cutting a message to a platform's limit: whole sentences, else whole words, with "…".

Both Telegram and Zalo count UTF-16 code units (an emoji is two), so that is what is
counted here; a count in characters is never larger, so either way the limit holds.
"""

from __future__ import annotations

import re

from bot.core.text import split_sentences

ELLIPSIS = "…"


def units(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def cut_units(text: str, budget: int) -> str:
    """The longest prefix of `text` that fits in `budget` UTF-16 units."""
    if units(text) <= budget:
        return text
    out: list[str] = []
    used = 0
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > budget:
            break
        out.append(ch)
        used += size
    return "".join(out)


def shorten(text: str, budget: int, *, unbreakable: re.Pattern[str] | None = None) -> str:
    """`text` within `budget` units, ending "…" on a sentence, else a word, boundary.

    Runs matching `unbreakable` (a written-out link on Zalo) are never cut in the middle.
    """
    if units(text) <= budget:
        return text
    if budget <= units(ELLIPSIS) + 1:
        return cut_units(text, budget)
    room = budget - units(ELLIPSIS) - 1  # a space goes before the ellipsis
    kept = ""
    position = 0
    for sentence in split_sentences(text):
        at = text.find(sentence, position)
        if at < 0:
            break
        end = at + len(sentence)
        if units(text[:end]) > room:
            break
        kept, position = text[:end], end
    if kept and units(kept) >= room // 2:
        return kept.rstrip() + " " + ELLIPSIS
    cut = len(cut_units(text, room))
    space = max(text.rfind(" ", 0, cut), text.rfind("\n", 0, cut))
    if space >= cut // 2:
        cut = space
    if unbreakable is not None:
        for match in unbreakable.finditer(text):
            if match.start() < cut < match.end():
                cut = match.start()
                break
    return text[:cut].rstrip() + ELLIPSIS
