"""Which pushes arrive without a sound: breaking news in quiet hours, and everything in a
chat that chose silent quiet hours over held ones."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.records import Chat, Delivery
from bot.delivery.compose import compose, silent_now

TZ = "Asia/Ho_Chi_Minh"
NIGHT = datetime(2026, 12, 3, 23, 30, tzinfo=ZoneInfo(TZ)).timestamp()
DAY = datetime(2026, 12, 3, 10, 0, tzinfo=ZoneInfo(TZ)).timestamp()


def chat(style: str = "hold", quiet: tuple[int, int] | None = (22, 6)) -> Chat:
    start, end = quiet if quiet else (None, None)
    return Chat(
        1, "telegram", "1", "private", None, "vi", True, False, "instant", 7, start, end, None,
        quiet_style=style,
    )  # fmt: skip


def delivery(for_chat: Chat, priority: int = 0) -> Delivery:
    return Delivery(7, for_chat, None, "Thông báo", 1, None, priority=priority)


def test_breaking_is_silent_at_night_only() -> None:
    assert silent_now([delivery(chat(), 2)], NIGHT, TZ)
    assert not silent_now([delivery(chat(), 2)], DAY, TZ)
    assert not silent_now([delivery(chat(quiet=None), 2)], NIGHT, TZ)


def test_silent_quiet_hours_mute_every_push_and_held_ones_none() -> None:
    assert silent_now([delivery(chat("silent"))], NIGHT, TZ)
    assert not silent_now([delivery(chat("hold"))], NIGHT, TZ)  # held: it waited instead
    assert not silent_now([delivery(chat("silent"))], DAY, TZ)
    assert compose([delivery(chat())], "vi", TZ).silent is False
