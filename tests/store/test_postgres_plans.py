"""PostgreSQL's search goes through its GIN indexes, not a scan of every story.

The plans are those of the statements `SearchIndex.search` really runs (recorded on the
way through, `tests.store.postgres.search_plans`), on a few thousand stories with
planner statistics, as a live database has them. At that size the planner rightly reads
the table's few hundred pages instead, so the plans are asked for with sequential scans
disabled: a statement the GIN index cannot serve (a function around the column, a cast
on the wrong side) still shows "Seq Scan", and fails. `bench/search.py --database URL
--explain` shows the planner choosing the index by itself at 100,000 stories and more.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.core.records import StoryRecord
from bot.store import Store
from bot.store.articles import insert_article
from bot.store.postgres import PostgresDatabase
from tests.store.postgres import search_plans

STORIES = 3000
PLACES = ["Đà Lạt", "Bảo Lộc", "Đức Trọng", "Lâm Hà", "Di Linh", "Đơn Dương"]


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    opened = Store(PostgresDatabase(postgres_url))
    try:
        yield opened
    finally:
        opened.close()


def _fill(store: Store) -> None:
    with store.db.transaction() as conn:
        for n in range(STORIES):
            place = PLACES[n % len(PLACES)]
            story = StoryRecord(
                key=f"plan-{n}",
                url=f"https://baolamdong.vn/tin-{n}.html",
                title=f"{place}: mưa lớn kéo dài, sạt lở tuyến đường số {n}",
                lead=f"Người dân {place} được sơ tán khỏi vùng nguy hiểm.",
                body="Lực lượng chức năng đang khắc phục hậu quả. " * 5 + f"Mã tin {n + 50_000}.",
                summary="",
                image=None,
                section="thoi-su",
                published_at=1_700_000_000.0 + n * 60,
            )
            insert_article(conn, None, story, 1_700_000_000.0 + n * 60)
        conn.execute("ANALYZE search_docs")


QUERIES = ["51234", "duong so 1234", "di linh 1234", "bao loc sat l"]


def test_search_uses_the_gin_index_not_a_scan(store: Store) -> None:
    _fill(store)
    for query in QUERIES:
        hits = store.sync.search.search(query)
        assert hits, query  # the plans below are those of a search that found its story
        plans = search_plans(store.db, query, seqscan=False)
        assert plans, "the search ran no full-text statement"
        for plan in plans:
            assert "Seq Scan on search_docs" not in plan, (query, plan)
            assert "Index Scan on search_docs_" in plan, (query, plan)
