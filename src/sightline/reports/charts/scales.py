"""Scales: round tick values, which tick labels to show, and where a value or an x falls on the plot."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sightline.reports.charts.model import ChartSpec, is_time, time_value


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart)."""
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    start = math.floor(lo / step) * step
    ticks = [round(start, 10)]
    while ticks[-1] < hi - step * 1e-9:  # the last tick reaches or passes hi
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def thin_indexes(count: int, most: int) -> list[int]:
    """Which of ``count`` tick labels to show: at most about ``most``, always the first and last."""
    if count <= most:
        return list(range(count))
    step = math.ceil(count / most)
    kept = list(range(0, count, step))
    if kept[-1] != count - 1:
        # The last label takes the place of one too close to it to fit between.
        if count - 1 - kept[-1] < step:
            kept.pop()
        kept.append(count - 1)
    return kept


@dataclass(frozen=True)
class YScale:
    """Values from ``lo`` to ``hi`` onto the plot's height (``top`` down to ``top + height``)."""

    lo: float
    hi: float
    ticks: list[float]
    top: float
    height: float

    def __call__(self, value: float) -> float:
        span = (self.hi - self.lo) or 1
        return self.top + self.height * (1 - (value - self.lo) / span)

    def shows(self, value: float) -> bool:
        return self.lo <= value <= self.hi


def y_scale(spec: ChartSpec, top: float, height: float) -> YScale:
    """From zero (or ``y_min``) to a round number above every value and reference line (or ``y_max``)."""
    values = spec.values()
    lo = float(spec.y_min) if spec.y_min is not None else min([0.0, *values])
    hi_candidates = [*values, *(t.value for t in spec.thresholds)]
    hi = float(spec.y_max) if spec.y_max is not None else max([lo + 1, *hi_candidates])
    ticks = nice_ticks(lo, hi)
    if spec.y_max is None:
        hi = max(hi, ticks[-1])
    return YScale(lo, hi, [t for t in ticks if lo <= t <= hi], top, height)


@dataclass(frozen=True)
class XScale:
    """x values onto the plot's width: to scale in time when every x is a date, else evenly spaced."""

    ticks: list[Any]
    left: float
    width: float
    time: bool
    inset: float = 16

    def __call__(self, x: Any) -> float:
        if self.time:
            t0, t1 = time_value(self.ticks[0]), time_value(self.ticks[-1])
            if t1 == t0:
                return self.left + self.width / 2
            share = (time_value(x) - t0) / (t1 - t0)
        else:
            if len(self.ticks) <= 1:
                return self.left + self.width / 2
            share = self.ticks.index(x) / (len(self.ticks) - 1)
        return self.left + self.inset + (self.width - 2 * self.inset) * share


def x_scale(xs: Sequence[Any], left: float, width: float) -> XScale:
    ticks = list(xs)
    return XScale(ticks, left, width, bool(ticks) and all(is_time(x) for x in ticks))


def bar_width(series: int, group_width: float) -> float:
    """Bars share four fifths of their group, between 2 and 48 wide."""
    return max(2.0, min(48.0, group_width * 0.8 / max(series, 1)))
