"""The accountability charts, shared by the accountability pages, the board report page and its PDF:
recommendations by status, each indicator against its target, and resources against caseload."""

from __future__ import annotations

from sightline.accountability import indicators as ind
from sightline.accountability import selectors as acc
from sightline.accountability.models import financial_year_label
from sightline.reports.charts.model import ChartSpec, Series, Threshold, month_format

UNIT_LABELS = {"percent": "Per cent", "hours": "Hours", "per_week": "Per week", "count": "Number"}


def status_chart(status_counts: list[tuple[str, str, int]]) -> ChartSpec:
    """``status_counts`` as ``selectors.status_counts`` gives them: (key, label, count) in report order."""
    return ChartSpec(
        "bar",
        title="Recommendations by status",
        x_label="Status",
        y_label="Recommendations",
        series=[Series("Recommendations", [(label, n) for _key, label, n in status_counts])],
    )


def indicator_chart(result: acc.IndicatorResult) -> ChartSpec:
    """The indicator month by month (the last month so far), with its target as a reference line."""
    i = result.indicator
    target = (
        [Threshold(i.target, f"Target: {ind.format_value(i.target, i.unit)}")] if i.target is not None else []
    )
    return ChartSpec(
        "line",
        title=i.name,
        x_label="Month (the last is the month so far)",
        y_label=UNIT_LABELS.get(i.unit, "Value"),
        series=[Series(i.name, [(p.start, p.value) for p in result.points])],
        thresholds=target,
        y_max=100 if i.unit == "percent" else None,
        x_format=month_format,
    )


def funding_lines_chart(res: acc.Resources) -> ChartSpec:
    return ChartSpec(
        "bar",
        title="Funding by financial year",
        x_label="Financial year",
        y_label="Pounds",
        series=[
            Series(name, [(financial_year_label(y), float(v.get(y, 0))) for y in res.funding_years])
            for name, v in res.funding_lines()
        ],
    )


def staffing_lines_chart(res: acc.Resources) -> ChartSpec:
    return ChartSpec(
        "bar",
        title="Staff by agency and year",
        x_label="Year",
        y_label="Staff (full-time equivalent)",
        series=[
            Series(name, [(str(y), float(v[y])) for y in res.staffing_years if y in v])
            for name, v in res.staffing_lines()
        ],
    )


def caseload_chart(years: list[int], caseload: dict[int, int | None]) -> ChartSpec:
    return ChartSpec(
        "line",
        title="Caseload: children with a concern raised in the year",
        x_label="Year",
        y_label="Children",
        series=[Series("Children", [(str(y), caseload[y]) for y in years])],
    )


def funding_total_chart(rows: list[acc.FundingRow]) -> ChartSpec:
    return ChartSpec(
        "bar",
        title="Funding by financial year, all lines",
        x_label="Financial year",
        y_label="Pounds",
        series=[Series("Funding", [(f.year_label, float(f.amount)) for f in rows])],
    )


def staff_against_caseload_chart(rows: list[acc.StaffingRow]) -> ChartSpec:
    return ChartSpec(
        "line",
        title="Staff against caseload by year",
        x_label="Year",
        y_label="Number",
        series=[
            Series("Staff (all agencies)", [(str(s.year), float(s.staff)) for s in rows]),
            Series("Caseload (children)", [(str(s.year), s.caseload) for s in rows]),
        ],
    )


def resource_charts(res: acc.Resources) -> list[tuple[str, ChartSpec]]:
    """The resources page's charts, each with its element id."""
    charts = []
    if res.funding:
        charts.append(("funding-chart", funding_lines_chart(res)))
    if res.staffing:
        charts.append(("staffing-chart", staffing_lines_chart(res)))
    years = sorted(set(res.staffing_years) | set(res.funding_years))
    if years:
        charts.append(("caseload-chart", caseload_chart(years, acc.caseload_by_year(years))))
    return charts


def board_resource_charts(
    funding: list[acc.FundingRow], staffing: list[acc.StaffingRow]
) -> list[tuple[str, ChartSpec]]:
    """The board report's resource charts, each with its element id."""
    charts = []
    if funding:
        charts.append(("board-funding", funding_total_chart(funding)))
    if staffing:
        charts.append(("board-staffing", staff_against_caseload_chart(staffing)))
    return charts
