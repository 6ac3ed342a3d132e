"""`[websub]`: off by default, a public callback turns it on, mistakes are named."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, parse_config


def test_websub_is_off_by_default_and_the_poll_interval_is_a_minute() -> None:
    config = parse_config("", "<test>", env={})
    assert not config.websub.enabled
    assert config.websub.listen == "127.0.0.1:8443"
    assert config.poll.interval_seconds == 60


def test_a_callback_url_turns_it_on() -> None:
    config = parse_config(
        '[websub]\ncallback_url = "https://bantin.example.vn/websub/"\nlisten = "0.0.0.0:8444"\n'
        "lease_seconds = 3600",
        "<test>",
        env={},
    )
    assert config.websub.enabled
    assert config.websub.callback_url == "https://bantin.example.vn/websub"
    assert (config.websub.listen, config.websub.lease_seconds) == ("0.0.0.0:8444", 3600)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[websub]\ncallback_url = "ftp://x"', "[websub] callback_url"),
        ('[websub]\nlisten = "nowhere"', "[websub] listen: expected host:port"),
        ("[websub]\nlease_seconds = 10", "[websub] lease_seconds"),
        ('[websub]\nhub = "x"', "[websub] hub"),
    ],
)
def test_mistakes_are_named(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=None) as refused:
        parse_config(text, "<test>", env={})
    assert message in str(refused.value)
