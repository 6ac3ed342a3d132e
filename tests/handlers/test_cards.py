"""Story cards, digests and broadcasts: what a reader sees, and what never gets through."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.records import Article
from bot.core.replies import Reply, safe_url
from handlers.cards import DIGEST_MAX_LINES, article_card, broadcast_reply, clean, digest_reply

NOW = 1_764_000_000.0  # 24/11/2025 16:00 UTC = 23:00 in Ho Chi Minh City
ARTICLE = Article(
    id=42,
    key="k42",
    feed_id=1,
    feed_name="Lâm Đồng TV",
    url="https://ldtv.example/da-lat.html",
    title="Đà Lạt đón mùa hoa dã quỳ",
    lead="Sapo.",
    body="Thân bài.",
    summary="Hoa dã quỳ nở vàng các con dốc.",
    image="https://ldtv.example/anh.jpg",
    section=None,
    published_at=NOW,
    fetched_at=NOW + 60,
)


def urls(reply: Reply) -> list[str]:
    found = [span.url for span in reply.body if span.url]
    found += [b.url for row in reply.buttons for b in row if b.url]
    found += [u for u in (reply.photo, reply.preview_url) if u]
    return found


def test_card_layout() -> None:
    card = article_card(ARTICLE, "vi", "BantinBot", "Asia/Ho_Chi_Minh")
    title, summary, footer = card.body
    assert title.text == ARTICLE.title and title.bold
    assert summary.text.strip() == ARTICLE.summary and not summary.bold
    assert footer.text.strip() == "Lâm Đồng TV · 24/11/2025 23:00"
    assert card.photo == ARTICLE.image
    assert card.preview_url == ARTICLE.url
    (row,) = card.buttons
    assert [(b.text, b.url, b.share) for b in row] == [
        ("Đọc tiếp", ARTICLE.url, None),
        ("Chia sẻ", None, "a_42"),
    ]


def test_card_in_english_and_another_zone() -> None:
    card = article_card(ARTICLE, "en", None, "UTC")
    assert [b.text for b in card.buttons[0]] == ["Read more", "Share"]
    assert card.body[-1].text.endswith("24/11/2025 16:00")


def test_card_with_a_bad_zone_falls_back_to_vietnam() -> None:
    card = article_card(ARTICLE, "vi", None, "Mars/Olympus")
    assert card.body[-1].text.endswith("23:00")


def test_card_without_summary_uses_lead_and_without_feed_the_host() -> None:
    bare = replace(ARTICLE, summary="", feed_name=None, image=None, published_at=None)
    card = article_card(bare, "vi", None, "Asia/Ho_Chi_Minh")
    assert card.body[1].text.strip() == "Sapo."
    assert card.body[2].text.strip() == "ldtv.example · 24/11/2025 23:01"
    assert card.photo is None


@pytest.mark.parametrize(
    "bad",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>",
        "file:///etc/passwd",
        "ftp://example.com/x",
        "//example.com/x",
        "/relative/path",
        "https://exa mple.com/",
        'https://example.com/"onmouseover="x',
        "https://example.com/\x00",
        "http://",
        "",
    ],
)
def test_only_http_links_reach_a_reply(bad: str) -> None:
    assert safe_url(bad) is None
    card = article_card(replace(ARTICLE, url=bad, image=bad), "vi", None, "Asia/Ho_Chi_Minh")
    assert urls(card) == []
    assert [b.text for b in card.buttons[0]] == ["Chia sẻ"]
    digest = digest_reply([replace(ARTICLE, url=bad)], "vi", "Asia/Ho_Chi_Minh")
    assert urls(digest) == []


def test_safe_url_keeps_real_links() -> None:
    for good in ("https://baolamdong.vn/a-b.html?x=1&y=2#c", "HTTP://ldtv.example/x"):
        assert safe_url(good) == good


def test_hostile_title_stays_text() -> None:
    hostile = replace(ARTICLE, title="<script>alert(1)</script>\u202e\x1b[31m <b>x</b>")
    card = article_card(hostile, "vi", None, "Asia/Ho_Chi_Minh")
    assert card.body[0].text == "<script>alert(1)</script>[31m <b>x</b>"


def test_empty_title_never_makes_an_empty_card() -> None:
    card = article_card(replace(ARTICLE, title="  \x00 "), "vi", None, "Asia/Ho_Chi_Minh")
    assert card.body[0].text == "Lâm Đồng TV"


def test_digest_lines() -> None:
    second = replace(ARTICLE, id=43, title="Tin thứ hai", published_at=NOW - 3600)
    digest = digest_reply([ARTICLE, second], "vi", "Asia/Ho_Chi_Minh")
    assert digest.body[0].text == "Bản tin 24/11/2025" and digest.body[0].bold
    lines = digest.plain.split("\n")[1:]
    assert lines == ["• Đà Lạt đón mùa hoa dã quỳ — 23:00 24/11", "• Tin thứ hai — 22:00 24/11"]
    linked = [s for s in digest.body if s.url]
    assert [s.url for s in linked] == [ARTICLE.url, ARTICLE.url] and all(s.bold for s in linked)


def test_digest_empty_and_long() -> None:
    assert "Không có tin mới" in digest_reply([], "vi", "Asia/Ho_Chi_Minh").plain
    many = [replace(ARTICLE, id=i) for i in range(DIGEST_MAX_LINES + 7)]
    digest = digest_reply(many, "en", "Asia/Ho_Chi_Minh")
    assert digest.plain.count("•") == DIGEST_MAX_LINES
    assert digest.plain.endswith("… and 7 more")


def test_broadcast_is_plain_text() -> None:
    reply = broadcast_reply("Thông báo: <b>bảo trì</b>\x00 tối nay\r\n\r\n\r\n\r\nCảm ơn.")
    assert reply.body == (reply.body[0],) and not reply.body[0].bold and not reply.body[0].url
    assert reply.plain == "Thông báo: <b>bảo trì</b> tối nay\n\nCảm ơn."
    assert reply.buttons == () and reply.photo is None


def test_clean_normalizes_tone_marks() -> None:
    assert clean("hoà") == clean("hòa")
