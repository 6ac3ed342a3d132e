"""`bench/fanout.py --database URL`: the outbox on SQLite and on PostgreSQL, side by side.

For each backend, in a new empty store: N subscribed chats (set up in bulk, not measured),
then one new story through the poller's own transaction (`ArticleStore.record_poll`: the
story, its search entry and one delivery row per chat, which is `enqueue_article`'s
INSERT ... SELECT), timed; then the claim the delivery worker makes
(`DeliveryStore.claim`, a batch at a time) with those N rows pending, each claimed batch
marked sent as the worker does after sending (not timed), p50/p95 of the claims.

The claims are timed twice: right after the push, with the planner statistics of before
it (on PostgreSQL, what senders meet until autovacuum analyzes the outbox, a minute or
more after a million new rows; SQLite's store never runs ANALYZE), and after an
`ANALYZE`.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator

from bench.backends import (
    Opener,
    Stopwatch,
    backends,
    bulk_insert,
    note,
    percentile,
    print_table,
    server_version,
    size_mb,
)
from bench.common import reproduce_line
from bot.core.records import StoryRecord
from bot.store import Store

WARM_CLAIMS = 3


def _chats(count: int, at: float) -> Iterator[tuple[object, ...]]:
    for i in range(count):
        yield ("telegram", str(1_000_000 + i), "private", "vi", 1, at, at)


def set_up(store: Store, chats: int, label: str) -> None:
    """A feed and `chats` active private chats subscribed to every feed."""
    watch = Stopwatch()
    at = time.time()
    with store.db.transaction() as conn:
        conn.execute(
            "INSERT INTO feeds (name, url, created_at) VALUES (?, ?, ?)",
            ("Báo Lâm Đồng", "https://baolamdong.vn/rss/thoi-su.rss", at),
        )
        bulk_insert(
            conn,
            "chats",
            ("platform", "chat_id", "kind", "language", "active", "created_at", "changed_at"),
            _chats(chats, at),
        )
        note(f"{label}: {chats:,} chats written ({watch.seconds():.1f} s)")
        conn.execute(
            "INSERT INTO subscriptions (chat_ref, feed_id, created_at) "
            "SELECT id, NULL, ? FROM chats",
            (at,),
        )
    if store.db.where.startswith("postgres"):
        with store.db.transaction() as conn:
            conn.execute("ANALYZE")  # what autovacuum would have done by the next story
    note(f"{label}: {chats:,} subscriptions written ({watch.seconds():.1f} s)")


def poll_one_story(store: Store) -> tuple[int, float]:
    """The poller's transaction for one new story; (outbox rows, seconds)."""
    with store.db.reading() as conn:
        feed_id = int(conn.execute("SELECT min(id) FROM feeds").fetchone()[0])
    story = StoryRecord(
        key=f"bench-{time.time_ns()}",
        url="https://baolamdong.vn/thoi-su/bench.html",
        title="Lâm Đồng: mưa lớn kéo dài, nhiều tuyến đường sạt lở",
        lead="Mưa lớn kéo dài từ đêm qua gây sạt lở nhiều tuyến đường.",
        body="Lực lượng chức năng đang khắc phục. " * 20,
        summary="Mưa lớn kéo dài từ đêm qua gây sạt lở nhiều tuyến đường.",
        image="https://baolamdong.vn/anh/mua.jpg",
        section="thoi-su",
        published_at=time.time(),
    )
    watch = Stopwatch()
    outcome = store.sync.articles.record_poll(
        feed_id,
        [(story, True)],
        [],
        etag=None,
        last_modified=None,
        next_check_at=time.time() + 600,
    )
    return outcome.deliveries, watch.seconds()


def claim_cost(store: Store, batch: int, claims: int, label: str) -> list[float]:
    """Milliseconds per `claim(batch)` with the outbox full, the claimed rows then sent."""
    times: list[float] = []
    for n in range(WARM_CLAIMS + claims):
        watch = Stopwatch()
        claimed = store.sync.deliveries.claim("telegram", batch)
        ms = watch.seconds() * 1000
        if len(claimed) != batch:
            raise SystemExit(f"{label}: claimed {len(claimed)} rows, not {batch}")
        store.sync.deliveries.mark_sent_many([d.id for d in claimed], "1")
        if n >= WARM_CLAIMS:
            times.append(ms)
    return times


def measure(label: str, open_store: Opener, args: argparse.Namespace) -> dict[str, str]:
    store = open_store()
    try:
        set_up(store, args.chats, label)
        rows, seconds = poll_one_story(store)
        note(f"{label}: one story, {rows:,} outbox rows written in {seconds:.2f} s")
        if rows != args.chats:
            raise SystemExit(f"{label}: {rows} outbox rows for {args.chats} chats")
        times = claim_cost(store, args.claim_batch, args.claims, label)
        note(
            f"{label}: {args.claims} claims of {args.claim_batch} with {rows:,} pending, "
            f"p50 {percentile(times, 50):.1f} ms"
        )
        with store.db.transaction() as conn:
            conn.execute("ANALYZE")
        analyzed = claim_cost(store, args.claim_batch, args.claims, label)
        note(f"{label}: after ANALYZE, claim p50 {percentile(analyzed, 50):.2f} ms")
        return {
            "claim_p50_analyzed": f"{percentile(analyzed, 50):.2f} ms",
            "claim_p95_analyzed": f"{percentile(analyzed, 95):.2f} ms",
            "version": server_version(store),
            "outbox_s": f"{seconds:.2f} s",
            "rows_per_s": f"{rows / seconds:,.0f}",
            "claim_p50": f"{percentile(times, 50):.1f} ms",
            "claim_p95": f"{percentile(times, 95):.1f} ms",
            "claim_max": f"{max(times):.1f} ms",
            "size": f"{size_mb(store):,.0f} MB",
        }
    finally:
        store.close()


def compare_backends(args: argparse.Namespace) -> int:
    """The outbox write and the claim, on SQLite and on `--database`, one table."""
    needed = 2 * (WARM_CLAIMS + args.claims) * args.claim_batch
    if args.chats < needed:
        raise SystemExit(
            f"--chats {args.chats}: the claims take {needed:,} rows; give --chats {needed} "
            "or more, or fewer --claims"
        )
    results: dict[str, dict[str, str]] = {}
    with backends(args.database, args.reset) as stores:
        for label, open_store in stores:
            results[label] = measure(label, open_store, args)
    s, p = results["sqlite"], results["postgresql"]
    print_table(
        f"Outbox: one story to {args.chats:,} chats; claim: {args.claims} claims of "
        f"{args.claim_batch} rows with {args.chats:,} pending",
        ["", f"SQLite {s['version']}", f"PostgreSQL {p['version']}"],
        [
            ["outbox rows written (one transaction with the story)", s["outbox_s"], p["outbox_s"]],
            ["rows/s", s["rows_per_s"], p["rows_per_s"]],
            [f"claim of {args.claim_batch} right after, p50", s["claim_p50"], p["claim_p50"]],
            [f"claim of {args.claim_batch} right after, p95", s["claim_p95"], p["claim_p95"]],
            [f"claim of {args.claim_batch} right after, max", s["claim_max"], p["claim_max"]],
            [
                f"claim of {args.claim_batch} after ANALYZE, p50",
                s["claim_p50_analyzed"],
                p["claim_p50_analyzed"],
            ],
            [
                f"claim of {args.claim_batch} after ANALYZE, p95",
                s["claim_p95_analyzed"],
                p["claim_p95_analyzed"],
            ],
            ["store size after", s["size"], p["size"]],
        ],
    )
    print("\n" + reproduce_line())
    return 0
