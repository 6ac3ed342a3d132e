"""A story page's video and photos: og:video, <video>, JSON-LD, YouTube and Facebook players."""

from __future__ import annotations

import pytest

from feeds.extract.media import page_media, watch_url

BASE = "https://lamdongtv.vn/tin-tuc/bai.html"


def page(head: str = "", body: str = "") -> str:
    return f"<html><head><title>t</title>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize(
    ("head", "body", "video"),
    [
        (
            '<meta property="og:video" content="/video/ban-tin.mp4">',
            "",
            "https://lamdongtv.vn/video/ban-tin.mp4",
        ),
        (
            "",
            '<video controls><source src="https://cdn.ldtv.vn/a.mp4" type="video/mp4"></video>',
            "https://cdn.ldtv.vn/a.mp4",
        ),
        (
            "",
            '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0"></iframe>',
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        (
            "",
            '<iframe src="https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Flamdongtv%2Fvideos%2F123%2F"></iframe>',
            "https://www.facebook.com/lamdongtv/videos/123/",
        ),
        (
            '<script type="application/ld+json">{"@type": "VideoObject", "contentUrl": "https://cdn.ldtv.vn/b.mp4"}</script>',
            "",
            "https://cdn.ldtv.vn/b.mp4",
        ),
        (
            "",
            '<iframe src="https://ads.example/banner.html"></iframe><video src="javascript:alert(1)"></video>',
            None,
        ),
    ],
)
def test_the_pages_video_is_found(head: str, body: str, video: str | None) -> None:
    assert page_media(page(head, body), BASE).video == video


def test_a_direct_file_wins_over_a_player() -> None:
    body = (
        '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>'
        '<video src="/v/tin.mp4"></video>'
    )
    assert page_media(page("", body), BASE).video == "https://lamdongtv.vn/v/tin.mp4"


def test_the_storys_own_photos_in_order_without_logos_or_icons() -> None:
    body = (
        '<img src="/logo.png"><article>'
        '<img src="/Upload/1.jpg" width="800"><img src="/Upload/icon-share.png">'
        '<img src="/Upload/2.jpg"><img src="/Upload/nho.jpg" width="40">'
        '<img data-src="/Upload/3.jpg" src="data:image/gif;base64,AAAA"><img src="/Upload/1.jpg">'
        "</article>"
    )
    images = page_media(page("", body), BASE).images
    assert images == tuple(f"https://lamdongtv.vn/Upload/{n}.jpg" for n in (1, 2, 3))


def test_without_an_article_only_figures_count_and_garbage_has_no_media() -> None:
    body = '<img src="/a.jpg"><figure><img src="/b.jpg"></figure>'
    assert page_media(page("", body), BASE).images == ("https://lamdongtv.vn/b.jpg",)
    assert page_media(b"\x00\x01", BASE).video is None
    assert watch_url("https://youtu.be/abc") is None  # too short to be a video id
