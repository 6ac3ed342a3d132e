"""The feeds desk from chat: /addfeed (after a test fetch), /removefeed, /pausefeed, /resumefeed."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.core.settings import FeedConfig
from bot.store import Store
from handlers.base import Context
from tests.admin.conftest import (
    PARAGRAPHS,
    say,
    seed,
)
from tests.fakes.news_site import VN_TZ, FakeNewsSite


async def test_addfeed_of_a_good_url_shows_the_three_newest_titles(
    store: Store, ctx: Context, site: FakeNewsSite
) -> None:
    now = datetime.now(VN_TZ)
    for day in range(5):
        site.add_story(
            f"tin-{day}",
            f"Tin xã hội số {day}",
            "(Lamdongtv.vn) - Mở đầu.",
            PARAGRAPHS,
            published=now - timedelta(days=day),
            section="xa-hoi",
        )
    url = site.section_feed_url("xa-hoi")
    reply = await say(ctx, f"/addfeed {url} Xã hội")
    text = reply.plain
    assert text.startswith("Đã thêm nguồn tin")
    assert "«Xã hội»" in text
    assert [line for line in text.splitlines() if line.startswith("• ")] == [
        "• Tin xã hội số 0",
        "• Tin xã hội số 1",
        "• Tin xã hội số 2",
    ]
    feed = store.sync.feeds.find(url)
    assert feed is not None and feed.name == "Xã hội" and feed.origin == "admin"
    assert not feed.paused and feed.next_check_at == 0  # polled on the next tick


@pytest.mark.parametrize(
    ("make_url", "reason"),
    [
        (lambda site: site.error_url, "không tải được"),
        (lambda site: site.url("/tin-tuc/khong-co.html"), "không tải được"),
        (lambda site: site.url("/hostile/landed"), "không phải nguồn RSS/Atom"),
        (lambda site: "ftp://example.vn/rss", "không phải địa chỉ http(s)"),
        (lambda site: "http://10.0.0.1/rss", "private address"),
    ],
)
async def test_addfeed_of_a_bad_url_says_why_and_adds_nothing(
    store: Store, ctx: Context, site: FakeNewsSite, make_url: object, reason: str
) -> None:
    url = make_url(site)  # type: ignore[operator]
    reply = await say(ctx, f"/addfeed {url}")
    assert reason in reply.plain, reply.plain
    assert "\n" not in reply.plain
    assert store.sync.feeds.all() == []
    assert store.sync.audit.recent(1)[0].result.startswith("refused")


async def test_addfeed_twice_is_refused(store: Store, ctx: Context, site: FakeNewsSite) -> None:
    site.add_story("a", "Tin A", "Mở đầu.", PARAGRAPHS, published=datetime.now(VN_TZ))
    assert (await say(ctx, f"/addfeed {site.feed_url}")).plain.startswith("Đã thêm")
    again = await say(ctx, f"/addfeed {site.feed_url} Tên khác")
    assert again.plain.startswith("Đã có nguồn tin này")
    assert len(store.sync.feeds.all()) == 1


async def test_remove_pause_resume_feeds(store: Store, ctx: Context) -> None:
    feed_id, _ = seed(store)
    store.sync.feeds.sync_config([FeedConfig(name="Từ config", url="https://example.vn/rss/cfg")])
    config_feed = store.sync.feeds.find("Từ config")
    assert config_feed is not None

    assert (await say(ctx, f"/pausefeed {feed_id}")).plain.startswith("Đã tạm dừng")
    assert store.sync.feeds.due(10**12) == [config_feed] or all(
        f.id != feed_id for f in store.sync.feeds.due(10**12)
    )
    assert (await say(ctx, "/resumefeed Thời sự")).plain.startswith("Đã chạy lại")
    assert any(f.id == feed_id for f in store.sync.feeds.due(10**12))

    refused = await say(ctx, f"/removefeed {config_feed.id}")
    assert "config.toml" in refused.plain and "\n" not in refused.plain
    assert (await say(ctx, f"/removefeed {feed_id}")).plain.startswith("Đã xóa")
    assert store.sync.feeds.get(feed_id) is None
    assert (await say(ctx, "/removefeed 12345")).plain.startswith("Không có nguồn tin")
    listing = await say(ctx, "/feeds")
    assert "Từ config" in listing.plain and "Thời sự" not in listing.plain
