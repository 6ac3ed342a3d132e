"""A listed story is never lost: an archive that grows faster than one poll takes.

The fake site publishes `--growth` VietNews stories before each of `--polls` polls; its
feed lists only the newest `--window`; a poll takes at most `--cap` (`[poll]
max_new_per_poll`). Then Bantin keeps polling the unchanged feed until nothing waits in
the backlog (at most `--drain` polls). Known-item coverage is the share of published
stories that a search for the story's own title finds in its first 10 hits, after the
growth polls and after the drain.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import progress, reproduce_line, vietnews
from bot.app import App
from bot.config import parse_config
from bot.store import Store
from tests.fakes.news_site import VN_TZ, FakeNewsSite


def printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")


def coverage(store: Store, titles: dict[str, str]) -> float:
    """Share of published stories whose title, searched for, finds the story (top 10)."""
    found = 0
    for url, title in titles.items():
        hits = store.sync.search.search(title, limit=10)
        found += any(hit.article.url == url for hit in hits)
    return found / len(titles) if titles else 0.0


async def run(args: argparse.Namespace, site: FakeNewsSite, folder: Path) -> None:
    config = parse_config(
        f"""
[storage]
path = "{folder / "backlog.sqlite3"}"
[poll]
max_new_per_poll = {args.cap}
page_concurrency = 8
[fetch]
trusted_networks = ["127.0.0.1/32"]
timeout_seconds = 30
[[feeds]]
name = "bench"
url = "{site.feed_url}"
""",
        "<bench>",
    )
    rows = iter(vietnews())
    titles: dict[str, str] = {}
    start = datetime(2024, 1, 1, 6, 0, tzinfo=VN_TZ)
    began = time.perf_counter()
    async with App(config) as app:
        for poll in range(args.polls):
            for _ in range(args.growth):
                row = next(rows)
                number = len(titles)
                sentences = [printable(s) for s in row["body_sents"]]  # type: ignore[attr-defined]
                title = printable(str(row["title"]))
                url = site.add_story(
                    f"ban-tin-so-{number}",
                    title,
                    printable(f"(Lamdongtv.vn) - {row['sapo']}"),
                    [" ".join(sentences[j : j + 3]) for j in range(0, len(sentences), 3)],
                    published=start + timedelta(minutes=number),
                )
                titles[url] = title
            (report,) = await app.poll_once()
            progress(poll + 1, args.polls, "growth polls")
        after_growth = coverage(app.store, titles)
        stored_after_growth = app.store.sync.articles.count()
        drained = 0
        while drained < args.drain and getattr(report, "waiting", 0) + report.new:
            (report,) = await app.poll_once()
            drained += 1
        after_drain = coverage(app.store, titles)
        stored = app.store.sync.articles.count()
    elapsed = time.perf_counter() - began
    print(
        f"\n{len(titles)} stories published, {args.growth} per poll over {args.polls} polls; "
        f"feed window {args.window}, max_new_per_poll {args.cap}"
    )
    print("\n| after | polls | stored | known-item coverage |")
    print("|---|---|---|---|")
    print(f"| growth | {args.polls} | {stored_after_growth} | {after_growth:.2f} |")
    print(f"| drain | {args.polls + drained} | {stored} | {after_drain:.2f} |")
    waiting = getattr(report, "waiting", 0)
    print(f"\n{waiting} stories still waiting (the last poll took none); {elapsed:.1f} s in all")
    print(reproduce_line())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--growth", type=int, default=50, help="stories published per poll")
    parser.add_argument("--polls", type=int, default=6, help="polls while the archive grows")
    parser.add_argument("--window", type=int, default=60, help="stories the feed lists")
    parser.add_argument("--cap", type=int, default=30, help="[poll] max_new_per_poll")
    parser.add_argument("--drain", type=int, default=50, help="most polls after growth")
    args = parser.parse_args()
    with FakeNewsSite() as site, tempfile.TemporaryDirectory() as tmp:
        site.feed_window = args.window
        asyncio.run(run(args, site, Path(tmp)))


if __name__ == "__main__":
    main()
