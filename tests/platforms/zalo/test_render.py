"""Reply → Zalo plain text: links written out, buttons as lines, cut on a boundary."""

from __future__ import annotations

from bot.core.replies import Button, Reply, Span
from bot.platforms.cutting import units
from bot.platforms.zalo.client import TEXT_LIMIT
from bot.platforms.zalo.render import render_text, shorten

# ---- rendering -------------------------------------------------------------------------


def test_text_over_2000_is_cut_on_a_sentence_boundary() -> None:
    text = " ".join(f"Câu số {n} kể chuyện mưa ở Đà Lạt." for n in range(200))
    out = shorten(text, TEXT_LIMIT)
    assert units(out) <= TEXT_LIMIT and out.endswith("Đà Lạt. …")
    assert text.startswith(out[:-2])
    assert units(out) > TEXT_LIMIT - 60  # not wastefully short


def test_cut_falls_back_to_words_and_never_splits_a_link() -> None:
    words = "mưa " * 600  # no sentence end at all
    out = shorten(words, 100)
    assert units(out) <= 100 and out.endswith("mưa…")
    link = "https://baolamdong.vn/" + "a" * 150 + ".html"
    text = "Xem " + link + " ngay"
    cut = shorten(text, 120)
    assert link not in cut and "https://" not in cut and cut.startswith("Xem")


def test_emoji_count_twice_so_either_count_fits() -> None:
    text = "🌧" * 1500
    out = shorten(text, TEXT_LIMIT)
    assert units(out) <= TEXT_LIMIT and len(out) <= 1000


def test_links_are_written_out_and_buttons_become_lines() -> None:
    reply = Reply(
        body=(
            Span("Bản tin", bold=True),
            Span("\n• "),
            Span("Đà Lạt mưa", bold=True, url="https://baolamdong.vn/mua.html"),
            Span(" — 07:00\n• "),
            Span("Hoa nở", url="javascript:alert(1)"),
            Span(" — 08:00"),
        ),
        buttons=(
            (
                Button("Đọc tiếp", url="https://baolamdong.vn/mua.html"),
                Button("Chia sẻ", share="a_1"),
                Button("Trang sau", callback="search:2:x"),
            ),
            (Button("Nguồn", url="https://lamdongtv.vn/"),),
        ),
    )
    assert render_text(reply) == (
        "Bản tin\n• Đà Lạt mưa — 07:00\nhttps://baolamdong.vn/mua.html\n• Hoa nở — 08:00"
        "\n\nNguồn: https://lamdongtv.vn/"
    )


def test_long_card_keeps_its_link_line() -> None:
    reply = Reply(
        body=(Span("Tiêu đề", bold=True), Span("\n\n" + "Một câu dài về thời sự. " * 200)),
        buttons=((Button("Đọc tiếp", url="https://baolamdong.vn/x.html"),),),
    )
    out = render_text(reply)
    assert units(out) <= TEXT_LIMIT
    assert out.startswith("Tiêu đề\n\nMột câu") and out.endswith(
        "thời sự. …\n\nĐọc tiếp: https://baolamdong.vn/x.html"
    )


def test_a_notice_only_reply_is_sent_as_text() -> None:
    assert render_text(Reply(body=(), notice="Đã lưu.")) == "Đã lưu."
