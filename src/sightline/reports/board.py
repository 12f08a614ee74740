"""The safeguarding board's report, built from live data each time it is read.

It gathers the plan's progress (recommendations by status, overdue actions, moved target dates), the
live indicators from ``sightline.accountability.selectors`` with the outreach funnel, resources set
against caseload, and the ledger's latest verification run (the report never verifies: runs are
scheduled, docs/deploy.md). Everything in it is about the service: it names no child and no other
person held in the case records (tests/reports/test_board.py checks that), only the staff posts and
accounts that own actions and moved dates.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from sightline.accountability import indicators as ind
from sightline.accountability import selectors as acc
from sightline.ledger.models import Checkpoint
from sightline.ledger.runs import latest_run
from sightline.ledger.selectors import tree_size
from sightline.outreach import selectors as outreach
from sightline.people import nhs
from sightline.reports.charts import ChartSpec
from sightline.reports.charts.accountability import board_resource_charts, indicator_chart, status_chart


@dataclass(frozen=True)
class IndicatorLine:
    """An indicator's 12-month trend against its target, and its latest complete month."""

    result: acc.IndicatorResult

    @property
    def indicator(self) -> Any:
        return self.result.indicator

    @property
    def complete_points(self) -> list[acc.Point]:
        return [p for p in self.result.points if not p.partial]

    @property
    def last_complete(self) -> acc.Point | None:
        points = self.complete_points
        return points[-1] if points else None

    @property
    def last_text(self) -> str:
        point = self.last_complete
        return ind.format_value(point.value if point else None, self.indicator.unit)

    @property
    def last_label(self) -> str:
        point = self.last_complete
        return point.label if point else "no complete month"

    @property
    def target_text(self) -> str:
        return self.result.target_text

    @property
    def on_target(self) -> bool | None:
        point = self.last_complete
        return ind.meets(point.value if point else None, self.indicator.target, self.indicator.direction)

    @property
    def status_text(self) -> str:
        return {None: "No data", True: "On target", False: "Off target"}[self.on_target]

    def chart(self) -> ChartSpec:
        return indicator_chart(self.result)


@dataclass
class LedgerStatus:
    """The latest verification run (pages never verify: runs are scheduled, docs/deploy.md)."""

    verified: bool  # False: no run yet
    kind: str
    size: int  # entries verified
    root: bytes
    ok: bool
    # Only the number: problem messages name records (even people), and the board sees no personal
    # data. The independent reviewer reads each problem on the ledger verification page.
    problem_count: int
    entries_checked: int
    checkpoints_checked: int
    rows_checked: int
    checked_at: dt.datetime | None
    current_size: int  # entries now, verified or not
    last_checkpoint: Checkpoint | None

    @property
    def root_hex(self) -> str:
        return self.root.hex()

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.root).decode("ascii")

    @property
    def last_checkpoint_root_b64(self) -> str:
        cp = self.last_checkpoint
        return base64.b64encode(bytes(cp.root)).decode("ascii") if cp is not None else ""

    @property
    def entries_since_checkpoint(self) -> int:
        return self.current_size - (self.last_checkpoint.size if self.last_checkpoint else 0)

    @property
    def entries_since_check(self) -> int:
        return max(self.current_size - self.size, 0)


def ledger_status() -> LedgerStatus:
    """The latest verification run, read (a few rows whatever the size of the ledger)."""
    run = latest_run()
    current = tree_size()
    last_checkpoint = Checkpoint.objects.order_by("-id").first()
    if run is None:
        return LedgerStatus(
            verified=False,
            kind="",
            size=0,
            root=b"",
            ok=False,
            problem_count=0,
            entries_checked=0,
            checkpoints_checked=0,
            rows_checked=0,
            checked_at=None,
            current_size=current,
            last_checkpoint=last_checkpoint,
        )
    return LedgerStatus(
        verified=True,
        kind=run.kind,
        size=run.size,
        root=bytes(run.root),
        ok=run.ok,
        problem_count=run.problem_count,
        entries_checked=run.entries_checked,
        checkpoints_checked=run.checkpoints_checked,
        rows_checked=run.rows_checked,
        checked_at=run.finished_at,
        current_size=current,
        last_checkpoint=last_checkpoint,
    )


@dataclass
class BoardReport:
    generated_at: dt.datetime
    today: dt.date
    plans: list[acc.PlanView]
    status_counts: list[tuple[str, str, int]]
    overdue: list[acc.OverdueItem]
    moved: list[acc.MovedDate]
    indicators: list[IndicatorLine]
    funding: list[acc.FundingRow]
    staffing: list[acc.StaffingRow]
    resources: acc.Resources
    ledger: LedgerStatus
    notes: list[str] = field(default_factory=list)
    outreach: outreach.Figures | None = None  # the funnel, with the indicators
    nhs_completeness: list[nhs.AgencyCompleteness] = field(default_factory=list)  # by agency, now

    @property
    def total_recommendations(self) -> int:
        return sum(n for _k, _l, n in self.status_counts)

    def recommendation_rows(self) -> list[tuple[acc.PlanView, acc.RecommendationView]]:
        return [(pv, rv) for pv in self.plans for rv in pv.recommendations]

    def status_chart(self) -> ChartSpec:
        return status_chart(self.status_counts)

    def resource_charts(self) -> list[tuple[str, ChartSpec]]:
        """The charts of resources against caseload, each with its element id on the page."""
        return board_resource_charts(self.funding, self.staffing)


def board_report(*, today: dt.date | None = None, now: dt.datetime | None = None) -> BoardReport:
    """Everything the board report shows, computed from the records now."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    plans = [acc.plan_view(p, today) for p in acc.plans()]
    counts = acc.recommendations_by_status(today=today)
    res = acc.resources()
    return BoardReport(
        generated_at=now,
        today=today,
        plans=plans,
        status_counts=acc.status_counts(counts),
        overdue=acc.overdue_actions(today=today),
        moved=acc.moved_target_dates(),
        indicators=[IndicatorLine(r) for r in acc.indicator_results(months=12, now=now)],
        funding=res.funding_rows(),
        staffing=res.staffing_rows(),
        resources=res,
        ledger=ledger_status(),
        outreach=outreach.figures(now=now),
        nhs_completeness=nhs.nhs_completeness_by_agency(now),
    )
