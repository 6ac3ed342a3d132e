"""`[telegram] proxy_url` / `[zalo] proxy_url`, and HTTP(S)_PROXY where no key is set:
every call to the platform goes through the proxy (the tests' loopback one)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import ConfigError, parse_config
from bot.store import Store
from tests.cli.process import TOKEN, Running, clean_env
from tests.delivery.helpers import add_chat, add_story, telegram_config
from tests.fakes.http_proxy import HttpProxy
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_api import FakeZalo
from tests.platforms.telegram.helpers import running
from tests.platforms.zalo.test_end_to_end import running as zalo_running
from tests.platforms.zalo.test_end_to_end import zalo_config


def saw(proxy: HttpProxy, fragment: str) -> list[str]:
    return [r.target for r in list(proxy.seen) if fragment in r.target]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "bantin.sqlite3")
    yield s
    s.close()


async def test_a_telegram_story_goes_through_the_configured_proxy(
    tmp_path: Path, store: Store
) -> None:
    with FakeTelegram() as tg, HttpProxy(credentials=("u", "pw")) as proxy:
        config = telegram_config(tmp_path, tg)
        config = replace(
            config, telegram=replace(config.telegram, proxy_url=proxy.url_with("u", "pw"))
        )
        base = f"{tg.url}/bot{tg.token}"
        add_chat(store, 101)
        add_story(store, "Đà Lạt đón mưa lớn", image=None)
        async with running(config, store) as platform:
            await platform.worker.drain(10)
    assert len(tg.delivered("101")) == 1
    assert saw(proxy, f"{base}/sendMessage")
    assert saw(proxy, "/getMe") and saw(proxy, "/getUpdates")
    assert not proxy.refused  # u:pw went with every request
    assert "telegram" in store.sync.health.facts().answered  # the heartbeat was written


async def test_zalo_goes_through_the_configured_proxy(tmp_path: Path, store: Store) -> None:
    with FakeZalo() as zalo, HttpProxy() as proxy:
        config = zalo_config(tmp_path, zalo)
        config = replace(config, zalo=replace(config.zalo, proxy_url=proxy.url))
        async with zalo_running(config, store):
            zalo.push_update(zalo.text_update("z1", "/start"))
            await zalo.wait_for_replies("z1")
    assert saw(proxy, "/getMe") and saw(proxy, "/sendMessage")


def test_the_standard_proxy_variable_is_honoured_by_the_running_bot(tmp_path: Path) -> None:
    with FakeTelegram(token=TOKEN) as tg, HttpProxy() as proxy:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[storage]\npath = "b.sqlite3"\n[telegram]\ntoken = "{TOKEN}"\n'
            f'api_base_url = "{tg.url}"\n'
        )
        env = clean_env(HTTP_PROXY=proxy.url, NO_PROXY="")
        with Running(config, env) as bot:
            bot.wait_for(lambda: bool(saw(proxy, "/getUpdates")))
            assert bot.stop() == 0
    assert saw(proxy, "/getMe")


@pytest.mark.parametrize(
    "url, why",
    [
        ("ftp://u:hunter22@h:21", "the scheme must be one of"),
        ("http://u:hunter22@:3128", "no host"),
    ],
)
def test_a_proxy_url_bantin_cannot_use_is_named_without_its_password(url: str, why: str) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(f'[telegram]\nproxy_url = "{url}"\n', "c.toml", env={})
    message = str(refused.value)
    assert "c.toml: [telegram] proxy_url" in message and why in message
    assert "hunter22" not in message
