"""The newsroom's numbers as people read them: `/stats` and `bantin stats` print this."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.records import Stats

KIND_NAMES = {
    "private": "cá nhân",
    "group": "nhóm",
    "supergroup": "siêu nhóm",
    "channel": "kênh",
}


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.0f} giây"
    if seconds < 3600:
        return f"{seconds / 60:.1f} phút"
    return f"{seconds / 3600:.1f} giờ"


def format_stats(stats: Stats, timezone: str) -> str:
    zone = ZoneInfo(timezone)

    def when(ts: float | None) -> str:
        return datetime.fromtimestamp(ts, zone).strftime("%d/%m %H:%M") if ts else "?"

    lines = [f"📊 Bantin lúc {when(stats.generated_at)}"]
    lines.append(f"Người nhận đang hoạt động: {stats.active_chats}")
    for platform, kinds in sorted(stats.subscribers.items()):
        split = ", ".join(f"{n} {KIND_NAMES.get(k, k)}" for k, n in sorted(kinds.items()))
        lines.append(f"• {platform}: {split}")
    lines.append(f"Tuần này: +{stats.new_this_week} mới, −{stats.lost_this_week} rời đi")
    today = sum(stats.stories_today.values())
    lines.append(
        f"Tin hôm nay: {today} ({stats.feeds} nguồn, {stats.feeds_paused} tạm dừng; "
        f"tổng {stats.articles} tin)"
    )
    for name, count in stats.stories_today.items():
        if count:
            lines.append(f"• {name}: {count}")
    d = stats.deliveries_24h
    lines.append(f"Gửi 24 giờ qua: {d['sent']} đã gửi, {d['pending']} đang chờ, {d['failed']} lỗi")
    lines.append(
        f"Từ lúc đăng đến lúc gửi: p50 {duration(stats.latency_p50)}, "
        f"p95 {duration(stats.latency_p95)} ({stats.latency_samples} lượt)"
    )
    if stats.failing_feeds:
        lines.append(f"Nguồn đang lỗi: {len(stats.failing_feeds)}")
        for feed in stats.failing_feeds:
            lines.append(
                f"• «{feed.name}» từ {when(feed.since)}, {feed.failures} lần: "
                f"{feed.last_error or '?'}"
            )
    else:
        lines.append("Không nguồn nào đang lỗi.")
    return "\n".join(lines)
