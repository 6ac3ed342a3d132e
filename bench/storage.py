"""Why SQLite and not TinyDB: write rate and search time with N stored articles.

Both stores hold the same N VietNews stories. "Write" is what a poll does: one new
article made durable on its own. "Search" is a diacritic-free query ("da lat" must find
"Đà Lạt"): FTS5 over the folded text for SQLite, a scan with the same folding for TinyDB
(it has no index). Needs the bench extra: pip install -e '.[bench]'.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import peak_rss_mib, progress, reproduce_line, vietnews
from bot.core.records import StoryRecord
from bot.core.text import fold
from bot.store import Store

QUERIES = [
    "da lat",
    "ha noi",
    "tinh",
    "giao thong",
    "bong da",
    "thu tuong",
    "gia vang",
    "covid",
    "hoc sinh",
    "bao lu",
]


def corpus(n: int) -> list[StoryRecord]:
    stories = []
    rows = list(vietnews())
    for i in range(n):
        row = rows[i % len(rows)]
        body = " ".join(row["body_sents"])  # type: ignore[arg-type]
        stories.append(
            StoryRecord(
                key=f"bench:{i}",
                url=f"https://example.vn/{i}.html",
                title=str(row["title"]),
                lead=str(row["sapo"]),
                body=body,
                summary=str(row["sapo"])[:300],
                image=None,
                section=None,
                published_at=1_700_000_000 + i,
            )
        )
    return stories


def bench_sqlite(stories: list[StoryRecord], writes: int, folder: Path) -> tuple[float, float]:
    store = Store(folder / "bench.sqlite3")
    store.sync.feeds.db.conn.execute(
        "INSERT INTO feeds (name, url, created_at) VALUES ('bench', 'https://example.vn/rss', 0)"
    )
    prefill, timed = stories[:-writes], stories[-writes:]
    for start in range(0, len(prefill), 1000):
        store.sync.articles.record_poll(
            1,
            [(s, False) for s in prefill[start : start + 1000]],
            [],
            etag=None,
            last_modified=None,
            next_check_at=0,
        )
        progress(min(start + 1000, len(prefill)), len(prefill), "sqlite prefill")
    began = time.perf_counter()
    for story in timed:
        store.sync.articles.record_poll(
            1,
            [(story, True)],
            [],
            etag=None,
            last_modified=None,
            next_check_at=0,
        )
    write_rate = writes / (time.perf_counter() - began)
    times = []
    for query in QUERIES:
        began = time.perf_counter()
        store.sync.search.search(query, limit=10)
        times.append((time.perf_counter() - began) * 1000)
    store.close()
    return write_rate, statistics.median(times)


def bench_tinydb(stories: list[StoryRecord], writes: int, folder: Path) -> tuple[float, float]:
    from tinydb import TinyDB

    db = TinyDB(folder / "bench.json", ensure_ascii=False)
    table = db.table("articles")
    prefill, timed = stories[:-writes], stories[-writes:]
    table.insert_multiple(
        {
            "key": s.key,
            "title": s.title,
            "lead": s.lead,
            "body": s.body,
            "summary": s.summary,
            "published_at": s.published_at,
        }
        for s in prefill
    )
    print(f"tinydb prefill: {len(prefill)}", file=sys.stderr)
    began = time.perf_counter()
    for story in timed:
        table.insert(
            {
                "key": story.key,
                "title": story.title,
                "lead": story.lead,
                "body": story.body,
                "summary": story.summary,
                "published_at": story.published_at,
            }
        )
    write_rate = writes / (time.perf_counter() - began)
    times = []
    for query in QUERIES:
        words = query.split()
        began = time.perf_counter()
        hits = [
            row
            for row in table.all()
            if all(w in fold(row["title"] + " " + row["lead"] + " " + row["body"]) for w in words)
        ]
        hits.sort(key=lambda row: -row["published_at"])
        times.append((time.perf_counter() - began) * 1000)
    db.close()
    return write_rate, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--writes", type=int, default=50, help="single-article writes timed")
    args = parser.parse_args()
    stories = corpus(args.articles)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sqlite_write, sqlite_search = bench_sqlite(stories, args.writes, folder)
        sqlite_size = sum(p.stat().st_size for p in folder.glob("bench.sqlite3*"))
        tiny_write, tiny_search = bench_tinydb(stories, args.writes, folder)
        tiny_size = (folder / "bench.json").stat().st_size
    print(
        f"\n{args.articles} articles, {args.writes} single-article writes timed, "
        f"median of {len(QUERIES)} diacritic-free queries\n"
    )
    print("| store | writes/s (one durable article each) | search, median ms | file MiB |")
    print("|---|---|---|---|")
    print(
        f"| SQLite (WAL, synchronous=FULL, FTS5) | {sqlite_write:.0f} | {sqlite_search:.1f} "
        f"| {sqlite_size / 2**20:.1f} |"
    )
    print(
        f"| TinyDB (JSON file) | {tiny_write:.1f} | {tiny_search:.1f} | {tiny_size / 2**20:.1f} |"
    )
    print(f"\npeak RSS {peak_rss_mib():.0f} MiB")
    print(reproduce_line())


if __name__ == "__main__":
    main()
