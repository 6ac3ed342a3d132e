"""`bench/search.py --database URL`: search latency on SQLite and on PostgreSQL, side by side.

Each backend gets the same synthetic stories (`bench.search.Corpus`, same seed, so story
n is the same story on both), stored through the real write path (`insert_article`, which
indexes: FTS5 on SQLite, tsvectors under GIN on PostgreSQL), a thousand per transaction.
At each size of `--sizes` the index is tidied as a live one would be (FTS5 `optimize`;
PostgreSQL `ANALYZE`, which autovacuum runs), then the mixed query set runs one query at
a time, the word-frequency cache emptied before each (`bench.search.latency`). Also
printed: on how many queries the two backends' first five results are the same stories.
`--explain`: PostgreSQL's plans for a few of the queries, and how many of the full-text
statements used a GIN index.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path

from bench.backends import (
    Stopwatch,
    backends,
    note,
    percentile,
    print_table,
    server_version,
    size_mb,
)
from bench.common import reproduce_line
from bench.search import START, Corpus, mixed_queries
from bot.core.records import SearchTimedOut
from bot.store import Store
from bot.store.articles import insert_article
from bot.store.search import SEARCH_BUDGET_SECONDS

BATCH = 1000
EXPLAINED = 6  # queries whose plans `--explain` prints


def fill(store: Store, corpus: Corpus, first: int, last: int, label: str) -> None:
    """Stories `first` to `last - 1`, a thousand per transaction, a line per 50,000."""
    with store.db.transaction() as conn:
        if conn.execute("SELECT count(*) FROM feeds").fetchone()[0] == 0:
            for i in range(5):
                conn.execute(
                    "INSERT INTO feeds (name, url, created_at) VALUES (?, ?, 0)",
                    (f"Nguồn {i}", f"https://bao.example.vn/rss/{i}"),
                )
        feeds = [int(r[0]) for r in conn.execute("SELECT id FROM feeds ORDER BY id")]
    watch = Stopwatch()
    for start in range(first, last, BATCH):
        with store.db.transaction() as conn:
            for n in range(start, min(last, start + BATCH)):
                insert_article(conn, feeds[n % len(feeds)], corpus.story(n), START + n * 60.0)
        done = min(last, start + BATCH)
        if done % 50_000 == 0 or done == last:
            rate = (done - first) / watch.seconds()
            note(f"{label}: {done:>9,} stories stored, {rate:,.0f}/s")


def tidy(store: Store) -> None:
    with store.db.transaction() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute("ANALYZE")
        else:
            conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
            conn.execute("INSERT INTO titles_fts (titles_fts) VALUES ('optimize')")


def latency(store: Store, queries: list[tuple[str, str]]) -> dict[str, object]:
    """`bench.search.latency`, but a search stopped by its budget (what a reader is told
    as "took too long") counts as its budget and is named, instead of ending the run."""
    times: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    stopped: list[str] = []
    for kind, query in queries:
        store.sync.search.words.forget()
        watch = Stopwatch()
        try:
            store.sync.search.search(query, limit=5)
        except SearchTimedOut:
            stopped.append(query)
        ms = watch.seconds() * 1000
        times.append(ms)
        by_kind[kind].append(ms)
    return {
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(max(times), 1),
        "p95_by_kind": {k: round(percentile(v, 95), 1) for k, v in sorted(by_kind.items())},
        "stopped": stopped,
    }


def top_ids(store: Store, queries: list[tuple[str, str]]) -> list[tuple[int, ...]]:
    found: list[tuple[int, ...]] = []
    for _, query in queries:
        try:
            found.append(tuple(h.article.id for h in store.sync.search.search(query, limit=5)))
        except SearchTimedOut:
            found.append(())
    return found


def explain(store: Store, queries: list[tuple[str, str]]) -> str:
    """Plans of a few queries' full-text statements; the share that used a GIN index."""
    from tests.store.postgres import search_plans

    used = total = 0
    for n, (kind, query) in enumerate(queries):
        plans = search_plans(store.db, query)
        total += len(plans)
        used += sum("Index Scan on search_docs_" in plan for plan in plans)
        if n % max(1, len(queries) // EXPLAINED) == 0:
            print(f"\n-- {kind}: {query!r}, first full-text statement's plan:\n{plans[0]}")
    return f"{used}/{total}"


def compare_backends(args: argparse.Namespace) -> int:
    sizes = sorted(int(s) for s in args.sizes.split(",")) if args.sizes else [args.articles]
    queries = mixed_queries(Corpus(Path(args.data), args.seed, args.titles), args.seed)
    figures: dict[tuple[str, int], dict[str, object]] = {}
    versions: dict[str, str] = {}
    with backends(args.database, args.reset) as stores:
        for label, open_store in stores:
            corpus = Corpus(Path(args.data), args.seed, args.titles)
            store = open_store()
            versions[label] = server_version(store)
            try:
                done = 0
                for size in sizes:
                    watch = Stopwatch()
                    fill(store, corpus, done, size, label)
                    rate = (size - done) / watch.seconds()
                    done = size
                    tidy(store)
                    top_ids(store, queries[:10])  # warm the cache a little
                    figures[(label, size)] = {
                        **latency(store, queries),
                        "build_rate": rate,
                        "size_mb": size_mb(store),
                        "ids": top_ids(store, queries),
                    }
                    got = figures[(label, size)]
                    note(
                        f"{label}: {size:,} stories, p50 {got['p50_ms']} ms, p95 "
                        f"{got['p95_ms']} ms, p99 {got['p99_ms']} ms, max {got['max_ms']} ms, "
                        f"p95 by kind {got['p95_by_kind']}, stopped by the budget: "
                        f"{got['stopped']}"
                    )
                    if args.explain and label == "postgresql":
                        got["gin"] = explain(store, queries)
            finally:
                store.close()
    _print(figures, versions, sizes, len(queries))
    return 0


def _print(
    figures: dict[tuple[str, int], dict[str, object]],
    versions: dict[str, str],
    sizes: list[int],
    queries: int,
) -> None:
    headers = [""]
    for size in sizes:
        headers += [
            f"SQLite {versions['sqlite']}, {size:,}",
            f"PostgreSQL {versions['postgresql']}, {size:,}",
        ]
    rows: list[list[str]] = [
        ["store, stories/s"],
        ["size on disk"],
        ["p50 / p95 / p99 query"],
        ["slowest query"],
        [f"stopped by the {SEARCH_BUDGET_SECONDS:g} s budget"],
        ["same first 5 as SQLite"],
    ]
    for size in sizes:
        s, p = figures[("sqlite", size)], figures[("postgresql", size)]
        same = sum(a == b for a, b in zip(s["ids"], p["ids"], strict=True))  # type: ignore[call-overload]
        for f in (s, p):
            rows[0].append(f"{f['build_rate']:,.0f}")
            rows[1].append(f"{f['size_mb']:,.0f} MB")
            rows[2].append(f"{f['p50_ms']} / {f['p95_ms']} / {f['p99_ms']} ms")
            rows[3].append(f"{f['max_ms']} ms")
            rows[4].append(str(len(f["stopped"])))  # type: ignore[arg-type]
        rows[5] += ["–", f"{same}/{queries}"]
        if "gin" in p:
            if len(rows) == 6:
                rows.append(["full-text statements on a GIN index"] + ["–"] * (2 * len(sizes)))
            rows[6][2 * sizes.index(size) + 2] = str(p["gin"])
    print_table(
        f"Search: {queries} mixed queries, one at a time, word-frequency cache emptied before each",
        headers,
        rows,
    )
    print("\n" + reproduce_line())
