"""Search at scale: index build rate, size on disk, query latency, known-item success.

    .venv/bin/python bench/search.py --articles 100000
    .venv/bin/python bench/search.py --articles 1000000 --db /tmp/bantin-1m.sqlite3
    .venv/bin/python bench/search.py --articles 100000 --titles first-order  # the earlier titles
    .venv/bin/python bench/search.py --database auto --sizes 100000,1000000  # SQLite | PostgreSQL

`--database URL` (bench/search_db.py): the same stories and queries on SQLite and on that
PostgreSQL database (`auto`: a throwaway server), latency side by side.

Synthetic stories from the VietNews dev sample (`../shared/vietnews/dev.jsonl`): the lead a
real lead, the body 8 to 20 real sentences drawn at random, the title from a syllable chain
over the real text (titles, leads, bodies). `--titles second-order` (default): each syllable
drawn given the two before it, starting at any two neighbours of the text, as long as a real
title of 8 to 18 syllables; `--titles first-order`: the earlier chain, each syllable given
the one before, starting as a real title starts. Stories are stored through the real write
path (`insert_article`, which indexes), a thousand per transaction, one story a minute.

How ambiguous are the titles? `title_trigrams` counts, over every three consecutive title
syllables (folded, as a reader types them), the share found in more than 1 and in more than
10 titles, for the built corpus, for the 3,000 real dev titles, and for 3,000 synthetic
titles from the same generator. Only the last two compare like with like: the share grows
with the number of titles, so a 3,000-title figure says nothing directly about 100,000; the
real archive is not available at 100,000. Measured (seed 7): real dev titles 14.5 % in >1
title, 0.6 % in >10; second-order at 3,000 12.5 % / 0.0 %, first-order at 3,000 7.8 % /
0.1 %. So neither chain repeats phrases more than real headlines do at equal size (the
first-order one repeats them *less*); the second-order one is the closer of the two, still a
little less repetitive than real titles. At 100,000 its titles put 14 % of their trigrams in
more than 10 titles (first-order 10 %): that ambiguity is what 3 folded syllables are among
100,000 Vietnamese headlines, not an artefact of the chain.

Latency: every query of a mixed set (rare words, common words like "tỉnh", several
words, without diacritics, short prefixes) run with the document-frequency cache
emptied first, one thread. Known-item: 300 random stories, three consecutive title
syllables typed without diacritics; is the story first, in the first ten? Also printed:
the share of those phrases in exactly one title and in at most ten (beyond ten titles holding
the very phrase, no ranking that cannot see the target can promise the first ten).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bot.core.query import exact_tokens, fold_word, folded_tokens  # noqa: E402
from bot.core.records import StoryRecord  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.store.articles import insert_article  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "vietnews" / "dev.jsonl"
START = 1_500_000_000.0


TITLE_MODES = ("second-order", "first-order")
MIN_TITLE, MAX_TITLE = 8, 18  # second-order titles: syllables, a real title's length within


class Corpus:
    def __init__(self, path: Path, seed: int, titles: str = "second-order") -> None:
        if titles not in TITLE_MODES:
            raise ValueError(f"titles: one of {TITLE_MODES}")
        rows = [json.loads(line) for line in path.open(encoding="utf-8")]
        self.random = random.Random(seed)
        self.mode = titles
        self.real_titles = [r["title"] for r in rows]
        self.titles = [r["title"].split() for r in rows]
        self.leads = [r["sapo"] for r in rows]
        self.sentences = [s for r in rows for s in r["body_sents"] if len(s) > 20]
        self.starts = [t[0] for t in self.titles if t]
        self.lengths = [len(t) for t in self.titles if t]
        self.second_lengths = [n for n in self.lengths if MIN_TITLE <= n <= MAX_TITLE]
        texts = self.titles + [s.split() for r in rows for s in [r["sapo"], *r["body_sents"]]]
        self.chain: dict[str, list[str]] = defaultdict(list)
        self.chain2: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.pairs: list[tuple[str, str]] = []
        for words in texts:
            for a, b in zip(words, [*words[1:], ""], strict=True):
                self.chain[a].append(b)
            for a, b, c in zip(words, words[1:], [*words[2:], ""], strict=False):
                self.chain2[(a, b)].append(c)
                self.pairs.append((a, b))

    def title(self) -> str:
        return self.second_order() if self.mode == "second-order" else self.first_order()

    def first_order(self) -> str:
        """The earlier generator: each syllable drawn given the one before it."""
        rnd = self.random
        length = max(5, rnd.choice(self.lengths))
        words = [rnd.choice(self.starts)]
        while len(words) < length:
            following = self.chain.get(words[-1])
            nxt = rnd.choice(following) if following else ""
            if not nxt:
                if len(words) >= 6:
                    break
                nxt = rnd.choice(self.starts)
            words.append(nxt)
        return " ".join(words)

    def second_order(self) -> str:
        """Each syllable drawn given the two before it, from any two neighbours in the text.

        The length is a real title's (8 to 18 syllables); a sentence that ends before
        8 goes on with another pair of neighbours drawn anywhere.
        """
        rnd = self.random
        length = rnd.choice(self.second_lengths)
        words = list(rnd.choice(self.pairs))
        while len(words) < length:
            following = self.chain2.get((words[-2], words[-1]))
            nxt = rnd.choice(following) if following else ""
            if not nxt:
                if len(words) >= MIN_TITLE:
                    break
                words.extend(rnd.choice(self.pairs))
                continue
            words.append(nxt)
        return " ".join(words[:MAX_TITLE])

    def story(self, n: int) -> StoryRecord:
        rnd = self.random
        body = "\n\n".join(rnd.sample(self.sentences, rnd.randint(8, 20)))
        return StoryRecord(
            key=f"synthetic-{n}",
            url=f"https://bao.example.vn/tin-{n}.html",
            title=self.title(),
            lead=rnd.choice(self.leads),
            body=body,
            summary="",
            image=None,
            section=rnd.choice(["thoi-su", "kinh-te", "the-gioi", "xa-hoi", None]),
            published_at=START + n * 60.0 - rnd.randint(0, 3600),
        )


def build(store: Store, corpus: Corpus, articles: int) -> float:
    feeds = []
    with store.db.transaction() as conn:
        for i in range(5):
            conn.execute(
                "INSERT OR IGNORE INTO feeds (name, url, created_at) VALUES (?, ?, 0)",
                (f"Nguồn {i}", f"https://bao.example.vn/rss/{i}"),
            )
        feeds = [r[0] for r in conn.execute("SELECT id FROM feeds ORDER BY id")]
    done_before = store.sync.articles.count()  # --reuse after an interrupted build goes on
    if done_before:
        corpus.random.seed(done_before)
        print(f"  resuming after {done_before:,} stories", file=sys.stderr)
    started = time.perf_counter()
    batch = 1000
    for first in range(done_before, articles, batch):
        with store.db.transaction() as conn:
            for n in range(first, min(articles, first + batch)):
                insert_article(conn, feeds[n % len(feeds)], corpus.story(n), START + n * 60.0)
        done = min(articles, first + batch)
        if done % 20_000 == 0 or done == articles:
            rate = (done - done_before) / (time.perf_counter() - started)
            print(f"  built {done:>9,} stories  {rate:,.0f}/s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    with store.db.transaction() as conn:
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
        conn.execute("INSERT INTO titles_fts (titles_fts) VALUES ('optimize')")
    return elapsed


def mixed_queries(corpus: Corpus, seed: int) -> list[tuple[str, str]]:
    """(kind, query) pairs: rare, common, multi-word, diacritic-free, short prefix."""
    rnd = random.Random(seed)
    counts: Counter[str] = Counter()
    for sentence in corpus.sentences:
        counts.update(set(exact_tokens(sentence)))
    rare = [w for w, c in counts.items() if 2 <= c <= 4 and len(w) > 2 and not w.isdigit()]
    common = ["tỉnh", "người", "việt nam", "năm", "cho biết", "thành phố", "công an", "tp"]
    queries: list[tuple[str, str]] = []
    queries += [("rare", w) for w in rnd.sample(sorted(rare), 40)]
    queries += [("common", w) for w in common]
    queries += [("common", fold_word(w)) for w in common]
    for _ in range(40):
        words = rnd.choice(corpus.titles)
        if len(words) >= 4:
            start = rnd.randrange(0, len(words) - 2)
            queries.append(("multi", " ".join(words[start : start + rnd.choice([2, 3, 4])])))
    for _ in range(40):
        sentence = exact_tokens(rnd.choice(corpus.sentences))
        if len(sentence) >= 4:
            start = rnd.randrange(0, len(sentence) - 3)
            queries.append(("folded", " ".join(fold_word(w) for w in sentence[start : start + 3])))
    prefixes = ["th", "ng", "tr", "vi", "ha", "ch", "vie", "ngu", "tha", "kh", "nh", "ph"]
    queries += [("prefix", p) for p in prefixes]
    queries += [("prefix", f"{w} {p}") for w, p in [("công", "ty"), ("sạt", "l"), ("ha", "no")]]
    return queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def latency(store: Store, queries: list[tuple[str, str]]) -> dict[str, object]:
    times: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    worst: list[tuple[float, str]] = []
    for kind, query in queries:
        store.sync.search.words.forget()
        started = time.perf_counter()
        store.sync.search.search(query, limit=5)
        ms = (time.perf_counter() - started) * 1000
        times.append(ms)
        by_kind[kind].append(ms)
        worst.append((ms, query))
    worst.sort(reverse=True)
    return {
        "queries": len(times),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(max(times), 1),
        "p95_by_kind_ms": {k: round(percentile(v, 95), 1) for k, v in sorted(by_kind.items())},
        "slowest": [f"{q} ({ms:.0f} ms)" for ms, q in worst[:5]],
    }


def known_item(store: Store, articles: int, targets: int, seed: int) -> dict[str, float]:
    rnd = random.Random(seed)
    first = last = 0
    with store.db.reading() as conn:
        first, last = conn.execute("SELECT min(id), max(id) FROM articles").fetchone()
    picked = rnd.sample(range(first, last + 1), min(targets, articles))
    at1 = at10 = 0
    tried = unique = findable = 0
    for article_id in picked:
        article = store.sync.articles.get(article_id)
        if article is None:
            continue
        words = exact_tokens(article.title)
        if len(words) < 3:
            continue
        start = rnd.randrange(0, len(words) - 2)
        query = " ".join(fold_word(w) for w in words[start : start + 3])
        ids = [hit.article.id for hit in store.sync.search.search(query, limit=10)]
        with store.db.reading() as conn:
            sharing = conn.execute(
                "SELECT count(*) FROM titles_fts WHERE titles_fts MATCH ?", (f'"{query}"',)
            ).fetchone()[0]
        unique += sharing == 1
        findable += sharing <= 10
        tried += 1
        at1 += bool(ids) and ids[0] == article_id
        at10 += article_id in ids
    return {
        "targets": tried,
        "success@1": round(at1 / tried, 3),
        "success@10": round(at10 / tried, 3),
        # How ambiguous the corpus makes the task: the three syllables are in no other
        # title; in at most ten titles (beyond that, no ranking can promise the top ten).
        "phrase_in_one_title": round(unique / tried, 3),
        "phrase_in_at_most_10_titles": round(findable / tried, 3),
    }


def trigram_sharing(titles: Iterable[str]) -> dict[str, float]:
    """Of all consecutive three-syllable phrases of the titles (folded, as a reader types
    them), the share found in more than one title and in more than ten."""
    per_title = [folded_tokens(t) for t in titles]
    grams = [[" ".join(w[i : i + 3]) for i in range(len(w) - 2)] for w in per_title]
    titles_with: Counter[str] = Counter()
    for phrases in grams:
        titles_with.update(set(phrases))
    counts = [titles_with[g] for phrases in grams for g in phrases]
    total = len(counts) or 1
    return {
        "titles": len(per_title),
        "trigrams": len(counts),
        "in_more_than_1_title": round(sum(c > 1 for c in counts) / total, 3),
        "in_more_than_10_titles": round(sum(c > 10 for c in counts) / total, 3),
    }


def ambiguity(store: Store, corpus: Corpus, seed: int) -> dict[str, object]:
    """The corpus's title trigrams, and the same statistic at the real sample's size."""
    with store.db.reading() as conn:
        stored = [str(r[0]) for r in conn.execute("SELECT title FROM articles")]
    same_size = Corpus.__new__(Corpus)
    same_size.__dict__.update(corpus.__dict__)
    same_size.random = random.Random(seed + 1)
    return {
        "corpus": trigram_sharing(stored),
        "real_dev_titles": trigram_sharing(corpus.real_titles),
        "synthetic_at_real_size": trigram_sharing(same_size.title() for _ in corpus.real_titles),
    }


def size_on_disk(path: str) -> int:
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


def fts_size(store: Store) -> int:
    with store.db.reading() as conn:
        try:
            rows = conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE '%fts%' GROUP BY name"
            ).fetchall()
        except Exception:
            return -1
    return sum(int(r[1]) for r in rows)


def add_database_arguments(parser: argparse.ArgumentParser) -> None:
    """`--database` and what goes with it (bench/search_db.py)."""
    from bench import backends

    backends.add_arguments(parser, explain=True)
    parser.add_argument(
        "--sizes", help="with --database: measure at each of these story counts (100000,1000000)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_database_arguments(parser)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", help="database file (default: /tmp/bantin-search-<N>.sqlite3)")
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep an existing database")
    parser.add_argument("--targets", type=int, default=300)
    parser.add_argument(
        "--titles",
        choices=TITLE_MODES,
        default="second-order",
        help="title generator (first-order: the earlier syllable bigram chain)",
    )
    args = parser.parse_args()
    if args.database:
        from bench import search_db

        return search_db.compare_backends(args)
    path = args.db or f"/tmp/bantin-search-{args.articles}.sqlite3"
    corpus = Corpus(Path(args.data), args.seed, args.titles)
    report: dict[str, object] = {"articles": args.articles, "titles": args.titles, "db": path}
    if not args.reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
    store = Store(path)
    try:
        if store.sync.articles.count() < args.articles:
            print(f"building {args.articles:,} stories in {path}", file=sys.stderr)
            before = store.sync.articles.count()
            elapsed = build(store, corpus, args.articles)
            report["build_seconds"] = round(elapsed, 1)
            report["build_rate_per_s"] = round((args.articles - before) / elapsed)
        with store.db.reading() as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        report["db_size_mb"] = round(size_on_disk(path) / 1e6, 1)
        report["index_size_mb"] = round(fts_size(store) / 1e6, 1)
        queries = mixed_queries(corpus, args.seed)
        for _kind, query in queries[:10]:  # warm the page cache a little
            store.sync.search.search(query, limit=5)
        report["latency"] = latency(store, queries)
        report["known_item"] = known_item(store, args.articles, args.targets, args.seed)
        report["title_trigrams"] = ambiguity(store, corpus, args.seed)
    finally:
        store.close()
    report["reproduce"] = (
        f".venv/bin/python bench/search.py --articles {args.articles} --db {path} "
        f"--seed {args.seed} --titles {args.titles}"
    )
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
