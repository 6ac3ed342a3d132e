"""One story, one key: canonical URLs and article keys."""

from __future__ import annotations

import hashlib
from urllib.parse import urlsplit

import pytest

from feeds.keys import article_key, canonical_url
from feeds.models import FeedEntry

STORY = "https://lamdongtv.vn/tin-tuc/day-manh-12345.html"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (STORY, STORY),
        (f"{STORY}?utm_source=zalo&utm_medium=social&utm_campaign=x", STORY),
        (f"{STORY}?fbclid=IwAR0abc", STORY),
        (f"{STORY}?zarsrc=30&utm_source=zalo&gidzl=abc", STORY),
        (f"{STORY}?gclid=1&UTM_Content=2&_ga=3", STORY),
        (f"{STORY}#binh-luan", STORY),
        ("HTTPS://LamDongTV.VN/tin-tuc/day-manh-12345.html", STORY),
        ("https://lamdongtv.vn:443/tin-tuc/day-manh-12345.html", STORY),
        ("http://lamdongtv.vn:80/a", "http://lamdongtv.vn/a"),
        ("http://lamdongtv.vn:8080/a", "http://lamdongtv.vn:8080/a"),
        ("https://lamdongtv.vn", "https://lamdongtv.vn/"),
        ("https://lamdongtv.vn./a", "https://lamdongtv.vn/a"),
        ("https://x.vn/a?b=2&a=1&utm_x=9", "https://x.vn/a?a=1&b=2"),
        ("https://x.vn/a?id=5&id=3", "https://x.vn/a?id=3&id=5"),
        (
            "https://x.vn/a?q=%c4%90%C3%A0+L%e1%ba%a1t",
            "https://x.vn/a?q=%C4%90%C3%A0%20L%E1%BA%A1t",
        ),
        ("https://x.vn/%7Ea/%e1%bb%99", "https://x.vn/~a/%E1%BB%99"),
        ("https://x.vn/tin/đà-lạt", "https://x.vn/tin/%C4%91%C3%A0-l%E1%BA%A1t"),
        ("https://Đà-Lạt.vn/a", "https://xn---lt-8ka8vx53n.vn/a"),  # IDNA, lower-cased
        ("  https://x.vn/a  ", "https://x.vn/a"),
        ("https://x.vn/a?flag", "https://x.vn/a?flag="),
        ("https://user@x.vn/a", "https://x.vn/a"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    for url in (f"{STORY}?b=1&a=%7e&utm_source=x#c", "https://x.vn/tin/đà-lạt?q=a+b"):
        once = canonical_url(url)
        assert canonical_url(once) == once


def test_path_case_is_kept() -> None:
    assert canonical_url("https://x.vn/Tin/ABC") == "https://x.vn/Tin/ABC"


def test_garbage_is_returned_trimmed_not_raised() -> None:
    assert canonical_url("not a url ") == "not a url"
    assert canonical_url("http://x.vn:bad/") == "http://x.vn:bad/"


def test_guid_key() -> None:
    entry = FeedEntry(url=STORY, title="T", guid="12345")
    assert article_key(entry) == f"guid:{urlsplit(STORY).hostname}:12345"


def test_plain_guids_of_two_sites_do_not_collide() -> None:
    ours = FeedEntry(url="https://lamdongtv.vn/tin-tuc/a.html", title="T", guid="12345")
    theirs = FeedEntry(url="https://baolamdong.vn/xa-hoi/b.html", title="T", guid="12345")
    assert article_key(ours) != article_key(theirs)


def test_url_key_when_there_is_no_guid() -> None:
    entry = FeedEntry(url=f"{STORY}?utm_source=rss#top", title="T")
    assert article_key(entry) == f"url:{STORY}"


def test_same_story_via_feed_and_listing_gets_one_key() -> None:
    from_feed = FeedEntry(url=STORY, title="Đẩy mạnh", guid=STORY)  # guid is the permalink
    from_listing = FeedEntry(url=f"https://LAMDONGTV.vn{STORY[20:]}?zarsrc=30", title="Đẩy mạnh")
    shared_from_zalo = FeedEntry(url=f"{STORY}?utm_source=zalo&utm_medium=zalo", title="x")
    keys = {article_key(e) for e in (from_feed, from_listing, shared_from_zalo)}
    assert keys == {f"url:{STORY}"}


def test_a_url_guid_differing_from_the_link_still_keys_by_the_link() -> None:
    entry = FeedEntry(url=STORY, title="T", guid="https://lamdongtv.vn/?p=12345")
    assert article_key(entry) == f"url:{STORY}"


def test_a_url_guid_without_a_link_is_the_url() -> None:
    entry = FeedEntry(url="", title="T", guid="https://x.vn/p/1?utm_source=a")
    assert article_key(entry) == "url:https://x.vn/p/1"


def test_blank_guid_is_ignored() -> None:
    assert article_key(FeedEntry(url=STORY, title="T", guid="  ")) == f"url:{STORY}"


def test_hash_key_when_there_is_neither() -> None:
    entry = FeedEntry(url="", title="Đà Lạt  mưa")
    key = article_key(entry, content="Nội dung")
    expected = hashlib.sha256(b"da lat mua\nnoi dung").hexdigest()
    assert key == f"hash:{expected}"
    # folded: case, diacritics and spacing do not change the key
    assert article_key(FeedEntry(url=" ", title="ĐÀ LẠT MƯA"), content="  NỘI  DUNG ") == key
    assert article_key(entry, content="Khác") != key
