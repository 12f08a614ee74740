"""Charts for the pages and the PDF, from one model: a ``ChartSpec`` (``model``) is scaled
(``scales``) and laid out as shapes (``layout``), which ``svg.to_svg`` renders for the web pages and
``drawing.to_drawing`` for the PDF (reportlab). ``accountability`` defines the charts of the
accountability pages and the board report."""

from sightline.reports.charts.model import (
    ChartSpec,
    Number,
    Series,
    Threshold,
    default_x_format,
    fmt_number,
    month_format,
)
from sightline.reports.charts.scales import nice_ticks
from sightline.reports.charts.svg import to_svg

__all__ = [
    "ChartSpec",
    "Number",
    "Series",
    "Threshold",
    "default_x_format",
    "fmt_number",
    "month_format",
    "nice_ticks",
    "to_svg",
]
