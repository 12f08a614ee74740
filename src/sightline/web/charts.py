"""Server-rendered, accessible SVG charts: line and bar charts with a title, axis labels and a table
alternative. No JavaScript and no inline style (the CSP forbids both): colours are SVG presentation
attributes, and each series also has its own marker shape so colour is never the only cue.

Use from a view and print the result in a template::

    chart = line_chart(
        chart_id="score-chart",
        title="Screening scores",
        x_label="Date screened",
        y_label="Score",
        series=[Series("Score", [(date, 7), (date2, 12)])],
        thresholds=[Threshold(6, "Mild"), Threshold(11, "Moderate"), Threshold(16, "Significant")],
    )
    {{ chart }}   -> <figure> with the <svg role="img"> and a GOV.UK table of the same numbers

The SVG is named by its title and described by a generated sentence; the table has every value.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 680
HEIGHT = 340
MARGIN_LEFT = 64
MARGIN_RIGHT = 24
MARGIN_TOP = 24
MARGIN_BOTTOM = 64
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
# GOV.UK colour palette, each dark enough for 3:1 against white (WCAG 1.4.11).
COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#505a5f")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")
MAX_X_TICKS = 8

Number = int | float


@dataclass(frozen=True)
class Series:
    """One line (or one set of bars): ``points`` are (x, y) pairs; x is a date, datetime, number or label."""

    name: str
    points: Sequence[tuple[Any, Number | None]]


@dataclass(frozen=True)
class Threshold:
    """A horizontal reference line, e.g. the lowest score of a risk band."""

    value: Number
    label: str


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    description: str
    svg: SafeString
    x_label: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    table_open: bool = False
    extra_classes: str = ""

    def table_html(self) -> SafeString:
        head = "".join(
            format_html('<th scope="col" class="govuk-table__header{}">{}</th>', "" if i == 0 else _NUM, h)
            for i, h in enumerate(self.headers)
        )
        body = "".join(
            '<tr class="govuk-table__row">'
            + "".join(
                format_html('<th scope="row" class="govuk-table__header">{}</th>', cell)
                if i == 0
                else format_html('<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>', cell)
                for i, cell in enumerate(row)
            )
            + "</tr>"
            for row in self.rows
        )
        return format_html(
            '<table class="govuk-table" id="{}-table"><caption class="govuk-table__caption '
            'govuk-table__caption--s">{}</caption><thead class="govuk-table__head">'
            '<tr class="govuk-table__row">'
            '{}</tr></thead><tbody class="govuk-table__body">{}</tbody></table>',
            self.chart_id,
            self.title,
            mark_safe(head),  # noqa: S308  # built from format_html above
            mark_safe(body),  # noqa: S308  # built from format_html above
        )

    def render(self) -> SafeString:
        return format_html(
            '<figure class="sightline-chart{}" id="{}">{}'
            '<details class="govuk-details"{}><summary class="govuk-details__summary">'
            '<span class="govuk-details__summary-text">Show the data as a table<span '
            'class="govuk-visually-hidden">: {}</span></span></summary>'
            '<div class="govuk-details__text">{}</div></details></figure>',
            f" {self.extra_classes}" if self.extra_classes else "",
            self.chart_id,
            self.svg,
            mark_safe(" open") if self.table_open else "",  # constant
            self.title,
            self.table_html(),
        )

    def __html__(self) -> str:
        return str(self.render())

    def __str__(self) -> str:
        return str(self.render())


_NUM = " govuk-table__header--numeric"


# --- scales --------------------------------------------------------------------------------------


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


def _is_time(x: Any) -> bool:
    return isinstance(x, dt.date)


def _time_value(x: dt.date) -> float:
    if isinstance(x, dt.datetime):
        return x.timestamp()
    return dt.datetime.combine(x, dt.time.min, tzinfo=dt.UTC).timestamp()


def default_x_format(x: Any) -> str:
    if isinstance(x, dt.datetime):
        return f"{x:%d %b %Y}".lstrip("0")
    if isinstance(x, dt.date):
        return f"{x:%d %b %Y}".lstrip("0")
    return str(x)


def _fmt_number(v: Number | None) -> str:
    if v is None:
        return "no data"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.1f}"
    return f"{int(v):,}"


def _thin_indexes(count: int, most: int) -> list[int]:
    """Which of ``count`` tick labels to show: at most about ``most``, always the first and last."""
    if count <= most:
        return list(range(count))
    step = math.ceil(count / most)
    kept = list(range(0, count, step))
    if kept[-1] != count - 1:
        kept.append(count - 1)
    return kept


# --- drawing -------------------------------------------------------------------------------------


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{colour}"/>'
    if shape == "triangle":
        return (
            f'<polygon points="{x:.1f},{y - 6:.1f} {x + 5.5:.1f},{y + 4:.1f} {x - 5.5:.1f},{y + 4:.1f}" '
            f'fill="{colour}"/>'
        )
    if shape == "diamond":
        return (
            f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} '
            f'{x - 6:.1f},{y:.1f}" '
            f'fill="{colour}"/>'
        )
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>'


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 14, extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-family="arial, sans-serif" fill="{TEXT}"{extra}>{escape(text)}</text>'
    )


@dataclass
class _Frame:
    y_min: float
    y_max: float
    ticks: list[float]
    parts: list[str] = field(default_factory=list)

    @property
    def plot_w(self) -> float:
        return WIDTH - MARGIN_LEFT - MARGIN_RIGHT

    @property
    def plot_h(self) -> float:
        return HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def y(self, value: float) -> float:
        span = (self.y_max - self.y_min) or 1
        return MARGIN_TOP + self.plot_h * (1 - (value - self.y_min) / span)


def _frame(
    values: list[float], y_min: Number | None, y_max: Number | None, thresholds: Sequence[Threshold]
) -> _Frame:
    lo = float(y_min) if y_min is not None else min([0.0, *values])
    hi_candidates = [*values, *(t.value for t in thresholds)]
    hi = float(y_max) if y_max is not None else max([lo + 1, *hi_candidates])
    ticks = nice_ticks(lo, hi)
    if y_max is None:
        hi = max(hi, ticks[-1])
    return _Frame(y_min=lo, y_max=hi, ticks=[t for t in ticks if lo <= t <= hi])


def _axes(frame: _Frame, x_label: str, y_label: str) -> None:
    left, right = MARGIN_LEFT, WIDTH - MARGIN_RIGHT
    bottom = MARGIN_TOP + frame.plot_h
    for t in frame.ticks:
        y = frame.y(t)
        frame.parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>'
        )
        frame.parts.append(_text(left - 8, y + 5, _fmt_number(t), anchor="end", size=13))
    frame.parts.append(
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="{TEXT}" stroke-width="2"/>'
    )
    frame.parts.append(
        f'<line x1="{left}" y1="{MARGIN_TOP}" x2="{left}" y2="{bottom}" stroke="{TEXT}" stroke-width="2"/>'
    )
    frame.parts.append(
        _text(left + frame.plot_w / 2, HEIGHT - 10, x_label, size=15, extra=' font-weight="bold"')
    )
    cy = MARGIN_TOP + frame.plot_h / 2
    frame.parts.append(
        _text(18, cy, y_label, size=15, extra=f' font-weight="bold" transform="rotate(-90 18 {cy:.1f})"')
    )


def _thresholds(frame: _Frame, thresholds: Sequence[Threshold]) -> None:
    for th in thresholds:
        if not frame.y_min <= th.value <= frame.y_max:
            continue
        y = frame.y(th.value)
        frame.parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{y:.1f}" '
            f'stroke="{TEXT}" stroke-width="1" stroke-dasharray="6 4"/>'
        )
        frame.parts.append(_text(WIDTH - MARGIN_RIGHT - 4, y - 5, th.label, anchor="end", size=12))


def _legend(series: Sequence[Series], frame: _Frame, bars: bool = False) -> None:
    if len(series) < 2:
        return
    x: float = MARGIN_LEFT + 8
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        marker = (
            f'<rect x="{x - 5:.1f}" y="{MARGIN_TOP - 18:.1f}" width="10" height="10" fill="{colour}"/>'
            if bars
            else _marker(MARKERS[i % len(MARKERS)], x, MARGIN_TOP - 13, colour)
        )
        frame.parts.append(marker)
        frame.parts.append(_text(x + 10, MARGIN_TOP - 8, s.name, anchor="start", size=13))
        x += 24 + 7.5 * len(s.name)


def _svg(chart_id: str, title: str, description: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308  # every text node and attribute value is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sightline-chart__svg" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" focusable="false">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>' + "".join(body) + "</svg>"
    )


def _table(
    series: Sequence[Series], x_label: str, x_format: Callable[[Any], str]
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    xs: list[Any] = []
    for s in series:
        for x, _ in s.points:
            if x not in xs:
                xs.append(x)
    if xs and all(_is_time(x) for x in xs):
        xs.sort(key=_time_value)
    values = [{x: y for x, y in s.points} for s in series]
    headers = (x_label, *(s.name for s in series))
    rows = tuple((x_format(x), *(_fmt_number(v.get(x)) for v in values)) for x in xs)
    return headers, rows


def _describe(
    title: str, series: Sequence[Series], x_format: Callable[[Any], str], thresholds: Sequence[Threshold]
) -> str:
    parts = [f"{title}."]
    for s in series:
        pts = [(x, y) for x, y in s.points if y is not None]
        if not pts:
            parts.append(f"{s.name}: no data.")
            continue
        first, last = pts[0], pts[-1]
        hi = max(pts, key=lambda p: p[1])
        if len(pts) == 1:
            parts.append(f"{s.name}: {_fmt_number(first[1])} on {x_format(first[0])}.")
        else:
            parts.append(
                f"{s.name}: {len(pts)} values from {x_format(first[0])} to {x_format(last[0])}, "
                f"first {_fmt_number(first[1])}, latest {_fmt_number(last[1])}, "
                f"highest {_fmt_number(hi[1])} ({x_format(hi[0])})."
            )
    if thresholds:
        parts.append(
            "Reference lines: " + ", ".join(f"{t.label} at {_fmt_number(t.value)}" for t in thresholds) + "."
        )
    return " ".join(parts)


# --- public --------------------------------------------------------------------------------------


def line_chart(
    *,
    chart_id: str,
    title: str,
    x_label: str,
    y_label: str,
    series: Sequence[Series],
    thresholds: Sequence[Threshold] = (),
    y_min: Number | None = 0,
    y_max: Number | None = None,
    x_format: Callable[[Any], str] = default_x_format,
    description: str = "",
    table_open: bool = False,
    point_labels: bool = True,
) -> Chart:
    """A line chart. Dates and datetimes on x are placed to scale in time; anything else evenly."""
    points = [p for s in series for p in s.points]
    values = [float(y) for _, y in points if y is not None]
    frame = _frame(values, y_min, y_max, thresholds)
    xs_all = [x for x, _ in points]
    time_scale = bool(xs_all) and all(_is_time(x) for x in xs_all)
    if time_scale:
        tv = [_time_value(x) for x in xs_all]
        t0, t1 = min(tv), max(tv)

        def xpos(x: Any) -> float:
            if t1 == t0:
                return MARGIN_LEFT + frame.plot_w / 2
            return MARGIN_LEFT + 16 + (frame.plot_w - 32) * (_time_value(x) - t0) / (t1 - t0)

        ticks = sorted({x for x in xs_all}, key=_time_value)
    else:
        order: list[Any] = []
        for x in xs_all:
            if x not in order:
                order.append(x)
        index = {x: i for i, x in enumerate(order)}

        def xpos(x: Any) -> float:
            if len(order) <= 1:
                return MARGIN_LEFT + frame.plot_w / 2
            return MARGIN_LEFT + 16 + (frame.plot_w - 32) * index[x] / (len(order) - 1)

        ticks = order
    _axes(frame, x_label, y_label)
    _thresholds(frame, thresholds)
    bottom = MARGIN_TOP + frame.plot_h
    for ti in _thin_indexes(len(ticks), MAX_X_TICKS):
        x = ticks[ti]
        px = xpos(x)
        frame.parts.append(
            f'<line x1="{px:.1f}" y1="{bottom}" x2="{px:.1f}" y2="{bottom + 6}" stroke="{TEXT}"/>'
        )
        frame.parts.append(_text(px, bottom + 22, x_format(x), size=12))
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        pts = [(xpos(x), frame.y(float(y)), y) for x, y in s.points if y is not None]
        if time_scale:
            pts.sort(key=lambda p: p[0])
        if len(pts) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in pts)
            frame.parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"/>')
        for px, py, y in pts:
            frame.parts.append(_marker(MARKERS[i % len(MARKERS)], px, py, colour))
            if point_labels and len(series) == 1:
                frame.parts.append(_text(px, py - 10, _fmt_number(y), size=12, extra=' font-weight="bold"'))
    _legend(series, frame)
    desc = description or _describe(title, series, x_format, thresholds)
    headers, rows = _table(series, x_label, x_format)
    return Chart(
        chart_id=chart_id,
        title=title,
        description=desc,
        svg=_svg(chart_id, title, desc, frame.parts),
        x_label=x_label,
        headers=headers,
        rows=rows,
        table_open=table_open,
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    x_label: str,
    y_label: str,
    series: Sequence[Series],
    thresholds: Sequence[Threshold] = (),
    y_min: Number | None = 0,
    y_max: Number | None = None,
    x_format: Callable[[Any], str] = default_x_format,
    description: str = "",
    table_open: bool = False,
) -> Chart:
    """A grouped bar chart: one group per x value, one bar per series, each bar labelled with its value."""
    order: list[Any] = []
    for s in series:
        for x, _ in s.points:
            if x not in order:
                order.append(x)
    if order and all(_is_time(x) for x in order):
        order.sort(key=_time_value)
    values = [float(y) for s in series for _, y in s.points if y is not None]
    frame = _frame(values, y_min, y_max, thresholds)
    _axes(frame, x_label, y_label)
    bottom = MARGIN_TOP + frame.plot_h
    n = max(len(order), 1)
    group_w = frame.plot_w / n
    bar_w = max(2.0, min(48.0, group_w * 0.8 / max(len(series), 1)))
    shown = set(_thin_indexes(len(order), MAX_X_TICKS))
    for gi, x in enumerate(order):
        gx = MARGIN_LEFT + group_w * gi + (group_w - bar_w * len(series)) / 2
        if gi in shown:
            frame.parts.append(_text(MARGIN_LEFT + group_w * (gi + 0.5), bottom + 22, x_format(x), size=12))
        for si, s in enumerate(series):
            y = dict(s.points).get(x)
            if y is None:
                continue
            top = frame.y(float(y))
            base = frame.y(max(frame.y_min, 0.0))
            bx = gx + bar_w * si
            frame.parts.append(
                f'<rect x="{bx:.1f}" y="{min(top, base):.1f}" width="{bar_w - 1:.1f}" '
                f'height="{abs(base - top):.1f}" fill="{COLOURS[si % len(COLOURS)]}"/>'
            )
            if bar_w >= 14:
                frame.parts.append(_text(bx + bar_w / 2, min(top, base) - 5, _fmt_number(y), size=12))
    _thresholds(frame, thresholds)
    _legend(series, frame, bars=True)
    desc = description or _describe(title, series, x_format, thresholds)
    headers, rows = _table(series, x_label, x_format)
    return Chart(
        chart_id=chart_id,
        title=title,
        description=desc,
        svg=_svg(chart_id, title, desc, frame.parts),
        x_label=x_label,
        headers=headers,
        rows=rows,
        table_open=table_open,
    )
