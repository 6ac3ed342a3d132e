"""Charts drawn on the server as inline SVG: no JavaScript, no build, readable on a phone.

Three shapes serve the overview: lines (subscribers per platform, latency p50/p95),
stacked bars (deliveries per hour) and horizontal bars (failing feeds). Every text is
escaped; colours and sizes are attributes, so a strict Content-Security-Policy holds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

WIDTH = 640
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 56, 24, 28, 36
PALETTE = ("#1f6feb", "#d9480f", "#2f9e44", "#9c36b5", "#f08c00", "#0c8599")
GRID = "#d0d7de"
INK = "#1f2328"


def _nice_max(value: float) -> float:
    """A round top for the axis: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1.0
    power = 1.0
    while power * 10 <= value:
        power *= 10
    while power > value:
        power /= 10
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _open(title: str, height: int = HEIGHT) -> list[str]:
    label = escape(title)
    return [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{label}">',
        f"<title>{label}</title>",
        f'<text x="{LEFT}" y="16" font-size="13" font-weight="600" fill="{INK}">{label}</text>',
    ]


def _empty(parts: list[str], message: str, height: int = HEIGHT) -> str:
    parts.append(
        f'<text x="{WIDTH / 2:.0f}" y="{height / 2:.0f}" font-size="13" fill="#57606a" '
        f'text-anchor="middle">{escape(message)}</text>'
    )
    return "".join([*parts, "</svg>"])


def _axes(parts: list[str], top_value: float, fmt: Callable[[float], str]) -> None:
    bottom = HEIGHT - BOTTOM
    for i in range(3):
        value = top_value * i / 2
        y = bottom - (bottom - TOP) * i / 2
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" fill="{INK}" '
            f'text-anchor="end">{escape(fmt(value))}</text>'
        )


def _x_labels(parts: list[str], labels: Sequence[str], xs: Sequence[float]) -> None:
    every = max(1, -(-len(labels) // 8))  # at most about 8 labels on a phone's width
    for i, (label, x) in enumerate(zip(labels, xs, strict=True)):
        if (len(labels) - 1 - i) % every == 0:  # counted from the last, always shown
            parts.append(
                f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" fill="{INK}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )


def _legend(parts: list[str], names: Sequence[str]) -> None:
    x = WIDTH - RIGHT
    for i, name in reversed(list(enumerate(names))):
        width = 18 + 7 * len(name)
        x -= width
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<rect x="{x}" y="7" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="16" font-size="11" fill="{INK}">{escape(name)}</text>'
        )


def line_chart(
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    *,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    empty: str = "—",
) -> str:
    """One line per series over the same x labels; a None leaves a gap."""
    parts = _open(title)
    values = [v for points in series.values() for v in points if v is not None]
    if not values or not labels:
        return _empty(parts, empty)
    top_value = _nice_max(max(values))
    _axes(parts, top_value, fmt)
    span = WIDTH - LEFT - RIGHT
    step = span / max(1, len(labels) - 1)
    xs = [LEFT + step * i for i in range(len(labels))] if len(labels) > 1 else [LEFT + span / 2]
    bottom = HEIGHT - BOTTOM

    def y_of(value: float) -> float:
        return bottom - (bottom - TOP) * value / top_value

    for index, (name, points) in enumerate(series.items()):
        colour = PALETTE[index % len(PALETTE)]
        segment: list[str] = []
        segments: list[list[str]] = [segment]
        for x, value in zip(xs, points, strict=False):
            if value is None:
                segment = []
                segments.append(segment)
                continue
            segment.append(f"{x:.1f},{y_of(value):.1f}")
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y_of(value):.1f}" r="2.5" fill="{colour}">'
                f"<title>{escape(name)}: {escape(fmt(value))}</title></circle>"
            )
        for points_text in segments:
            if len(points_text) > 1:
                parts.append(
                    f'<polyline class="series" fill="none" stroke="{colour}" stroke-width="2" '
                    f'points="{" ".join(points_text)}"/>'
                )
    _x_labels(parts, labels, xs)
    _legend(parts, list(series))
    return "".join([*parts, "</svg>"])


def bar_chart(
    title: str,
    labels: Sequence[str],
    stacks: Mapping[str, Sequence[int]],
    *,
    empty: str = "—",
) -> str:
    """Stacked bars, one per label (each stack's parts in the order given)."""
    parts = _open(title)
    totals = [sum(column) for column in zip(*stacks.values(), strict=True)] if stacks else []
    if not totals or max(totals) == 0:
        return _empty(parts, empty)
    top_value = _nice_max(max(totals))
    _axes(parts, top_value, lambda v: f"{v:g}")
    span = WIDTH - LEFT - RIGHT
    slot = span / len(labels)
    width = max(2.0, slot * 0.7)
    bottom = HEIGHT - BOTTOM
    xs = [LEFT + slot * (i + 0.5) for i in range(len(labels))]
    for i, x in enumerate(xs):
        base = float(bottom)
        for index, (name, column) in enumerate(stacks.items()):
            value = column[i]
            if not value:
                continue
            height = (bottom - TOP) * value / top_value
            base -= height
            parts.append(
                f'<rect class="bar" x="{x - width / 2:.1f}" y="{base:.1f}" width="{width:.1f}" '
                f'height="{height:.1f}" fill="{PALETTE[index % len(PALETTE)]}">'
                f"<title>{escape(labels[i])} · {escape(name)}: {value}</title></rect>"
            )
    _x_labels(parts, labels, xs)
    _legend(parts, list(stacks))
    return "".join([*parts, "</svg>"])


def hbar_chart(
    title: str, rows: Sequence[tuple[str, int]], *, unit: str = "", empty: str = "—"
) -> str:
    """Horizontal bars, a name and a count each (the failing feeds, worst first)."""
    height = max(HEIGHT // 2, TOP + 26 * len(rows) + 12)
    parts = _open(title, height)
    if not rows:
        return _empty(parts, empty, height)
    top_value = max(count for _, count in rows) or 1
    name_width = 200
    span = WIDTH - RIGHT - name_width - 60
    for i, (name, count) in enumerate(rows):
        y = TOP + 8 + 26 * i
        shown = name if len(name) <= 28 else name[:27] + "…"
        width = max(2.0, span * count / top_value)
        parts.append(
            f'<text x="{name_width - 8}" y="{y + 13}" font-size="12" fill="{INK}" '
            f'text-anchor="end">{escape(shown)}</text>'
            f'<rect class="bar" x="{name_width}" y="{y}" width="{width:.1f}" height="18" '
            f'fill="{PALETTE[1]}"><title>{escape(name)}: {count}</title></rect>'
            f'<text x="{name_width + width + 6:.1f}" y="{y + 13}" font-size="12" '
            f'fill="{INK}">{count}{escape(unit)}</text>'
        )
    return "".join([*parts, "</svg>"])
