"""What a chart shows, apart from how it is drawn: its series, reference lines, labels, the sentence
that describes it and the table of its numbers. The SVG pages and the PDF draw the same ``ChartSpec``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Number = int | float


@dataclass(frozen=True)
class Series:
    """One line (or one set of bars): ``points`` are (x, y) pairs; x is a date, datetime, number or label."""

    name: str
    points: Sequence[tuple[Any, Number | None]]


@dataclass(frozen=True)
class Threshold:
    """A horizontal reference line, e.g. the lowest score of a risk band or a target."""

    value: Number
    label: str


def is_time(x: Any) -> bool:
    return isinstance(x, dt.date)


def time_value(x: dt.date) -> float:
    if isinstance(x, dt.datetime):
        return x.timestamp()
    return dt.datetime.combine(x, dt.time.min, tzinfo=dt.UTC).timestamp()


def default_x_format(x: Any) -> str:
    if isinstance(x, dt.date):
        return f"{x:%-d %b %Y}".lstrip("0")
    return str(x)


def month_format(x: Any) -> str:
    return f"{x:%b %Y}"


def fmt_number(v: Number | None) -> str:
    if v is None:
        return "no data"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.1f}"
    return f"{int(v):,}"


@dataclass(frozen=True)
class ChartSpec:
    """A line chart (dates and datetimes on x placed to scale in time, anything else evenly) or a grouped
    bar chart (one group per x value, one bar per series)."""

    kind: Literal["line", "bar"]
    title: str
    x_label: str
    y_label: str
    series: Sequence[Series]
    thresholds: Sequence[Threshold] = ()
    y_min: Number | None = 0
    y_max: Number | None = None
    x_format: Callable[[Any], str] = default_x_format
    description: str = ""
    point_labels: bool = True

    def x_values(self) -> list[Any]:
        """Every x value once, in the order first seen (in time order when they are all dates)."""
        xs: list[Any] = []
        for s in self.series:
            for x, _ in s.points:
                if x not in xs:
                    xs.append(x)
        if xs and all(is_time(x) for x in xs):
            xs.sort(key=time_value)
        return xs

    def values(self) -> list[float]:
        return [float(y) for s in self.series for _, y in s.points if y is not None]

    def table(self) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
        """(headers, rows): one row per x value, one column per series; the chart's numbers in full."""
        values = [dict(s.points) for s in self.series]
        headers = (self.x_label, *(s.name for s in self.series))
        rows = tuple((self.x_format(x), *(fmt_number(v.get(x)) for v in values)) for x in self.x_values())
        return headers, rows

    def describe(self) -> str:
        """A sentence for screen readers: each series' first, latest and highest value, and the
        reference lines (or the description given)."""
        if self.description:
            return self.description
        parts = [f"{self.title}."]
        for s in self.series:
            pts = [(x, y) for x, y in s.points if y is not None]
            if not pts:
                parts.append(f"{s.name}: no data.")
                continue
            first, last = pts[0], pts[-1]
            hi = max(pts, key=lambda p: p[1])
            if len(pts) == 1:
                parts.append(f"{s.name}: {fmt_number(first[1])} on {self.x_format(first[0])}.")
            else:
                parts.append(
                    f"{s.name}: {len(pts)} values from {self.x_format(first[0])} to "
                    f"{self.x_format(last[0])}, first {fmt_number(first[1])}, latest {fmt_number(last[1])}, "
                    f"highest {fmt_number(hi[1])} ({self.x_format(hi[0])})."
                )
        if self.thresholds:
            lines = ", ".join(f"{t.label} at {fmt_number(t.value)}" for t in self.thresholds)
            parts.append(f"Reference lines: {lines}.")
        return " ".join(parts)
