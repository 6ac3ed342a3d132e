"""The search quality set: a corpus from VietNews, the queries, and the measures.

Shared by tests/search/test_quality.py (floors) and bench/search_quality.py (figures).

Besides finding the stories, two habits of the results are measured on the multi-word
queries, by a reading of the stories independent of the ranking's own (`_holds`):
- every word first: no story lacking one of the query's words (as typed, or folded for
  a word typed without diacritics) ranks above one holding them all;
- highlights: where a result's lead or body holds the query as typed (its phrase), the
  snippet bolds that phrase, and bolds no word of it alone elsewhere ("đã" for "da lat").
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.core.matching import snippet
from bot.core.query import exact_tokens, fold_word, parse_query
from bot.core.records import Article, StoryRecord
from bot.core.text import normalize
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
class Shown:
    """What one result showed: does it hold every word, the phrase; what was bolded."""

    all_words: bool
    phrase: bool
    bold: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    query: Query
    found: tuple[str, ...]  # the first ten results' dataset ids
    shown: tuple[Shown, ...] = ()  # the first five, for multi-word queries

    @property
    def all_words_first(self) -> bool:
        """No result lacking a word above one that holds them all."""
        flags = [s.all_words for s in self.shown]
        return all(flags[i] or not any(flags[i + 1 :]) for i in range(len(flags)))

    @property
    def phrase_bolded(self) -> list[bool]:
        """For each result holding the phrase: is it bolded whole, and no word alone?"""
        words = len(parse_query(self.query.q, prefix_last=False).terms)
        return [
            any(len(exact_tokens(b)) >= words for b in s.bold)
            and all(len(exact_tokens(b)) > 1 for b in s.bold)
            for s in self.shown
            if s.phrase
        ]

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


_BREAKS = re.compile(r"[^\w \-\u2013]+")


def _holds(words: list[str], terms: list[tuple[str, str, bool]]) -> tuple[bool, bool]:
    """(every word, the phrase) in these lowercase words: marked as typed, else folded."""

    def same(word: str, term: tuple[str, str, bool]) -> bool:
        folded, exact, marked = term
        return word == exact if marked else fold_word(word) == folded

    every = all(any(same(w, t) for w in words) for t in terms)
    n = len(terms)
    phrase = any(
        all(same(words[i + j], terms[j]) for j in range(n)) for i in range(len(words) - n + 1)
    )
    return every, phrase


def shown(article: Article, q: str) -> Shown:
    parsed = parse_query(q, prefix_last=False)
    terms = [(t.folded, t.exact, t.marked) for t in parsed.terms]
    every, _ = _holds(exact_tokens(f"{article.title}\n{article.lead}\n{article.body}"), terms)
    # the phrase as a reader would see it: words apart only by spaces or a dash
    sentences = [
        part for text in (article.lead, article.body) for part in _BREAKS.split(normalize(text))
    ]
    phrase = any(_holds(exact_tokens(part), terms)[1] for part in sentences)
    runs = snippet([article.lead, article.body], parsed.terms)
    return Shown(every, phrase, tuple(text for text, bold in runs if bold))


def evaluate(store: Store, ids: dict[int, str], queries: Sequence[Query]) -> list[Outcome]:
    outcomes = []
    for query in queries:
        hits = store.sync.search.search(query.q, limit=10)
        several = len(parse_query(query.q, prefix_last=False).terms) > 1
        seen = tuple(shown(h.article, query.q) for h in hits[:5]) if several else ()
        outcomes.append(Outcome(query, tuple(ids[h.article.id] for h in hits), seen))
    return outcomes


def summary(outcomes: Sequence[Outcome]) -> dict[str, float]:
    n = len(outcomes)
    several = [o for o in outcomes if o.shown]
    phrases = [ok for o in several for ok in o.phrase_bolded]
    return {
        "queries": n,
        "recall@5": round(sum(o.recall_at_5 for o in outcomes) / n, 3),
        "MRR": round(sum(o.reciprocal_rank for o in outcomes) / n, 3),
        "nDCG@10": round(sum(o.ndcg_at_10 for o in outcomes) / n, 3),
        "all_words_first": round(sum(o.all_words_first for o in several) / len(several), 3)
        if several
        else 1.0,
        "phrase_bolded": round(sum(phrases) / len(phrases), 3) if phrases else 1.0,
    }
