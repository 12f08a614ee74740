"""One chart model for the pages and the PDF: the SVG and the reportlab drawing are the same shapes,
laid out once; scales and tick labels; and the accountability charts built from the selectors' data."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from reportlab.graphics.shapes import Circle, Group, Polygon, PolyLine, Rect, String

from sightline.reports.charts import ChartSpec, Series, Threshold, month_format
from sightline.reports.charts.drawing import to_drawing
from sightline.reports.charts.layout import HEIGHT, WIDTH, Marker, Text, lay_out
from sightline.reports.charts.scales import nice_ticks, thin_indexes, x_scale, y_scale
from sightline.reports.charts.svg import to_svg

MONTHLY = ChartSpec(
    "line",
    title="Screened <within> 3 months",
    x_label="Month",
    y_label="Per cent",
    series=[Series("Screened", [(dt.date(2025, m, 1), 10.0 * m) for m in range(1, 13)])],
    thresholds=[Threshold(90, "Target: 90%")],
    y_max=100,
    x_format=month_format,
)
GROUPED = ChartSpec(
    "bar",
    title="Referrals per week",
    x_label="Week",
    y_label="Referrals",
    series=[Series("Self", [("W1", 3), ("W2", None)]), Series("Agency", [("W1", 5), ("W2", 2)])],
)


def _flatten(node: Any) -> list[Any]:
    """The drawing's shapes, out of their groups (a Drawing is a Group too)."""
    if isinstance(node, Group):
        return [leaf for child in node.contents for leaf in _flatten(child)]
    return [node]


def test_the_svg_and_the_pdf_drawing_show_the_same_shapes() -> None:
    for spec in (MONTHLY, GROUPED):
        canvas = lay_out(spec)
        svg = str(to_svg(spec, "c"))
        shapes = _flatten(to_drawing(spec, 340))
        texts = [s.text for s in canvas.shapes if isinstance(s, Text)]
        assert [s.text for s in shapes if isinstance(s, String)] == texts
        markers = sum(isinstance(s, Marker) for s in canvas.shapes)
        assert sum(isinstance(s, Circle | Polygon) for s in shapes) == markers
        assert svg.count("<circle") + svg.count("<polygon") == markers
        assert sum(isinstance(s, Rect) for s in shapes) == svg.count("<rect")
        assert sum(isinstance(s, PolyLine) for s in shapes) == svg.count("<polyline")
        assert len(re.findall(r"<text [^>]*>", svg)) == len(texts)


def test_the_pdf_drawing_is_the_canvas_scaled_with_y_upwards() -> None:
    drawing = to_drawing(MONTHLY, WIDTH / 2)
    assert (drawing.width, drawing.height) == (WIDTH / 2, HEIGHT / 2)
    canvas = lay_out(MONTHLY)
    first = next(s for s in canvas.shapes if isinstance(s, Marker))
    dot = next(s for s in _flatten(drawing) if isinstance(s, Circle))
    assert (dot.cx, dot.cy) == (first.x / 2, (HEIGHT - first.y) / 2)
    label = next(s for s in _flatten(drawing) if isinstance(s, String) and s.text == "Per cent")
    assert label.textAnchor == "middle"  # the y label is turned upright in a group, as in the SVG


def test_the_svg_is_escaped_and_described() -> None:
    svg = str(to_svg(MONTHLY, "c1"))
    assert '<title id="c1-title">Screened &lt;within&gt; 3 months</title>' in svg
    assert "latest 120" in MONTHLY.describe() and "Target: 90% at 90" in MONTHLY.describe()
    assert "style=" not in svg and svg.count("stroke-dasharray") == 1
    headers, rows = GROUPED.table()
    assert headers == ("Week", "Self", "Agency")
    assert rows == (("W1", "3", "5"), ("W2", "no data", "2"))


def test_scales() -> None:
    assert nice_ticks(0, 17) == [0, 5, 10, 15, 20]
    y = y_scale(MONTHLY, top=10, height=100)
    assert (y.lo, y.hi, y(0), y(100)) == (0, 100, 110, 10)  # y_max caps the scale below the 120
    assert not y.shows(120)
    free = y_scale(GROUPED, top=0, height=100)
    assert free.hi == 5 and free.ticks[-1] == 5
    months = x_scale([dt.date(2025, 1, 1), dt.date(2025, 1, 11), dt.date(2025, 1, 31)], 0, 132)
    assert months.time and [months(x) for x in months.ticks] == pytest.approx([16, 16 + 100 / 3, 116])
    labels = x_scale(["a", "b", "c"], 0, 132)
    assert not labels.time and [labels(x) for x in "abc"] == [16, 66, 116]


def test_tick_labels_are_thinned_keeping_the_first_and_last_apart() -> None:
    assert thin_indexes(5, 8) == [0, 1, 2, 3, 4]
    assert thin_indexes(12, 8) == [0, 2, 4, 6, 8, 11]  # not 10 and 11 side by side
    assert thin_indexes(24, 8) == [0, 3, 6, 9, 12, 15, 18, 23]
    assert thin_indexes(25, 8) == [0, 4, 8, 12, 16, 20, 24]
