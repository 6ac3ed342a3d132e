"""The overview: a few figures, then four charts drawn on the server from the store's series."""

from __future__ import annotations

from datetime import datetime

from bot.core.ports import StorePort
from bot.dashboard.charts import bar_chart, hbar_chart, line_chart
from bot.dashboard.pages import View, overview_page
from bot.dashboard.texts import number


async def overview(view: View, store: StorePort) -> str:
    stats = await store.stats.collect()
    subscribers = await store.dashboard.subscribers_by_day(30)
    hours = await store.dashboard.deliveries_by_hour(24)
    latency = await store.dashboard.latency_by_day(14)
    waiting = await store.review.waiting(500)
    language = view.language
    empty = view.t("empty")

    def day(at: float) -> str:
        return datetime.fromtimestamp(at, view.zone).strftime("%d/%m")

    def minutes(seconds: float) -> str:
        return number(round(seconds / 60, 1), language)

    in_minutes = {
        name: tuple(None if v is None else v / 60 for v in values)
        for name, values in latency.series.items()
    }
    charts = [
        line_chart(
            view.t("chart.subscribers"),
            [day(d) for d in subscribers.days],
            subscribers.series,
            fmt=lambda v: number(v, language),
            empty=empty,
        ),
        bar_chart(
            view.t("chart.deliveries"),
            [datetime.fromtimestamp(h, view.zone).strftime("%Hh") for h in hours.hours],
            {view.t("series.sent"): hours.sent, view.t("series.failed"): hours.failed},
            empty=empty,
        ),
        line_chart(
            view.t("chart.latency"),
            [day(d) for d in latency.days],
            in_minutes,
            fmt=lambda v: minutes(v * 60),
            empty=empty,
        ),
        hbar_chart(
            view.t("chart.failing"),
            [(feed.name, feed.failures) for feed in stats.failing_feeds][:12],
            empty=empty,
        ),
    ]
    total = sum(sum(kinds.values()) for kinds in stats.subscribers.values())
    figures = [
        (view.t("figure.subscribers"), number(total, language)),
        (view.t("figure.articles"), number(stats.articles, language)),
        (view.t("figure.pending"), number(stats.deliveries_24h.get("pending", 0), language)),
        (view.t("figure.waiting"), number(len(waiting), language)),
    ]
    return overview_page(view, figures, charts)
