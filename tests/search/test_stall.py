"""No reader can stall the bot: capped queries, a time budget per search, and (SQLite)
readers' searches on their own connection, beside the writer."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.core.records import SearchTimedOut
from bot.core.replies import Request
from bot.store import Store
from handlers.base import Context
from handlers.search import MAX_QUERY_CHARS, MAX_QUERY_WORDS, inline_results, search_command
from tests.search.conftest import add_story

# A query that keeps the engine busy far past any budget: a long recursive count.
SLOW_SQL = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) "
    "SELECT count(*) FROM n"
)


def search_request(text: str, language: str | None = None) -> Request:
    return Request(
        platform="telegram",
        chat_id="1",
        text=f"/search {text}",
        command="search",
        args=tuple(text.split()),
        user_language=language,
    )


@pytest.mark.parametrize(
    "language, said", [(None, "Câu tìm dài quá"), ("en", "That search is too long")]
)
async def test_a_query_past_the_cap_gets_a_clear_reply_at_once(
    store: Store, language: str | None, said: str
) -> None:
    add_story(store, "dl", "Mưa lớn ở Đà Lạt", "Đèo Prenn sạt lở.")
    ctx = Context(store=store)
    for text in ("đà lạt " * 700, " ".join(["mưa"] * (MAX_QUERY_WORDS + 1)), "x" * 100_000):
        started = time.perf_counter()
        (reply,) = await search_command(search_request(text, language), ctx)
        assert time.perf_counter() - started < 0.5
        assert reply.plain.startswith(said)
        assert str(MAX_QUERY_WORDS) in reply.plain and str(MAX_QUERY_CHARS) in reply.plain
    inline = Request(platform="telegram", chat_id="1", text="đà lạt " * 100, inline=True)
    assert await inline_results(inline, ctx) == []
    (reply,) = await search_command(search_request("đà lạt"), ctx)  # under the cap: answered
    assert "Mưa lớn ở Đà Lạt" in reply.plain


def test_a_search_past_its_time_budget_is_stopped(store: Store) -> None:
    sql = SLOW_SQL if store.db.__class__.__name__ == "SqliteDatabase" else "SELECT pg_sleep(5)"
    started = time.perf_counter()
    with pytest.raises(SearchTimedOut), store.db.searching(0.2) as conn:
        conn.execute(sql).fetchall()
    assert time.perf_counter() - started < 1.5
    with store.db.searching(0.2) as conn:  # the connection is usable again
        assert conn.execute("SELECT 1").fetchone()[0] == 1


async def test_the_outbox_does_not_wait_behind_a_readers_search(tmp_path: Path) -> None:
    store = Store(tmp_path / "bantin.sqlite3")
    try:

        def slow_read() -> str:
            try:
                with store.db.searching(1.0) as conn:
                    conn.execute(SLOW_SQL).fetchall()
            except SearchTimedOut:
                return "stopped"
            return "finished"

        search = asyncio.create_task(store.db.call_read(slow_read))
        await asyncio.sleep(0.1)  # the search is under way on the read thread
        waits = []
        for _ in range(5):
            started = time.perf_counter()
            await store.deliveries.claim("telegram", 10)
            waits.append(time.perf_counter() - started)
        assert not search.done()
        assert max(waits) < 0.2, waits
        assert await search == "stopped"
    finally:
        store.close()
