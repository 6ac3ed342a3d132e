"""Typed words → commands, as readers on Zalo write them (with or without diacritics)."""

from __future__ import annotations

import pytest

from handlers.intents import Intent, match_intent


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("đăng ký", Intent("start")),
        ("Đăng Ký!", Intent("start")),
        ("dang ky", Intent("start")),
        ("dangky", Intent("start")),
        ("bắt đầu", Intent("start")),
        ("đăng ký nhận tin", Intent("start")),
        ("hủy", Intent("stop")),
        ("huỷ", Intent("stop")),
        ("huy", Intent("stop")),
        ("HỦY.", Intent("stop")),
        ("hủy đăng ký", Intent("stop")),
        ("dừng", Intent("stop")),
        ("tìm đà lạt", Intent("search", ("đà", "lạt"))),
        ("tim sau rieng", Intent("search", ("sau", "rieng"))),
        ("tìm kiếm giá cà phê", Intent("search", ("giá", "cà", "phê"))),
        ("Tìm kiếm: hoà bình", Intent("search", ("hòa", "bình"))),
        ("tìm", Intent("search")),
        ("tin mới", Intent("latest")),
        ("tin moi", Intent("latest")),
        ("tin mới nhất", Intent("latest")),
        ("mới nhất", Intent("latest")),
        ("tin mới 3", Intent("latest", ("3",))),
        ("trợ giúp", Intent("help")),
        ("help", Intent("help")),
        ("HELP me", Intent("help")),
    ],
)
def test_phrases(text: str, expected: Intent) -> None:
    assert match_intent(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "tôi muốn đăng ký",  # the phrase must come first
        "hủy bỏ cuộc hẹn",  # stop must be the whole message
        "Dũng đây",  # "dừng" folds to "dung" too
        "dùng thử",
        "tinmoi",
        "<script>",
    ],
)
def test_talk_is_not_a_command(text: str) -> None:
    assert match_intent(text) is None


def test_a_huge_message_is_cheap() -> None:
    intent = match_intent("tìm " + "đà lạt " * 5000)
    assert intent is not None and intent.command == "search"
    assert match_intent("x" * 100_000) is None


@pytest.mark.parametrize(
    "text", ["xin chào", "Chào!", "chao ban", "Xin chào, cho hỏi tin mới", "hello"]
)
def test_a_greeting_is_an_intent(text: str) -> None:
    assert match_intent(text) == Intent("greet")


@pytest.mark.parametrize("text", ["cháo sườn ngon", "chào mừng ngày nhà giáo"])
def test_words_that_only_start_like_a_greeting_are_not_one(text: str) -> None:
    assert match_intent(text) is None
