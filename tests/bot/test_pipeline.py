"""The story pipeline end to end: fake site on loopback → fetch → parse → extract →
summarize → store → search, driven through the real CLI."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.store import Store
from tests.conftest import SHARED
from tests.fakes.news_site import VN_TZ, FakeNewsSite

SEED = json.loads((SHARED / "seed/lamdongtv-dan-van.expected.json").read_text(encoding="utf-8"))
DALAT_PARAGRAPHS = [
    "Sáng 12/3, Ủy ban Nhân dân TP Đà Lạt tổ chức lễ khai mạc Festival Hoa Đà Lạt lần thứ 10 "
    "với sự tham gia của hơn 200 nghệ nhân và doanh nghiệp hoa trong và ngoài tỉnh.",
    "Festival năm nay có chủ đề “Đà Lạt - Kết tinh kỳ diệu từ đất lành”, diễn ra trong 5 ngày "
    "tại Quảng trường Lâm Viên và nhiều điểm du lịch của thành phố.",
    "Ban tổ chức dự kiến đón khoảng 1,5 triệu lượt khách, tăng 20% so với kỳ trước.",
]


def write_config(tmp_path: Path, site: FakeNewsSite, *, extra: str = "", feeds: str = "") -> Path:
    config = tmp_path / "config.toml"
    feeds = (
        feeds
        or f"""
[[feeds]]
name = "Tin tức"
url = "{site.feed_url}"
"""
    )
    config.write_text(
        f"""
[storage]
path = "bantin.sqlite3"

[poll]
interval_seconds = 60
alert_after_failures = 2

[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 2.0
max_bytes = 2000000
{extra}
{feeds}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def site() -> Iterator[FakeNewsSite]:
    with FakeNewsSite(slow_seconds=3.0) as running:
        yield running


def publish_seed_and_dalat(site: FakeNewsSite) -> None:
    site.add_story(
        "day-manh-phoi-hop-thuc-hien-tot-cong-tac-dan-van-12345",
        SEED["title"],
        SEED["lead"],
        SEED["body_paragraphs"],
        published=datetime.fromisoformat(SEED["published"]),
        image="/Upload/News/2023/02/25/hoi-nghi-dan-van.jpg",
    )
    site.add_story(
        "khai-mac-festival-hoa-da-lat-12346",
        "Khai mạc Festival Hoa Đà Lạt lần thứ 10",
        "(Lamdongtv.vn) - Festival Hoa Đà Lạt lần thứ 10 khai mạc sáng 12/3 với nhiều hoạt động.",
        DALAT_PARAGRAPHS,
        published=datetime(2024, 3, 12, 9, 30, tzinfo=VN_TZ),
    )


def open_store(tmp_path: Path) -> Store:
    return Store(tmp_path / "bantin.sqlite3")


def test_poll_stores_every_story_once_clean_and_searchable(
    tmp_path: Path, site: FakeNewsSite, capsys: pytest.CaptureFixture[str]
) -> None:
    publish_seed_and_dalat(site)
    config = write_config(tmp_path, site)

    assert main(["poll", "--config", str(config)]) == 0
    store = open_store(tmp_path)
    try:
        articles = store.sync.articles.latest(10)
        assert len(articles) == 2
        seed = next(a for a in articles if a.title == SEED["title"])
        for forbidden in SEED["must_not_be_in_body"]:
            assert forbidden not in seed.body, forbidden
        assert SEED["body_paragraphs"][0][:80] in seed.body
        assert seed.summary and seed.summary != seed.title
        assert "(Lamdongtv.vn)" not in seed.summary
        assert seed.published_at == datetime.fromisoformat(SEED["published"]).timestamp()
        assert seed.image and seed.image.endswith("hoi-nghi-dan-van.jpg")
    finally:
        store.close()

    # Polling again asks with the validators the site gave and stores nothing new.
    site.clear_requests()
    assert main(["poll", "--config", str(config)]) == 0
    feed_requests = site.requests_for(site.feed_url)
    assert feed_requests and feed_requests[-1].headers.get("if-none-match")
    assert not [r for r in site.requests if r.path.endswith(".html")]
    store = open_store(tmp_path)
    try:
        assert store.sync.articles.count() == 2
    finally:
        store.close()

    capsys.readouterr()
    assert main(["search", "--config", str(config), "--json", "da lat"]) == 0
    results = json.loads(capsys.readouterr().out)
    assert results[0]["title"] == "Khai mạc Festival Hoa Đà Lạt lần thứ 10"
    assert {"title", "url", "summary", "published"} <= set(results[0])
    assert results[0]["published"].startswith("2024-03-12T09:30")


def test_first_poll_stores_without_pushing_and_later_polls_push(
    tmp_path: Path, site: FakeNewsSite
) -> None:
    publish_seed_and_dalat(site)
    config = write_config(tmp_path, site)
    store = open_store(tmp_path)
    chat = store.sync.chats.upsert("telegram", "1001")
    store.sync.chats.subscribe(chat.id)
    store.close()

    assert main(["poll", "--config", str(config)]) == 0
    store = open_store(tmp_path)
    try:
        assert store.sync.deliveries.counts() == {}
    finally:
        store.close()

    site.add_story(
        "sat-lo-deo-prenn-12347",
        "Sạt lở trên đèo Prenn sau mưa lớn",
        "(Lamdongtv.vn) - Mưa lớn kéo dài gây sạt lở taluy trên đèo Prenn chiều qua.",
        [
            "Khoảng 200 m³ đất đá tràn xuống mặt đường, giao thông bị ách tắc trong 3 giờ.",
            "Lực lượng chức năng đã phân luồng và dọn dẹp xong lúc 20 giờ cùng ngày.",
        ],
        published=datetime.now(VN_TZ) - timedelta(minutes=5),
    )
    assert main(["poll", "--config", str(config)]) == 0
    store = open_store(tmp_path)
    try:
        assert store.sync.deliveries.counts() == {"pending": 1}
        delivery = store.sync.deliveries.claim("telegram", 10)[0]
        assert delivery.article is not None
        assert delivery.article.title == "Sạt lở trên đèo Prenn sau mưa lớn"
        assert delivery.chat.chat_id == "1001"
    finally:
        store.close()


def test_a_page_that_fails_is_parked_and_stored_on_a_later_poll(
    tmp_path: Path, site: FakeNewsSite
) -> None:
    publish_seed_and_dalat(site)
    broken = site.add_story(
        "trang-loi-12348",
        "Trang tạm thời lỗi",
        "(Lamdongtv.vn) - Một tin có trang trả lỗi 500 ở lần đầu.",
        ["Nội dung tin này chỉ đọc được ở lần thử sau.", "Đây là đoạn thứ hai của tin."],
        published=datetime(2024, 3, 13, 7, 0, tzinfo=VN_TZ),
    )
    site.fail(broken, times=1, status=500)
    config = write_config(tmp_path, site)
    assert main(["poll", "--config", str(config)]) == 0
    store = open_store(tmp_path)
    try:
        assert store.sync.articles.count() == 2
        with store.db.transaction() as conn:
            conn.execute("UPDATE pending_pages SET next_try_at = 0")
    finally:
        store.close()

    assert main(["poll", "--config", str(config)]) == 0
    store = open_store(tmp_path)
    try:
        titles = {a.title for a in store.sync.articles.latest(10)}
        assert "Trang tạm thời lỗi" in titles
        assert store.sync.articles.count() == 3
    finally:
        store.close()


def test_a_failing_feed_backs_off_and_alerts_once(
    tmp_path: Path, site: FakeNewsSite, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config(
        tmp_path, site, feeds=f'[[feeds]]\nname = "Hỏng"\nurl = "{site.error_url}"\n'
    )
    for _ in range(3):
        store = open_store(tmp_path)
        with store.db.transaction() as conn:
            conn.execute("UPDATE feeds SET next_check_at = 0")
        store.close()
        main(["poll", "--config", str(config)])
    alerts = [r for r in caplog.records if "admin alert" in r.getMessage()]
    assert len(alerts) == 1
    assert "Hỏng" in alerts[0].getMessage()
    store = open_store(tmp_path)
    try:
        feed = store.sync.feeds.all()[0]
        assert feed.failures == 3
        assert feed.next_check_at > time.time() + 60
        assert feed.last_error and "500" in feed.last_error
    finally:
        store.close()


@pytest.mark.parametrize(
    ("feed_attr", "expected_titles"),
    [
        ("bozo_feed_url", {"Khai mạc Festival Hoa Đà Lạt lần thứ 10"}),
        ("listing_url", {"Khai mạc Festival Hoa Đà Lạt lần thứ 10"}),
    ],
)
def test_malformed_feed_and_listing_page_still_give_their_stories(
    tmp_path: Path, site: FakeNewsSite, feed_attr: str, expected_titles: set[str]
) -> None:
    publish_seed_and_dalat(site)
    url = getattr(site, feed_attr)
    if feed_attr == "listing_url":
        selectors = site.listing_selectors
        feeds = (
            f'[[feeds]]\nname = "Danh sách"\nurl = "{url}"\nkind = "html"\n'
            f'item = "{selectors["item"]}"\nlink = "{selectors["link"]}"\n'
        )
    else:
        feeds = f'[[feeds]]\nname = "Bozo"\nurl = "{url}"\n'
    config = write_config(tmp_path, site, feeds=feeds)
    assert main(["poll", "--config", str(config)]) == 0
    store = open_store(tmp_path)
    try:
        titles = {a.title for a in store.sync.articles.latest(10)}
        assert expected_titles <= titles
        assert len(titles) == 2
    finally:
        store.close()


def test_hostile_routes_leave_a_log_line_and_the_other_feeds_stored(
    tmp_path: Path, site: FakeNewsSite, caplog: pytest.LogCaptureFixture
) -> None:
    publish_seed_and_dalat(site)
    hostile = {
        "Chậm": site.slow_url,
        "Lỗi 500": site.error_url,
        "Chuyển hướng vào mạng nội bộ": site.private_redirect_url,
        "Thân 20 MB": site.big_url,
        "Bom gzip": site.gzip_bomb_url,
        "Quá tải 429": site.too_many_requests_url,
        "Chuyển hướng 7 lần": site.redirect_chain_url(7),
    }
    feeds = (
        "".join(f'[[feeds]]\nname = "{name}"\nurl = "{url}"\n' for name, url in hostile.items())
        + f'[[feeds]]\nname = "Tin tức"\nurl = "{site.feed_url}"\n'
    )
    config = write_config(tmp_path, site, feeds=feeds)
    assert main(["poll", "--config", str(config)]) == 0
    messages = [r.getMessage() for r in caplog.records]
    for name in hostile:
        assert any(m.startswith(f"feed {name}:") for m in messages), name
    store = open_store(tmp_path)
    try:
        assert store.sync.articles.count() == 2
        failing = {f.name for f in store.sync.feeds.all() if f.failures}
        assert failing == set(hostile)
    finally:
        store.close()


def test_openai_provider_summarizes_and_falls_back_when_the_model_fails(
    tmp_path: Path, site: FakeNewsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fakes.openai_api import serve_openai

    publish_seed_and_dalat(site)
    monkeypatch.setenv("BANTIN_TEST_LLM_KEY", "sk-test")
    with serve_openai() as model:
        model.reply = "Festival Hoa Đà Lạt lần thứ 10 khai mạc với hơn 200 nghệ nhân."
        config = write_config(
            tmp_path,
            site,
            extra=f"""
[summary]
provider = "openai"
base_url = "{model.base_url}"
api_key_env = "BANTIN_TEST_LLM_KEY"
timeout_seconds = 30.0
""",
        )
        model.status = 200
        assert main(["poll", "--config", str(config)]) == 0
        assert model.requests and model.requests[0].headers.get("Authorization") == "Bearer sk-test"
    store = open_store(tmp_path)
    try:
        summaries = {a.title: a.summary for a in store.sync.articles.latest(10)}
    finally:
        store.close()
    assert summaries["Khai mạc Festival Hoa Đà Lạt lần thứ 10"] == model.reply

    # The model down: the next story still gets the extractive summary.
    site.add_story(
        "mo-hinh-dau-tay-12349",
        "Mô hình trồng dâu tây công nghệ cao ở Đơn Dương",
        "(Lamdongtv.vn) - Nông dân Đơn Dương thu lãi cao nhờ trồng dâu tây trong nhà kính.",
        [
            "Mỗi năm, mô hình cho lãi khoảng 500 triệu đồng trên một héc-ta.",
            "Huyện dự kiến nhân rộng mô hình ra 50 héc-ta vào năm tới.",
        ],
        published=datetime(2024, 3, 14, 8, 0, tzinfo=VN_TZ),
    )
    with serve_openai() as model:
        model.status = 500
        config = write_config(
            tmp_path,
            site,
            extra=f'[summary]\nprovider = "openai"\nbase_url = "{model.base_url}"\n'
            'api_key_env = "BANTIN_TEST_LLM_KEY"\n',
        )
        assert main(["poll", "--config", str(config)]) == 0
    store = open_store(tmp_path)
    try:
        newest = store.sync.articles.latest(1)[0]
    finally:
        store.close()
    assert newest.title.startswith("Mô hình trồng dâu tây")
    assert newest.summary.startswith("Nông dân Đơn Dương thu lãi cao")


def test_a_windows_1252_feed_is_read_and_its_missing_pages_parked(
    tmp_path: Path, site: FakeNewsSite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    config = write_config(
        tmp_path, site, feeds=f'[[feeds]]\nname = "Café"\nurl = "{site.cp1252_feed_url}"\n'
    )
    assert main(["poll", "--config", str(config)]) == 0
    assert any(
        m.startswith("feed Café: 2 listed") and "2 pages parked" in m
        for m in (r.getMessage() for r in caplog.records)
    )
    store = open_store(tmp_path)
    try:
        with store.db.reading() as conn:
            parked = [
                json.loads(r[0])["title"] for r in conn.execute("SELECT entry FROM pending_pages")
            ]
    finally:
        store.close()
    assert sorted(parked) == [
        "Crème brûlée — naïve café society",
        "“Déjà vu” at the Zoë Ångström exhibit",
    ]


def test_a_redirect_chain_within_the_limit_is_followed(tmp_path: Path, site: FakeNewsSite) -> None:
    publish_seed_and_dalat(site)
    redirect = site.redirect_to_url(site.feed_url, status=301)
    config = write_config(
        tmp_path, site, feeds=f'[[feeds]]\nname = "Qua chuyển hướng"\nurl = "{redirect}"\n'
    )
    assert main(["poll", "--config", str(config)]) == 0
    store = open_store(tmp_path)
    try:
        assert store.sync.articles.count() == 2
    finally:
        store.close()


def test_a_page_that_never_loads_is_stored_from_the_feed_after_the_retry_limit(
    tmp_path: Path, site: FakeNewsSite
) -> None:
    publish_seed_and_dalat(site)
    broken = site.add_story(
        "trang-hong-han-12350",
        "Trang hỏng hẳn",
        "(Lamdongtv.vn) - Tin này chỉ còn phần mô tả trong RSS.",
        ["Đoạn không bao giờ tải được."],
        published=datetime(2024, 3, 15, 7, 0, tzinfo=VN_TZ),
    )
    site.fail(broken, times=100, status=500)
    config = write_config(tmp_path, site)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "alert_after_failures = 2", "alert_after_failures = 2\npage_retry_limit = 3"
        ),
        encoding="utf-8",
    )
    attempts = []
    for _ in range(3):
        assert main(["poll", "--config", str(config)]) == 0
        store = open_store(tmp_path)
        try:
            with store.db.transaction() as conn:
                row = conn.execute("SELECT attempts, push FROM pending_pages").fetchone()
                attempts.append(tuple(row) if row else None)
                conn.execute("UPDATE pending_pages SET next_try_at = 0")
                conn.execute("UPDATE feeds SET etag = NULL, last_modified = NULL")
        finally:
            store.close()
    assert attempts == [(1, 0), (2, 0), None]
    store = open_store(tmp_path)
    try:
        stored = next(a for a in store.sync.articles.latest(10) if a.title == "Trang hỏng hẳn")
        assert "chỉ còn phần mô tả" in stored.body
        assert store.sync.deliveries.counts() == {}  # listed at the first poll: never pushed
    finally:
        store.close()


def test_a_burst_beyond_the_per_poll_limit_is_taken_newest_first_and_the_rest_next_time(
    tmp_path: Path, site: FakeNewsSite
) -> None:
    for day in range(1, 6):
        site.add_story(
            f"tin-ngay-{day}-123{day}",
            f"Tin của ngày {day} tháng ba",
            f"(Lamdongtv.vn) - Tin dẫn của ngày {day}.",
            [f"Nội dung của ngày {day}, đủ dài để là một đoạn văn.", "Đoạn thứ hai."],
            published=datetime(2024, 3, day, 8, 0, tzinfo=VN_TZ),
        )
    config = write_config(tmp_path, site)
    config.write_text(
        config.read_text(encoding="utf-8").replace(
            "interval_seconds = 60", "interval_seconds = 60\nmax_new_per_poll = 3"
        ),
        encoding="utf-8",
    )
    store = open_store(tmp_path)
    reader = store.sync.chats.upsert("telegram", "42")
    store.sync.chats.subscribe(reader.id)
    store.close()
    assert main(["poll", "--config", str(config)]) == 0
    store = open_store(tmp_path)
    try:
        first = [a.title for a in store.sync.articles.latest(10)]
        assert first == [f"Tin của ngày {day} tháng ba" for day in (5, 4, 3)]
        # The rest is remembered in the store, so the feed's validators can be kept.
        assert store.sync.feeds.all()[0].etag
    finally:
        store.close()
    site.feed_window = 3  # the feed moves on: the remembered stories are still taken
    assert main(["poll", "--config", str(config)]) == 0
    store = open_store(tmp_path)
    try:
        assert store.sync.articles.count() == 5
        feed = store.sync.feeds.all()[0]
        assert feed.etag and feed.primed
        assert store.sync.deliveries.counts() == {}  # the first listing, taken in two polls
    finally:
        store.close()


async def test_an_unexpected_error_is_the_feed_failure_not_a_crash(
    tmp_path: Path, site: FakeNewsSite
) -> None:
    from bot.app import App
    from bot.config import load_config

    publish_seed_and_dalat(site)
    config = load_config(str(write_config(tmp_path, site)), env={})

    async def broken_summarizer(
        title: str, paragraphs: object, lead: str | None, budget: int
    ) -> str:
        raise RuntimeError("summarizer bug")

    async with App(config) as app:
        app.poller.summarizer = broken_summarizer
        (report,) = await app.poll_once()
        feed = app.store.sync.feeds.all()[0]
    assert report.error == "internal error: RuntimeError: summarizer bug"
    assert feed.failures == 1 and feed.next_check_at > time.time()
