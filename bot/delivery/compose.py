"""What a claimed job says, and how the worker's log lines name a chat and a story."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core.settings import CardConfig
from bot.delivery.timing import due_at
from handlers.cards import CARD, article_card, broadcast_reply, digest_reply

BREAKING = 2  # a delivery's priority for breaking news (bot.store.articles)

if TYPE_CHECKING:
    from bot.core.records import Article, Chat, Delivery
    from bot.core.replies import Reply


def compose(
    deliveries: Sequence[Delivery], language: str, timezone: str, card: CardConfig = CARD
) -> Reply:
    """What a claimed job says: a story card, a broadcast, or several stories as a digest,
    naming the feeds it carries (a forum chat's topic is chosen by them)."""
    feeds = tuple(
        dict.fromkeys(
            d.article.feed_id
            for d in deliveries
            if d.article is not None and d.article.feed_id is not None
        )
    )
    if len(deliveries) > 1:
        articles = sorted((d.article for d in deliveries if d.article is not None), key=_time)
        return replace(digest_reply(articles, language, timezone), feed_ids=feeds)
    (delivery,) = deliveries
    if delivery.article is not None:
        minute = int(time.time() // 60)
        breaking = delivery.priority >= BREAKING
        try:
            card_reply = _card(
                delivery.article, language, timezone, card, delivery.alert, breaking, minute
            )
        except TypeError:  # a field that cannot be hashed: made for this send alone
            card_reply = _card.__wrapped__(
                delivery.article, language, timezone, card, delivery.alert, breaking, minute
            )
        return replace(card_reply, feed_ids=feeds)
    return broadcast_reply(delivery.broadcast_text or "")


@lru_cache(maxsize=256)
def _card(
    article: Article,
    language: str,
    timezone: str,
    card: CardConfig,
    alert: str | None,
    breaking: bool,
    minute: int,
) -> Reply:
    """One story goes to thousands of chats: its card is made once a minute per language
    (the minute keeps "today, 08:15" true), not once a send (a third of a send's CPU)."""
    return article_card(article, language, None, timezone, card, alert=alert, breaking=breaking)


def silent_now(deliveries: Sequence[Delivery], at: float, timezone: str) -> bool:
    """Inside the chat's quiet hours a push arrives without a sound: breaking news always
    (it does not wait), anything else when the chat chose silent over held."""
    first = deliveries[0]
    chat = first.chat
    if first.priority < BREAKING and chat.quiet_style != "silent":
        return False
    return due_at(at, timezone, "instant", 0, chat.quiet_start, chat.quiet_end) > at


def _time(article: Article) -> float:
    return article.time


def chat_label(chat: Chat) -> str:
    return f"{chat.platform}:{chat.chat_id}"


def what(delivery: Delivery) -> str:
    if delivery.article is not None:
        return f"article {delivery.article.id}"
    return f"broadcast (delivery {delivery.id})"
