"""Feed and listing parsing: bytes in, clean FeedEntry out."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest

from feeds.listing import parse_listing
from feeds.parse import FeedParseError, html_to_text, parse_feed

BASE = "https://lamdongtv.vn/rss/tin-tuc"
RSS_HEADERS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def rss(items: str, *, encoding: str = "UTF-8", channel: str = "Lâm Đồng TV") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        '<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel>'
        f"<title>{channel}</title><link>https://lamdongtv.vn/</link>"
        f"{items}</channel></rss>"
    ).encode("utf-8" if encoding.upper() == "UTF-8" else encoding)


def item(
    title: str = "Tin",
    link: str = "https://lamdongtv.vn/tin-tuc/a.html",
    more: str = "",
) -> str:
    return f"<item><title>{title}</title><link>{link}</link>{more}</item>"


# -- RSS ---------------------------------------------------------------------------------


def test_rss_item_becomes_an_entry_with_every_field() -> None:
    body = rss(
        item(
            "Đẩy mạnh phối hợp thực hiện tốt công tác dân vận",
            "https://lamdongtv.vn/tin-tuc/day-manh-12345.html",
            '<guid isPermaLink="false">12345</guid>'
            "<description>&lt;p&gt;(Lamdongtv.vn) - Ủy ban &amp;amp; Ban dân vận&lt;/p&gt;"
            "</description>"
            "<pubDate>Sat, 25 Feb 2023 08:54:00 +0700</pubDate>"
            '<enclosure url="https://lamdongtv.vn/Upload/a.jpg" type="image/jpeg" length="1"/>',
        )
    )
    [entry] = parse_feed(body, RSS_HEADERS, BASE)
    assert entry.url == "https://lamdongtv.vn/tin-tuc/day-manh-12345.html"
    assert entry.title == "Đẩy mạnh phối hợp thực hiện tốt công tác dân vận"
    assert entry.guid == "12345"
    assert entry.description == "(Lamdongtv.vn) - Ủy ban & Ban dân vận"
    assert entry.published == datetime(2023, 2, 25, 1, 54, tzinfo=UTC)
    assert entry.published.tzinfo is not None
    assert entry.image == "https://lamdongtv.vn/Upload/a.jpg"


def test_feed_order_is_kept_and_duplicates_dropped() -> None:
    body = rss(
        item("Mới", "https://x.vn/2.html")
        + item("Cũ", "https://x.vn/1.html")
        + item("Mới lặp", "https://x.vn/2.html")
    )
    assert [e.title for e in parse_feed(body, RSS_HEADERS, BASE)] == ["Mới", "Cũ"]


def test_relative_links_are_made_absolute_against_the_feed_url() -> None:
    body = rss(item("Tin", "/tin-tuc/b.html") + item("Tin 2", "c.html"))
    urls = [e.url for e in parse_feed(body, RSS_HEADERS, BASE)]
    assert urls == ["https://lamdongtv.vn/tin-tuc/b.html", "https://lamdongtv.vn/rss/c.html"]


def test_non_http_links_are_skipped() -> None:
    body = rss(
        item("JS", "javascript:alert(1)")
        + item("Mail", "mailto:toasoan@lamdongtv.vn")
        + item("Data", "data:text/html,hi")
        + item("Ok", "https://lamdongtv.vn/ok.html")
    )
    assert [e.title for e in parse_feed(body, RSS_HEADERS, BASE)] == ["Ok"]


def test_a_feed_with_only_unusable_links_is_an_error() -> None:
    with pytest.raises(FeedParseError, match="none with an http"):
        parse_feed(rss(item("JS", "javascript:alert(1)")), RSS_HEADERS, BASE)


def test_titles_are_read_as_markup_only_when_the_feed_says_they_are_html() -> None:
    body = rss(
        item("Tin &lt;b&gt;nóng&lt;/b&gt;", "https://x.vn/1")
        + item("<![CDATA[<img src=x onerror=alert(1)>Bão &amp; lũ]]>", "https://x.vn/2")
        + item("Giá &amp;lt;10 triệu", "https://x.vn/3")
        + item("&lt;script&gt;alert(1)&lt;/script&gt;Tin", "https://x.vn/4")
    )
    titles = [e.title for e in parse_feed(body, RSS_HEADERS, BASE)]
    assert titles[0] == "Tin nóng"  # feedparser: HTML (known tags, a close tag)
    assert titles[1] == "Bão & lũ"
    assert titles[2] == "Giá <10 triệu"  # a double-escaped "<" is text, decoded once more
    # Not HTML by feedparser's reading (script is no story markup): the text as written,
    # which the platform escapes for its parse mode.
    assert titles[3] == "<script>alert(1)</script>Tin"


@pytest.mark.parametrize(
    "shown",
    ["<b> hiện nguyên văn", "Giá rau & củ quả ‹tăng> mạnh", "Giá rau <tăng> mạnh", "a<b và b>c"],
)
def test_text_a_reader_sees_is_kept_exactly(shown: str) -> None:
    from xml.sax.saxutils import escape

    body = rss(item(escape(shown), more=f"<description>{escape(escape(shown))}</description>"))
    [entry] = parse_feed(body, RSS_HEADERS, BASE)
    assert (entry.title, entry.description) == (shown, shown)
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>x</title><entry><title type="text">{escape(shown)}</title>'
        '<link rel="alternate" href="https://x.vn/a.html"/>'
        f'<summary type="text">{escape(shown)}</summary></entry></feed>'
    ).encode()
    [entry] = parse_feed(atom, {"Content-Type": "application/atom+xml"}, BASE)
    assert (entry.title, entry.description) == (shown, shown)
    listing = (
        '<html><body><div class="item"><a href="/tin-tuc/a.html">'
        f"{escape(shown)}</a></div></body></html>"
    ).encode()
    [entry] = parse_listing(listing, BASE, item="div.item")
    assert entry.title == shown


def test_titles_are_normalized_and_spaces_collapsed() -> None:
    decomposed = unicodedata.normalize("NFD", "Lâm Đồng")
    body = rss(item(f"  {decomposed}\u00a0 hoà   bình \n", "https://x.vn/1"))
    [entry] = parse_feed(body, RSS_HEADERS, BASE)
    assert entry.title == "Lâm Đồng hòa bình"
    assert unicodedata.is_normalized("NFC", entry.title)


def test_a_date_without_a_zone_is_taken_as_utc() -> None:
    body = rss(item(more="<pubDate>Sat, 25 Feb 2023 08:54:00</pubDate>"))
    [entry] = parse_feed(body, RSS_HEADERS, BASE)
    assert entry.published == datetime(2023, 2, 25, 8, 54, tzinfo=UTC)


def test_missing_or_garbled_date_is_none() -> None:
    body = rss(item() + item(link="https://x.vn/2", more="<pubDate>hôm qua</pubDate>"))
    assert [e.published for e in parse_feed(body, RSS_HEADERS, BASE)] == [None, None]


@pytest.mark.parametrize(
    "more",
    [
        '<media:content url="https://cdn.vn/a.jpg" medium="image"/>',
        '<media:content url="https://cdn.vn/a.jpg" type="image/jpeg"/>',
        '<media:thumbnail url="https://cdn.vn/a.jpg"/>',
        '<enclosure url="https://cdn.vn/a.jpg" type="image/jpeg" length="0"/>',
        "<description>&lt;a href='/x'&gt;&lt;img src=\"https://cdn.vn/a.jpg\"&gt;&lt;/a&gt;"
        "Lead</description>",
    ],
)
def test_image_from_enclosure_media_or_description(more: str) -> None:
    [entry] = parse_feed(rss(item(more=more)), RSS_HEADERS, BASE)
    assert entry.image == "https://cdn.vn/a.jpg"


def test_image_is_made_absolute_and_non_images_are_ignored() -> None:
    body = rss(
        item(
            more='<enclosure url="https://cdn.vn/a.mp3" type="audio/mpeg" length="0"/>'
            '<description>&lt;img src="/Upload/b.jpg"&gt;Lead</description>'
        )
    )
    [entry] = parse_feed(body, RSS_HEADERS, BASE)
    assert entry.image == "https://lamdongtv.vn/Upload/b.jpg"
    assert entry.description == "Lead"


def test_a_guid_that_is_a_permalink_gives_the_link() -> None:
    body = rss('<item><title>T</title><guid isPermaLink="true">https://x.vn/p/1</guid></item>')
    [entry] = parse_feed(body, RSS_HEADERS, BASE)
    assert entry.url == "https://x.vn/p/1"
    assert entry.guid == "https://x.vn/p/1"


def test_a_valid_feed_with_no_items_is_an_empty_list() -> None:
    assert parse_feed(rss(""), RSS_HEADERS, BASE) == []


# -- Atom ---------------------------------------------------------------------------------


def test_atom_entries() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>B\xc3\xa1o</title><id>tag:bao.vn,2024:feed</id><updated>2024-05-01T08:00:00Z</updated>
  <entry>
    <title type="html">Gi\xc3\xa1 c\xc3\xa0 ph\xc3\xaa &lt;em&gt;t\xc4\x83ng&lt;/em&gt;</title>
    <link rel="alternate" href="/kinh-te/ca-phe.html"/>
    <link rel="enclosure" type="image/png" href="https://bao.vn/ca-phe.png"/>
    <id>tag:bao.vn,2024:1</id>
    <published>2024-05-01T15:00:00+07:00</published>
    <updated>2024-05-01T16:00:00+07:00</updated>
    <content type="html">&lt;p&gt;C\xc3\xa0 ph\xc3\xaa&lt;/p&gt;&lt;p&gt;t\xc4\x83ng gi\xc3\xa1&lt;/p&gt;</content>
  </entry>
</feed>"""
    [entry] = parse_feed(body, {"content-type": "application/atom+xml"}, "https://bao.vn/atom")
    assert entry.title == "Giá cà phê tăng"
    assert entry.url == "https://bao.vn/kinh-te/ca-phe.html"
    assert entry.guid == "tag:bao.vn,2024:1"
    assert entry.published == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert entry.description == "Cà phê tăng giá"
    assert entry.image == "https://bao.vn/ca-phe.png"


# -- broken input ---------------------------------------------------------------------------


def test_a_malformed_feed_with_good_items_is_accepted() -> None:
    body = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        b"<title>Broken & bozo</title>"
        b"<item><title>Tin m\xe1\xbb\x99t&nbsp;</title><link>https://x.vn/1.html</link></item>"
        b"<item><title>Tin hai</title><link>https://x.vn/2.html</link>"
        b"<description>a & b</description></item>"
        b"<item><title>cut off"
    )
    entries = parse_feed(body, RSS_HEADERS, BASE)
    assert [e.url for e in entries] == ["https://x.vn/1.html", "https://x.vn/2.html"]
    assert entries[0].title.startswith("Tin một")


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"hello, this is not a feed",
        b"<html><head><title>404</title></head><body><h1>Not found</h1></body></html>",
        b"\x00\x01\x02\xff\xfe garbage",
        b'{"items": []}',
    ],
)
def test_garbage_is_a_feed_parse_error_with_the_reason(body: bytes) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(body, {"content-type": "text/html"}, BASE)
    assert BASE in str(caught.value)


def test_the_parse_error_names_feedparsers_complaint() -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(b"<rss><channel><title>x</title><oops", RSS_HEADERS, BASE)
    message = str(caught.value)
    assert "not a usable feed" in message
    assert ":" in message.split(BASE, 1)[1]  # the bozo reason follows the URL


CP1252_ITEMS = (
    "<item><title>Crème brûlée — “naïve” café</title><link>https://x.vn/1</link>"
    "<description>Señor Müller’s façade, 5 €</description></item>"
)


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/rss+xml; charset=windows-1252"},
        {"Content-Type": "application/rss+xml"},  # only the XML declaration says so
        {},
    ],
)
def test_windows_1252_feed(headers: dict[str, str]) -> None:
    body = rss(CP1252_ITEMS, encoding="windows-1252", channel="Café Société")
    assert "é".encode("cp1252") in body
    [entry] = parse_feed(body, headers, BASE)
    assert entry.title == "Crème brûlée — “naïve” café"
    assert entry.description == "Señor Müller’s façade, 5 €"


def test_feedparser_never_sees_a_url_only_bytes() -> None:
    # Bytes that look like a URL or a path must be parsed as content, not fetched.
    for body in (b"https://example.com/rss", b"/etc/passwd"):
        with pytest.raises(FeedParseError):
            parse_feed(body, {}, BASE)


# -- listings -------------------------------------------------------------------------------

LISTING = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Tin tức</title></head>
<body>
<ul id="menu"><li><a href="/">Trang chủ</a></li><li><a href="/tin-tuc">Tin tức</a></li></ul>
<div class="list-news">
  <div class="news-item">
    <a class="thumb" href="/tin-tuc/a.html"><img src="/Upload/a.jpg" alt="Ảnh A"></a>
    <h3 class="news-title"><a href="/tin-tuc/a.html">Tin   A  <script>alert(1)</script></a></h3>
    <p class="sapo">Lead A</p>
  </div>
  <div class="news-item">
    <a class="thumb" href="https://lamdongtv.vn/tin-tuc/b.html#top"><img src="b.jpg" alt="Ảnh B"></a>
    <h3 class="news-title"><a href="https://lamdongtv.vn/tin-tuc/b.html">Tin &amp; B</a></h3>
  </div>
  <div class="news-item">
    <h3 class="news-title"><a href="javascript:void(0)">Quảng cáo</a></h3>
  </div>
  <div class="news-item">
    <h3 class="news-title"><a href="/tin-tuc/a.html">Tin A lần nữa</a></h3>
  </div>
  <div class="news-item"><span>không có liên kết</span></div>
</div>
<div class="box"><a href="/tin-tuc/hot.html">Tin đọc nhiều</a></div>
</body></html>"""
LISTING_BASE = "https://lamdongtv.vn/tin-tuc"


def test_listing_items_by_selector() -> None:
    entries = parse_listing(
        LISTING.encode(), LISTING_BASE, item="div.list-news .news-item", link="h3 a"
    )
    assert [(e.url, e.title) for e in entries] == [
        ("https://lamdongtv.vn/tin-tuc/a.html", "Tin A"),
        ("https://lamdongtv.vn/tin-tuc/b.html", "Tin & B"),
    ]
    assert entries[0].image == "https://lamdongtv.vn/Upload/a.jpg"
    assert entries[1].image == "https://lamdongtv.vn/b.jpg"  # relative to /tin-tuc
    assert all(e.guid is None and e.published is None for e in entries)


def test_listing_default_link_selector_falls_back_to_the_image_alt() -> None:
    entries = parse_listing(LISTING.encode(), LISTING_BASE, item=".news-item")
    assert [e.title for e in entries] == ["Ảnh A", "Ảnh B"]
    # the first <a> of block B has a fragment; it is the same story as its title link
    assert entries[1].url == "https://lamdongtv.vn/tin-tuc/b.html#top"


def test_listing_title_selector() -> None:
    entries = parse_listing(
        LISTING.encode(), LISTING_BASE, item=".news-item", link="h3 a", title="p.sapo"
    )
    assert [e.title for e in entries] == ["Lead A", "Tin & B"]  # B has no sapo: link text


def test_listing_respects_base_href() -> None:
    page = LISTING.replace("<head>", '<head><base href="https://cdn.lamdongtv.vn/m/">')
    entries = parse_listing(page.encode(), LISTING_BASE, item=".news-item", link="h3 a")
    assert entries[0].url == "https://cdn.lamdongtv.vn/tin-tuc/a.html"


def test_listing_where_the_item_is_the_link() -> None:
    page = (
        b'<div><a class="story" href="/1.html">One</a><a class="story" href="/2.html">Two</a></div>'
    )
    entries = parse_listing(page, "https://x.vn/", item="a.story")
    assert [e.url for e in entries] == ["https://x.vn/1.html", "https://x.vn/2.html"]


def test_listing_with_nothing_matching_is_an_error() -> None:
    with pytest.raises(FeedParseError, match="matched nothing"):
        parse_listing(LISTING.encode(), LISTING_BASE, item="div.articles article")


def test_listing_with_wrong_selectors_falls_back_to_story_like_links(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stories = "".join(
        f'<li><a href="/tin-tuc/khai-mac-le-hoi-so-{i}-tai-da-lat-{1000 + i}.html">'
        f"Khai mạc lễ hội số {i} tại thành phố Đà Lạt</a></li>"
        for i in range(4)
    )
    chrome = (
        '<a href="/gioi-thieu">Giới thiệu về đài truyền hình tỉnh</a>'
        '<a href="https://facebook.com/chia-se-bai-viet-nay-ngay">Chia sẻ bài viết này ngay</a>'
        '<a href="/tin-tuc/ngan.html">Ngắn</a>'
    )
    page = f"<html><body><nav>{chrome}</nav><ul>{stories}</ul></body></html>".encode()
    entries = parse_listing(page, LISTING_BASE, item="div.list-news .news-item")
    assert [e.title for e in entries] == [
        f"Khai mạc lễ hội số {i} tại thành phố Đà Lạt" for i in range(4)
    ]
    assert (
        entries[0].url == "https://lamdongtv.vn/tin-tuc/khai-mac-le-hoi-so-0-tai-da-lat-1000.html"
    )
    assert any("update the feed's selectors" in r.getMessage() for r in caplog.records)


def test_listing_with_no_usable_links_is_an_error() -> None:
    with pytest.raises(FeedParseError, match="none with an http"):
        parse_listing(LISTING.encode(), LISTING_BASE, item="#menu li", link="a.nothing")


def test_listing_bad_selector_is_a_parse_error() -> None:
    with pytest.raises(FeedParseError, match="invalid item selector"):
        parse_listing(LISTING.encode(), LISTING_BASE, item="div[[")


def test_listing_in_windows_1252_with_a_meta_charset() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
        '</head><body><div class="i"><a href="/a">Café “crème”</a></div></body></html>'
    ).encode("cp1252")
    [entry] = parse_listing(page, "https://x.vn/", item=".i")
    assert entry.title == "Café “crème”"


def test_listing_encoding_argument_wins() -> None:
    # The page claims windows-1252 but is UTF-8; the site's configured encoding wins.
    page = '<meta charset="windows-1252"><div class="i"><a href="/a">Đà Lạt</a></div>'.encode()
    [entry] = parse_listing(page, "https://x.vn/", item=".i", encoding="utf-8")
    assert entry.title == "Đà Lạt"
    page_1252 = '<div class="i"><a href="/a">Zoë</a></div>'.encode("cp1252")
    [entry] = parse_listing(page_1252, "https://x.vn/", item=".i")  # sniffed: not UTF-8
    assert entry.title == "Zoë"


def test_html_to_text_keeps_block_boundaries() -> None:
    assert html_to_text("<p>Một</p><p>Hai<br>Ba</p>") == "Một Hai Ba"
    assert html_to_text("Giá &lt; 10 &amp; tăng") == "Giá < 10 & tăng"
    assert html_to_text("<style>p{}</style><p>Chữ</p><script>x()</script>") == "Chữ"
    assert html_to_text("") == ""


def test_windows_1252_bytes_under_a_utf8_label_still_parse() -> None:
    # A CMS that says UTF-8 and sends windows-1252: feedparser falls back, bozo but usable.
    body = rss(CP1252_ITEMS, encoding="windows-1252", channel="Cafe")
    lying = body.replace(b'encoding="windows-1252"', b'encoding="utf-8"')
    for headers, data in (({"Content-Type": "text/xml; charset=utf-8"}, body), ({}, lying)):
        [entry] = parse_feed(data, headers, BASE)
        assert entry.title == "Crème brûlée — “naïve” café"


# -- characters no story can hold ----------------------------------------------------------


@pytest.mark.parametrize(
    "bad", ["&#xDCFF;", "&#99999999999;", "&#0;", "&#x110000;", "&#55296;", "\x01", "&#xFFFF;"]
)
def test_an_invalid_character_costs_only_itself(bad: str) -> None:
    body = rss(
        item(f"Tin {bad}hỏng", "https://x.vn/1", f"<description>Dẫn {bad}tin</description>")
        + item("Tin lành", "https://x.vn/2")
    )
    entries = parse_feed(body, RSS_HEADERS, BASE)
    assert [(e.title, e.description) for e in entries] == [
        ("Tin hỏng", "Dẫn tin"),
        ("Tin lành", None),
    ]


def test_a_few_broken_utf8_bytes_do_not_turn_the_feed_into_windows_1252() -> None:
    body = rss(item("Bão số 3 Lâm Đồng", "https://x.vn/1") + item("Đà Lạt", "https://x.vn/2"))
    broken = body.replace("Bão".encode(), b"B\xed\xb3\xbf\xe2o", 1)
    titles = [e.title for e in parse_feed(broken, RSS_HEADERS, BASE)]
    assert titles == ["Bo số 3 Lâm Đồng", "Đà Lạt"]


def test_an_item_feedparser_cannot_read_is_skipped_and_named(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from feeds.parse import _entries_one_by_one

    # Unsanitized bytes, as feedparser alone would meet them: it raises for this item.
    body = rss(item("Hỏng &#55296;", "https://x.vn/1") + item("Lành", "https://x.vn/2"))
    _, entries = _entries_one_by_one(body, {"content-type": "application/rss+xml"}, "Tin tức")
    assert [e["title"] for e in entries] == ["Lành"]
    assert "feed Tin tức: skipped item 1 (UnicodeEncodeError" in caplog.text


def test_listing_titles_lose_invalid_references_not_their_words() -> None:
    page = (
        b'<html><body><div class="item"><a href="/tin-tuc/a.html">Tin &#0;m\xe1\xbb\x9bi '
        b"&#xDCFF;&#99999999999;\x01nh\xe1\xba\xa5t</a></div></body></html>"
    )
    [entry] = parse_listing(page, BASE, item="div.item")
    assert entry.title == "Tin mới nhất"
