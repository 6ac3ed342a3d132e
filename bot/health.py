"""`bantin health`: one line and an exit code for systemd, Docker or Kubernetes probes.

Healthy means the database answers, every enabled platform answered recently (the
adapters' heartbeats, `bot.platforms.heartbeat`) and a feed was read within three poll
intervals.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bot.core.records import HealthFacts
from bot.core.settings import Config

# A platform is "recent" within this: Telegram's long poll answers every ~10 s, Zalo's
# every ~30 s, a webhook (either) is pinged every 60 s; heartbeats are written every 15 s.
PLATFORM_RECENT_SECONDS = 180.0


@dataclass(frozen=True, slots=True)
class Verdict:
    healthy: bool
    line: str


def enabled_platforms(config: Config) -> list[str]:
    return [
        name
        for name, token in (("telegram", config.telegram.token), ("zalo", config.zalo.token))
        if token
    ]


def _ago(seconds: float) -> str:
    return f"{seconds:.0f} s ago" if seconds < 120 else f"{seconds / 60:.0f} min ago"


def judge(config: Config, facts: HealthFacts, at: float | None = None) -> Verdict:
    at = time.time() if at is None else at
    problems: list[str] = []
    said = ["database ok"]
    for name in enabled_platforms(config):
        answered = facts.answered.get(name)
        limit = max(PLATFORM_RECENT_SECONDS, 4.0 * _poll_timeout(config, name))
        if answered is None:
            problems.append(f"{name} never answered")
        elif at - answered > limit:
            problems.append(f"{name} last answered {_ago(at - answered)}")
        else:
            said.append(f"{name} answered {_ago(max(0.0, at - answered))}")
    window = 3 * config.poll.interval_seconds
    if facts.feeds == 0:
        problems.append("no feeds to poll")
    elif facts.last_poll is None:
        problems.append("no feed polled yet")
    elif at - facts.last_poll > window:
        problems.append(
            f"last feed polled {_ago(at - facts.last_poll)} (over 3 intervals, {window} s)"
        )
    else:
        said.append(f"feed polled {_ago(max(0.0, at - facts.last_poll))}")
    if problems:
        return Verdict(False, "unhealthy: " + "; ".join(problems + said))
    return Verdict(True, "ok: " + "; ".join(said))


def _poll_timeout(config: Config, platform: str) -> float:
    if platform == "telegram":
        return float(config.telegram.poll_timeout_seconds)
    return float(config.zalo.poll_timeout_seconds)
