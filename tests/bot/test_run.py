"""`bantin run` without a token: polls, prints each new story, exits 0 on SIGTERM/SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bot.test_pipeline import publish_seed_and_dalat, write_config
from tests.fakes.news_site import FakeNewsSite

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_without_token_polls_prints_and_stops_cleanly(tmp_path: Path, signum: int) -> None:
    with FakeNewsSite() as site:
        publish_seed_and_dalat(site)
        config = write_config(tmp_path, site)
        env = {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--config", str(config)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not site.requests_for(site.feed_url):
                time.sleep(0.1)
            time.sleep(1.5)
            process.send_signal(signum)
            out, err = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == 0, err
    assert "No Telegram or Zalo token" in err
    assert "Khai mạc Festival Hoa Đà Lạt lần thứ 10" in out
    assert "token" not in out.lower()
