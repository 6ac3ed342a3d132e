"""`[storage] url`: which database, read and checked at start, its password never shown."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, parse_config
from bot.core.settings import redact_url

URL = "postgresql://bantin:pa%40ss-w0rd@db.example.vn:5432/bantin"


def storage(text: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    config = parse_config(text, "config.toml", env=env or {})
    return config.storage_url, config.storage_label


def test_the_url_comes_from_the_file_else_the_environment() -> None:
    assert storage("") == ("", "data/bantin.sqlite3")
    assert storage("", {"BANTIN_DATABASE_URL": URL})[0] == URL
    in_file = "postgresql://bantin@127.0.0.1/bantin"
    assert storage(f'[storage]\nurl = "{in_file}"\n', {"BANTIN_DATABASE_URL": URL}) == (
        in_file,
        in_file,
    )
    for accepted in (
        "postgres://localhost/bantin",
        "postgresql://[::1]:5432/bantin?sslmode=disable",
        "postgresql:///bantin?host=/var/run/postgresql",
    ):
        assert storage(f'[storage]\nurl = "{accepted}"\n')[0] == accepted


@pytest.mark.parametrize(
    "value",
    [
        '"mysql://bantin:pa%40ss-w0rd@db/bantin"',
        '"postgresql://bantin:pa%40ss-w0rd@db:port/bantin"',
        '"bantin.sqlite3"',
        "5",
    ],
)
def test_a_wrong_url_is_refused_naming_the_key_not_the_password(value: str) -> None:
    with pytest.raises(ConfigError, match=r"^config\.toml: \[storage\] url: expected ") as bad:
        parse_config(f"[storage]\nurl = {value}\n", "config.toml", env={})
    assert "w0rd" not in str(bad.value)


def test_the_password_is_never_in_a_label_or_a_repr() -> None:
    config = parse_config("", "config.toml", env={"BANTIN_DATABASE_URL": URL})
    assert config.storage_label == "postgresql://bantin:***@db.example.vn:5432/bantin"
    assert "w0rd" not in repr(config)
    assert redact_url("postgresql://db/x?sslmode=require&password=w0rd") == (
        "postgresql://db/x?sslmode=require&password=***"
    )
    assert redact_url("postgresql://bantin@db/x") == "postgresql://bantin@db/x"
