"""Query parsing, expressions, ranking features and snippets: pure functions."""

from __future__ import annotations

import pytest

from bot.core.matching import highlight, snippet
from bot.core.query import Term, all_expression, index_form, parse_query, phrase_expression
from bot.core.ranking import Candidate, rank
from bot.core.text import normalize

DAY = 86400.0


def test_words_are_folded_and_exact_kept() -> None:
    parsed = parse_query("Đà Lạt mưa", prefix_last=False)
    assert [t.folded for t in parsed.terms] == ["da", "lat", "mua"]
    assert [t.exact for t in parsed.terms] == ["đà", "lạt", "mưa"]
    assert parsed.marked
    assert not parse_query("da lat").marked


def test_tone_conventions_are_one_word() -> None:
    old, new = (
        parse_query("hoà thuỷ", prefix_last=False),
        parse_query("hòa thủy", prefix_last=False),
    )
    assert [t.exact for t in old.terms] == [t.exact for t in new.terms] == ["hòa", "thủy"]
    decomposed = parse_query(normalize("Đà Lạt").encode().decode(), prefix_last=False)
    assert decomposed.terms == parse_query("\u0110a\u0300 La\u0323t", prefix_last=False).terms


@pytest.mark.parametrize(
    ("raw", "seconds", "words"),
    [
        ("7d sạt lở", 7 * DAY, "sạt lở"),
        ("sạt lở 24h", DAY, "sạt lở"),
        ("30 ngày sạt lở", 30 * DAY, "sạt lở"),
        ("2 tuần bão", 14 * DAY, "bão"),
        ("1 tháng giá vàng", 30 * DAY, "giá vàng"),
        ("festival hoa 2023", None, "festival hoa 2023"),
        ("2 năm tù", None, "2 năm tù"),
    ],
)
def test_time_windows(raw: str, seconds: float | None, words: str) -> None:
    parsed = parse_query(raw)
    assert parsed.window_seconds == seconds
    assert parsed.text == words


def test_feed_section_and_page() -> None:
    parsed = parse_query("sạt lở feed:lamdong mục:thoi-su trang 3")
    assert parsed.feed == "lamdong"
    assert parsed.section == "thoi-su"
    assert parsed.page == 3
    assert parsed.text == "sạt lở"


def test_last_word_is_a_prefix_unless_finished() -> None:
    assert parse_query("festival hoa da la").terms[-1].prefix
    assert not parse_query("festival hoa da la ").terms[-1].prefix
    assert not parse_query("hoa t").terms[-1].prefix  # one letter would match everything
    assert not parse_query("năm 2023").terms[-1].prefix


def test_expressions_quote_every_word() -> None:
    terms = parse_query("đèo prenn and").terms
    assert phrase_expression(terms) == '"deo prenn and"*'
    assert all_expression(terms) == '"deo" AND "prenn" AND "and"*'


def test_figures_are_cut_like_the_index() -> None:
    assert index_form("Ngày 25/02/2023, giá 17.200 đồng") == "ngay 25 02 2023 gia 17 200 dong"
    assert [t.folded for t in parse_query("25/02/2023", prefix_last=False).terms] == [
        "25",
        "02",
        "2023",
    ]


def _candidate(
    id: int, title: str, lead: str = "", time: float = 0.0, *, all_terms: bool = False
) -> Candidate:
    return Candidate(id=id, title=title, lead=lead, time=time, all_terms=all_terms)


def test_title_beats_lead_and_neighbours_beat_scattered() -> None:
    """The phrase in the title, then in the lead; scattered, the title before the lead."""
    terms = parse_query("dân vận", prefix_last=False).terms
    weights = [0.5, 0.5]
    ranked = rank(
        [
            _candidate(1, "Tin khác", "Công tác dân vận ở xã", all_terms=True),
            _candidate(2, "Dân vận khéo ở Lâm Đồng", "", all_terms=True),
            _candidate(3, "Người dân đi bộ, xe vận tải", "", all_terms=True),
            _candidate(4, "Tin khác nữa", "", all_terms=True),
            _candidate(5, "Tin khác", "Người dân đi bộ, xe vận tải", all_terms=True),
        ],
        terms,
        weights,
    )
    assert [c.id for c in ranked] == [2, 1, 3, 5, 4]


def test_exact_diacritics_rank_above_folded_only() -> None:
    terms = parse_query("sầu riêng", prefix_last=False).terms
    ranked = rank(
        [
            _candidate(1, "Sâu riêng một mình", time=10.0, all_terms=True),
            _candidate(2, "Giá sầu riêng tăng", time=1.0, all_terms=True),
        ],
        terms,
        [0.5, 0.5],
    )
    assert [c.id for c in ranked] == [2, 1]
    folded = parse_query("sau rieng", prefix_last=False).terms
    assert [c.id for c in rank(ranked, folded, [0.5, 0.5])] == [1, 2]  # tie: newer first


def test_highlight_marks_whole_words_and_joins_neighbours() -> None:
    terms = parse_query("da lat", prefix_last=False).terms
    runs = highlight("Mưa lớn ở Đà Lạt, đất lở", terms)
    assert runs == [("Mưa lớn ở ", False), ("Đà Lạt", True), (", đất lở", False)]
    assert [r for r in highlight("Dalat", terms) if r[1]] == []


def test_snippet_picks_the_window_with_the_words() -> None:
    terms = parse_query("đèo prenn", prefix_last=False).terms
    body = (
        ("Một câu không liên quan. " * 20)
        + "Sạt lở trên đèo Prenn làm tắc đường. "
        + ("Câu khác. " * 20)
    )
    runs = snippet(["Lead không có gì.", body], terms, width=120)
    text = "".join(r[0] for r in runs)
    assert "đèo Prenn" in text
    assert ("đèo Prenn", True) in runs
    assert text.startswith("…") and text.endswith("…")
    assert len(text) <= 125


def test_snippet_without_match_is_the_start_of_the_lead() -> None:
    terms = [Term("xyz", "xyz")]
    runs = snippet(["Lead ngắn.", "Thân bài."], terms)
    assert runs == [("Lead ngắn.", False)]
