"""Config mistakes found before any work, each said plainly: the key, the path, and why.

A storage path that cannot be used stops Bantin with exit 2; a read-only command pointed
at a database that does not exist says so instead of creating an empty one; no feeds at
all is said at start, with how to add one.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING

from bot.config import ConfigError

if TYPE_CHECKING:
    from bot.core.settings import Config

# (command, verb) pairs that only read: they must never create a database.
READ_ONLY = {
    ("search", None),
    ("stats", None),
    ("audit", None),
    ("feeds", "list"),
    ("health", None),
}
HOW_TO_ADD_FEED = (
    "add one to the config file:\n"
    "    [[feeds]]\n"
    '    name = "Báo Lâm Đồng - Thời sự"\n'
    '    url = "https://baolamdong.vn/rss/thoi-su"\n'
    "or with `bantin feeds add URL --name NAME`"
)


class StorageMissing(Exception):
    """A read-only command, and no database where the config says it is."""


def is_read_only(args: argparse.Namespace) -> bool:
    return (args.command, getattr(args, "verb", None)) in READ_ONLY


def check_storage(config: Config, *, create: bool) -> None:
    """The SQLite file can be opened (created if `create`); PostgreSQL answers for itself."""
    if config.storage_url:
        return
    path = config.storage_path
    key = f"{config.source}: [storage] path"
    if path.is_dir():
        raise ConfigError(
            f"{key}: {path} is a folder, not a database file; "
            f"name a file in it, such as {path / 'bantin.sqlite3'}"
        )
    if not create:
        if not path.exists():
            raise StorageMissing(
                f"no database at {path} ([storage] path in {config.source}), so nothing to "
                "read; run `bantin poll` or `bantin run` with this config first, or pass "
                "--config with the file the bot runs with"
            )
        return
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = "a part of it is a file" if isinstance(exc, FileExistsError) else exc.strerror
        raise ConfigError(f"{key}: {path}: cannot create the folder {folder} ({why})") from None
    if not folder.is_dir():
        raise ConfigError(f"{key}: {path}: {folder} is not a folder")
    if path.exists():
        if not os.access(path, os.R_OK | os.W_OK):
            raise ConfigError(f"{key}: {path}: this user may not read and write the file")
    elif not os.access(folder, os.W_OK | os.X_OK):
        raise ConfigError(f"{key}: {path}: this user may not create files in {folder}")


def no_feeds_message(config: Config) -> str:
    return f"no feeds configured in {config.source}: nothing to poll; {HOW_TO_ADD_FEED}"
