"""The board report (web page and PDF) and the public statistics (page and open data, no sign-in).

The board report is for anyone with ``Cap.VIEW_AGGREGATE``; every reading is ledgered. The public pages
show only figures that went through disclosure control (``sightline.reports.sdc``); they are not
ledgered, so that anonymous visits cannot grow the ledger.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.access.services import actor_for
from sightline.accountability import indicators as ind
from sightline.accountability import selectors as acc
from sightline.ledger.services import record_action
from sightline.reports import board, public, sdc
from sightline.reports.pdf import render_pdf
from sightline.web.charts import Series, Threshold, bar_chart, line_chart

BOARD_TYPE = "reports.board_report"


def _area() -> str:
    from sightline.cases.selectors import local_authority

    return local_authority()


def _indicator_chart(line: board.IndicatorLine) -> Any:
    i = line.indicator
    unit = {"percent": "Per cent", "hours": "Hours", "per_week": "Per week", "count": "Number"}.get(
        i.unit, "Value"
    )
    thresholds = (
        [Threshold(i.target, f"Target: {ind.format_value(i.target, i.unit)}")] if i.target is not None else []
    )
    return line_chart(
        chart_id=f"board-{i.key}",
        title=i.name,
        x_label="Month (the last is the month so far)",
        y_label=unit,
        series=[Series(i.name, [(p.start, p.value) for p in line.result.points])],
        thresholds=thresholds,
        y_max=100 if i.unit == "percent" else None,
        x_format=lambda d: f"{d:%b %Y}",
    )


def _resource_charts(report: board.BoardReport) -> list[Any]:
    charts = []
    if report.funding:
        charts.append(
            bar_chart(
                chart_id="board-funding",
                title="Funding by financial year, all lines",
                x_label="Financial year",
                y_label="Pounds",
                series=[Series("Funding", [(f.year_label, float(f.amount)) for f in report.funding])],
            )
        )
    if report.staffing:
        charts.append(
            line_chart(
                chart_id="board-staffing",
                title="Staff against caseload by year",
                x_label="Year",
                y_label="Number",
                series=[
                    Series("Staff (all agencies)", [(str(s.year), float(s.staff)) for s in report.staffing]),
                    Series("Caseload (children)", [(str(s.year), s.caseload) for s in report.staffing]),
                ],
            )
        )
    return charts


@cap_required(Cap.VIEW_AGGREGATE)
def board_report(request: HttpRequest) -> HttpResponse:
    report = board.board_report()
    record_action(
        actor_for(request.user),  # type: ignore[arg-type]
        "read_board_report",
        BOARD_TYPE,
        f"{report.today:%Y-%m-%d}",
        data={"ledger_size": report.ledger.size, "ledger_ok": report.ledger.ok},
    )
    status_chart = bar_chart(
        chart_id="board-status",
        title="Recommendations by status",
        x_label="Status",
        y_label="Recommendations",
        series=[Series("Recommendations", [(label, n) for _k, label, n in report.status_counts])],
    )
    return render(
        request,
        "web/reports/board.html",
        {
            "report": report,
            "area": _area(),
            "status_chart": status_chart,
            "indicator_charts": [(line, _indicator_chart(line)) for line in report.indicators],
            "resource_charts": _resource_charts(report),
            "tags": acc.TAGS,
        },
    )


@cap_required(Cap.VIEW_AGGREGATE)
def board_report_pdf(request: HttpRequest) -> HttpResponse:
    report = board.board_report()
    data = render_pdf(report, area=_area())
    record_action(
        actor_for(request.user),  # type: ignore[arg-type]
        "download_board_report",
        BOARD_TYPE,
        f"{report.today:%Y-%m-%d}",
        data={"ledger_size": report.ledger.size, "ledger_ok": report.ledger.ok, "bytes": len(data)},
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="board-report-{report.today:%Y-%m-%d}.pdf"'
    return response


# --- public statistics (no sign-in) --------------------------------------------------------------


def public_statistics(request: HttpRequest) -> HttpResponse:
    stats = public.public_statistics()
    return render(
        request,
        "web/reports/public.html",
        {
            "stats": stats,
            "symbols": [(s, sdc.SYMBOLS[s]) for s in sdc.SYMBOLS],
            "threshold": sdc.THRESHOLD,
            "round_to": sdc.ROUND_TO,
            "notes": public.METHOD_NOTES,
        },
    )


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def public_data_csv(request: HttpRequest) -> HttpResponse:
    stats = public.public_statistics()
    return _csv_response(public.data_csv(stats), f"{stats.file_stem}.csv")


def public_metadata_csv(request: HttpRequest) -> HttpResponse:
    stats = public.public_statistics()
    return _csv_response(public.metadata_csv(stats), f"{stats.file_stem}-metadata.csv")
