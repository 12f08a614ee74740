"""A chart as a reportlab drawing for the PDF: the same shapes as the SVG, scaled to the page width,
with y turned upwards and Helvetica for Arial."""

from __future__ import annotations

from reportlab.graphics.shapes import Circle, Drawing, Group, Polygon, PolyLine, Rect, String
from reportlab.graphics.shapes import Line as RLine
from reportlab.lib import colors

from sightline.reports.charts import layout as lay
from sightline.reports.charts.model import ChartSpec


class _Page:
    """From the canvas (y down) to the drawing (y up), ``scale`` points per canvas unit."""

    def __init__(self, canvas: lay.Canvas, scale: float) -> None:
        self.height = canvas.height
        self.scale = scale

    def x(self, x: float) -> float:
        return x * self.scale

    def y(self, y: float) -> float:
        return (self.height - y) * self.scale

    def points(self, points: tuple[tuple[float, float], ...]) -> list[float]:
        return [v for x, y in points for v in (self.x(x), self.y(y))]


def _shape(shape: lay.Shape, page: _Page) -> object:
    s = page.scale
    if isinstance(shape, lay.Line):
        return RLine(
            page.x(shape.x1),
            page.y(shape.y1),
            page.x(shape.x2),
            page.y(shape.y2),
            strokeColor=colors.HexColor(shape.colour),
            strokeWidth=shape.width * s,
            strokeDashArray=[6 * s, 4 * s] if shape.dashed else None,
        )
    if isinstance(shape, lay.Rect):
        return Rect(
            page.x(shape.x),
            page.y(shape.y + shape.height),
            shape.width * s,
            shape.height * s,
            fillColor=colors.HexColor(shape.colour),
            strokeColor=None,
        )
    if isinstance(shape, lay.Polyline):
        return PolyLine(
            page.points(shape.points), strokeColor=colors.HexColor(shape.colour), strokeWidth=shape.width * s
        )
    if isinstance(shape, lay.Marker):
        fill = colors.HexColor(shape.colour)
        outline = lay.marker_outline(shape)
        if outline:
            return Polygon(page.points(outline), fillColor=fill, strokeColor=None)
        return Circle(
            page.x(shape.x), page.y(shape.y), lay.MARKER_RADIUS * s, fillColor=fill, strokeColor=None
        )
    return _text(shape, page)


def _text(t: lay.Text, page: _Page) -> object:
    string = String(
        0 if t.rotate else page.x(t.x),
        0 if t.rotate else page.y(t.y),
        t.text,
        fontName="Helvetica-Bold" if t.bold else "Helvetica",
        fontSize=t.size * page.scale,
        fillColor=colors.HexColor(lay.TEXT),
        textAnchor=t.anchor,
    )
    if not t.rotate:
        return string
    group = Group(string)
    group.translate(page.x(t.x), page.y(t.y))
    group.rotate(t.rotate)
    return group


def to_drawing(spec: ChartSpec, width: float) -> Drawing:
    """The chart, ``width`` points wide."""
    canvas = lay.lay_out(spec)
    page = _Page(canvas, width / canvas.width)
    out = Drawing(width, canvas.height * page.scale)
    for shape in canvas.shapes:
        out.add(_shape(shape, page))
    return out
