"""Shared by the benchmarks: where the data is, peak memory, the reproduce line."""

from __future__ import annotations

import json
import os
import resource
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("BANTIN_SHARED", REPO.parent / "shared"))
VIETNEWS = SHARED / "vietnews" / "dev.jsonl"


def vietnews(path: Path = VIETNEWS) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def peak_rss_mib() -> float:
    """Peak resident memory of this process (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reproduce_line() -> str:
    """The command line of this run, a database URL's password (if any) taken out."""
    from bot.core.settings import redact_url

    args = [os.path.relpath(sys.argv[0], REPO), *sys.argv[1:]]
    return "reproduce: .venv/bin/python " + " ".join(
        shlex.quote(redact_url(arg) if arg.startswith("postgres") else arg) for arg in args
    )


def progress(done: int, total: int, label: str) -> None:
    """One rewritten line on stderr, so long runs show they are alive."""
    if done == total or done % max(1, total // 20) == 0:
        print(f"\r{label}: {done}/{total}", end="\n" if done == total else "", file=sys.stderr)
