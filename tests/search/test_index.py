"""The index and the ranking through the store: what readers see first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.core.records import StoryRecord
from bot.store import Store
from bot.store.migrations import MIGRATIONS
from bot.store.search import BODY_CANDIDATES, TITLE_CANDIDATES
from bot.store.sqlite import SqliteDatabase
from tests.search.conftest import BASE, HOUR, add_story


def ids(store: Store, query: str, **kwargs: object) -> list[int]:
    return [hit.article.id for hit in store.sync.search.search(query, **kwargs)]  # type: ignore[arg-type]


def test_with_or_without_diacritics(store: Store) -> None:
    dalat = add_story(store, "dl", "Mưa lớn ở Đà Lạt", "Đà Lạt ngập sâu.")
    add_story(store, "x", "Giá xăng giảm", "Không liên quan.")
    for query in ("Đà Lạt", "da lat", "DA LAT", "đà lạt", "dalat"):
        assert ids(store, query) == [dalat], query


def test_exact_diacritics_rank_above_folded_only(store: Store) -> None:
    exact = add_story(store, "a", "Giá sầu riêng tăng mạnh", hours=0)
    folded = add_story(store, "b", "Sâu riêng mùa này", hours=5)  # newer, folded match only
    assert ids(store, "sầu riêng")[:2] == [exact, folded]
    assert ids(store, "sau rieng")[:2] == [folded, exact]  # no diacritics: recency


def test_tone_conventions_match(store: Store) -> None:
    new_style = add_story(store, "a", "Thủy điện Hòa Bình xả lũ")
    assert ids(store, "thuỷ điện hoà bình") == [new_style]


def test_neighbours_beat_scattered_words(store: Store) -> None:
    scattered = add_story(store, "a", "Dân làng góp sức, xe vận chuyển đá", hours=5)
    phrase = add_story(store, "b", "Làm tốt công tác dân vận", hours=0)
    assert ids(store, "dân vận")[:2] == [phrase, scattered]


def test_title_beats_lead_beats_body(store: Store) -> None:
    body = add_story(store, "a", "Tin một", "Tin tức.", "Đèo Prenn sạt lở hôm qua.", hours=9)
    lead = add_story(store, "b", "Tin hai", "Sạt lở đèo Prenn.", "Không gì.", hours=8)
    title = add_story(store, "c", "Sạt lở đèo Prenn", "Tin tức.", "Không gì.", hours=0)
    assert ids(store, "deo prenn") == [title, lead, body]


def test_recency_breaks_ties(store: Store) -> None:
    old = add_story(store, "a", "Bão số 3 đổ bộ", hours=0)
    new = add_story(store, "b", "Bão số 3 đổ bộ", hours=10)
    assert ids(store, "bão số 3") == [new, old]


def test_partial_last_word_and_misspacing(store: Store) -> None:
    festival = add_story(store, "a", "Festival hoa Đà Lạt 2023 khai mạc")
    add_story(store, "b", "Hoa hậu đến Hà Nội")
    assert ids(store, "festival hoa da la")[0] == festival
    assert ids(store, "festivalhoa")[0] == festival
    assert ids(store, "festi")[0] == festival


def test_one_unknown_word_does_not_empty_the_answer(store: Store) -> None:
    dalat = add_story(store, "a", "Mưa lớn ở Đà Lạt")
    assert ids(store, "da lat qwxzy") == [dalat]
    assert ids(store, "qwxzy") == []


def test_numbers_and_dates(store: Store) -> None:
    gold = add_story(store, "a", "Giá vàng hôm nay 12/4: vọt qua 37 triệu đồng")
    add_story(store, "b", "Giá vàng hôm nay 28/10")
    assert ids(store, "gia vang 12/4")[0] == gold
    assert ids(store, "37 trieu")[0] == gold


def test_feed_section_and_time_window(store: Store) -> None:
    a = add_story(store, "a", "Sạt lở ở Lâm Đồng", hours=0, feed="Lâm Đồng", section="thoi-su")
    b = add_story(store, "b", "Sạt lở ở Huế", hours=200, feed="Huế", section="xa-hoi")
    assert set(ids(store, "sạt lở")) == {a, b}
    huế = store.sync.search.feed_id("hue")
    assert ids(store, "sạt lở", feed_id=huế) == [b]
    assert ids(store, "sạt lở feed:lamdong") == [a]
    assert ids(store, "sạt lở feed:khongco") == []
    assert ids(store, "sạt lở", section="thoi-su") == [a]
    assert ids(store, "sạt lở", since=BASE + 100 * HOUR) == [b]
    page = store.sync.search.search_page("7d sạt lở", now=BASE + 205 * HOUR)
    assert [h.article.id for h in page.hits] == [b]
    assert store.sync.search.search_page("7d sạt lở", now=BASE + 900 * HOUR).hits == ()


def test_paging(store: Store) -> None:
    made = [add_story(store, f"k{i}", f"Tin bão số {i}", hours=i) for i in range(12)]
    first = store.sync.search.search_page("bão", limit=5)
    last = store.sync.search.search_page("bão", limit=5, offset=10)
    assert first.has_more and not last.has_more
    assert [h.article.id for h in first.hits] == made[::-1][:5]
    assert [h.article.id for h in last.hits] == made[::-1][10:]


def test_very_common_words_are_bounded(store: Store) -> None:
    """More matches than the candidate caps: the newest win, and the rare word still counts."""
    n = TITLE_CANDIDATES + BODY_CANDIDATES + 50
    with store.db.transaction() as conn:
        from bot.store.articles import insert_article

        for i in range(n):
            story = StoryRecord(
                f"c{i}", f"https://x.vn/{i}", f"Tin tỉnh số {i}", "", "", "", None, None, BASE + i
            )
            insert_article(conn, None, story, BASE + i)
        rare = StoryRecord(
            "r", "https://x.vn/r", "Tỉnh Kon Tum có tin", "", "", "", None, None, BASE - 10
        )
        rare_id = insert_article(conn, None, rare, BASE - 10)
    hits = ids(store, "tỉnh", limit=3)
    assert len(hits) == 3
    assert ids(store, "tinh kon tum")[0] == rare_id


def test_corrected_story_is_reindexed(store: Store) -> None:
    article_id = add_story(store, "a", "Lũ quét ở Lâm Đồng")
    story = StoryRecord(
        "a", "https://bao.example.vn/a.html", "Lốc xoáy ở Gia Lai", "", "", "", None, None, BASE
    )
    assert store.sync.articles.update_text(article_id, story)
    assert ids(store, "lu quet") == []
    assert ids(store, "loc xoay") == [article_id]


def test_long_queries_are_remembered(store: Store) -> None:
    number = store.sync.search.remember_query("một truy vấn rất dài " * 5)
    assert store.sync.search.remember_query("một truy vấn rất dài " * 5) == number
    assert store.sync.search.recall_query(number) == "một truy vấn rất dài " * 5
    assert store.sync.search.recall_query(number + 100) is None


def test_a_schema_1_database_is_indexed_on_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute(
        "INSERT INTO articles (key, url, title, lead, body, fetched_at) "
        "VALUES ('k', 'https://x.vn', 'Mưa ở Đà Lạt', '', '', 1.0)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    store = Store(path)
    try:
        assert ids(store, "da lat") == [1]
        with store.db.reading() as c:
            assert c.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert store.sync.search.rebuild() == 1
        assert ids(store, "da lat") == [1]
    finally:
        store.close()
    SqliteDatabase(path).close()  # opening again does not rebuild or fail


def test_a_phrase_of_very_common_words_scans_only_the_newest_stories(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.store.search as search_module

    monkeypatch.setattr(search_module, "COMMON_IN_TITLES", 2)
    monkeypatch.setattr(search_module, "STORY_WINDOW", 3)
    old = add_story(store, "old", "Tin một", "", "Hai công an bị thương.", hours=0)
    for i in range(5):
        add_story(store, f"n{i}", f"Hai công an bị {i}", "", "", hours=i + 1)
    assert old not in ids(store, "hai cong an bi", limit=20)  # body phrase, too old
    assert old in ids(store, "thuong", limit=20)  # a rarer word still reaches it


def test_title_phrase_beats_scattered_title_words_with_the_phrase_in_the_body(
    store: Store,
) -> None:
    scattered = add_story(
        store,
        "a",
        "Xe khách lật, mưa lớn ở đèo",
        "Mưa lớn làm lật xe khách.",
        "Xe khách lật trên đèo trong mưa lớn.",
        hours=5,
    )
    phrase = add_story(store, "b", "Lật xe khách trên quốc lộ 20", hours=0)
    assert ids(store, "lat xe khach")[:2] == [phrase, scattered]


def test_a_whole_last_word_beats_its_beginning(store: Store) -> None:
    whole = add_story(store, "a", "Bão số 9 vào bờ", hours=0)
    begun = add_story(store, "b", "Bão sớm vào bờ", hours=5)  # newer; "so" begins "sớm"
    assert ids(store, "bao so")[:2] == [whole, begun]
