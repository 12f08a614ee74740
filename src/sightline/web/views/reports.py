"""The board report (web page and PDF) and the public statistics (page and open data, no sign-in).

The board report is for anyone with ``Cap.VIEW_AGGREGATE``; every reading is ledgered. The public pages
show only figures that went through disclosure control (``sightline.reports.sdc``); they are not
ledgered, so that anonymous visits cannot grow the ledger.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.access.services import actor_for
from sightline.accountability import selectors as acc
from sightline.cases.selectors import local_authority
from sightline.ledger.services import record_action
from sightline.reports import board, public, sdc
from sightline.reports.marking import user_label
from sightline.reports.pdf import render_pdf
from sightline.web.charts import figure

BOARD_TYPE = "reports.board_report"


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
    return render(
        request,
        "web/reports/board.html",
        {
            "report": report,
            "area": local_authority(),
            "status_chart": figure(report.status_chart(), "board-status"),
            "indicator_charts": [
                (line, figure(line.chart(), f"board-{line.indicator.key}")) for line in report.indicators
            ],
            "resource_charts": [figure(spec, chart_id) for chart_id, spec in report.resource_charts()],
            "tags": acc.TAGS,
        },
    )


@cap_required(Cap.VIEW_AGGREGATE)
def board_report_pdf(request: HttpRequest) -> HttpResponse:
    report = board.board_report()
    data = render_pdf(report, area=local_authority(), printed_for=user_label(request.user))
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
