"""The search quality set: a corpus from VietNews, the queries, and the measures.

Shared by tests/search/test_quality.py (floors) and bench/search_quality.py (figures).
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.records import StoryRecord
from bot.store import Store
from bot.store.articles import insert_article

QUERIES = Path(__file__).with_name("queries.toml")
CORPUS_SIZE = 400
START = 1_600_000_000.0  # 2020-09-13; story n is published n hours later


@dataclass(frozen=True, slots=True)
class Query:
    q: str
    ids: tuple[str, ...]
    kind: str


@dataclass(frozen=True, slots=True)
class Outcome:
    query: Query
    found: tuple[str, ...]  # the first ten results' dataset ids

    @property
    def recall_at_5(self) -> float:
        return sum(1 for i in self.query.ids if i in self.found[:5]) / len(self.query.ids)

    @property
    def reciprocal_rank(self) -> float:
        for rank, found in enumerate(self.found, start=1):
            if found in self.query.ids:
                return 1.0 / rank
        return 0.0

    @property
    def ndcg_at_10(self) -> float:
        gains = [
            1.0 / math.log2(r + 2) for r, f in enumerate(self.found[:10]) if f in self.query.ids
        ]
        ideal = sum(1.0 / math.log2(r + 2) for r in range(min(10, len(self.query.ids))))
        return sum(gains) / ideal


def load_queries(path: Path = QUERIES) -> list[Query]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Query(q["q"], tuple(q["ids"]), q["kind"]) for q in data["query"]]


def build_corpus(store: Store, shared_dir: Path, size: int = CORPUS_SIZE) -> dict[int, str]:
    """Store the first `size` dev stories (two feeds); article id → dataset id."""
    ids: dict[int, str] = {}
    with (shared_dir / "vietnews" / "dev.jsonl").open(encoding="utf-8") as lines:
        rows = [json.loads(line) for _, line in zip(range(size), lines, strict=False)]
    with store.db.transaction() as conn:
        for name in ("Thời sự", "Thế giới"):
            conn.execute(
                "INSERT INTO feeds (name, url, section, created_at) VALUES (?, ?, ?, 0)",
                (name, f"https://bao.example.vn/rss/{len(name)}-{name[:2]}", None),
            )
        feeds = [int(r[0]) for r in conn.execute("SELECT id FROM feeds ORDER BY id")]
        for n, row in enumerate(rows):
            story = StoryRecord(
                key=row["id"],
                url=f"https://bao.example.vn/{row['id'].replace('/', '-')}.html",
                title=row["title"],
                lead=row["sapo"],
                body="\n\n".join(row["body_sents"]),
                summary=row["sapo"],
                image=None,
                section=None,
                published_at=START + n * 3600.0,
            )
            article_id = insert_article(conn, feeds[n % 2], story, START + n * 3600.0 + 60)
            assert article_id is not None
            ids[article_id] = row["id"]
    return ids


def evaluate(store: Store, ids: dict[int, str], queries: Sequence[Query]) -> list[Outcome]:
    outcomes = []
    for query in queries:
        hits = store.sync.search.search(query.q, limit=10)
        outcomes.append(Outcome(query, tuple(ids[h.article.id] for h in hits)))
    return outcomes


def summary(outcomes: Sequence[Outcome]) -> dict[str, float]:
    n = len(outcomes)
    return {
        "queries": n,
        "recall@5": round(sum(o.recall_at_5 for o in outcomes) / n, 3),
        "MRR": round(sum(o.reciprocal_rank for o in outcomes) / n, 3),
        "nDCG@10": round(sum(o.ndcg_at_10 for o in outcomes) / n, 3),
    }
