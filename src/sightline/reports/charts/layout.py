"""A chart laid out as shapes on a 680 by 340 canvas (y grows downwards): axes and grid, reference
lines, the lines or bars with their value labels, tick labels and a legend. Each series has its own
colour and marker shape, so colour is never the only cue. ``svg`` and ``drawing`` render these shapes."""

from __future__ import annotations

from dataclasses import dataclass, field

from sightline.reports.charts.model import ChartSpec, Series, fmt_number
from sightline.reports.charts.scales import YScale, bar_width, thin_indexes, x_scale, y_scale

WIDTH = 680
HEIGHT = 340
MARGIN_LEFT = 64
MARGIN_RIGHT = 24
MARGIN_TOP = 24
MARGIN_BOTTOM = 64
PLOT_W = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
PLOT_H = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
BOTTOM = MARGIN_TOP + PLOT_H
RIGHT = WIDTH - MARGIN_RIGHT
TEXT = "#0b0c0c"
GRID = "#b1b4b6"
WHITE = "#ffffff"
# GOV.UK colour palette, each dark enough for 3:1 against white (WCAG 1.4.11).
COLOURS = ("#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#505a5f")
MARKERS = ("circle", "square", "triangle", "diamond", "circle", "square")
MAX_X_TICKS = 8


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = TEXT
    width: float = 1
    dashed: bool = False


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    colour: str
    width: float = 3


@dataclass(frozen=True)
class Marker:
    """A point's marker: circle, square, triangle or diamond, about 10 across, centred on (x, y)."""

    shape: str
    x: float
    y: float
    colour: str


@dataclass(frozen=True)
class Text:
    """Text whose baseline starts, centres or ends at (x, y) (``anchor``); ``rotate`` turns it that many
    degrees anticlockwise about (x, y)."""

    x: float
    y: float
    text: str
    anchor: str = "middle"
    size: float = 14
    bold: bool = False
    rotate: float = 0


Shape = Line | Rect | Polyline | Marker | Text


@dataclass
class Canvas:
    width: float = WIDTH
    height: float = HEIGHT
    shapes: list[Shape] = field(default_factory=list)

    def add(self, *shapes: Shape) -> None:
        self.shapes.extend(shapes)


def _axes(canvas: Canvas, y: YScale, spec: ChartSpec) -> None:
    for t in y.ticks:
        canvas.add(
            Line(MARGIN_LEFT, y(t), RIGHT, y(t), colour=GRID),
            Text(MARGIN_LEFT - 8, y(t) + 5, fmt_number(t), anchor="end", size=13),
        )
    canvas.add(
        Line(MARGIN_LEFT, BOTTOM, RIGHT, BOTTOM, width=2),
        Line(MARGIN_LEFT, MARGIN_TOP, MARGIN_LEFT, BOTTOM, width=2),
        Text(MARGIN_LEFT + PLOT_W / 2, HEIGHT - 10, spec.x_label, size=15, bold=True),
        Text(18, MARGIN_TOP + PLOT_H / 2, spec.y_label, size=15, bold=True, rotate=90),
    )


def _thresholds(canvas: Canvas, y: YScale, spec: ChartSpec) -> None:
    for th in spec.thresholds:
        if y.shows(th.value):
            canvas.add(
                Line(MARGIN_LEFT, y(th.value), RIGHT, y(th.value), dashed=True),
                Text(RIGHT - 4, y(th.value) - 5, th.label, anchor="end", size=12),
            )


def _legend(canvas: Canvas, series: list[Series] | tuple[Series, ...], bars: bool) -> None:
    if len(series) < 2:
        return
    x: float = MARGIN_LEFT + 8
    for i, s in enumerate(series):
        colour = COLOURS[i % len(COLOURS)]
        if bars:
            canvas.add(Rect(x - 5, MARGIN_TOP - 18, 10, 10, colour))
        else:
            canvas.add(Marker(MARKERS[i % len(MARKERS)], x, MARGIN_TOP - 13, colour))
        canvas.add(Text(x + 10, MARGIN_TOP - 8, s.name, anchor="start", size=13))
        x += 24 + 7.5 * len(s.name)


def _line(canvas: Canvas, y: YScale, spec: ChartSpec) -> None:
    x = x_scale(spec.x_values(), MARGIN_LEFT, PLOT_W)
    _thresholds(canvas, y, spec)
    for ti in thin_indexes(len(x.ticks), MAX_X_TICKS):
        px = x(x.ticks[ti])
        canvas.add(
            Line(px, BOTTOM, px, BOTTOM + 6), Text(px, BOTTOM + 22, spec.x_format(x.ticks[ti]), size=12)
        )
    for i, s in enumerate(spec.series):
        colour = COLOURS[i % len(COLOURS)]
        pts = [(x(px), y(float(py)), py) for px, py in s.points if py is not None]
        if x.time:
            pts.sort(key=lambda p: p[0])
        if len(pts) > 1:
            canvas.add(Polyline(tuple((px, py) for px, py, _ in pts), colour))
        for px, py, value in pts:
            canvas.add(Marker(MARKERS[i % len(MARKERS)], px, py, colour))
            if spec.point_labels and len(spec.series) == 1:
                canvas.add(Text(px, py - 10, fmt_number(value), size=12, bold=True))


def _bars(canvas: Canvas, y: YScale, spec: ChartSpec) -> None:
    order = spec.x_values()
    group_w = PLOT_W / max(len(order), 1)
    bar_w = bar_width(len(spec.series), group_w)
    shown = set(thin_indexes(len(order), MAX_X_TICKS))
    base = y(max(y.lo, 0.0))
    for gi, x in enumerate(order):
        gx = MARGIN_LEFT + group_w * gi + (group_w - bar_w * len(spec.series)) / 2
        if gi in shown:
            canvas.add(Text(MARGIN_LEFT + group_w * (gi + 0.5), BOTTOM + 22, spec.x_format(x), size=12))
        for si, s in enumerate(spec.series):
            value = dict(s.points).get(x)
            if value is None:
                continue
            top = y(float(value))
            bx = gx + bar_w * si
            canvas.add(Rect(bx, min(top, base), bar_w - 1, abs(base - top), COLOURS[si % len(COLOURS)]))
            if bar_w >= 14:
                canvas.add(Text(bx + bar_w / 2, min(top, base) - 5, fmt_number(value), size=12))
    _thresholds(canvas, y, spec)


def lay_out(spec: ChartSpec) -> Canvas:
    """The chart's shapes, back to front."""
    canvas = Canvas()
    canvas.add(Rect(0, 0, WIDTH, HEIGHT, WHITE))
    y = y_scale(spec, MARGIN_TOP, PLOT_H)
    _axes(canvas, y, spec)
    if spec.kind == "bar":
        _bars(canvas, y, spec)
    else:
        _line(canvas, y, spec)
    _legend(canvas, list(spec.series), bars=spec.kind == "bar")
    return canvas


MARKER_RADIUS = 5


def marker_outline(m: Marker) -> tuple[tuple[float, float], ...]:
    """The corners of a square, triangle or diamond marker; none for a circle (radius MARKER_RADIUS)."""
    x, y = m.x, m.y
    if m.shape == "square":
        return ((x - 4.5, y - 4.5), (x + 4.5, y - 4.5), (x + 4.5, y + 4.5), (x - 4.5, y + 4.5))
    if m.shape == "triangle":
        return ((x, y - 6), (x + 5.5, y + 4), (x - 5.5, y + 4))
    if m.shape == "diamond":
        return ((x, y - 6), (x + 6, y), (x, y + 6), (x - 6, y))
    return ()
