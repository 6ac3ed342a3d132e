"""`[bot] name`, `[publish]` and `[card]`: defaults, values, and errors naming key and file."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, parse_config
from bot.config_desk import zalo_display_name


def test_defaults_keep_todays_behaviour() -> None:
    config = parse_config("", "config.toml")
    assert config.bot_name == "Bantin"
    assert (config.publish.review, config.publish.editors_chat) == (False, "")
    assert config.publish.auto_publish_after_minutes == 0
    assert (config.card.summary_chars, config.card.image, config.card.album) == (300, True, False)


def test_the_desk_tables_are_read() -> None:
    config = parse_config(
        '[bot]\nname = "Lâm Đồng TV"\n[publish]\nreview = true\neditors_chat = -1001234\n'
        "auto_publish_after_minutes = 30\n[card]\nsummary_chars = 200\nsource = false\n"
        "time = false\nalbum = true\n",
        "config.toml",
    )
    assert config.bot_name == "Lâm Đồng TV"
    assert (config.publish.review, config.publish.editors_chat) == (True, "-1001234")
    assert config.publish.auto_publish_after_minutes == 30
    card = config.card
    assert (card.summary_chars, card.source, card.time, card.album) == (200, False, False, True)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[bot]\nname = ""', "[bot] name"),
        ('[publish]\neditors_chat = "bien tap"', "[publish] editors_chat"),
        ('[publish]\nreview = "yes"', "[publish] review"),
        ("[publish]\nauto_publish_after_minutes = -5", "[publish] auto_publish_after_minutes"),
        ("[card]\nsummary_chars = 5", "[card] summary_chars"),
        ("[card]\nvideo = true", "[card] video"),
    ],
)
def test_a_wrong_value_names_the_key_and_the_file(text: str, key: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(text, "/etc/bantin/config.toml")
    assert str(error.value).startswith(f"/etc/bantin/config.toml: {key}")


def test_on_zalo_the_bots_own_name_starts_with_bot() -> None:
    assert zalo_display_name("Lâm Đồng TV") == "Bot Lâm Đồng TV"
    assert zalo_display_name("Bot Lâm Đồng") == "Bot Lâm Đồng"
