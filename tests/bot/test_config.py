"""Config: the documented file equals the embedded defaults; every wrong value is named."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import EMBEDDED_DEFAULTS, ConfigError, find_config_path, load_config, parse_config
from bot.core.settings import DeliveryConfig

REPO = Path(__file__).resolve().parents[2]


def test_repository_config_is_the_embedded_defaults() -> None:
    documented = load_config(str(REPO / "config.toml"), env={})
    embedded = parse_config(EMBEDDED_DEFAULTS, "<embedded>", env={})
    assert replace(documented, source="x", storage_path=embedded.storage_path) == replace(
        embedded, source="x"
    )
    assert documented.storage_path == REPO / "data/bantin.sqlite3"
    names = [feed.name for feed in embedded.feeds]
    assert "Lâm Đồng TV" in names
    assert any(feed.url.startswith("https://baolamdong.vn/rss/") for feed in embedded.feeds)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[poll]\ninterval_seconds = "often"', "[poll] interval_seconds: expected a whole number"),
        ("[poll]\ninterval_seconds = 0", "[poll] interval_seconds: expected a whole number"),
        (
            '[fetch]\nallow_private_addresses = "yes"',
            "[fetch] allow_private_addresses: expected true or false",
        ),
        ('[fetch]\ntrusted_networks = ["not a net"]', "[fetch] trusted_networks"),
        (
            '[telegram]\napi_base_url = "ftp://x"',
            "[telegram] api_base_url: expected an http(s) URL",
        ),
        (
            '[telegram]\nadmins = ["alice"]',
            "[telegram] admins: expected a list of numeric user ids",
        ),
        (
            '[summary]\nprovider = "gpt"',
            "[summary] provider: expected one of 'extractive', 'openai'",
        ),
        ("[poll]\nintervall_seconds = 5", "[poll] intervall_seconds: unknown key"),
        ("[polling]\n", "[polling]: unknown table"),
        (
            '[[feeds]]\nname = "A"\nurl = "file:///etc/passwd"',
            "[[feeds]] #1 url: expected an http(s) URL",
        ),
        ('[[feeds]]\nname = "A"\nurl = "https://a.vn/x"\nkind = "html"', "[[feeds]] #1 item"),
        (
            '[[feeds]]\nname = "A"\nurl = "https://a.vn/1"\n[[feeds]]\nname = "A"\nurl = "https://a.vn/2"',
            "[[feeds]] #2 name: expected a name no other feed has",
        ),
        ('[bot]\ntimezone = "Mars/Olympus"', "[bot] timezone: expected an IANA time zone"),
        ("[poll\n", "not valid TOML"),
        (
            '[zalo]\ngone_error_codes = ["403"]',
            "[zalo] gone_error_codes: expected a list of Zalo error codes",
        ),
        (
            '[zalo]\nwebhook_url = "https://x.vn/z"\nwebhook_secret = "short"',
            "[zalo] webhook_secret: expected 8 to 256",
        ),
        (
            "[delivery]\ngive_up_after_hours = 0",
            "[delivery] give_up_after_hours: expected a number from 0.01 to 720, got 0",
        ),
        (
            '[delivery]\ngive_up_after_hours = "6h"',
            "[delivery] give_up_after_hours: expected a number",
        ),
        ("[delivery]\ngive_up_hours = 6", "[delivery] give_up_hours: unknown key"),
    ],
)
def test_a_wrong_value_names_the_file_and_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(text, "/etc/bantin/config.toml", env={})
    assert str(error.value).startswith("/etc/bantin/config.toml: ")
    assert message in str(error.value)


def test_tokens_come_from_the_environment_and_are_not_in_repr() -> None:
    config = parse_config(
        "", "x", env={"BANTIN_TELEGRAM_TOKEN": "123:secret", "BANTIN_ZALO_TOKEN": "zsecret"}
    )
    assert config.telegram.token == "123:secret"
    assert config.zalo.token == "zsecret"
    assert "secret" not in repr(config)


def test_config_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert find_config_path(None, env={}) is None
    (tmp_path / "config.toml").write_text("", encoding="utf-8")
    assert find_config_path(None, env={}) == Path("config.toml")
    assert find_config_path(None, env={"BANTIN_CONFIG": "/x.toml"}) == Path("/x.toml")
    assert find_config_path("/y.toml", env={"BANTIN_CONFIG": "/x.toml"}) == Path("/y.toml")


def test_cli_reports_a_bad_config_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[storage]\npath = 5\n", encoding="utf-8")
    assert main(["poll", "--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: [storage] path: expected a string, got 5" in err
    assert main(["poll", "--config", str(tmp_path / "missing.toml")]) == 2
    assert "cannot read the config file" in capsys.readouterr().err


def test_platform_timeouts_and_zalo_policy_are_config_keys() -> None:
    """One settings type per platform: what the adapters need is `[telegram]` / `[zalo]`."""
    text = """
[telegram]
connect_timeout_seconds = 2
read_timeout_seconds = 7.5
poll_timeout_seconds = 20

[zalo]
gone_phrases = ["opted out"]
retry_error_codes = [408]
typing_action = false
handler_concurrency = 2
webhook_max_body_bytes = 65536
"""
    config = parse_config(text, "x", env={})
    telegram, zalo = config.telegram, config.zalo
    assert (telegram.connect_timeout_seconds, telegram.read_timeout_seconds) == (2.0, 7.5)
    assert telegram.poll_timeout_seconds == 20
    assert zalo.gone_phrases == ("opted out",) and zalo.retry_error_codes == (408,)
    assert not zalo.typing_action and zalo.handler_concurrency == 2
    assert zalo.webhook_max_body_bytes == 65536
    assert parse_config("[delivery]\ngive_up_after_hours = 1.5", "x", env={}).delivery == (
        DeliveryConfig(give_up_after_hours=1.5)
    )
    assert parse_config("", "x", env={}).delivery.give_up_after_hours == 6.0
    defaults = parse_config("", "x", env={}).zalo
    assert "block" in defaults.gone_phrases and defaults.retry_error_codes == (403, 408, 429)
    with pytest.raises(ConfigError, match="webhook_max_body_bytes"):
        parse_config("[zalo]\nwebhook_max_body_bytes = 10\n", "x", env={})


TG_HOOK = '[telegram]\nwebhook_url = "https://bantin.example.vn/telegram"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (TG_HOOK, "[telegram] webhook_secret: expected 1 to 256 characters A-Z a-z 0-9 _ -"),
        (TG_HOOK + 'webhook_secret = "has space"', "[telegram] webhook_secret: expected"),
        (TG_HOOK + f'webhook_secret = "{"a" * 257}"', "[telegram] webhook_secret: expected"),
        (
            '[telegram]\nwebhook_url = "http://bantin.example.vn/t"\nwebhook_secret = "s"',
            "[telegram] webhook_url: expected an https:// URL",
        ),
        (
            '[telegram]\nwebhook_url = "https://bantin.example.vn:9000/t"\nwebhook_secret = "s"',
            "[telegram] webhook_url: expected a URL on one of Telegram's webhook ports",
        ),
        ('[telegram]\nwebhook_listen = "8443"', "[telegram] webhook_listen: expected a local"),
        ('[zalo]\nwebhook_listen = "x:y"', "[zalo] webhook_listen: expected a local"),
        (
            TG_HOOK + 'webhook_secret = "s"\n[zalo]\nwebhook_url = "https://z.vn/telegram/"\n'
            'webhook_secret = "zalo-secret"',
            "[telegram] webhook_url and [zalo] webhook_url: expected different paths",
        ),
    ],
)
def test_a_wrong_telegram_webhook_names_the_key_and_never_the_secret(
    text: str, message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(text, "/etc/bantin/config.toml", env={})
    assert str(error.value).startswith("/etc/bantin/config.toml: ")
    assert message in str(error.value)
    assert "has space" not in str(error.value) and "a" * 257 not in str(error.value)


def test_telegram_webhook_settings_and_the_secret_from_the_environment() -> None:
    config = parse_config(
        TG_HOOK + 'webhook_listen = "[::1]:9443"\nwebhook_max_body_bytes = 4096\n',
        "x",
        env={"BANTIN_TELEGRAM_WEBHOOK_SECRET": "from-the_env"},
    )
    telegram = config.telegram
    assert telegram.webhook_url == "https://bantin.example.vn/telegram"
    assert telegram.webhook_secret == "from-the_env" and "from-the_env" not in repr(telegram)
    assert telegram.webhook_listen == "[::1]:9443" and telegram.webhook_max_body_bytes == 4096
    defaults = parse_config("", "x", env={}).telegram
    assert defaults.webhook_url == "" and defaults.webhook_listen == "127.0.0.1:8443"
    # Sharing an address is fine on paths of their own.
    shared = parse_config(
        TG_HOOK + 'webhook_secret = "s"\n[zalo]\nwebhook_url = "https://z.vn/zalo"\n'
        'webhook_secret = "zalo-secret"',
        "x",
        env={},
    )
    assert shared.telegram.webhook_listen == shared.zalo.webhook_listen
