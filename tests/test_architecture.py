"""The rooms keep DESIGN.md's one direction, checked on every module, not a list.

- the core (`bot/core/`) imports nothing of ours but itself, and no I/O library;
- `feeds/` and `handlers/` import only the core and their own room, never the
  application (`bot/` outside the core), nor each other;
- no pure module (the core, handlers, the pure parts of feeds) imports a platform,
  a database driver, an HTTP client or the scheduler, not even when imported alone.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IO_LIBRARIES = {"telegram", "sqlite3", "psycopg", "psycopg_pool", "httpx", "apscheduler", "aiohttp"}
# feeds/ does the network I/O of getting stories in these modules, and only these.
FEEDS_IO = {"fetch.py", "transport.py", "llm_summary.py", "urlguard.py", "poller.py", "ingest.py"}


def modules(room: str) -> list[Path]:
    return sorted(p for p in (REPO / room).rglob("*.py") if "__pycache__" not in p.parts)


def core_modules() -> list[Path]:
    return modules("bot/core")


def pure_modules() -> list[Path]:
    feeds = [p for p in modules("feeds") if p.name not in FEEDS_IO]
    return [*core_modules(), *modules("handlers"), *feeds]


def imported(path: Path) -> set[str]:
    """Every module a file imports, wherever the import stands (functions and
    TYPE_CHECKING blocks included): a lazy import is a dependency all the same."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def ours(name: str) -> bool:
    return name.split(".")[0] in {"bot", "feeds", "handlers"}


def in_core(name: str) -> bool:
    return name == "bot.core" or name.startswith("bot.core.")


def label(path: Path) -> str:
    return str(path.relative_to(REPO))


@pytest.mark.parametrize("path", core_modules(), ids=label)
def test_the_core_imports_only_itself(path: Path) -> None:
    assert {n for n in imported(path) if ours(n) and not in_core(n)} == set()


@pytest.mark.parametrize("path", modules("feeds") + modules("handlers"), ids=label)
def test_feeds_and_handlers_import_only_the_core_and_their_own_room(path: Path) -> None:
    room = path.relative_to(REPO).parts[0]
    outside = {n for n in imported(path) if ours(n) and not in_core(n) and n.split(".")[0] != room}
    assert outside == set(), f"{label(path)} imports the application or another room"


@pytest.mark.parametrize("path", pure_modules(), ids=label)
def test_pure_modules_import_no_platform_database_or_network(path: Path) -> None:
    assert {n.split(".")[0] for n in imported(path)} & IO_LIBRARIES == set()


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


# An import runs package __init__ files too; import each pure module alone in a fresh
# interpreter and look at what it loaded.
@pytest.mark.parametrize("path", pure_modules(), ids=label)
def test_importing_a_pure_module_alone_loads_no_io_library(path: Path) -> None:
    probe = (
        "import importlib, json, sys\n"
        f"importlib.import_module({module_name(path)!r})\n"
        f"print(json.dumps(sorted(n for n in {sorted(IO_LIBRARIES)!r} if n in sys.modules)))"
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


def test_only_the_platform_adapters_know_their_platform() -> None:
    for path in [*modules("bot"), *modules("feeds"), *modules("handlers")]:
        rel = path.relative_to(REPO).parts
        names = {n.split(".")[0] for n in imported(path)}
        if rel[:3] != ("bot", "platforms", "telegram"):
            assert "telegram" not in names, label(path)


def test_the_store_is_reached_through_its_port_only() -> None:
    """Nothing outside the store hops threads for it: no `db.call(` elsewhere."""
    for path in [*modules("bot"), *modules("feeds"), *modules("handlers")]:
        if path.relative_to(REPO).parts[:2] == ("bot", "store"):
            continue
        assert "db.call(" not in path.read_text(encoding="utf-8"), label(path)


def _platform_tests(path: Path) -> list[str]:
    """Comparisons that ask which platform this is: `x.platform == "zalo"`, `p.name == …`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Compare):
            continue
        for side in (node.left, *node.comparators):
            named = isinstance(side, ast.Attribute) and side.attr in ("platform", "name")
            literal = isinstance(side, ast.Constant) and side.value in ("telegram", "zalo")
            if named or literal:
                found.append(f"{label(path)}:{node.lineno}")
    return found


def test_handlers_and_the_composition_root_never_ask_a_platform_its_name() -> None:
    """A platform's capabilities travel on the request (`buttons`) or on the adapter
    (`has_buttons`, `chat_access`, `message_editor`); nobody branches on its name."""
    paths = [*modules("handlers"), REPO / "bot" / "app.py"]
    assert [hit for path in paths for hit in _platform_tests(path)] == []
