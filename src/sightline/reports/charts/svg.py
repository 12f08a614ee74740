"""A chart as accessible SVG: named by its title, described by its sentence, with no script and no
inline style (the CSP forbids both): colours are presentation attributes."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from sightline.reports.charts.layout import (
    MARKER_RADIUS,
    TEXT,
    Canvas,
    Line,
    Marker,
    Polyline,
    Rect,
    Shape,
    Text,
    lay_out,
    marker_outline,
)
from sightline.reports.charts.model import ChartSpec


def _points(points: tuple[tuple[float, float], ...]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _shape(shape: Shape) -> str:
    if isinstance(shape, Line):
        dash = ' stroke-dasharray="6 4"' if shape.dashed else ""
        return (
            f'<line x1="{shape.x1:.1f}" y1="{shape.y1:.1f}" x2="{shape.x2:.1f}" y2="{shape.y2:.1f}" '
            f'stroke="{shape.colour}" stroke-width="{shape.width:g}"{dash}/>'
        )
    if isinstance(shape, Rect):
        return (
            f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.width:.1f}" '
            f'height="{shape.height:.1f}" fill="{shape.colour}"/>'
        )
    if isinstance(shape, Polyline):
        return (
            f'<polyline points="{_points(shape.points)}" fill="none" stroke="{shape.colour}" '
            f'stroke-width="{shape.width:g}"/>'
        )
    if isinstance(shape, Marker):
        outline = marker_outline(shape)
        if outline:
            return f'<polygon points="{_points(outline)}" fill="{shape.colour}"/>'
        return f'<circle cx="{shape.x:.1f}" cy="{shape.y:.1f}" r="{MARKER_RADIUS}" fill="{shape.colour}"/>'
    return _text(shape)


def _text(t: Text) -> str:
    extra = ' font-weight="bold"' if t.bold else ""
    if t.rotate:
        extra += f' transform="rotate({-t.rotate:g} {t.x:.1f} {t.y:.1f})"'
    return (
        f'<text x="{t.x:.1f}" y="{t.y:.1f}" text-anchor="{t.anchor}" font-size="{t.size:g}" '
        f'font-family="arial, sans-serif" fill="{TEXT}"{extra}>{escape(t.text)}</text>'
    )


def render_svg(canvas: Canvas, *, chart_id: str, title: str, description: str) -> SafeString:
    cid = escape(chart_id)
    return mark_safe(  # noqa: S308  # every text node and attribute value is escaped or a number
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sightline-chart__svg" '
        f'viewBox="0 0 {canvas.width:g} {canvas.height:g}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" focusable="false">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(description)}</desc>'
        + "".join(_shape(s) for s in canvas.shapes)
        + "</svg>"
    )


def to_svg(spec: ChartSpec, chart_id: str) -> SafeString:
    """The chart as an ``<svg role="img">`` element."""
    return render_svg(lay_out(spec), chart_id=chart_id, title=spec.title, description=spec.describe())
