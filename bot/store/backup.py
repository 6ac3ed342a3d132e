"""A consistent copy of the SQLite file while the bot runs (SQLite's online backup API)."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from bot.core.records import BackupResult
from bot.store.db import Database


def backup(db: Database, target: Path) -> BackupResult:
    """Into a temporary file beside the target, checked, then renamed: never a half copy."""
    target = target.expanduser()
    if target.resolve() == Path(db.path).resolve():
        return BackupResult("same_file", str(target))
    if not target.parent.is_dir():
        return BackupResult("no_directory", str(target), detail=str(target.parent))
    handle, temp = tempfile.mkstemp(prefix=".bantin-backup-", dir=target.parent)
    os.close(handle)
    try:
        db.backup(temp)
        check = sqlite3.connect(temp)
        try:
            verdict = check.execute("PRAGMA integrity_check").fetchone()[0]
            check.execute("PRAGMA journal_mode=DELETE")
        finally:
            check.close()
        if verdict != "ok":
            return BackupResult("corrupt", str(target), detail=str(verdict))
        os.replace(temp, target)
    except (OSError, sqlite3.Error) as exc:
        return BackupResult("failed", str(target), detail=str(exc))
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return BackupResult("ok", str(target), size=target.stat().st_size)
