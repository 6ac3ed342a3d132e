"""What an alert means: folded, whole consecutive syllables, exclusions, its index term."""

from __future__ import annotations

import pytest

from bot.core.alerts import AlertError, StoryText, matches, parse_alert, section_slug


def answers(alert: str, *parts: str) -> bool:
    return matches(parse_alert(alert), StoryText(*parts))


def test_folded_and_d_folded() -> None:
    assert answers("sat lo", "Sạt lở đất ở đèo Prenn")
    assert answers("Sạt Lở", "sat lo dat o deo prenn")
    assert answers("bao loc", "", "Mưa lớn ở Bảo Lộc")
    assert answers("da lat", "Đà Lạt đón mưa")


def test_consecutive_whole_syllables_only() -> None:
    assert not answers("sat lo", "Giám sát thi công quốc lộ 20")
    assert not answers("sat lo", "Tăng cường giám sát, lở đất vẫn xảy ra")  # across a clause
    assert not answers("lo", "Lộc Phát khai trương")  # "lo" is not "loc"
    assert answers("lo", "", "", "Nguy cơ lở đất")


def test_exclusions() -> None:
    assert answers("bao", "Bão số 9 đổ bộ")
    assert not answers("bao -bong", "Bão số 9 đổ bộ, bóng đá hoãn")
    assert not answers('bao -"bong da"', "Bão làm hoãn trận bóng đá")
    assert answers('bao -"bong da"', "Bão làm bóng cây đổ")


def test_term_and_canonical_form() -> None:
    rule = parse_alert("  Sạt   lở  đèo Prenn -mưa ")
    assert rule.term == "sat lo"
    assert rule.folded == 'sat lo deo prenn -"mua"'
    assert parse_alert(rule.folded) == rule
    assert parse_alert("bão").term == "bao"
    story = StoryText("Sạt lở đèo Prenn")
    assert {"sat", "sat lo", "deo prenn"} <= story.terms


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty"), ("   ", "empty"), ("-bong", "only_excluded"), ("a " * 60, "too_long")],
)
def test_refused(text: str, reason: str) -> None:
    with pytest.raises(AlertError) as caught:
        parse_alert(text)
    assert caught.value.reason == reason


def test_section_slug() -> None:
    assert section_slug("Thời sự") == "thoi-su"
    assert section_slug("thoi-su") == "thoi-su"
    assert section_slug("") is None and section_slug(None) is None
