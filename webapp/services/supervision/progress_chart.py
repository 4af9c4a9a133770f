"""Geometry of the throughput chart, drawn by the template as inline SVG (no chart library and
no script: the CSP forbids inline code, and deployments load nothing from outside)."""

import math
from dataclasses import dataclass

from .progress_flow import Throughput

WIDTH, HEIGHT = 720, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28  # margins for the axis labels


@dataclass(frozen=True)
class Line:
    stage: str
    points: str  # "x,y x,y ..." for <polyline>
    total: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[tuple[float, int]]  # (y, value)
    x_ticks: list[tuple[float, object]]  # (x, day)
    plot: tuple[int, int, int, int]  # left, top, right, bottom of the plotting area


def nice_ceiling(value: int) -> int:
    """The axis maximum: 1, 2 or 5 times a power of ten, at least `value` (and at least 5)."""
    if value <= 5:
        return 5
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def chart(flow: Throughput, stages: tuple[str, ...]) -> Chart:
    days = len(flow.days)
    top_value = nice_ceiling(max((max(flow.series[s], default=0) for s in stages), default=0))
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM

    def x(n: int) -> float:
        return round(LEFT + (right - LEFT) * (n / max(days - 1, 1)), 1)

    def y(value: int) -> float:
        return round(bottom - (bottom - TOP) * value / top_value, 1)

    lines = [
        Line(
            stage,
            " ".join(f"{x(n)},{y(v)}" for n, v in enumerate(flow.series[stage])),
            sum(flow.series[stage]),
        )
        for stage in stages
    ]
    y_ticks = [(y(top_value * k // 4), top_value * k // 4) for k in range(5)]
    # Every seventh day, ending on today: the same weekday each time.
    x_ticks = [(x(n), flow.days[n]) for n in reversed(range(days - 1, -1, -7))]
    return Chart(WIDTH, HEIGHT, lines, y_ticks, x_ticks, (LEFT, TOP, right, bottom))
