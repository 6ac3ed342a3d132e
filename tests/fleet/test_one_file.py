"""SQLite is one file for one `bantin run`: a second one refuses; one-shot commands work
beside it; and one poll of a feed at a time, whoever asks."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.config import load_config
from bot.store import Store, open_store
from feeds.fetch import Fetcher
from feeds.poller import Poller
from tests.bot.test_pipeline import publish_seed_and_dalat, write_config
from tests.cli.process import Running, bantin, clean_env
from tests.fakes.news_site import FakeNewsSite


def test_a_second_run_on_one_sqlite_file_refuses_and_one_shot_commands_still_work(
    tmp_path: Path,
) -> None:
    with FakeNewsSite() as site:
        publish_seed_and_dalat(site)
        config = write_config(tmp_path, site)
        first = Running(config)
        try:
            first.wait_for(lambda: "feed Tin tức:" in first.err, 30)
            began = time.monotonic()
            second = bantin("run", "--config", str(config), env=clean_env(), timeout=30)
            assert time.monotonic() - began < 5
            assert second.returncode == 2
            database = str(tmp_path / "bantin.sqlite3")
            assert database in second.stderr
            assert "another `bantin run`" in second.stderr
            assert "Traceback" not in second.stderr
            for command in (("stats",), ("search", "da lat"), ("poll",)):
                beside = bantin(*command, "--config", str(config), env=clean_env())
                assert beside.returncode == 0, (command, beside.stderr)
            assert "Đà Lạt" in bantin("search", "da lat", "--config", str(config)).stdout
            assert first.process.poll() is None, "the first run goes on"
        finally:
            first.stop()
    # The lock dies with its process: the next run starts.
    assert not (tmp_path / "bantin.sqlite3.run.lock").read_text(encoding="utf-8").strip()


async def test_one_poll_of_a_feed_at_a_time_across_processes(tmp_path: Path) -> None:
    """Two pollers (two processes' worth: two holders, one store) race for one feed: the
    site sees one fetch of the feed, the other poller leaves it."""
    with FakeNewsSite() as site:
        publish_seed_and_dalat(site)
        config = load_config(str(write_config(tmp_path, site)))
        store = open_store(config)
        store.sync.feeds.sync_config(config.feeds)
        try:
            reports = await asyncio.gather(
                *(poll_as(store, config, holder) for holder in ("a:1:x", "b:2:y"))
            )
        finally:
            store.close()
    busy = [report for batch in reports for report in batch if report.busy]
    done = [report for batch in reports for report in batch if not report.busy]
    assert len(busy) == 1 and len(done) == 1 and done[0].new == 2
    assert len(site.requests_for(site.feed_url)) == 1


async def poll_as(store: Store, config: object, holder: str) -> list[object]:
    from bot.admin.wiring import make_fetcher
    from bot.app import extractive_summary
    from bot.core.settings import Config

    assert isinstance(config, Config)
    fetcher: Fetcher = make_fetcher(config)
    try:
        poller = Poller(
            store, fetcher, extractive_summary, config.poll, config.summary.budget, holder=holder
        )
        return list(await poller.poll_all())
    finally:
        await fetcher.aclose()
