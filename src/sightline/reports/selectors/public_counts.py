"""The counts behind the public statistics, before disclosure control: whole-table aggregates, each
child or person counted once, with ``sdc.X`` where a period comes before the records begin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from sightline.access.models import Agency
from sightline.cases import screening as screening_tool
from sightline.cases.models import (
    Concern,
    Investigation,
    InvestigationPerson,
    MissingEpisode,
    Screening,
    SelfReferral,
)
from sightline.people.models import Person
from sightline.reports import sdc
from sightline.reports.selectors.periods import Period, Span, available_from, midnight, unavailable

# Agencies that share case data; the reviewer's and the operators' own agencies do not.
NON_CASE_AGENCY_KINDS = frozenset({"oversight", "operations"})

# DfE major ethnic groups, from the first letter of the DfE ethnicity code (CHNE is "Chinese" in the
# school census; it is grouped with "Any other ethnic group" here, as in the children in need census,
# to keep cells larger).
ETHNIC_GROUPS: list[tuple[str, str]] = [
    ("W", "White"),
    ("M", "Mixed or multiple ethnic groups"),
    ("A", "Asian or Asian British"),
    ("B", "Black, Black British, Caribbean or African"),
    ("O", "Any other ethnic group"),
    ("", "Not known or refused"),
]
NOT_RECORDED_CODES = frozenset({"REFU", "NOBT"})


def ethnic_group(code: str) -> str:
    """The major group key ("W", "M", ...) of a DfE ethnicity code; "" when not known or refused."""
    code = (code or "").strip().upper()
    if not code or code in NOT_RECORDED_CODES:
        return ""
    if code == "CHNE":
        return "O"
    first = code[0]
    return first if first in {"W", "M", "A", "B", "O"} else ""


@dataclass
class RawTable:
    """Counts for one public table. ``counts`` holds whole numbers, or ``sdc.X`` where unavailable."""

    key: str
    title: str
    description: str
    measure: str
    row_dimension: str
    column_dimension: str
    rows: list[str]
    columns: list[str]
    counts: list[list[int | str]]
    margins: sdc.Margins = field(default_factory=sdc.Margins)
    notes: list[str] = field(default_factory=list)


def case_agencies() -> list[tuple[str, str]]:
    """(code, name) of every agency that shares case data, by name."""
    return [(a.id, a.name) for a in Agency.objects.exclude(kind__in=NON_CASE_AGENCY_KINDS).order_by("name")]


def _in(span: Span, when: dt.datetime) -> bool:
    return span.starts_at() <= when < span.ends_at()


def screened_by_agency_and_band(period: Period) -> RawTable:
    """Children screened in the period, each counted once, by the agency and band of their latest
    screening in the period."""
    bands = screening_tool.default_indicator_set().bands
    agencies = case_agencies()
    span = period.whole
    latest: dict[str, tuple[dt.datetime, str, str]] = {}
    rows = Screening.objects.filter(completed_at__gte=span.starts_at(), completed_at__lt=span.ends_at())
    for pid, at, band, agency in rows.values_list("person_id", "completed_at", "band", "agency_id"):
        if pid not in latest or at > latest[pid][0]:
            latest[pid] = (at, band, agency)
    earliest = Screening.objects.order_by("completed_at").values_list("completed_at", flat=True).first()
    tally = [[0] * len(bands) for _ in agencies]
    band_index = {b.key: j for j, b in enumerate(bands)}
    agency_index = {code: i for i, (code, _name) in enumerate(agencies)}
    for _at, band, agency in latest.values():
        if band in band_index and agency in agency_index:
            tally[agency_index[agency]][band_index[band]] += 1
    counts: list[list[int | str]] = (
        [[sdc.X] * len(bands) for _ in agencies]
        if unavailable(span, available_from(earliest))
        else [list(row) for row in tally]
    )
    return RawTable(
        key="screened_by_agency_and_band",
        title="Children screened, by screening agency and risk band",
        description="Children screened for sexual exploitation in the period. A child screened more than "
        "once is counted once, by the agency and band of their latest screening in the period.",
        measure="children",
        row_dimension="agency",
        column_dimension="risk_band",
        rows=[name for _code, name in agencies],
        columns=[b.label for b in bands],
        counts=counts,
    )


def missing_episodes_by_month(period: Period) -> RawTable:
    """Missing and absent episodes that began in each month of the period."""
    months = period.months()
    cats = list(MissingEpisode.Category.choices)
    starts = list(
        MissingEpisode.objects.filter(
            started_at__gte=period.whole.starts_at(), started_at__lt=period.whole.ends_at()
        ).values_list("started_at", "category")
    )
    earliest = MissingEpisode.objects.order_by("started_at").values_list("started_at", flat=True).first()
    available = available_from(earliest)
    counts: list[list[int | str]] = []
    for span in months:
        if unavailable(span, available):
            counts.append([sdc.X] * len(cats))
            continue
        counts.append([sum(1 for at, c in starts if c == key and _in(span, at)) for key, _label in cats])
    return RawTable(
        key="missing_episodes_by_month",
        title="Missing and absent episodes, by month",
        description="Episodes of a child going missing (whereabouts unknown) or absent (away without "
        "authorisation), by the month the episode began. A child can have several episodes.",
        measure="episodes",
        row_dimension="month",
        column_dimension="category",
        rows=[s.label for s in months],
        columns=[label for _key, label in cats],
        counts=counts,
    )


def concerns_by_agency_and_quarter(period: Period) -> RawTable:
    """Concerns raised in each quarter of the period, by the agency that raised them (not withdrawn)."""
    quarters = period.quarters()
    agencies = case_agencies()
    qs = Concern.objects.exclude(status=Concern.Status.WITHDRAWN)
    raised = list(
        qs.filter(raised_at__gte=period.whole.starts_at(), raised_at__lt=period.whole.ends_at()).values_list(
            "raised_at", "agency_id"
        )
    )
    earliest = qs.order_by("raised_at").values_list("raised_at", flat=True).first()
    available = available_from(earliest)
    counts: list[list[int | str]] = []
    for code, _name in agencies:
        counts.append(
            [
                sdc.X
                if unavailable(q, available)
                else sum(1 for at, agency in raised if agency == code and _in(q, at))
                for q in quarters
            ]
        )
    return RawTable(
        key="concerns_by_agency_and_quarter",
        title="Concerns raised, by source agency and quarter",
        description="Concerns about a child raised with Sightline, by the agency that raised them and the "
        "quarter they were raised in. Withdrawn concerns (raised in error) are left out.",
        measure="concerns",
        row_dimension="agency",
        column_dimension="quarter",
        rows=[name for _code, name in agencies],
        columns=[q.label for q in quarters],
        counts=counts,
    )


def victims_coming_forward_by_quarter(period: Period) -> RawTable:
    """Victims coming forward (self-referrals) received in each quarter of the period."""
    quarters = period.quarters()
    days = list(
        SelfReferral.objects.filter(received_on__gte=period.start, received_on__lt=period.end).values_list(
            "received_on", flat=True
        )
    )
    first_day = SelfReferral.objects.order_by("received_on").values_list("received_on", flat=True).first()
    available = available_from(midnight(first_day) if first_day else None)
    counts: list[list[int | str]] = [
        [sdc.X if unavailable(q, available) else sum(1 for d in days if q.start <= d < q.end)]
        for q in quarters
    ]
    return RawTable(
        key="victims_coming_forward_by_quarter",
        title="Victims coming forward, by quarter",
        description="People who came forward themselves to report sexual exploitation (self-referrals), "
        "by the quarter they came forward in.",
        measure="people",
        row_dimension="quarter",
        column_dimension="measure",
        rows=[q.label for q in quarters],
        columns=["Victims coming forward"],
        counts=counts,
        margins=sdc.Margins(rows=False, columns=True, grand=False),
    )


def _resolve(person_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Person id -> (the id it was merged into, if any, and that person's ethnicity)."""
    rows: dict[str, tuple[str, str, str]] = {}

    def load(ids: Iterable[str]) -> None:
        for pid, status, into, eth in Person.objects.filter(id__in=list(ids)).values_list(
            "id", "status", "merged_into", "ethnicity"
        ):
            rows[pid] = (status, into, eth)

    wanted = list(person_ids)
    load(wanted)
    out: dict[str, tuple[str, str]] = {}
    for pid in wanted:
        current, seen = pid, {pid}
        while True:
            if current not in rows:
                load([current])
            row = rows.get(current)
            if row is None or row[0] != Person.Status.MERGED or not row[1] or row[1] in seen:
                break
            current = row[1]
            seen.add(current)
        out[pid] = (current, row[2] if row is not None else "")
    return out


def people_by_ethnic_group(period: Period) -> RawTable:
    """Children with a concern raised in the period, and suspects linked to an investigation open in
    the period, by ethnic group. Each person is counted once per column."""
    span = period.whole
    children = set(
        Concern.objects.exclude(status=Concern.Status.WITHDRAWN)
        .filter(raised_at__gte=span.starts_at(), raised_at__lt=span.ends_at())
        .values_list("person_id", flat=True)
    )
    suspects = set(
        InvestigationPerson.objects.filter(role=InvestigationPerson.Role.SUSPECT, active=True)
        .filter(investigation__opened_on__lt=period.end)
        .filter(Q(investigation__closed_on__isnull=True) | Q(investigation__closed_on__gte=period.start))
        .values_list("person_id", flat=True)
    )
    resolved = _resolve(children | suspects)
    group_index = {key: i for i, (key, _label) in enumerate(ETHNIC_GROUPS)}
    tally = [[0, 0] for _ in ETHNIC_GROUPS]
    for col, people in enumerate((children, suspects)):
        distinct = {resolved[p] for p in people}
        for _pid, ethnicity in distinct:
            tally[group_index[ethnic_group(ethnicity)]][col] += 1
    first_concern = Concern.objects.order_by("raised_at").values_list("raised_at", flat=True).first()
    first_opened = Investigation.objects.order_by("opened_on").values_list("opened_on", flat=True).first()
    missing = [
        unavailable(span, available_from(first_concern)),
        unavailable(span, available_from(midnight(first_opened) if first_opened else None)),
    ]
    counts: list[list[int | str]] = [
        [sdc.X if missing[col] else n for col, n in enumerate(row)] for row in tally
    ]
    return RawTable(
        key="people_by_ethnic_group",
        title="Children with a concern and suspects, by ethnic group",
        description="Children with a concern raised in the period, and suspects linked to a police "
        "investigation open at any time in the period, by their recorded ethnicity (DfE major groups). "
        "Ethnicity is recorded and reported; it is never used to score risk or raise alerts.",
        measure="people",
        row_dimension="ethnic_group",
        column_dimension="group",
        rows=[label for _key, label in ETHNIC_GROUPS],
        columns=["Children with a concern", "Suspects in an investigation"],
        counts=counts,
        margins=sdc.Margins(rows=False, columns=True, grand=False),
        notes=["The columns count different people, so there is no row total."],
    )


PUBLIC_TABLES = (
    screened_by_agency_and_band,
    missing_episodes_by_month,
    concerns_by_agency_and_quarter,
    victims_coming_forward_by_quarter,
    people_by_ethnic_group,
)


def public_counts(period: Period) -> list[RawTable]:
    return [build(period) for build in PUBLIC_TABLES]
