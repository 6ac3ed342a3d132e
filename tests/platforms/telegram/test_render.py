"""Reply → Telegram HTML: escaped, http(s) links only, cut at a boundary, never in a tag."""

from __future__ import annotations

import httpx
import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.core.outcome import Kind
from bot.core.replies import Button, Span, safe_url
from bot.platforms.cutting import shorten, units
from bot.platforms.telegram.errors import classify
from bot.platforms.telegram.render import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    command_descriptions,
    keyboard,
    render_html,
    render_plain,
)
from tests.fakes.telegram_api import check_html


def test_every_field_is_escaped_and_links_are_http_only() -> None:
    spans = (
        Span("<b>&amp;</script>", bold=True),
        Span(" a < b & c > d "),
        Span("link", url="https://x.vn/?a=1&b='2'"),
        Span(" bad", url="javascript:alert(1)"),
    )
    html = render_html(spans, TEXT_LIMIT)
    assert html == (
        "<b>&lt;b&gt;&amp;amp;&lt;/script&gt;</b> a &lt; b &amp; c &gt; d "
        '<a href="https://x.vn/?a=1&amp;b=&#x27;2&#x27;">link</a> bad'
    )
    error, visible = check_html(html)
    assert error is None and visible.startswith("<b>&amp;</script>")


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "file:///etc/passwd",
        "ftp://x.vn/",
        "//x.vn",
        "http://",
        "https://x.vn/a b",
        "data:text/html,1",
        None,
        "",
    ],
)
def test_unsafe_urls_are_dropped(url: str | None) -> None:
    assert safe_url(url) is None


def test_buttons_keep_only_safe_links_and_short_callbacks() -> None:
    markup = keyboard(
        (
            (Button("Đọc tiếp", url="https://baolamdong.vn/a"), Button("x", url="javascript:1")),
            (Button("Chia sẻ", share="a_5"), Button("dài", callback="x" * 65)),
        )
    )
    assert markup is not None
    rows = markup.to_dict()["inline_keyboard"]
    assert rows == [
        [{"text": "Đọc tiếp", "url": "https://baolamdong.vn/a"}],
        [{"text": "Chia sẻ", "switch_inline_query": "a_5"}],
    ]


def test_long_text_is_cut_at_a_sentence_boundary() -> None:
    sentence = "Đà Lạt đón đợt mưa lớn kéo dài. "
    text = sentence * 200
    cut = shorten(text, 1000)
    assert units(cut) <= 1000
    assert cut.endswith("kéo dài. …") or cut.endswith("kéo dài.…")


def test_a_single_long_sentence_is_cut_at_a_word() -> None:
    text = "một " * 500
    cut = shorten(text.strip(), 101)
    assert units(cut) <= 101 and cut.endswith("một…")


def test_caption_limit_keeps_title_and_footer_whole_and_counts_utf16() -> None:
    spans = (
        Span("Tiêu đề 😀 in đậm", bold=True),
        Span("\n\n" + "Tóm tắt rất dài. " * 200),
        Span("\n\nBáo Lâm Đồng · 26/11/2026 21:22"),
    )
    html = render_html(spans, CAPTION_LIMIT)
    error, visible = check_html(html)
    assert error is None
    assert units(visible) <= CAPTION_LIMIT
    assert html.startswith("<b>Tiêu đề 😀 in đậm</b>")
    assert visible.endswith("Báo Lâm Đồng · 26/11/2026 21:22")
    assert "…" in visible


def test_when_only_markup_is_left_it_is_cut_inside_its_tags() -> None:
    html = render_html((Span("Đ" * 5000, url="https://x.vn"),), TEXT_LIMIT)
    error, visible = check_html(html)
    assert error is None and units(visible) <= TEXT_LIMIT
    assert html.startswith('<a href="https://x.vn">') and html.endswith("</a>")


def test_plain_fallback_has_no_markup() -> None:
    assert (
        render_plain((Span("<b>", bold=True), Span(" & x", url="https://x.vn")), 100) == "<b> & x"
    )


def test_errors_map_to_outcomes_bad_request_before_network_error() -> None:
    assert issubclass(BadRequest, NetworkError)
    assert classify(RetryAfter(3)).retry_after == 3.0
    assert classify(ChatMigrated(-1001)).new_chat_id == "-1001"
    assert classify(Forbidden("Forbidden: bot was blocked by the user")).kind is Kind.GONE
    assert classify(BadRequest("Chat not found")).kind is Kind.GONE
    assert classify(BadRequest("Message is too long")).kind is Kind.REJECTED
    assert classify(NetworkError("Bad Gateway")).kind is Kind.RETRY
    not_sent = TimedOut()
    not_sent.__cause__ = httpx.ConnectTimeout("x")
    assert not classify(not_sent).maybe_sent
    read = TimedOut()
    read.__cause__ = httpx.ReadTimeout("x")
    assert classify(read).maybe_sent


def test_command_descriptions_accept_both_shapes() -> None:
    by_language = {"vi": {"start": "Nhận tin"}, "en": {"start": "Subscribe"}}
    by_name = {"start": {"vi": "Nhận tin", "en": "Subscribe"}}
    for shape in (by_language, by_name):
        assert command_descriptions(shape, "en") == {"start": "Subscribe"}
        assert command_descriptions(shape, "vi") == {"start": "Nhận tin"}
