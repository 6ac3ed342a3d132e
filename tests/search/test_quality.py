"""The quality floor: readers' queries over 400 VietNews stories find what they must,
on either backend; and both backends rank them alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bot.store import Store
from tests.search.quality import build_corpus, evaluate, load_queries, summary


def test_quality_set_is_broad_enough() -> None:
    queries = load_queries()
    assert len(queries) >= 60
    kinds = Counter(q.kind for q in queries)
    for kind in ("exact", "folded", "misspaced", "partial", "name", "number", "tone"):
        assert kinds[kind] >= 2, kind
    assert all(q.ids for q in queries)


def test_recall_and_mrr_floors(shared_dir: Path, new_store: Callable[[], Store]) -> None:
    store = new_store()
    try:
        ids = build_corpus(store, shared_dir)
        queries = load_queries()
        wanted = {i for q in queries for i in q.ids}
        assert len(ids) >= 300
        assert wanted <= set(ids.values()), wanted - set(ids.values())
        outcomes = evaluate(store, ids, queries)
    finally:
        store.close()
    figures = summary(outcomes)
    misses = [(o.query.q, o.found[:5]) for o in outcomes if o.recall_at_5 < 1]
    assert figures["recall@5"] >= 0.9, (figures, misses)
    assert figures["MRR"] >= 0.85, (figures, misses)
