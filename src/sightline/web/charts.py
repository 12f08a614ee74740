"""Charts on the pages: the chart's SVG in a ``<figure>`` with a GOV.UK table of the same numbers.

What a chart shows, its scales, layout and SVG are in ``sightline.reports.charts`` (which the PDF
draws too); this module only puts them on a page. From a view, print the result in a template::

    chart = line_chart(
        chart_id="score-chart",
        title="Screening scores",
        x_label="Date screened",
        y_label="Score",
        series=[Series("Score", [(date, 7), (date2, 12)])],
        thresholds=[Threshold(6, "Mild"), Threshold(11, "Moderate"), Threshold(16, "Significant")],
    )
    {{ chart }}   -> <figure> with the <svg role="img"> and a table of the same numbers

or, for a chart defined once in ``sightline.reports.charts.accountability``, ``figure(spec, chart_id)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from sightline.reports.charts import ChartSpec, Number, Series, Threshold, nice_ticks, to_svg

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["Chart", "Series", "Threshold", "bar_chart", "figure", "line_chart", "nice_ticks"]

_NUM = " govuk-table__header--numeric"


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
        head = format_html_join(
            "",
            '<th scope="col" class="govuk-table__header{}">{}</th>',
            (("" if i == 0 else _NUM, h) for i, h in enumerate(self.headers)),
        )
        body = format_html_join(
            "",
            '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>{}</tr>',
            (
                (
                    row[0],
                    format_html_join(
                        "",
                        '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>',
                        ((c,) for c in row[1:]),
                    ),
                )
                for row in self.rows
            ),
        )
        return format_html(
            '<table class="govuk-table" id="{}-table"><caption class="govuk-table__caption '
            'govuk-table__caption--s">{}</caption><thead class="govuk-table__head">'
            '<tr class="govuk-table__row">'
            '{}</tr></thead><tbody class="govuk-table__body">{}</tbody></table>',
            self.chart_id,
            self.title,
            head,
            body,
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
            SafeString(" open") if self.table_open else "",
            self.title,
            self.table_html(),
        )

    def __html__(self) -> str:
        return str(self.render())

    def __str__(self) -> str:
        return str(self.render())


def figure(spec: ChartSpec, chart_id: str, *, table_open: bool = False) -> Chart:
    """The chart for a page: its SVG, and its numbers as a table."""
    headers, rows = spec.table()
    return Chart(
        chart_id=chart_id,
        title=spec.title,
        description=spec.describe(),
        svg=to_svg(spec, chart_id),
        x_label=spec.x_label,
        headers=headers,
        rows=rows,
        table_open=table_open,
    )


class ChartOptions(TypedDict, total=False):
    """What a chart may say besides its title, labels and series (see ``ChartSpec``)."""

    thresholds: Sequence[Threshold]
    y_min: Number | None
    y_max: Number | None
    x_format: Callable[[Any], str]
    description: str


def line_chart(
    *,
    chart_id: str,
    title: str,
    x_label: str,
    y_label: str,
    series: Sequence[Series],
    table_open: bool = False,
    point_labels: bool = True,
    **options: Unpack[ChartOptions],
) -> Chart:
    """A line chart. Dates and datetimes on x are placed to scale in time; anything else evenly."""
    spec = ChartSpec("line", title, x_label, y_label, series, point_labels=point_labels, **options)
    return figure(spec, chart_id, table_open=table_open)


def bar_chart(
    *,
    chart_id: str,
    title: str,
    x_label: str,
    y_label: str,
    series: Sequence[Series],
    table_open: bool = False,
    **options: Unpack[ChartOptions],
) -> Chart:
    """A grouped bar chart: one group per x value, one bar per series, each bar labelled with its value."""
    return figure(
        ChartSpec("bar", title, x_label, y_label, series, **options), chart_id, table_open=table_open
    )
