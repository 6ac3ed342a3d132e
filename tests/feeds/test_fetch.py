"""The fetcher against the fake news site: real HTTP over loopback, real httpx."""

from __future__ import annotations

import gzip
import socket
import time
import tracemalloc
import urllib.request
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from feeds.fetch import Fetcher, FetchError, FetchResult, FetchSettings, parse_retry_after
from feeds.listing import parse_listing
from feeds.urlguard import UnsafeURLError, UrlGuard
from tests.fakes.news_site import VN_TZ, FakeNewsSite, FakeResponse, gzip_bomb

LOOPBACK = ["127.0.0.1/32"]
CAP = 1_000_000


@pytest.fixture(scope="module")
def site() -> Iterator[FakeNewsSite]:
    with FakeNewsSite(slow_seconds=2.0) as running:
        running.add_story(
            "lu-quet-o-lam-dong",
            "Lũ quét ở Lâm Đồng",
            "(Lamdongtv.vn) - Mưa lớn gây lũ quét tại huyện Đam Rông.",
            ["Đoạn một của bài.", "Đoạn hai của bài."],
            published=datetime(2024, 5, 1, 8, 0, tzinfo=VN_TZ),
            image="/Upload/News/2024/05/01/lu.jpg",
        )
        yield running


def make_fetcher(**overrides: float | int) -> Fetcher:
    settings = FetchSettings(**{"timeout_seconds": 3.0, "max_bytes": CAP, **overrides})  # type: ignore[arg-type]
    return Fetcher(settings, UrlGuard(trusted_networks=LOOPBACK))


async def fetch(url: str, **overrides: float | int) -> FetchResult:
    async with make_fetcher(**overrides) as fetcher:
        return await fetcher.fetch(url)


async def fetch_error(url: str, **overrides: float | int) -> FetchError:
    with pytest.raises(FetchError) as caught:
        await fetch(url, **overrides)
    return caught.value


# -- the happy path and conditional GET ------------------------------------------------


async def test_feed_is_fetched_with_validators_and_lowercase_headers(site: FakeNewsSite) -> None:
    result = await fetch(site.feed_url)
    assert result.status == 200
    assert result.url == site.feed_url
    assert result.body.startswith(b"<?xml")
    assert "Lũ quét ở Lâm Đồng".encode() in result.body
    assert result.etag and result.etag.startswith('"')
    assert result.last_modified and result.last_modified.endswith("GMT")
    assert result.encoding == "utf-8"
    assert result.not_modified is False
    assert result.headers["content-type"].startswith("application/rss+xml")
    assert all(name == name.lower() for name in result.headers)
    sent = site.requests_for(site.feed_url)[-1].headers
    assert sent["user-agent"].startswith("Bantin/")
    assert sent["accept-encoding"] == "gzip, deflate"


async def test_conditional_get_gives_not_modified_on_the_second_fetch(site: FakeNewsSite) -> None:
    async with make_fetcher() as fetcher:
        first = await fetcher.fetch(site.feed_url)
        second = await fetcher.fetch(
            site.feed_url, etag=first.etag, last_modified=first.last_modified
        )
    assert second.not_modified is True
    assert second.status == 304
    assert second.body == b""
    assert second.etag == first.etag
    sent = site.requests_for(site.feed_url)[-1].headers
    assert sent["if-none-match"] == first.etag
    assert sent["if-modified-since"] == first.last_modified


async def test_if_modified_since_alone_is_enough(site: FakeNewsSite) -> None:
    async with make_fetcher() as fetcher:
        first = await fetcher.fetch(site.feed_url)
        second = await fetcher.fetch(site.feed_url, last_modified=first.last_modified)
    assert second.not_modified
    assert "if-none-match" not in site.requests_for(site.feed_url)[-1].headers


async def test_a_new_story_changes_the_feed_and_the_validators() -> None:
    with FakeNewsSite() as own:
        own.add_story("a", "Tin A", "Lead A", ["Một."], published=datetime(2024, 1, 1, tzinfo=UTC))
        async with make_fetcher() as fetcher:
            first = await fetcher.fetch(own.feed_url)
            own.add_story(
                "b", "Tin B", "Lead B", ["Hai."], published=datetime(2024, 1, 2, tzinfo=UTC)
            )
            second = await fetcher.fetch(
                own.feed_url, etag=first.etag, last_modified=first.last_modified
            )
    assert not second.not_modified
    assert second.etag != first.etag
    assert b"Tin B" in second.body


async def test_story_page_is_the_seed_chrome_with_the_story_in_it(site: FakeNewsSite) -> None:
    story = site.stories[0]
    result = await fetch(story.url)
    page = result.body.decode("utf-8")
    assert '<h1 class="title">Lũ quét ở Lâm Đồng</h1>' in page
    assert "Thứ tư, 01/05/2024 - 08:00" in page
    assert "Mưa lớn gây lũ quét" in page
    assert "Đoạn hai của bài." in page
    assert 'src="/Upload/News/2024/05/01/lu.jpg"' in page
    assert "Tin đọc nhiều" in page  # the chrome is still there
    assert "2024-05-01T08:00:00+07:00" in page
    assert "Quy chế dân chủ" not in page.split('<div class="content">')[1].split("</div>")[0]


async def test_injected_failures_last_for_n_requests(site: FakeNewsSite) -> None:
    story = site.stories[0]
    site.fail(story.url, times=2)
    for _ in range(2):
        error = await fetch_error(story.url)
        assert error.status == 500 and not error.permanent
    assert (await fetch(story.url)).status == 200


# -- status codes ------------------------------------------------------------------------


async def test_server_error_is_temporary(site: FakeNewsSite) -> None:
    error = await fetch_error(site.error_url)
    assert error.status == 500
    assert error.permanent is False
    assert error.url == site.error_url
    assert "500" in error.reason


@pytest.mark.parametrize(
    ("status", "permanent"),
    [
        (400, True),
        (401, True),
        (403, True),
        (404, True),
        (410, True),
        (408, False),
        (429, False),
        (502, False),
        (503, False),
        (504, False),
    ],
)
async def test_which_statuses_are_permanent(
    site: FakeNewsSite, status: int, permanent: bool
) -> None:
    error = await fetch_error(site.status_url(status))
    assert error.status == status
    assert error.permanent is permanent


async def test_429_carries_retry_after(site: FakeNewsSite) -> None:
    error = await fetch_error(site.too_many_requests_url)
    assert error.status == 429
    assert error.retry_after == 120.0
    assert error.permanent is False
    assert "retry after 120" in error.reason


async def test_503_with_an_http_date_retry_after(site: FakeNewsSite) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    error = await fetch_error(site.status_url(503, retry_after=later))
    assert error.status == 503
    assert error.retry_after is not None and 80 <= error.retry_after <= 91


# -- time and size caps -------------------------------------------------------------------


async def test_slow_page_times_out_within_the_total_budget(site: FakeNewsSite) -> None:
    started = time.monotonic()
    error = await fetch_error(site.slow_url, timeout_seconds=0.3)
    assert time.monotonic() - started < 1.5
    assert error.permanent is False
    assert "timed out" in error.reason


async def test_a_dribbling_body_counts_against_the_total_timeout(site: FakeNewsSite) -> None:
    # A byte every 0.05 s never trips a per-read timeout; the total budget must.
    started = time.monotonic()
    error = await fetch_error(site.dribble_url_for(3.0), timeout_seconds=0.4)
    assert time.monotonic() - started < 1.5
    assert "timed out after 0.4 s" in error.reason
    assert error.permanent is False


async def test_body_over_the_cap_with_content_length_is_refused_early(
    site: FakeNewsSite,
) -> None:
    started = time.monotonic()
    error = await fetch_error(site.big_url)
    assert time.monotonic() - started < 2
    assert error.permanent is True
    assert f"larger than {CAP} bytes" in error.reason


async def test_body_over_the_cap_without_content_length_is_cut_while_streaming(
    site: FakeNewsSite,
) -> None:
    error = await fetch_error(site.big_unsized_url)
    assert f"larger than {CAP} bytes" in error.reason


async def test_gzip_bomb_stops_at_the_cap_without_filling_memory(site: FakeNewsSite) -> None:
    assert len(gzip_bomb()) < 200_000  # small on the wire ...
    tracemalloc.start()
    try:
        error = await fetch_error(site.gzip_bomb_url)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"larger than {CAP} bytes" in error.reason  # ... and over the cap unpacked
    assert peak < 8 * CAP, f"peak {peak} bytes while reading a bomb capped at {CAP}"


async def test_body_of_exactly_the_cap_is_accepted(site: FakeNewsSite) -> None:
    site.set_route("/exact", FakeResponse(200, b"a" * 1000), times=2)
    assert len((await fetch(site.url("/exact"), max_bytes=1000)).body) == 1000
    error = await fetch_error(site.url("/exact"), max_bytes=999)
    assert "larger than 999 bytes" in error.reason


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some send
    ],
)
async def test_compressed_bodies_are_decoded(
    site: FakeNewsSite, encoding: str, pack: object
) -> None:
    original = site.render_rss()
    packed = pack(original)  # type: ignore[operator]
    site.set_route("/packed", FakeResponse(200, packed, {"Content-Encoding": encoding}), times=1)
    result = await fetch(site.url("/packed"))
    assert result.body == original


async def test_multi_member_gzip_is_decoded_whole(site: FakeNewsSite) -> None:
    packed = gzip.compress(b"first half, ") + gzip.compress(b"second half")
    site.set_route("/members", FakeResponse(200, packed, {"Content-Encoding": "gzip"}), times=1)
    assert (await fetch(site.url("/members"))).body == b"first half, second half"


async def test_unknown_content_encoding_is_an_error(site: FakeNewsSite) -> None:
    site.set_route("/br", FakeResponse(200, b"\x0b\x02\x80", {"Content-Encoding": "br"}), times=1)
    error = await fetch_error(site.url("/br"))
    assert "content-encoding" in error.reason


async def test_corrupt_gzip_is_an_error(site: FakeNewsSite) -> None:
    bad = FakeResponse(200, b"\x1f\x8bnot really gzip", {"Content-Encoding": "gzip"})
    site.set_route("/bad-gzip", bad, times=1)
    error = await fetch_error(site.url("/bad-gzip"))
    assert "bad gzip body" in error.reason


# -- redirects and the guard ---------------------------------------------------------------


async def test_a_three_hop_redirect_chain_is_followed(site: FakeNewsSite) -> None:
    site.clear_requests()
    result = await fetch(site.redirect_chain_url(3))
    assert result.url == site.redirect_landing_url
    assert result.body == b"landed\n"
    hops = [r.path for r in site.requests]
    assert hops == [f"/hostile/redirect/{n}" for n in (3, 2, 1, 0)] + ["/hostile/landed"]


async def test_a_seven_hop_chain_is_too_many(site: FakeNewsSite) -> None:
    error = await fetch_error(site.redirect_chain_url(7))
    assert error.permanent is True
    assert "more than 5 redirects" in error.reason


async def test_max_redirects_is_exact(site: FakeNewsSite) -> None:
    # redirect/2 -> 1 -> 0 -> landed: three redirects.
    assert (await fetch(site.redirect_chain_url(2), max_redirects=3)).status == 200
    error = await fetch_error(site.redirect_chain_url(2), max_redirects=2)
    assert "more than 2 redirects" in error.reason


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ("private_redirect_url", "private address 10.0.0.1"),
        ("metadata_redirect_url", "link-local address 169.254.169.254"),
    ],
)
async def test_redirect_to_a_private_address_is_refused_before_connecting(
    site: FakeNewsSite, route: str, words: str
) -> None:
    url = getattr(site, route)
    error = await fetch_error(url)
    assert error.permanent is True
    assert words in error.reason
    assert "redirect to http://" in error.reason
    assert error.url == url


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("http://192.168.1.1/admin", "private address 192.168.1.1"),
        ("http://[::ffff:10.0.0.1]/", "IPv4-mapped private"),
        ("http://100.64.0.1/", "CGNAT"),
        ("http://[fd00::1]/", "ULA"),
        ("http://127.0.0.2/", "loopback"),  # loopback, but not the trusted /32
        ("http://user:pw@127.0.0.1/", "credentials"),
        ("file:///etc/passwd", "file URL"),
        ("ftp://example.com/feed.xml", "ftp URL"),
        ("javascript:alert(1)", "redirect Location"),
    ],
)
async def test_every_hop_is_rechecked(site: FakeNewsSite, target: str, words: str) -> None:
    error = await fetch_error(site.redirect_to_url(target, status=301))
    assert words in error.reason
    assert error.permanent is True


async def test_an_unparsable_location_is_an_error_not_a_crash(site: FakeNewsSite) -> None:
    error = await fetch_error(site.redirect_to_url("http://[::1", status=302))
    assert "location header" in error.reason


async def test_relative_and_303_redirects_are_followed(site: FakeNewsSite) -> None:
    result = await fetch(site.redirect_to_url("/hostile/landed", status=303))
    assert result.url == site.redirect_landing_url


async def test_a_redirect_without_location_is_an_error(site: FakeNewsSite) -> None:
    site.set_route("/nowhere", FakeResponse(302), times=1)
    error = await fetch_error(site.url("/nowhere"))
    assert "without a Location" in error.reason


async def test_untrusted_loopback_is_refused_before_any_request(site: FakeNewsSite) -> None:
    site.clear_requests()
    async with Fetcher(FetchSettings(), UrlGuard()) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(site.feed_url)
    assert "loopback address 127.0.0.1" in caught.value.reason
    assert caught.value.permanent is True
    assert site.requests == []


class _RebindingGuard(UrlGuard):
    """A guard whose DNS answers differently the second time (DNS rebinding)."""

    def __init__(self) -> None:
        super().__init__(trusted_networks=LOOPBACK)
        self.lookups: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host == "news.example" and len(self.lookups) == 1:
            return await super().resolve("127.0.0.1", port)
        if host == "news.example":
            return await super().resolve("10.0.0.1", port)
        return await super().resolve(host, port)


async def test_the_connection_itself_is_guarded_against_dns_rebinding() -> None:
    guard = _RebindingGuard()
    async with Fetcher(FetchSettings(timeout_seconds=3), guard) as fetcher:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch("http://news.example/rss")
    assert "private address 10.0.0.1" in caught.value.reason
    assert caught.value.permanent is True
    assert guard.lookups == ["news.example", "news.example"]  # check, then connect


async def test_connect_uses_the_address_the_guard_approved(site: FakeNewsSite) -> None:
    # "localhost" is dialled at the checked address, with the Host header kept.
    port = site.base_url.rsplit(":", 1)[1]
    site.clear_requests()
    async with Fetcher(FetchSettings(), UrlGuard(trusted_networks=["127.0.0.0/8", "::1/128"])) as f:
        result = await f.fetch(f"http://localhost:{port}/hostile/landed")
    assert result.body == b"landed\n"
    assert site.requests[-1].headers["host"] == f"localhost:{port}"


# -- transport failures and clients -------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_connection_refused_is_temporary() -> None:
    error = await fetch_error(f"http://127.0.0.1:{_closed_port()}/rss")
    assert error.permanent is False
    assert error.status is None
    assert "ConnectError" in error.reason


async def test_unresolvable_host_is_temporary() -> None:
    # Fails before any DNS query (a label too long for IDNA): no traffic leaves the box.
    error = await fetch_error(f"http://{'a' * 64}.example/rss")
    assert error.permanent is False
    assert "cannot resolve" in error.reason


async def test_a_bad_feed_url_is_refused_permanently() -> None:
    error = await fetch_error("ftp://example.com/rss")
    assert error.permanent is True
    assert "scheme 'ftp'" in error.reason


async def test_a_caller_supplied_client_is_used_and_left_open(site: FakeNewsSite) -> None:
    async with httpx.AsyncClient(headers={"X-Test": "yes"}) as client:
        fetcher = Fetcher(FetchSettings(), UrlGuard(trusted_networks=LOOPBACK), client)
        assert (await fetcher.fetch(site.feed_url)).status == 200
        with pytest.raises(FetchError, match=r"private address 10\.0\.0\.1"):
            await fetcher.fetch(site.private_redirect_url)
        await fetcher.aclose()
        assert not client.is_closed
    assert site.requests_for(site.feed_url)[-1].headers["x-test"] == "yes"


async def test_guard_error_type_is_a_value_error() -> None:
    assert issubclass(UnsafeURLError, ValueError)


# -- Retry-After --------------------------------------------------------------------------------

NOW = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("Wed, 01 May 2024 12:01:30 GMT", 90.0),
        ("Wed, 01 May 2024 11:00:00 GMT", 0.0),  # in the past: go now
        ("-3", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, now=NOW) == expected


# -- the fake site's listing pages, as the poller reads them ------------------------------------


async def test_listing_pages_link_every_story_newest_first() -> None:
    with FakeNewsSite(listing_page_size=2) as own:
        urls = [
            own.add_story(
                f"tin-{n}",
                f"Tin số {n}",
                f"Lead {n}",
                [f"Đoạn {n}."],
                published=datetime(2024, 5, n, 8, 0, tzinfo=VN_TZ),
                image=f"/Upload/{n}.jpg" if n % 2 else None,
            )
            for n in (1, 2, 3)
        ]
        async with make_fetcher() as fetcher:
            first = await fetcher.fetch(own.listing_url)
            second = await fetcher.fetch(own.listing_page_url(2))
        page1 = parse_listing(first.body, first.url, **own.listing_selectors)
        page2 = parse_listing(second.body, second.url, **own.listing_selectors)
    assert [e.url for e in page1] == [urls[2], urls[1]]
    assert [e.title for e in page1] == ["Tin số 3", "Tin số 2"]
    assert [e.url for e in page2] == [urls[0]]
    assert page1[0].image == own.url("/Upload/3.jpg")


def test_the_fake_site_serves_plain_sync_clients_too() -> None:
    with FakeNewsSite() as own:
        with urllib.request.urlopen(own.listing_url, timeout=5) as response:
            assert response.status == 200
            assert b'class="list-news"' in response.read()
        assert [(m, p) for m, p, _h in own.requests] == [("GET", "/tin-tuc")]
