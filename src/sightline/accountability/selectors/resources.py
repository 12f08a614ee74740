"""Resources against caseload: funding and staffing as recorded, and the caseload computed from the case
records (children with at least one concern raised in the year). A year that ended before the first
concern was recorded has no caseload (``None``): zero would claim there was no work before Sightline."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from sightline.accountability.models import FundingLine, StaffingLevel, financial_year_label
from sightline.cases.models import Concern


def _year_of(day: dt.date, financial: bool) -> int:
    return (day.year if day.month >= 4 else day.year - 1) if financial else day.year


def caseload_by_year(years: Iterable[int], *, financial: bool = False) -> dict[int, int | None]:
    """Children with at least one (not withdrawn) concern raised in each year: the caseload the
    resources are set against, or None for a year before the first concern was recorded.
    ``financial`` years run April to March (2014 is 2014/15)."""
    wanted = sorted(set(years))
    if not wanted:
        return {}
    out: dict[int, set[str]] = {y: set() for y in wanted}
    first: int | None = None
    for pid, raised in Concern.objects.exclude(status=Concern.Status.WITHDRAWN).values_list(
        "person_id", "raised_at"
    ):
        year = _year_of(timezone.localtime(raised).date(), financial)
        first = year if first is None else min(first, year)
        if year in out:
            out[year].add(pid)
    return {y: None if first is None or y < first else len(v) for y, v in out.items()}


def _per(a: Decimal | int | None, b: Decimal | int | None) -> Decimal | None:
    return (Decimal(a) / Decimal(b)).quantize(Decimal("0.1")) if a is not None and b else None


@dataclass(frozen=True)
class FundingRow:
    """All funding lines in one financial year, against that year's caseload."""

    year: int
    amount: Decimal
    caseload: int | None  # None: before any concern was recorded
    per_child: Decimal | None

    @property
    def year_label(self) -> str:
        return financial_year_label(self.year)


@dataclass(frozen=True)
class StaffingRow:
    """All agencies' staff in one year, against that year's caseload."""

    year: int
    staff: Decimal
    caseload: int | None  # None: before any concern was recorded
    children_per_staff: Decimal | None


@dataclass
class Resources:
    funding: list[FundingLine]
    staffing: list[StaffingLevel]
    funding_years: list[int]
    staffing_years: list[int]
    funding_caseload: dict[int, int | None]
    staffing_caseload: dict[int, int | None]

    def funding_lines(self) -> list[tuple[str, dict[int, Decimal]]]:
        lines: dict[str, dict[int, Decimal]] = defaultdict(dict)
        for f in self.funding:
            label = f.name + (f" ({f.agency.name})" if f.agency else "")
            lines[label][f.financial_year] = f.amount
        return sorted(lines.items())

    def staffing_lines(self) -> list[tuple[str, dict[int, Decimal]]]:
        lines: dict[str, dict[int, Decimal]] = defaultdict(dict)
        for s in self.staffing:
            lines[f"{s.agency.name}: {s.team}"][s.year] = s.staff
        return sorted(lines.items())

    def staff_totals(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for s in self.staffing:
            totals[s.year] += s.staff
        return dict(totals)

    def funding_totals(self) -> dict[int, Decimal]:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for f in self.funding:
            totals[f.financial_year] += f.amount
        return dict(totals)

    def funding_rows(self) -> list[FundingRow]:
        totals = self.funding_totals()
        return [
            FundingRow(
                y,
                totals[y],
                self.funding_caseload.get(y),
                _per(totals[y], self.funding_caseload.get(y)),
            )
            for y in self.funding_years
        ]

    def staffing_rows(self) -> list[StaffingRow]:
        totals = self.staff_totals()
        return [
            StaffingRow(
                y,
                totals[y],
                self.staffing_caseload.get(y),
                _per(self.staffing_caseload.get(y), totals[y]),
            )
            for y in self.staffing_years
        ]


def resources() -> Resources:
    funding = list(FundingLine.objects.select_related("agency").order_by("name", "financial_year"))
    staffing = list(StaffingLevel.objects.select_related("agency").order_by("agency__name", "team", "year"))
    fy = sorted({f.financial_year for f in funding})
    sy = sorted({s.year for s in staffing})
    return Resources(
        funding, staffing, fy, sy, caseload_by_year(fy, financial=True), caseload_by_year(sy, financial=False)
    )
