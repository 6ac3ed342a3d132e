"""Real polls of the fake news site: a poisoned item never blocks its feed, a listed story
is never lost, and a title reaches the chat with exactly the characters the page shows."""

from __future__ import annotations

import html
import logging
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App
from bot.config import parse_config
from bot.core.settings import Config
from bot.outlets import make_context, zalo_outlet
from tests.delivery.helpers import add_chat
from tests.fakes.news_site import VN_TZ, FakeNewsSite, FakeResponse
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.telegram.helpers import FAST, running

START = datetime(2024, 5, 1, 6, 0, tzinfo=VN_TZ)
PARAGRAPHS = [
    "Sáng nay, Ủy ban Nhân dân tỉnh Lâm Đồng tổ chức hội nghị tổng kết công tác năm với "
    "sự tham gia của đại diện các sở, ngành và địa phương trong tỉnh.",
    "Hội nghị đã thảo luận nhiều giải pháp để phát triển kinh tế xã hội bền vững.",
]
# What each marker in a story's title becomes in the feed and the page the site serves.
POISON = {
    "QQSURROGATE": "&#xDCFF;",
    "QQHUGE": "&#99999999999;",
    "QQNUL": "&#0;",
    "QQRAWCONTROL": "\x01",
    "QQBEYOND": "&#x110000;",
    "QQHIGHSURROGATE": "&#55296;",
}


def config_for(
    tmp_path: Path, feed: str, *, kind: str = "rss", extra: str = "", max_new: int = 30
) -> Config:
    selectors = ""
    if kind == "html":
        selectors = 'kind = "html"\nitem = "div.list-news div.news-item"\nlink = "h3.news-title a"'
    text = f"""
[storage]
path = "{tmp_path / "bantin.sqlite3"}"
[poll]
max_new_per_poll = {max_new}
[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 5
{extra}
[[feeds]]
name = "Tin tức"
url = "{feed}"
{selectors}
"""
    return parse_config(text, str(tmp_path / "config.toml"))


def publish(site: FakeNewsSite, slug: str, title: str, minutes: int) -> str:
    return site.add_story(
        slug,
        title,
        f"(Lamdongtv.vn) - {title}: tin dẫn của bài.",
        PARAGRAPHS,
        published=START + timedelta(minutes=minutes),
    )


def poison(data: bytes) -> bytes:
    for marker, bad in POISON.items():
        data = data.replace(marker.encode(), bad.encode())
    return data


@pytest.mark.parametrize("kind", ["rss", "html"])
async def test_bad_character_references_never_block_a_feed(
    tmp_path: Path, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeNewsSite() as site:
        for number, marker in enumerate(POISON):
            publish(
                site, f"tin-doc-hai-so-{number}", f"Tin số {number} {marker} ở Lâm Đồng", number
            )
        publish(site, "tin-lanh-manh-so-mot", "Tin lành mạnh số một ở Đà Lạt", 50)
        publish(site, "tin-lanh-manh-so-hai", "Tin lành mạnh số hai ở Bảo Lộc", 51)
        for story in site.stories:
            page = FakeResponse(body=poison(story.page), headers={"Content-Type": "text/html"})
            site.set_route(story.path, page)
        listing = site.render_rss() if kind == "rss" else site.render_listing()
        assert b"QQNUL" in listing
        ctype = "application/rss+xml; charset=utf-8" if kind == "rss" else "text/html"
        site.set_route(
            "/poisoned", FakeResponse(body=poison(listing), headers={"Content-Type": ctype})
        )
        config = config_for(tmp_path, site.url("/poisoned"), kind=kind)
        caplog.set_level(logging.INFO)
        async with App(config) as app:
            (report,) = await app.poll_once()
            titles = sorted(a.title for a in app.store.sync.articles.latest(20))
    assert report.error is None
    assert titles == sorted(
        [f"Tin số {n} ở Lâm Đồng" for n in range(len(POISON))]
        + ["Tin lành mạnh số một ở Đà Lạt", "Tin lành mạnh số hai ở Bảo Lộc"]
    )
    assert not any(ch in "".join(titles) for ch in "\x00\x01\ufffd")


@pytest.mark.parametrize(
    "shown",
    [
        "<b> hiện nguyên văn trên trang báo",
        "Giá rau & củ quả ‹tăng> mạnh",
        "Giá rau & củ quả <tăng> mạnh",
        "a<b và b>c",
    ],
)
async def test_a_title_reaches_the_chats_as_the_page_shows_it(tmp_path: Path, shown: str) -> None:
    """Telegram gets it escaped for HTML, Zalo as plain text: both show exactly `shown`."""
    with FakeNewsSite() as site, FakeTelegram() as tg, FakeZalo() as zalo:
        publish(site, "tin-mo-dau-cua-nguon-tin", "Tin mở đầu của nguồn tin", 0)
        platforms = (
            f'[telegram]\ntoken = "{tg.token}"\napi_base_url = "{tg.url}"\n'
            f'[zalo]\ntoken = "{zalo.token}"\napi_base_url = "{zalo.url}"'
        )
        config = config_for(tmp_path, site.feed_url, extra=platforms)
        async with App(config) as app:
            await app.poll_once()  # the first poll stores without pushing
            add_chat(app.store, 101)
            reader = app.store.sync.chats.upsert("zalo", "zalo-reader")
            app.store.sync.chats.subscribe(reader.id)
            publish(site, "tin-co-ky-tu-giong-the", shown, 10)
            (report,) = await app.poll_once()
            assert report.pushed == 1
            stored = app.store.sync.articles.latest(1)[0]
            async with running(config, app.store) as outlet:
                await outlet.worker.drain(10)
            zalo_out = zalo_outlet(replace(config, zalo=replace(config.zalo, poll_timeout_seconds=1)),
                                   make_context(config, app.store), worker_settings=FAST)  # fmt: skip
            await zalo_out.start()
            try:
                await zalo_out.worker.drain(10)
            finally:
                await zalo_out.stop()
        [sent] = tg.delivered(101)
        [plain] = zalo.delivered("zalo-reader")
    assert stored.title == shown
    text = sent.params.get("text") or sent.params.get("caption")
    assert sent.params["parse_mode"] == "HTML"
    assert text.startswith(f"<b>{html.escape(shown, quote=False)}</b>")
    zalo_text = plain.params.get("text") or plain.params.get("caption")
    assert zalo_text.startswith(shown + "\n")


async def test_stories_beyond_the_per_poll_cap_are_taken_after_the_feed_moves_on(
    tmp_path: Path,
) -> None:
    """An archive that grows 6 stories a poll while its feed shows the newest 8 and a
    poll takes 3: every story is stored and searchable once the polls have caught up."""
    with FakeNewsSite() as site:
        site.feed_window = 8
        config = config_for(tmp_path, site.feed_url, max_new=3)
        published: list[str] = []
        async with App(config) as app:
            for round_ in range(3):
                for n in range(6):
                    number = round_ * 6 + n
                    title = f"Bản tin lưu trữ thứ {number} của tòa soạn"
                    publish(site, f"ban-tin-luu-tru-thu-{number}", title, number)
                    published.append(title)
                (report,) = await app.poll_once()
                assert report.error is None and report.new == 3
            for _ in range(10):
                (report,) = await app.poll_once()
                if report.waiting == 0:
                    break
            assert report.waiting == 0
            stored = {a.title for a in app.store.sync.articles.latest(100)}
            found = [t for t in published if app.store.sync.search.search(f'"{t}"', limit=3)]
    assert stored == set(published)
    assert found == published
