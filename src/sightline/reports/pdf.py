"""The board report as a PDF (reportlab; no external programs). The same sections and figures as the web
page, each chart followed by its numbers as a table."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from sightline.accountability import indicators as ind
from sightline.reports.board import BoardReport, IndicatorLine

BLUE = colors.HexColor("#1d70b8")
RED = colors.HexColor("#d4351c")
GREEN = colors.HexColor("#00703c")
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


def _indicator_chart(line: IndicatorLine) -> Drawing:
    """The indicator month by month, with its target as a dashed line."""
    points = line.result.points
    drawing = Drawing(WIDTH, 150)
    plot = LinePlot()
    plot.x, plot.y, plot.width, plot.height = 40, 30, WIDTH - 60, 100
    series = [(i, p.value) for i, p in enumerate(points) if p.value is not None]
    data = [series or [(0, 0)]]
    target = line.indicator.target
    if target is not None and points:
        data.append([(0, target), (len(points) - 1, target)])
    plot.data = data
    plot.lines[0].strokeColor = BLUE
    plot.lines[0].strokeWidth = 2
    if len(data) > 1:
        plot.lines[1].strokeColor = BLACK
        plot.lines[1].strokeDashArray = [4, 3]
        plot.lines[1].strokeWidth = 1
    labels = [p.label for p in points]
    plot.xValueAxis.valueMin = 0
    plot.xValueAxis.valueMax = max(len(points) - 1, 1)
    plot.xValueAxis.valueSteps = list(range(0, len(points), 2)) or [0]
    plot.xValueAxis.labelTextFormat = lambda v: labels[int(v)] if 0 <= int(v) < len(labels) else ""
    plot.xValueAxis.labels.fontSize = 7
    plot.yValueAxis.valueMin = 0
    values = [v for _x, v in series] + ([target] if target is not None else [])
    top = max(values or [1])
    plot.yValueAxis.valueMax = 100 if line.indicator.unit == "percent" else max(top * 1.15, 1)
    plot.yValueAxis.labels.fontSize = 7
    drawing.add(plot)
    drawing.add(String(40, 138, line.indicator.name, fontName="Helvetica-Bold", fontSize=8, fillColor=BLACK))
    if target is not None:
        drawing.add(Line(WIDTH - 150, 141, WIDTH - 130, 141, strokeColor=BLACK, strokeDashArray=[4, 3]))
        drawing.add(String(WIDTH - 126, 138, "target", fontName="Helvetica", fontSize=8, fillColor=BLACK))
    return drawing


def _bar_chart(title: str, labels: list[str], values: list[float]) -> Drawing:
    drawing = Drawing(WIDTH, 150)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 50, 30, WIDTH - 70, 100
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    drawing.add(String(50, 138, title, fontName="Helvetica-Bold", fontSize=8, fillColor=BLACK))
    return drawing


def render_pdf(report: BoardReport, *, area: str = "", compress: bool = True) -> bytes:
    buffer = io.BytesIO()
    generated = timezone.localtime(report.generated_at)
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
    story: list[Flowable] = []
    story.append(Paragraph("Safeguarding board report", H1))
    story.append(_p(f"{area} \u2014 generated from live records on {generated:%-d %B %Y at %H:%M}.", BODY))
    story.append(Spacer(1, 4 * mm))
    ledger = report.ledger
    summary = (
        f"{report.total_recommendations} recommendations: "
        + ", ".join(f"{n} {label.lower()}" for _k, label, n in report.status_counts)
        + f". {len(report.overdue)} overdue actions. {len(report.moved)} moved target dates. "
        + (
            "The ledger verified intact."
            if ledger.ok
            else f"The ledger FAILED verification ({ledger.problem_count} problems)."
        )
    )
    story.append(_p(summary, BODY))

    story.append(Paragraph("1. Recommendations by status", H2))
    story.append(
        _table(
            ["Status", "Recommendations"],
            [(label, n) for _k, label, n in report.status_counts],
            _fractions(3, 1),
        )
    )
    for pv in report.plans:
        story.append(Paragraph(escape(pv.plan.title), H3))
        rows: list[tuple[Any, ...]] = [
            (
                rv.recommendation.ref,
                rv.recommendation.title,
                f"{rv.recommendation.target_date:%-d %b %Y}",
                rv.state.label,
            )
            for rv in pv.recommendations
        ]
        story.append(_table(["Ref", "Recommendation", "Target date", "Status"], rows, _fractions(1, 7, 2, 2)))

    story.append(Paragraph("2. Overdue actions", H2))
    if report.overdue:
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
        story.append(
            _table(
                ["Action", "Description", "Owner", "Target date", "Days overdue"],
                rows,
                _fractions(2, 6, 3, 2, 1.5),
            )
        )
    else:
        story.append(_p("No actions are overdue.", BODY))

    story.append(Paragraph("3. Moved target dates", H2))
    if report.moved:
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
        story.append(
            _table(["What", "Was due", "Now due", "Reason", "Moved by"], rows, _fractions(2, 2, 2, 5, 3))
        )
    else:
        story.append(_p("No target dates have been moved.", BODY))

    story.append(Paragraph("4. Indicators against targets", H2))
    story.append(
        _p(
            "Computed from the case records, not typed in. The latest complete month is shown against the "
            "target; the charts show the last 12 months (the last month is the month so far).",
            BODY,
        )
    )
    rows = [
        (i.indicator.name, f"{i.last_text} ({i.last_label})", i.target_text, i.status_text)
        for i in report.indicators
    ]
    story.append(
        _table(
            ["Indicator", "Latest complete month", "Target", "Against target"], rows, _fractions(6, 3, 2, 2)
        )
    )
    for line in report.indicators:
        points = [
            (p.label + (" (so far)" if p.partial else ""), ind.format_value(p.value, line.indicator.unit))
            for p in line.result.points
        ]
        story.append(
            KeepTogether(
                [
                    Spacer(1, 3 * mm),
                    _indicator_chart(line),
                    _table(["Month", line.indicator.name], points, _fractions(1, 2)),
                ]
            )
        )

    story.append(Paragraph("5. Resources against caseload", H2))
    if report.funding:
        rows = [
            (
                f.year_label,
                f"\u00a3{f.amount:,.0f}",
                f.caseload,
                "no caseload" if f.per_child is None else f"\u00a3{f.per_child:,.0f}",
            )
            for f in report.funding
        ]
        story.append(
            _table(
                ["Financial year", "Funding", "Caseload (children)", "Per child"],
                rows,
                _fractions(2, 2, 2, 2),
            )
        )
        story.append(
            _bar_chart(
                "Funding by financial year (\u00a3)",
                [f.year_label for f in report.funding],
                [float(f.amount) for f in report.funding],
            )
        )
    else:
        story.append(_p("No funding recorded.", BODY))
    if report.staffing:
        rows = [
            (
                s.year,
                f"{s.staff:g}",
                s.caseload,
                "no staff" if s.children_per_staff is None else s.children_per_staff,
            )
            for s in report.staffing
        ]
        story.append(
            _table(
                ["Year", "Staff (all agencies)", "Caseload (children)", "Children per member of staff"],
                rows,
                _fractions(2, 2, 2, 2),
            )
        )
        story.append(
            _bar_chart(
                "Staff by year (all agencies)",
                [str(s.year) for s in report.staffing],
                [float(s.staff) for s in report.staffing],
            )
        )
    else:
        story.append(_p("No staffing recorded.", BODY))

    story.append(Paragraph("6. Ledger verification", H2))
    cp = ledger.last_checkpoint
    rows = [
        ("Result", "Intact" if ledger.ok else f"NOT intact: {ledger.problem_count} problems"),
        ("Checked at", f"{timezone.localtime(ledger.checked_at):%-d %b %Y %H:%M:%S}"),
        ("Entries", ledger.size),
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
            "Checked",
            f"{ledger.entries_checked} entries, {ledger.checkpoints_checked} checkpoints, "
            f"{ledger.rows_checked} current-state rows",
        ),
    ]
    story.append(_table(["", ""], rows, _fractions(2, 5)))
    if not ledger.ok:
        story.append(
            _p("The independent reviewer can see each problem on the ledger verification page.", BODY)
        )

    doc.build(story)
    return buffer.getvalue()
