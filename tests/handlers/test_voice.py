"""The newsroom's voice: the greeting answered, cards short and dated as people say it,
the search header, Vietnamese quotation marks and no dateline in snippets."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime

import pytest

from bot.core.records import Article, StoryRecord
from bot.core.settings import CardConfig
from bot.store import Store
from bot.store.articles import insert_article
from handlers.base import Context
from handlers.cards import article_card, card_summary, strip_dateline, when
from handlers.i18n import STRINGS
from handlers.router import handle
from handlers.stats import duration
from tests.fakes.news_site import VN_TZ
from tests.handlers.test_router import ctx, one, private, store, zalo  # noqa: F401

NOW = datetime(2026, 12, 3, 23, 30, tzinfo=VN_TZ).timestamp()
LONG = (
    "(Lamdongtv.vn) - Sáng nay, UBND tỉnh Lâm Đồng họp báo về sạt lở đèo Prenn. "
    "Đèo được thông xe một làn từ 17 giờ chiều nay. "
    "Lực lượng chức năng túc trực suốt đêm để điều tiết giao thông. "
    "Người dân được khuyến cáo đi đường cao tốc Liên Khương. "
    "Dự kiến đến cuối tuần đèo sẽ thông xe hoàn toàn."
)
ARTICLE = Article(
    id=7,
    key="k7",
    feed_id=1,
    feed_name="Lâm Đồng TV",
    url="https://lamdongtv.vn/sat-lo.html",
    title="Sạt lở đèo Prenn",
    lead="Sáng nay, UBND tỉnh Lâm Đồng họp báo về sạt lở đèo Prenn.",
    body="…",
    summary=LONG,
    image="https://lamdongtv.vn/anh.jpg",
    section=None,
    published_at=NOW - 3600,
    fetched_at=NOW - 3500,
)


def test_the_card_summary_is_whole_sentences_within_the_length_and_no_dateline() -> None:
    summary = card_summary(ARTICLE, 300)
    assert summary.startswith("Sáng nay, UBND") and "Lamdongtv" not in summary
    assert len(summary) <= 300 and summary.endswith(".") and summary.count(". ") <= 2
    short = card_summary(ARTICLE, 40)
    assert short.endswith("…") and len(short) <= 41 and short.startswith("Sáng nay, UBND")
    repeated = replace(ARTICLE, summary="Sạt lở đèo Prenn. Sạt lở đèo Prenn. Đèo thông xe.")
    assert card_summary(repeated, 300) == "Đèo thông xe."


def test_times_read_as_people_say_them() -> None:
    zone = "Asia/Ho_Chi_Minh"
    assert when(NOW - 3600, zone, "vi", NOW) == "22:30 hôm nay"
    assert when(NOW - 86_400, zone, "vi", NOW) == "hôm qua 23:30"
    assert when(NOW - 86_400, zone, "en", NOW) == "yesterday 23:30"
    assert when(NOW - 5 * 86_400, zone, "vi", NOW) == "28/11 23:30"
    assert when(NOW - 400 * 86_400, zone, "vi", NOW) == "29/10/2025 23:30"


def test_card_settings_drive_what_the_card_shows() -> None:
    card = article_card(ARTICLE, "vi", None, "Asia/Ho_Chi_Minh", now=NOW)
    assert card.body[-1].text.strip() == "Lâm Đồng TV · 22:30 hôm nay"
    bare = CardConfig(image=False, source=False, time=False)
    plain = article_card(ARTICLE, "vi", None, "Asia/Ho_Chi_Minh", bare, now=NOW)
    assert plain.photo is None and len(plain.body) == 2


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("(Lamdongtv.vn) - Sáng nay…", "Sáng nay…"),
        ("(LĐ) – Chiều 2/12…", "Chiều 2/12…"),
        ("TTO - Sáng nay…", "Sáng nay…"),
        ("Đà Lạt - thành phố ngàn hoa", "Đà Lạt - thành phố ngàn hoa"),
    ],
)
def test_datelines_are_dropped(text: str, stripped: str) -> None:
    assert strip_dateline(text) == stripped


def test_no_guillemets_and_do_not_disturb_in_every_string() -> None:
    for key, entry in STRINGS.items():
        for text in entry.values():
            assert "«" not in text.replace("« Tr", "").replace("« Pr", ""), key
            assert "yên lặng" not in text, key
    assert STRINGS["settings.quiet"]["vi"].startswith("Giờ không làm phiền")


async def test_a_greeting_is_answered(ctx: Context) -> None:  # noqa: F811
    hello = one(await handle(private("Xin chào"), replace(ctx, bot_name="Lâm Đồng TV"))).plain
    assert hello.startswith("Xin chào! Lâm Đồng TV") and "/start" in hello
    typed = one(await handle(zalo("chào"), ctx)).plain
    assert "“đăng ký”" in typed and "/start" not in typed


async def test_the_search_header_shows_the_words_and_the_window_apart(
    ctx: Context,  # noqa: F811
    store: Store,  # noqa: F811
) -> None:
    story = StoryRecord(
        key="fresh",
        url="https://ldtv.example/sau-rieng.html",
        title="Sầu riêng Đà Lạt vào mùa",
        lead="(Lamdongtv.vn) - Nông dân Đà Lạt thu hoạch sầu riêng.",
        body="Thân bài về sầu riêng.",
        summary="Tóm tắt.",
        image=None,
        section=None,
        published_at=time.time() - 600,
    )
    with store.db.transaction() as conn:
        insert_article(conn, None, story, time.time())
    (page,) = await handle(private("/search 7d sầu riêng"), ctx)
    assert "Lamdongtv.vn" not in page.plain  # the snippet starts with the story
    header = page.plain.splitlines()[0]
    assert header.startswith("🔎 “sầu riêng” · 7 ngày qua · trang 1"), header


def test_figures_are_written_the_way_each_language_writes_them() -> None:
    assert duration(252, "vi") == "4,2 phút" and duration(252, "en") == "4.2 min"
    assert duration(5400, "vi") == "1,5 giờ" and duration(30, "vi") == "30 giây"


async def test_admin_replies_follow_the_admins_language(ctx: Context, store: Store) -> None:  # noqa: F811
    admin = replace(ctx, admins={"telegram": frozenset({"100"})}, bot_name="Lâm Đồng TV")
    menu = one(await handle(private("/admin"), admin)).plain
    assert menu.startswith("Quản trị Lâm Đồng TV")
    one(await handle(private("/lang en"), admin))
    menu = one(await handle(private("/admin"), admin)).plain
    assert menu.startswith("Managing Lâm Đồng TV") and "Bantin" not in menu
    stats = one(await handle(private("/stats"), admin)).plain
    assert stats.startswith("📊 Lâm Đồng TV at") and "Active readers" in stats
    refused = one(
        await handle(private("/stats", chat_id="300", user_id="300", user_language="en"), admin)
    )
    assert refused.plain == "You are not an admin of Lâm Đồng TV."
