"""Alerts and outbox at scale: matching a story against a million chats' alerts, writing
its deliveries, pruning old rows, and breaking news overtaking a queue.

Alerts are 2–3-syllable phrases taken from real headlines (vietnews train titles), drawn
with a Zipf-like skew so some are very popular (as "sạt lở" or "giá vàng" would be), plus
an exclusion on every tenth. Stories are vietnews dev stories. Matching looks up the
story's terms in the alerts' term index and checks only those candidates in Python.

    .venv/bin/python bench/alerts.py                           # 1,000,000 chats × 3 alerts
    .venv/bin/python bench/alerts.py --chats 100000 --skip-breaking
    .venv/bin/python bench/alerts.py --chats 0 --breaking-pending 10000   # breaking only
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import parse_config
from bot.core.alerts import StoryText, parse_alert
from bot.core.records import StoryRecord
from bot.core.text import syllables
from bot.store import Store
from bot.store.alerts import match_alerts
from bot.store.articles import enqueue_article, enqueue_story, insert_article

SHARED = Path(__file__).resolve().parents[2] / "shared"
TZ = "Asia/Ho_Chi_Minh"


def phrases_from_titles(path: Path, limit: int) -> list[str]:
    """Distinct 2–3-syllable runs of headlines, as a reader might watch them."""
    rng = random.Random(7)
    found: dict[str, None] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            words = [w for w in syllables(json.loads(line)["title"]) if w.isalpha()]
            for _ in range(2):
                if len(words) < 3:
                    break
                size = rng.choice((2, 2, 3))
                start = rng.randrange(0, len(words) - size + 1)
                found.setdefault(" ".join(words[start : start + size]).lower(), None)
            if len(found) >= limit:
                break
    return list(found)


def dev_stories(count: int) -> list[StoryRecord]:
    stories = []
    with (SHARED / "vietnews/dev.jsonl").open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= count:
                break
            data = json.loads(line)
            stories.append(
                StoryRecord(
                    key=f"bench-{number}-{time.time_ns()}",
                    url=f"https://baolamdong.vn/thoi-su/bench-{number}.html",
                    title=data["title"],
                    lead=data.get("sapo") or "",
                    body="\n\n".join(data.get("body_sents") or []),
                    summary=data.get("sapo") or "",
                    image=None,
                    section="thoi-su",
                    published_at=time.time(),
                )
            )
    return stories


def add_chats(store: Store, count: int, alerts_each: int, phrases: list[str]) -> float:
    """Chats, their subscription to every feed and their alerts, written in bulk."""
    began = time.perf_counter()
    rng = random.Random(11)
    cumulative = list(itertools.accumulate(1.0 / (rank + 1) ** 0.9 for rank in range(len(phrases))))
    rules = {p: parse_alert(p) for p in phrases}
    now = time.time()
    batch = 100_000
    with store.db.transaction() as conn:
        for start in range(0, count, batch):
            size = min(batch, count - start)
            conn.executemany(
                "INSERT INTO chats (platform, chat_id, kind, language, active, created_at, "
                "changed_at) VALUES ('telegram', ?, 'private', 'vi', 1, ?, ?)",
                [(str(10_000_000 + start + i), now, now) for i in range(size)],
            )
        conn.execute(
            "INSERT INTO subscriptions (chat_ref, feed_id, created_at) "
            "SELECT id, NULL, ? FROM chats",
            (now,),
        )
        first = conn.execute("SELECT MIN(id) FROM chats").fetchone()[0] or 0
        for start in range(0, count if alerts_each and phrases else 0, batch):
            rows = []
            for chat_ref in range(first + start, first + min(start + batch, count)):
                for phrase in set(rng.choices(phrases, cum_weights=cumulative, k=alerts_each)):
                    words = phrase + (" -bong" if rng.random() < 0.1 else "")
                    rule = rules[phrase] if not words.endswith("-bong") else parse_alert(words)
                    rows.append((chat_ref, words, rule.folded, rule.term, now))
            conn.executemany(
                "INSERT INTO alerts (chat_ref, words, folded, term, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                rows,
            )
            conn.executemany(
                "INSERT INTO alert_rules (folded, term) VALUES (?, ?) ON CONFLICT DO NOTHING",
                list({(row[2], row[3]) for row in rows}),
            )
            print(f"  … {min(start + batch, count)}/{count} chats with alerts", flush=True)
    return time.perf_counter() - began


def bench_matching(store: Store, stories: list[StoryRecord]) -> None:
    times, matched = [], []
    for story in stories:
        text = StoryText(story.title, story.lead, story.body)
        began = time.perf_counter()
        with store.db.reading() as conn:
            found = match_alerts(conn, text)
        times.append(time.perf_counter() - began)
        matched.append(len(found))
    times.sort()
    print(
        f"matching: {len(stories)} stories, per story median {statistics.median(times):.3f} s, "
        f"p95 {times[int(len(times) * 0.95) - 1]:.3f} s, max {times[-1]:.3f} s; "
        f"chats alerted per story median {statistics.median(matched):.0f}, max {max(matched)}"
    )


def bench_outbox(store: Store, stories: list[StoryRecord], chats: int) -> None:
    """One story's whole transaction (article, index, alert rows, every subscriber's row),
    then the subscribers' INSERT … SELECT alone."""
    story = stories[0]
    at = time.time()
    began = time.perf_counter()
    with store.db.transaction() as conn:
        article_id = insert_article(conn, None, story, at)
        assert article_id is not None
        rows = enqueue_story(conn, article_id, None, story, at, TZ)
    total = time.perf_counter() - began
    print(
        f"outbox: one story, {rows} rows for {chats} chats (alerts + subscribers) in {total:.2f} s"
    )
    second = stories[1]
    with store.db.transaction() as conn:
        other = insert_article(conn, None, second, at)
        assert other is not None
        began = time.perf_counter()
        plain = enqueue_article(conn, other, None, at, TZ, section=second.section)
        alone = time.perf_counter() - began
    print(f"outbox: subscribers' rows alone, {plain} rows in {alone:.2f} s")


def bench_prune(store: Store) -> None:
    """Age every sent row past the window, keep the newest stories' rows, time the prune."""
    with store.db.transaction() as conn:
        conn.execute("UPDATE deliveries SET status = 'sent', sent_at = 0, message_id = '1'")
    began = time.perf_counter()
    removed = store.sync.retention.prune_deliveries(time.time() - 30 * 86400, 1)
    print(
        f"prune: {removed} sent rows older than 30 days removed in "
        f"{time.perf_counter() - began:.2f} s (the newest story's rows kept)"
    )


async def bench_breaking(pending: int, first: int, rate: float, tmp: Path) -> None:
    """`pending` chats each with a normal story queued; then one breaking story for all of
    them: how long until its first `first` private chats have it, at `rate` msg/s."""
    from bot.outlets import make_context, telegram_outlet
    from tests.fakes.telegram_api import FakeTelegram, Limits

    store = Store(tmp / "breaking.sqlite3")
    try:
        add_chats(store, pending, 0, [])
        stories = dev_stories(2)
        at = time.time()
        with store.db.transaction() as conn:
            normal = insert_article(conn, None, stories[0], at)
            assert normal is not None
            queued = enqueue_article(conn, normal, None, at, TZ)
        with FakeTelegram(enforce_limits=True, limits=Limits(per_second=30.0)) as fake:
            text = f"""
[storage]
path = "{tmp / "breaking.sqlite3"}"
[telegram]
token = "{fake.token}"
api_base_url = "{fake.url}"
messages_per_second = {rate}
"""
            config = parse_config(text, "<bench>")

            async def nothing(*_: object) -> list[object]:
                return []

            platform = telegram_outlet(
                config,
                make_context(config, store),
                handle=nothing,
                commands={},  # type: ignore[arg-type]
            )
            await platform.start()
            try:
                await asyncio.sleep(2.0)  # the broadcast of normal rows is under way
                began = time.monotonic()
                with store.db.transaction() as conn:
                    breaking = insert_article(conn, None, stories[1], time.time(), breaking=True)
                    assert breaking is not None
                    enqueue_article(conn, breaking, None, time.time(), TZ, breaking=True)
                title = "TIN NÓNG"  # the breaking card's first line
                while True:
                    got = [c for c in fake.delivered() if title in (c.params.get("text") or "")]
                    if len(got) >= first:
                        reached = time.monotonic() - began
                        break
                    if time.monotonic() - began > 300:
                        raise TimeoutError("breaking story stalled")
                    await asyncio.sleep(0.05)
                normal_since = [
                    c
                    for c in fake.delivered()
                    if c.at > got[0].at and c.at <= got[-1].at and title not in c.params["text"]
                ]
            finally:
                await platform.stop()
        print(
            f"breaking: with {queued} normal deliveries queued, the breaking story reached its "
            f"first {first} private chats in {reached:.1f} s at {rate:g} msg/s "
            f"({len(normal_since)} normal sends in between; 429s: {fake.too_many})"
        )
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=1_000_000)
    parser.add_argument("--alerts-per-chat", type=int, default=3)
    parser.add_argument("--phrases", type=int, default=50_000, help="distinct alert phrases")
    parser.add_argument("--stories", type=int, default=50, help="stories matched")
    parser.add_argument("--breaking-pending", type=int, default=10_000)
    parser.add_argument("--breaking-first", type=int, default=1_000)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--skip-breaking", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    command = "  .venv/bin/python bench/alerts.py " + " ".join(sys.argv[1:])
    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        if args.chats:
            store = Store(tmp / "bench.sqlite3")
            try:
                phrases = phrases_from_titles(SHARED / "vietnews/train.jsonl", args.phrases)
                seconds = add_chats(store, args.chats, args.alerts_per_chat, phrases)
                alerts = store.sync.alerts.db.reading
                with alerts() as conn:
                    count = conn.execute("SELECT COUNT(*) FROM alerts").fetchone()[0]
                print(
                    f"set-up: {args.chats} chats, {count} alerts over {len(phrases)} phrases "
                    f"in {seconds:.0f} s"
                )
                stories = dev_stories(args.stories)
                bench_matching(store, stories)
                bench_outbox(store, stories, args.chats)
                bench_prune(store)
            finally:
                store.close()
        if not args.skip_breaking:
            asyncio.run(bench_breaking(args.breaking_pending, args.breaking_first, args.rate, tmp))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")
    print(f"reproduce:\n{command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
