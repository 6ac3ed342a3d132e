"""The newsroom's numbers as people read them: `/stats` and `bantin stats` print this.

In the admin's language (Vietnamese unless they chose English), figures written the way
that language writes them: "4,2 phút", "4.2 min".
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.records import Stats
from handlers.i18n import resolve_language, t

KIND_NAMES = {
    "vi": {"private": "cá nhân", "group": "nhóm", "supergroup": "siêu nhóm", "channel": "kênh"},
    "en": {
        "private": "private",
        "group": "group",
        "supergroup": "supergroup",
        "channel": "channel",
    },
}


def decimal(value: float, language: str = "vi") -> str:
    """One decimal, with the language's decimal mark: "4,2" in Vietnamese, "4.2" in English."""
    text = f"{value:.1f}"
    return text if resolve_language(language) == "en" else text.replace(".", ",")


def duration(seconds: float | None, language: str = "vi") -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return t(language, "stats.seconds", value=f"{seconds:.0f}")
    if seconds < 3600:
        return t(language, "stats.minutes", value=decimal(seconds / 60, language))
    return t(language, "stats.hours", value=decimal(seconds / 3600, language))


def format_stats(stats: Stats, timezone: str, language: str = "vi", name: str = "Bantin") -> str:
    zone = ZoneInfo(timezone)
    lang = resolve_language(language)
    kinds_named = KIND_NAMES[lang]

    def when(ts: float | None) -> str:
        return datetime.fromtimestamp(ts, zone).strftime("%d/%m %H:%M") if ts else "?"

    lines = [t(lang, "stats.title", name=name, at=when(stats.generated_at))]
    lines.append(t(lang, "stats.active", count=stats.active_chats))
    for platform, kinds in sorted(stats.subscribers.items()):
        split = ", ".join(f"{n} {kinds_named.get(k, k)}" for k, n in sorted(kinds.items()))
        lines.append(f"• {platform}: {split}")
    lines.append(t(lang, "stats.week", new=stats.new_this_week, lost=stats.lost_this_week))
    today = sum(stats.stories_today.values())
    lines.append(
        t(
            lang,
            "stats.today",
            today=today,
            feeds=stats.feeds,
            paused=stats.feeds_paused,
            total=stats.articles,
        )
    )
    for feed_name, count in stats.stories_today.items():
        if count:
            lines.append(f"• {feed_name}: {count}")
    d = stats.deliveries_24h
    lines.append(
        t(lang, "stats.deliveries", sent=d["sent"], pending=d["pending"], failed=d["failed"])
    )
    lines.append(
        t(
            lang,
            "stats.latency",
            p50=duration(stats.latency_p50, lang),
            p95=duration(stats.latency_p95, lang),
            samples=stats.latency_samples,
        )
    )
    spent = decimal(stats.stars_today, lang)
    if stats.paid_stars_per_day > 0:
        budget = decimal(stats.paid_stars_per_day, lang)
        lines.append(t(lang, "stats.paid", spent=spent, budget=budget))
    else:
        lines.append(t(lang, "stats.paid_off", spent=spent))
    if stats.drain_seconds is not None:
        lines.append(t(lang, "stats.drain", eta=duration(stats.drain_seconds, lang)))
    lines.extend(_fleet_lines(stats, lang))
    if stats.failing_feeds:
        lines.append(t(lang, "stats.failing", count=len(stats.failing_feeds)))
        for feed in stats.failing_feeds:
            lines.append(
                t(
                    lang,
                    "stats.failing_feed",
                    name=feed.name,
                    since=when(feed.since),
                    failures=feed.failures,
                    error=feed.last_error or "?",
                )
            )
    else:
        lines.append(t(lang, "stats.none_failing"))
    return "\n".join(lines)


def _fleet_lines(stats: Stats, lang: str) -> list[str]:
    """The queue per platform and, when more than this process runs, who holds what."""
    queue = ", ".join(f"{platform} {count}" for platform, count in stats.queue.items()) or "0"
    waited = None
    if stats.oldest_pending_at is not None:
        waited = max(0.0, stats.generated_at - stats.oldest_pending_at)
    lines = [t(lang, "stats.queue", queue=queue, oldest=duration(waited, lang))]
    if stats.processes:
        lines.append(t(lang, "stats.fleet", count=len(stats.processes)))
        for process in stats.processes:
            seen = process.seen_at if process.seen_at is not None else process.lease_until
            ago = max(0.0, stats.generated_at - seen) if seen is not None else None
            lines.append(
                t(
                    lang,
                    "stats.process",
                    role=process.role,
                    host=process.host,
                    pid=process.pid,
                    held=process.held,
                    ago=duration(ago, lang),
                )
            )
    return lines
