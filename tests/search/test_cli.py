"""`bantin search` goes through the same ranking, with `--since`."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.records import StoryRecord
from bot.store import Store
from bot.store.articles import insert_article


def test_cli_search_since(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "bantin.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{db}"\n', encoding="utf-8")
    store = Store(db)
    now = time.time()
    with store.db.transaction() as conn:
        for key, title, age_days in (("old", "Đà Lạt mưa lớn", 40), ("new", "Đà Lạt nắng", 1)):
            at = now - age_days * 86400
            story = StoryRecord(key, f"https://x.vn/{key}", title, "", "", "", None, None, at)
            insert_article(conn, None, story, at)
    store.close()

    capsys.readouterr()
    assert main(["search", "--config", str(config), "--json", "da lat"]) == 0
    assert [r["title"] for r in json.loads(capsys.readouterr().out)] == [
        "Đà Lạt nắng",
        "Đà Lạt mưa lớn",
    ]
    assert main(["search", "--config", str(config), "--json", "--since", "7d", "da lat"]) == 0
    assert [r["title"] for r in json.loads(capsys.readouterr().out)] == ["Đà Lạt nắng"]
    assert main(["search", "--config", str(config), "--since", "hôm qua", "da lat"]) == 2
