"""`bantin health` for probes, and `[log] format = "json"`, through the process."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bot.test_pipeline import publish_seed_and_dalat, write_config
from tests.cli.process import TOKEN, ZALO_TOKEN, Running, bantin, closed_port
from tests.fakes.news_site import FakeNewsSite
from tests.fakes.telegram_api import FakeTelegram


def test_health_is_ok_after_the_bot_ran_and_says_what_is_missing_otherwise(
    tmp_path: Path,
) -> None:
    with FakeNewsSite() as site, FakeTelegram(token=TOKEN) as tg:
        publish_seed_and_dalat(site)
        telegram = f'[telegram]\ntoken = "{TOKEN}"\napi_base_url = "{tg.url}"\n'
        config = write_config(tmp_path, site, extra=f'[log]\nformat = "json"\n{telegram}')
        with Running(config) as bot:
            bot.wait_for(lambda: bool(tg.calls_to("getUpdates")))
            bot.wait_for(lambda: "Khai mạc Festival" in bot.err or _polled(tmp_path, config))
            healthy = bantin("health", "--config", str(config))
            assert bot.stop() == 0
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert healthy.stdout.startswith("ok: database ok; telegram answered")
    assert "feed polled" in healthy.stdout and len(healthy.stdout.splitlines()) == 1

    # Every line the running bot wrote to stderr is one JSON object.
    events = [json.loads(line) for line in bot.err.splitlines()]
    assert events and all({"time", "level", "logger", "message"} <= e.keys() for e in events)
    assert any("platform telegram: started" in e["message"] for e in events)

    # Zalo enabled too, but it never answered: unhealthy, saying which.
    other = tmp_path / "zalo.toml"
    other.write_text(
        config.read_text(encoding="utf-8")
        + f'[zalo]\ntoken = "{ZALO_TOKEN}"\napi_base_url = "http://127.0.0.1:{closed_port()}"\n',
        encoding="utf-8",
    )
    other_health = bantin("health", "--config", str(other))
    assert other_health.returncode == 1
    assert other_health.stdout.startswith("unhealthy: zalo never answered")


def _polled(tmp_path: Path, config: Path) -> bool:
    return bantin("health", "--config", str(config)).returncode == 0


def test_health_fails_when_nothing_was_polled_yet(tmp_path: Path) -> None:
    with FakeNewsSite() as site:
        config = write_config(tmp_path, site)
        (tmp_path / "bantin.sqlite3").touch()
        done = bantin("health", "--config", str(config))
    assert done.returncode == 1
    assert done.stdout.startswith("unhealthy:")
    assert len(done.stdout.splitlines()) == 1
