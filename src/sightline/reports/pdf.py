"""The board report as a PDF (reportlab; no external programs). The same sections, figures and charts as
the web page (``sightline.reports.charts`` draws both), each chart with its numbers as a table."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from sightline.reports.board import BoardReport
from sightline.reports.charts import ChartSpec
from sightline.reports.charts.drawing import to_drawing
from sightline.reports.marking import PROTECTIVE_MARKING, printed_by

GREY = colors.HexColor("#b1b4b6")
BLACK = colors.HexColor("#0b0c0c")
WIDTH = A4[0] - 36 * mm

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontName="Helvetica", fontSize=9.5, leading=12.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=10.5, alignment=TA_LEFT)
CELL_HEAD = ParagraphStyle("cellhead", parent=SMALL, fontName="Helvetica-Bold")
H1 = ParagraphStyle("h1", parent=_styles["Heading1"], fontName="Helvetica-Bold", fontSize=20, leading=24)
H2 = ParagraphStyle("h2", parent=_styles["Heading2"], fontName="Helvetica-Bold", fontSize=14, leading=18)
H3 = ParagraphStyle("h3", parent=_styles["Heading3"], fontName="Helvetica-Bold", fontSize=11, leading=14)


def _p(text: Any, style: ParagraphStyle = SMALL) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> Table:
    data = [[_p(h, CELL_HEAD) for h in header]] + [[_p(c) for c in row] for row in rows]
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 1, BLACK),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, GREY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _fractions(*parts: float) -> list[float]:
    total = sum(parts)
    return [WIDTH * p / total for p in parts]


def _chart(spec: ChartSpec, *, numbers: bool) -> KeepTogether:
    """The chart drawn as on the web page, with its title, and its numbers when no table above has them."""
    parts: list[Flowable] = [Spacer(1, 3 * mm), _p(spec.title, CELL_HEAD), to_drawing(spec, WIDTH)]
    if numbers:
        headers, rows = spec.table()
        parts.append(_table(headers, rows, _fractions(1, *([1] * (len(headers) - 1)))))
    return KeepTogether(parts)


def _opening(report: BoardReport, area: str) -> list[Flowable]:
    generated = timezone.localtime(report.generated_at)
    ledger = report.ledger
    summary = (
        f"{report.total_recommendations} recommendations: "
        + ", ".join(f"{n} {label.lower()}" for _k, label, n in report.status_counts)
        + f". {len(report.overdue)} overdue actions. {len(report.moved)} moved target dates. "
        + (
            "The ledger has not been verified yet."
            if not ledger.verified
            else "The ledger verified intact."
            if ledger.ok
            else f"The ledger FAILED verification ({ledger.problem_count} problems)."
        )
    )
    return [
        Paragraph("Safeguarding board report", H1),
        _p(f"{area} \u2014 generated from live records on {generated:%-d %B %Y at %H:%M}.", BODY),
        Spacer(1, 4 * mm),
        _p(summary, BODY),
    ]


def _recommendations(report: BoardReport) -> list[Flowable]:
    out: list[Flowable] = [
        Paragraph("1. Recommendations by status", H2),
        _table(
            ["Status", "Recommendations"],
            [(label, n) for _k, label, n in report.status_counts],
            _fractions(3, 1),
        ),
    ]
    if report.total_recommendations:
        out.append(_chart(report.status_chart(), numbers=False))
    for pv in report.plans:
        rows = [
            (
                rv.recommendation.ref,
                rv.recommendation.title,
                f"{rv.recommendation.target_date:%-d %b %Y}",
                rv.state.label,
            )
            for rv in pv.recommendations
        ]
        out.append(Paragraph(escape(pv.plan.title), H3))
        out.append(_table(["Ref", "Recommendation", "Target date", "Status"], rows, _fractions(1, 7, 2, 2)))
    return out


def _overdue(report: BoardReport) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("2. Overdue actions", H2)]
    if not report.overdue:
        return [*out, _p("No actions are overdue.", BODY)]
    rows = [
        (
            f"{item.action.recommendation.plan.key} {item.action.ref}",
            item.action.description,
            item.action.owner_agency.name
            + (f" ({item.action.owner_name})" if item.action.owner_name else ""),
            f"{item.action.target_date:%-d %b %Y}",
            item.days_overdue,
        )
        for item in report.overdue
    ]
    header = ["Action", "Description", "Owner", "Target date", "Days overdue"]
    return [*out, _table(header, rows, _fractions(2, 6, 3, 2, 1.5))]


def _moved(report: BoardReport) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("3. Moved target dates", H2)]
    if not report.moved:
        return [*out, _p("No target dates have been moved.", BODY)]
    rows = [
        (
            f"{m.plan.key} {m.what}",
            f"{m.change.old_date:%-d %b %Y}",
            f"{m.change.new_date:%-d %b %Y}",
            m.change.reason,
            f"{m.change.changed_by}, {timezone.localtime(m.change.changed_at):%-d %b %Y}",
        )
        for m in report.moved
    ]
    header = ["What", "Was due", "Now due", "Reason", "Moved by"]
    return [*out, _table(header, rows, _fractions(2, 2, 2, 5, 3))]


def _indicators(report: BoardReport) -> list[Flowable]:
    rows = [
        (i.indicator.name, f"{i.last_text} ({i.last_label})", i.target_text, i.status_text)
        for i in report.indicators
    ]
    return [
        Paragraph("4. Indicators against targets", H2),
        _p(
            "Computed from the case records, not typed in. The latest complete month is shown against the "
            "target; the charts show the last 12 months (the last month is the month so far).",
            BODY,
        ),
        _table(
            ["Indicator", "Latest complete month", "Target", "Against target"], rows, _fractions(6, 3, 2, 2)
        ),
        *(_chart(line.chart(), numbers=True) for line in report.indicators),
        *_outreach(report),
        *_nhs_completeness(report),
    ]


NONE = "\u2013"  # an en dash for "nothing"


def _outreach(report: BoardReport) -> list[Flowable]:
    """The outreach funnel and capacity against the funded level (counts only)."""
    fig = report.outreach
    if fig is None:
        return []
    stages = [(s.label, s.count, NONE if s.percent is None else f"{s.percent}%") for s in fig.stages]
    hours = fig.median_hours_to_contact
    cap = fig.capacity
    return [
        Paragraph("Outreach: from alert to child reached", H3),
        _p(
            f"The children identified at risk from {fig.start:%-d %b %Y} to {fig.end:%-d %b %Y}, and how far "
            "outreach has reached them so far. Median time from alert to first contact: "
            + ("no child contacted yet." if hours is None else f"{hours:.1f} hours."),
            BODY,
        ),
        _table(["Stage", "Children", "Of those identified"], stages, _fractions(6, 2, 3)),
        _table(
            ["Capacity now", "Now", "Funded"],
            [
                ("Workers holding outreach", cap.workers, cap.funded.workers),
                ("Children in open outreach", cap.caseload, cap.funded.children),
                (
                    "Children per worker",
                    NONE if cap.per_worker is None else cap.per_worker,
                    cap.funded.caseload,
                ),
                ("Children not yet allocated to a worker", cap.unallocated, NONE),
            ],
            _fractions(6, 2, 3),
        ),
    ]


def _nhs_completeness(report: BoardReport) -> list[Flowable]:
    """Each agency's latest extract: child records and how many carry an NHS number (counts only)."""
    if not report.nhs_completeness:
        return []
    rows = [
        (
            r.agency_name,
            f"{r.extracted_on:%d %b %Y}",
            r.children,
            r.with_nhs,
            NONE if r.percent is None else f"{r.percent:.1f}%",
        )
        for r in report.nhs_completeness
    ]
    return [
        Paragraph("NHS number completeness by agency", H3),
        _table(
            ["Agency", "Latest extract", "Child records", "With NHS number", "Complete"],
            rows,
            _fractions(4, 2, 2, 2, 2),
        ),
    ]


def _or_no_records(caseload: int | None, shown: Any) -> Any:
    """A caseload figure, or "no records" for a year before the first concern was recorded."""
    return "no records" if caseload is None else shown


def _resources(report: BoardReport) -> list[Flowable]:
    out: list[Flowable] = [Paragraph("5. Resources against caseload", H2)]
    if report.funding:
        funding = [
            (
                f.year_label,
                f"\u00a3{f.amount:,.0f}",
                _or_no_records(f.caseload, f.caseload),
                _or_no_records(
                    f.caseload, "no caseload" if f.per_child is None else f"\u00a3{f.per_child:,.0f}"
                ),
            )
            for f in report.funding
        ]
        header = ["Financial year", "Funding", "Caseload (children)", "Per child"]
        out.append(_table(header, funding, _fractions(2, 2, 2, 2)))
    else:
        out.append(_p("No funding recorded.", BODY))
    if report.staffing:
        staffing = [
            (
                s.year,
                f"{s.staff:g}",
                _or_no_records(s.caseload, s.caseload),
                _or_no_records(
                    s.caseload, "no staff" if s.children_per_staff is None else s.children_per_staff
                ),
            )
            for s in report.staffing
        ]
        header = ["Year", "Staff (all agencies)", "Caseload (children)", "Children per member of staff"]
        out.append(_table(header, staffing, _fractions(2, 2, 2, 2)))
    else:
        out.append(_p("No staffing recorded.", BODY))
    out += [_chart(spec, numbers=False) for _chart_id, spec in report.resource_charts()]
    return out


def _ledger(report: BoardReport) -> list[Flowable]:
    ledger = report.ledger
    cp = ledger.last_checkpoint
    rows = [
        (
            "Result",
            "Not verified yet"
            if not ledger.verified
            else "Intact"
            if ledger.ok
            else f"NOT intact: {ledger.problem_count} problems",
        ),
        (
            "Checked at",
            f"{timezone.localtime(ledger.checked_at):%-d %b %Y %H:%M:%S} ({ledger.kind} check)"
            if ledger.checked_at is not None
            else "not yet",
        ),
        ("Entries verified", ledger.size),
        ("Entries added since that check", ledger.entries_since_check),
        ("Root hash (SHA-256, base64)", ledger.root_b64),
        (
            "Last checkpoint",
            f"tree size {cp.size}, signed {timezone.localtime(cp.created_at):%-d %b %Y %H:%M}, "
            f"root {ledger.last_checkpoint_root_b64}"
            if cp is not None
            else "none signed yet",
        ),
        ("Entries since the last checkpoint", ledger.entries_since_checkpoint),
        (
            "What the last check read",
            f"{ledger.entries_checked} entries, {ledger.checkpoints_checked} checkpoints, "
            f"{ledger.rows_checked} current-state rows",
        ),
    ]
    out: list[Flowable] = [Paragraph("6. Ledger verification", H2), _table(["", ""], rows, _fractions(2, 5))]
    if ledger.verified and not ledger.ok:
        out.append(_p("The independent reviewer can see each problem on the ledger verification page.", BODY))
    return out


def _marked(printed: str) -> Callable[[Canvas, Any], None]:
    """Draws the protective marking at the top and bottom of every page, and who printed it when."""

    def draw(canvas: Canvas, doc: Any) -> None:
        canvas.saveState()
        width, height = A4
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawCentredString(width / 2, height - 9 * mm, PROTECTIVE_MARKING)
        canvas.drawCentredString(width / 2, 6 * mm, PROTECTIVE_MARKING)
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(18 * mm, 10 * mm, printed)
        canvas.drawRightString(width - 18 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    return draw


def render_pdf(report: BoardReport, *, area: str = "", printed_for: str = "", compress: bool = True) -> bytes:
    """The PDF; ``printed_for`` names who downloaded it, in each page's footer with the time."""
    buffer = io.BytesIO()
    generated = timezone.localtime(report.generated_at)
    marked = _marked(printed_by(printed_for or "Sightline", report.generated_at))
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title="Safeguarding board report",
        author="Sightline",
        subject=f"{area} safeguarding board report, {generated:%-d %B %Y}",
        lang="en-GB",
        pageCompression=1 if compress else 0,
    )
    doc.build(
        [
            *_opening(report, area),
            *_recommendations(report),
            *_overdue(report),
            *_moved(report),
            *_indicators(report),
            *_resources(report),
            *_ledger(report),
        ],
        onFirstPage=marked,
        onLaterPages=marked,
    )
    return buffer.getvalue()
