"""Fetching through a proxy: `[fetch] proxy_url` and the standard proxy variables, against
a real forwarding proxy on loopback; the URL guard still checks every story's host."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.admin.wiring import make_fetcher
from bot.config import ConfigError, parse_config
from feeds.fetch import Fetcher, FetchError, FetchSettings
from feeds.urlguard import UrlGuard
from tests.fakes.http_proxy import HttpProxy
from tests.fakes.news_site import VN_TZ, FakeNewsSite

LOOPBACK = ["127.0.0.1/32"]
SECRET = "pr0xy-S3cret-7731"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture(autouse=True)
def no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(scope="module")
def site() -> Iterator[FakeNewsSite]:
    with FakeNewsSite() as running:
        running.add_story(
            "lu-quet-o-lam-dong",
            "Lũ quét ở Lâm Đồng",
            "(Lamdongtv.vn) - Mưa lớn gây lũ quét tại huyện Đam Rông.",
            ["Đoạn một của bài.", "Đoạn hai của bài."],
            published=datetime(2024, 5, 1, 8, 0, tzinfo=VN_TZ),
        )
        yield running


def fetcher(proxy_url: str | None = None) -> Fetcher:
    settings = FetchSettings(timeout_seconds=3.0, proxy_url=proxy_url)
    return Fetcher(settings, UrlGuard(trusted_networks=LOOPBACK))


async def test_proxy_url_carries_every_fetch(tmp_path: Path, site: FakeNewsSite) -> None:
    with HttpProxy() as proxy:
        config = parse_config(
            f'[fetch]\ntrusted_networks = ["127.0.0.1/32"]\nproxy_url = "{proxy.url}"\n',
            str(tmp_path / "config.toml"),
        )
        site.clear_requests()
        async with make_fetcher(config) as through:
            result = await through.fetch(site.feed_url)
    assert "Lũ quét ở Lâm Đồng" in result.body.decode()
    assert [(r.method, r.target) for r in proxy.seen] == [("GET", site.feed_url)]
    assert len(site.requests_for(site.feed_url)) == 1


async def test_proxy_credentials_are_sent_and_never_printed(
    site: FakeNewsSite, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with HttpProxy(credentials=("bantin", SECRET)) as proxy:
        async with fetcher(proxy.url_with("bantin", SECRET)) as through:
            result = await through.fetch(site.feed_url)
            assert result.status == 200
        assert proxy.seen[0].proxy_authorization
        async with fetcher(proxy.url_with("bantin", "wrong-" + SECRET)) as refused:
            with pytest.raises(FetchError) as caught:
                await refused.fetch(site.feed_url)
            settings_repr = repr(refused._settings)
        assert proxy.refused
    assert caught.value.status == 407
    printed = caplog.text + str(caught.value) + caught.value.reason + settings_repr
    assert SECRET not in printed and "bantin:***@" in caplog.text


async def test_the_environment_proxy_is_honoured_and_no_proxy_skips_it(
    site: FakeNewsSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    with HttpProxy() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        async with fetcher() as through:
            await through.fetch(site.feed_url)
        assert [r.target for r in proxy.seen] == [site.feed_url]
        monkeypatch.setenv("NO_PROXY", "example.vn, 127.0.0.0/8")
        async with fetcher() as direct:
            await direct.fetch(site.feed_url)
        assert len(proxy.seen) == 1
        monkeypatch.delenv("NO_PROXY")
        monkeypatch.delenv("HTTP_PROXY")
        monkeypatch.setenv("all_proxy", proxy.url)
        async with fetcher() as through_all:
            await through_all.fetch(site.feed_url)
        assert len(proxy.seen) == 2


async def test_the_guard_still_checks_the_story_host_through_a_proxy(
    site: FakeNewsSite,
) -> None:
    with HttpProxy() as proxy:
        async with fetcher(proxy.url) as through:
            with pytest.raises(FetchError, match="refused"):
                await through.fetch("http://10.0.0.1/admin")
            with pytest.raises(FetchError, match="refused"):
                await through.fetch(site.private_redirect_url)
    # The redirect's first hop went through; its private target never reached the proxy.
    assert [r.target for r in proxy.seen] == [site.private_redirect_url]


async def test_an_unreachable_socks5_proxy_is_a_fetch_error_without_its_password(
    site: FakeNewsSite,
) -> None:
    with HttpProxy() as closed:
        port = closed.port
    async with fetcher(f"socks5://bantin:{SECRET}@127.0.0.1:{port}") as through:
        with pytest.raises(FetchError) as caught:
            await through.fetch(site.feed_url)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    "value",
    [
        f"ftp://bantin:{SECRET}@proxy.vn:21",
        f"http://bantin:{SECRET}@:8080",
        f"socks5://bantin:{SECRET}@proxy.vn:port",
    ],
)
def test_a_wrong_proxy_url_names_the_key_and_hides_the_password(tmp_path: Path, value: str) -> None:
    path = str(tmp_path / "config.toml")
    with pytest.raises(ConfigError) as caught:
        parse_config(f'[fetch]\nproxy_url = "{value}"\n', path)
    message = str(caught.value)
    assert "fetch.proxy_url" in message or "[fetch] proxy_url" in message or "proxy_url" in message
    assert path in message and SECRET not in message


async def test_an_unusable_proxy_variable_is_ignored_with_a_warning_not_a_crash(
    site: FakeNewsSite, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"ftp://bantin:{SECRET}@proxy.vn:21")
    site.clear_requests()
    async with fetcher() as direct:
        result = await direct.fetch(site.feed_url)
    assert result.status == 200 and site.requests_for(site.feed_url)
    assert "ignored HTTP_PROXY from the environment" in caplog.text
    assert SECRET not in caplog.text
