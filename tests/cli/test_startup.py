"""`bantin run` when a platform cannot be reached or refuses the token, as a process.

Unreachable: a closed loopback port, or the fake answering 5xx. Refused: the fake
answering 401/404 to a token it does not know.
"""

from __future__ import annotations

from pathlib import Path

from tests.bot.test_pipeline import publish_seed_and_dalat, write_config
from tests.cli.process import TOKEN, ZALO_TOKEN, Running, bantin, clean_env, closed_port
from tests.fakes.news_site import FakeNewsSite
from tests.fakes.telegram_api import Failure, FakeTelegram
from tests.fakes.zalo_api import SERVER_ERROR, FakeZalo


def platforms(telegram_url: str, zalo_url: str | None = None) -> str:
    text = f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "{telegram_url}"\n'
    if zalo_url:
        text += f'[zalo]\ntoken = "{ZALO_TOKEN}"\napi_base_url = "{zalo_url}"\n'
    return text


def assert_quiet(text: str) -> None:
    """No traceback and no secret (a token or its secret half) in what was printed."""
    assert "Traceback" not in text, text
    for secret in (TOKEN, ZALO_TOKEN):
        assert secret not in text
        assert secret.split(":")[1] not in text


def test_unreachable_telegram_is_retried_while_polling_and_zalo_go_on(tmp_path: Path) -> None:
    with FakeNewsSite() as site, FakeZalo(token=ZALO_TOKEN) as zalo:
        publish_seed_and_dalat(site)
        url = f"http://127.0.0.1:{closed_port()}"
        config = write_config(tmp_path, site, extra=platforms(url, zalo.url))
        with Running(config) as bot:
            bot.wait_for(lambda: bool(site.requests_for(site.feed_url)))
            bot.wait_for(lambda: bool(zalo.calls_to("getUpdates")))
            bot.wait_for(lambda: "try 3" in bot.err, timeout=20)
            assert bot.process.poll() is None
            code = bot.stop()
    assert code == 0, bot.err
    tries = [line for line in bot.err.splitlines() if "platform telegram: cannot reach" in line]
    assert len(tries) >= 3
    assert all(url in line and "proxy_url" in line for line in tries)
    assert "next try in 1 s" in tries[0] and "next try in 2 s" in tries[1]
    assert "platform zalo: started" in bot.err
    assert "Khai mạc Festival Hoa Đà Lạt lần thứ 10" in bot.out
    assert_quiet(bot.err + bot.out)


def test_telegram_answering_5xx_at_start_is_tried_again_until_it_starts(tmp_path: Path) -> None:
    with FakeNewsSite() as site, FakeTelegram(token=TOKEN) as tg:
        tg.fail("getMe", Failure(502, "Bad Gateway"), times=2)
        config = write_config(tmp_path, site, extra=platforms(tg.url))
        with Running(config) as bot:
            bot.wait_for(lambda: bool(tg.calls_to("getUpdates")), timeout=30)
            code = bot.stop()
    assert code == 0, bot.err
    assert bot.err.count("platform telegram: cannot reach") == 2
    assert "Bad Gateway" in bot.err
    assert "platform telegram: started" in bot.err
    assert_quiet(bot.err + bot.out)


def test_a_token_telegram_rejects_stops_bantin_with_exit_2_naming_the_key(
    tmp_path: Path,
) -> None:
    with FakeNewsSite() as site, FakeTelegram(token="1:another-bot") as tg:
        config = write_config(tmp_path, site, extra=f'[telegram]\napi_base_url = "{tg.url}"\n')
        done = bantin("run", "--config", str(config), env=clean_env(BANTIN_TELEGRAM_TOKEN=TOKEN))
    assert done.returncode == 2, done.stderr
    assert "[telegram] token" in done.stderr and "BANTIN_TELEGRAM_TOKEN" in done.stderr
    assert "config error" in done.stderr and str(config) in done.stderr
    assert_quiet(done.stdout + done.stderr)


def test_a_token_zalo_rejects_stops_bantin_with_exit_2_naming_the_key(tmp_path: Path) -> None:
    with FakeNewsSite() as site, FakeZalo(token="9:another-bot") as zalo:
        extra = f'[zalo]\ntoken = "{ZALO_TOKEN}"\napi_base_url = "{zalo.url}"\n'
        config = write_config(tmp_path, site, extra=extra)
        done = bantin("run", "--config", str(config))
    assert done.returncode == 2, done.stderr
    assert "[zalo] token" in done.stderr and "BANTIN_ZALO_TOKEN" in done.stderr
    assert_quiet(done.stdout + done.stderr)


def test_zalo_answering_5xx_at_start_is_tried_again_until_it_starts(tmp_path: Path) -> None:
    with FakeNewsSite() as site, FakeZalo(token=ZALO_TOKEN) as zalo:
        zalo.fail("getMe", SERVER_ERROR, times=2)
        extra = f'[zalo]\ntoken = "{ZALO_TOKEN}"\napi_base_url = "{zalo.url}"\n'
        config = write_config(tmp_path, site, extra=extra)
        with Running(config) as bot:
            bot.wait_for(lambda: bool(zalo.calls_to("getUpdates")), timeout=30)
            code = bot.stop()
    assert code == 0, bot.err
    assert bot.err.count("platform zalo: cannot reach") == 2
    assert "platform zalo: started" in bot.err
    assert_quiet(bot.err + bot.out)
