"""The string table: both languages complete, placeholders in step, fallbacks that never raise."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from handlers.i18n import LANGUAGES, STRINGS, placeholders, resolve_language, t
from handlers.router import COMMANDS

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"


@pytest.mark.parametrize("key", sorted(STRINGS))
def test_every_string_in_both_languages(key: str) -> None:
    for language in LANGUAGES:
        assert STRINGS[key].get(language), f"{key} has no {language}"
    assert placeholders(key, "vi") == placeholders(key, "en")


def test_fallbacks() -> None:
    assert t("en", "card.share") == "Share"
    assert t("fr", "card.share") == "Chia sẻ"
    assert t(None, "card.share") == "Chia sẻ"
    assert t("vi", "no.such.key") == "no.such.key"
    assert t("vi", "start.welcome") == "Chào mừng bạn đến với {name}!"  # unfilled, not a crash
    assert t("vi", "search.none", query="{0} {x}") == "Không tìm thấy tin nào cho “{0} {x}”."
    assert resolve_language("en-US") == "en"
    assert resolve_language("EN_gb") == "en"
    assert resolve_language("vi") == "vi"
    assert resolve_language("") == "vi"


def test_commands_for_telegram_menu() -> None:
    assert set(COMMANDS) == {"vi", "en"}
    assert list(COMMANDS["vi"]) == list(COMMANDS["en"])
    for command, description in COMMANDS["vi"].items():
        assert command.isascii() and command.islower() and 1 <= len(command) <= 32
        assert 1 <= len(description) <= 256
    assert {"start", "stop", "help", "latest", "search", "settings", "lang"} <= set(COMMANDS["en"])


def test_every_key_used_in_handlers_exists() -> None:
    """A typo in a key would show the key to a reader: every "room.name" literal must exist."""
    key_like = re.compile(r"[a-z]+\.[a-z_]+")
    used: set[str] = set()
    for path in HANDLERS.glob("*.py"):
        if path.name == "i18n.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and key_like.fullmatch(node.value)
                and not node.value.startswith(("handlers.", "bot."))
            ):
                used.add(node.value)
    assert "card.read_more" in used and "stop.done_words" in used
    assert used <= set(STRINGS), used - set(STRINGS)


def test_handlers_stay_platform_neutral() -> None:
    forbidden = {"telegram", "sqlite3", "httpx", "apscheduler"}
    for path in HANDLERS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in forbidden, f"{path.name} imports {name}"
