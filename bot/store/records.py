"""The store's rows: the pure record dataclasses of `bot.records`, under their old name.

They live in `bot.records` so that handlers can use them without loading SQLite.
"""

from __future__ import annotations

from bot.records import Article, Chat, Delivery, Feed, StoryRecord

__all__ = ["Article", "Chat", "Delivery", "Feed", "StoryRecord"]
