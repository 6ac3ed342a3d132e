"""Config mistakes said plainly, through the process: no feeds, an unusable storage path,
read-only commands on a database that does not exist."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.process import Running, bantin


def test_no_feeds_is_said_by_poll_with_how_to_add_one(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\npath = "bantin.sqlite3"\n', encoding="utf-8")
    done = bantin("poll", "--config", str(config))
    assert done.returncode == 1
    assert f"no feeds configured in {config}" in done.stderr
    assert "[[feeds]]" in done.stderr and "bantin feeds add" in done.stderr


def test_no_feeds_is_said_at_start(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\npath = "bantin.sqlite3"\n', encoding="utf-8")
    with Running(config) as bot:
        bot.wait_for(lambda: "no feeds configured" in bot.err)
        assert bot.stop() == 0
    assert "[[feeds]]" in bot.err


@pytest.mark.parametrize("layout", ["file-in-the-way", "folder-as-path"])
def test_an_unusable_storage_path_names_the_key_the_path_and_why(
    tmp_path: Path, layout: str
) -> None:
    if layout == "file-in-the-way":
        (tmp_path / "data").write_text("not a folder", encoding="utf-8")
        path, why = tmp_path / "data" / "bantin.sqlite3", "cannot create the folder"
    else:
        (tmp_path / "db").mkdir()
        path, why = tmp_path / "db", "is a folder, not a database file"
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{path}"\n', encoding="utf-8")
    done = bantin("poll", "--config", str(config))
    assert done.returncode == 2, done.stderr
    assert f"{config}: [storage] path: {path}" in done.stderr and why in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "command", [["search", "Đà Lạt"], ["stats"], ["feeds", "list"], ["audit"], ["health"]]
)
def test_read_only_commands_say_there_is_no_database_and_create_none(
    tmp_path: Path, command: list[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\npath = "data/bantin.sqlite3"\n', encoding="utf-8")
    done = bantin(*command, "--config", str(config))
    assert done.returncode == 1, done.stderr
    assert f"no database at {tmp_path / 'data' / 'bantin.sqlite3'}" in done.stderr
    assert "Không tìm thấy" not in done.stdout
    assert not (tmp_path / "data").exists()
