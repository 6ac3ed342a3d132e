"""The rooms stay as DESIGN.md draws them: pure rooms import no platform, SQLite or scheduler."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PLATFORM_AND_IO = {"telegram", "sqlite3", "apscheduler", "httpx"}
PURE_FEEDS = ["extract.py", "parse.py", "keys.py", "summarize.py", "models.py"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def pure_files() -> list[Path]:
    files = sorted((REPO / "handlers").rglob("*.py"))
    files += [REPO / "feeds" / name for name in PURE_FEEDS if (REPO / "feeds" / name).exists()]
    files.append(REPO / "bot" / "text.py")
    return files


@pytest.mark.parametrize("path", pure_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_pure_rooms_import_no_platform_sqlite_or_network(path: Path) -> None:
    assert not imported_modules(path) & PLATFORM_AND_IO


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts)


# A runtime import is not always a line of the module itself: `from bot.store.records
# import …` runs bot/store/__init__ (and so SQLite), `bot.admin.access` runs bot/admin's
# __init__ (and so httpx). Import each pure module alone in a fresh interpreter and look.
# bot/records.py holds the store's row types so that handlers may use them: it is pure too.
@pytest.mark.parametrize(
    "path",
    [*pure_files(), REPO / "bot" / "records.py"],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_importing_a_pure_module_loads_no_platform_sqlite_or_network(path: Path) -> None:
    probe = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module_name(path)!r})\n"
        f"print(json.dumps(sorted(n for n in {sorted(PLATFORM_AND_IO)!r} if n in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_only_the_adapters_know_telegram() -> None:
    allowed = {REPO / "bot" / "platforms" / "telegram.py"}
    for path in REPO.glob("[bhf]*/**/*.py"):
        if path in allowed or ".venv" in path.parts:
            continue
        assert "telegram" not in imported_modules(path), path
