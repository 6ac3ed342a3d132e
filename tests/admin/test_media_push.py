"""A story with a video arrives with its video; an embed is the link preview and a button;
several photos go as an album when `[card] album = true`; refusals fall back to the card."""

from __future__ import annotations

from pathlib import Path

from bot.config import parse_config
from bot.core.settings import Config
from tests.admin.telegram import ADMIN, buttons, wait_for
from tests.admin.test_telegram_app import live, poll_now, story_page, visible
from tests.delivery.helpers import add_chat
from tests.fakes.news_site import FakeNewsSite
from tests.fakes.telegram_api import Failure, FakeTelegram

READER = 501
MP4 = "https://cdn.lamdongtv.vn/video/sat-lo.mp4"
REFUSED = Failure(400, "Bad Request: failed to get HTTP URL content")


def media_config(tmp_path: Path, tg: FakeTelegram, site: FakeNewsSite, card: str = "") -> Config:
    text = f"""
[bot]
name = "Lâm Đồng TV"

[storage]
path = "{tmp_path / "bantin.sqlite3"}"

[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 2.0

[card]
{card}

[telegram]
token = "{tg.token}"
api_base_url = "{tg.url}"
admins = [{ADMIN}]
messages_per_second = 200
private_chat_per_second = 50

[[feeds]]
name = "Tin tức"
url = "{site.feed_url}"
"""
    return parse_config(text, str(tmp_path / "config.toml"))


def publish_with(site: FakeNewsSite, head: str = "", body: str = "") -> None:
    url = story_page(site, "video", "Bản tin thời sự tối")
    (story,) = [s for s in site.stories if s.url == url]
    page = story.page.decode("utf-8")
    page = page.replace("</head>", head + "</head>", 1)
    page = page.replace("</body>", body + "</body>", 1)
    story.page = page.encode("utf-8")


async def push(
    tmp_path: Path, tg: FakeTelegram, head: str = "", body: str = "", card: str = ""
) -> None:
    with FakeNewsSite() as site:
        async with live(media_config(tmp_path, tg, site, card)) as app:
            add_chat(app.store, READER)
            story_page(site, "cu", "Tin cũ", minutes_ago=60)
            await poll_now(app)
            publish_with(site, head, body)
            await poll_now(app)
            await wait_for(lambda: any(c.method != "sendMediaGroup" for c in tg.delivered(READER)))


async def test_a_direct_mp4_is_sent_as_the_video_with_the_card_as_caption(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    await push(tmp_path, tg, head=f'<meta property="og:video" content="{MP4}">')
    (call,) = tg.delivered(READER)
    assert call.method == "sendVideo" and call.params["video"] == MP4
    assert "<b>Bản tin thời sự tối</b>" in call.text and "hôm nay" in visible(call.text)
    labels = [b["text"] for b in buttons(call)]
    assert labels == ["Đọc tiếp", "Chia sẻ"]  # the video itself is the message


async def test_a_refused_video_falls_back_to_the_photo_card_with_a_watch_button(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    tg.fail("sendVideo", REFUSED, chat_id=READER)
    await push(tmp_path, tg, head=f'<meta property="og:video" content="{MP4}">')
    (call,) = tg.delivered(READER)
    assert call.method == "sendPhoto"
    assert buttons(call)[0].get("url") == MP4
    assert buttons(call)[0]["text"] == "▶ Xem video"


async def test_an_embedded_player_is_the_link_preview_and_a_watch_button(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    frame = '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>'
    await push(tmp_path, tg, body=frame, card="image = false")
    (call,) = tg.delivered(READER)
    watch = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert call.method == "sendMessage"
    assert call.params["link_preview_options"]["url"] == watch
    assert buttons(call)[0] == {"text": "▶ Xem video", "url": watch}


async def test_several_photos_go_as_an_album_then_the_card(
    tmp_path: Path, tg: FakeTelegram
) -> None:
    photos = "".join(f'<figure><img src="/Upload/anh-{n}.jpg"></figure>' for n in range(3))
    await push(tmp_path, tg, body=photos, card="album = true")
    album, card = tg.delivered(READER)
    assert album.method == "sendMediaGroup" and len(album.params["media"]) == 4
    assert card.method == "sendMessage" and "<b>Bản tin thời sự tối</b>" in card.text
    assert [b["text"] for b in buttons(card)] == ["Đọc tiếp", "Chia sẻ"]
