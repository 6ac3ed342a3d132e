"""Highlights that mean what they say, and every word before some (issue 14, part 4).

Through the real search path on both backends (the `store` fixture), and the reply as
Telegram (HTML) and Zalo (plain text) render it.
"""

from __future__ import annotations

from bot.core.matching import highlight, snippet
from bot.core.query import parse_query
from bot.core.replies import Reply, Request
from bot.platforms.telegram.render import TEXT_LIMIT, render_html
from bot.platforms.zalo.render import render_text
from bot.store import Store
from handlers.base import Context
from handlers.search import search_command
from tests.search.conftest import BASE, HOUR, add_story


def ids(store: Store, query: str, **kwargs: object) -> list[int]:
    return [hit.article.id for hit in store.sync.search.search(query, **kwargs)]  # type: ignore[arg-type]


def bold(runs: list[tuple[str, bool]]) -> list[str]:
    return [text for text, marked in runs if marked]


def request(text: str, platform: str = "telegram") -> Request:
    return Request(
        platform=platform,
        chat_id="1",
        text=f"/search {text}",
        command="search",
        args=tuple(text.split()),
        buttons=platform != "zalo",
    )


def seed_durian(store: Store) -> dict[str, int]:
    """The issue's case: a newer story whose only "riêng" follows a sentence ending in "sau"."""
    return {
        "durian": add_story(
            store,
            "durian",
            "Nông dân Tây Nguyên trúng mùa",
            "Giá nông sản tăng cao.",
            "Nhiều nhà vườn trồng sầu riêng thu lãi lớn. Sau đó họ mở rộng vườn.",
            hours=0,
        ),
        "riêng": add_story(
            store,
            "rieng",
            "Riêng năm 2023, xuất khẩu rau quả đạt 5,6 tỷ USD",
            "Xuất khẩu tăng đều những năm sau. Riêng năm 2023 đạt kỷ lục.",
            hours=10,
        ),
        "only": add_story(
            store, "only", "Riêng tháng 5 có 3 cơn bão", "Bão liên tiếp vào bờ.", hours=20
        ),
    }


def test_every_word_ranks_above_one_word(store: Store) -> None:
    made = seed_durian(store)
    for query in ("sầu riêng", "sau rieng", "Sầu Riêng"):
        found = ids(store, query)
        assert found[0] == made["durian"], query
        assert found.index(made["durian"]) < found.index(made["riêng"]), query
    # the index alone says "sau rieng" sits in the "Riêng năm 2023" story (a full stop
    # stands between, which the index does not see); its title holds "riêng" too, yet the
    # real phrase, in a body, comes first


def test_stories_with_some_words_come_after_all_words(store: Store) -> None:
    """Fewer than a page hold every word: those holding some follow, never before."""
    made = seed_durian(store)
    found = ids(store, "sầu riêng")
    assert set(found) == set(made.values())
    assert found[0] == made["durian"]
    page = store.sync.search.search_page("sầu riêng", limit=1)
    assert [h.article.id for h in page.hits] == [made["durian"]] and page.has_more


def test_pages_go_on_from_one_another_into_stories_with_some_words(store: Store) -> None:
    """The fallback runs on later pages only; no story shows twice or is skipped."""
    for i in range(3):
        add_story(store, f"all{i}", f"Sầu riêng vụ {i}", "Giá cao.", hours=i)
    for i in range(4):
        add_story(store, f"some{i}", f"Riêng tháng {i} mưa nhiều", "Bão vào.", hours=10 + i)
    add_story(store, "folded", "Sau đó riêng ngành điện", "", hours=20)
    whole = ids(store, "sầu riêng", limit=20)
    assert len(whole) == 8
    pages = [ids(store, "sầu riêng", limit=2, offset=n) for n in range(0, 8, 2)]
    assert [i for page in pages for i in page] == whole
    titles = {
        h.article.id: h.article.title for h in store.sync.search.search("sầu riêng", limit=20)
    }
    assert [titles[i][:8] for i in whole[:4]] == ["Sầu riên"] * 3 + ["Sau đó r"]


def test_the_time_window_and_feeds_still_hold(store: Store) -> None:
    made = seed_durian(store)
    elsewhere = add_story(
        store, "far", "Sầu riêng Cái Mơn vào mùa", hours=0, feed="Bến Tre", section="kinh-te"
    )
    window = store.sync.search.search_page("3d sầu riêng", now=BASE + 91 * HOUR)
    assert [h.article.id for h in window.hits] == [made["only"]]  # only it is that recent
    assert ids(store, "sầu riêng feed:bentre") == [elsewhere]
    assert ids(store, "sầu riêng section:kinh-te") == [elsewhere]


def test_the_phrase_is_bolded_not_a_lone_word_that_folds_alike() -> None:
    terms = parse_query("da lat", prefix_last=False).terms
    text = "Du khách đã đến Đà Lạt dịp lễ, đã kín phòng."
    assert bold(highlight(text, terms)) == ["Đà Lạt"]
    # no phrase anywhere: each word that matched is shown
    assert bold(highlight("Xe lật trên đèo, khách đã về.", terms)) == ["lật", "đã"]
    # the phrase in the body keeps a lone "đã" in the lead plain too
    runs = snippet(["Khách đã về.", "Mưa ở Đà Lạt."], terms)
    assert bold(runs) == ["Đà Lạt"]
    # one word typed: every place it is
    assert bold(highlight("Đà Lạt đã vào mùa.", parse_query("da").terms)) == ["Đà", "đã"]


def test_words_typed_with_diacritics_are_bolded_only_as_typed() -> None:
    terms = parse_query("sầu riêng", prefix_last=False).terms
    assert bold(highlight("Sau đó, riêng năm nay, sầu riêng được mùa.", terms)) == ["sầu riêng"]
    assert bold(highlight("Năm sau. Riêng năm 2023", terms)) == ["Riêng"]
    folded = parse_query("sau rieng", prefix_last=False).terms
    assert bold(highlight("Năm sau. Riêng năm 2023", folded)) == ["sau", "Riêng"]


def test_runs_of_the_query_inside_a_longer_query() -> None:
    terms = parse_query("putin kim jong un", prefix_last=False).terms
    text = "Ông Putin gặp Kim Jong-un; ông Kim nói."
    assert bold(highlight(text, terms)) == ["Putin", "Kim Jong-un"]
    figures = parse_query("25/02/2023", prefix_last=False).terms
    assert bold(highlight("Ngày 25/02/2023, tháng 02 năm 2023.", figures)) == ["25/02/2023"]


def test_the_snippet_prefers_the_window_with_the_phrase() -> None:
    terms = parse_query("da lat", prefix_last=False).terms
    body = "Xe lật ở đèo, khách đã về. " + "Câu khác nữa. " * 30 + "Khách đổ về Đà Lạt dịp lễ."
    runs = snippet(["", body], terms, width=100)
    assert bold(runs) == ["Đà Lạt"]


def _bolds(reply: Reply) -> list[str]:
    return [s.text for s in reply.body if s.bold and not s.url]


async def test_reply_bolds_da_lat_and_not_da_and_escapes(store: Store) -> None:
    add_story(
        store,
        "dl",
        "Khách đổ về thành phố hoa",
        "Du khách đã đến Đà Lạt dịp lễ: giá phòng tăng 20% & chỗ <3 ngày đã kín.",
        hours=0,
    )
    add_story(store, "lat", "Xe lật trên đèo", "Khách đã về, không ai bị thương.", hours=5)
    ctx = Context(store=store)
    for query in ("da lat", "dalat", "Đà Lạt"):
        [reply] = await search_command(request(query), ctx)
        assert _bolds(reply)[:1] == ["Đà Lạt"], query
        assert "đã" not in _bolds(reply)[:1], query
    [reply] = await search_command(request("da lat"), ctx)
    html = render_html(reply.body, TEXT_LIMIT)
    assert "<b>Đà Lạt</b>" in html
    assert "<b>đã</b>" not in html.split("Xe lật")[0]  # the Đà Lạt story's snippet
    assert "&amp; chỗ &lt;3 ngày" in html
    [zalo] = await search_command(request("da lat", platform="zalo"), ctx)
    text = render_text(zalo)
    assert "Đà Lạt dịp lễ: giá phòng tăng 20% & chỗ <3 ngày" in text
    assert "<b>" not in text


async def test_reply_for_sau_rieng_leads_with_the_durian_story(store: Store) -> None:
    seed_durian(store)
    ctx = Context(store=store)
    [reply] = await search_command(request("sầu riêng"), ctx)
    titles = [s.text for s in reply.body if s.url]
    assert titles[0] == "Nông dân Tây Nguyên trúng mùa"
    assert _bolds(reply)[0] == "sầu riêng"
    html = render_html(reply.body, TEXT_LIMIT)
    assert "<b>sầu riêng</b>" in html
