"""Reads for reports: the counts behind the public statistics (before disclosure control), and the
independent reviewer's view of the ledger (entries with filters, checkpoints).

Nothing here returns a person: the public counts are whole-table aggregates, and the ledger reads are
for the reviewer's own pages, which check ``Cap.VIEW_LEDGER`` and ledger every look.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from sightline.ledger import note
from sightline.ledger.models import Checkpoint, Entry
from sightline.ledger.services import integrate, public_key
from sightline.reports import sdc

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


# --- reporting periods ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Days ``start`` (inclusive) to ``end`` (exclusive), with a label."""

    start: dt.date
    end: dt.date
    label: str

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def starts_at(self) -> dt.datetime:
        return _midnight(self.start)

    def ends_at(self) -> dt.datetime:
        return _midnight(self.end)


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """The public statistics' reporting period: the last four complete calendar quarters."""

    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end - dt.timedelta(days=1):%-d %B %Y}"

    @property
    def whole(self) -> Span:
        return Span(self.start, self.end, self.label)

    def quarters(self) -> list[Span]:
        out = []
        day = self.start
        while day < self.end:
            nxt = _add_months(day, 3)
            out.append(Span(day, nxt, f"{day:%b} to {nxt - dt.timedelta(days=1):%b %Y}"))
            day = nxt
        return out

    def months(self) -> list[Span]:
        out = []
        day = self.start
        while day < self.end:
            nxt = _add_months(day, 1)
            out.append(Span(day, nxt, f"{day:%B %Y}"))
            day = nxt
        return out


def reporting_period(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    end = _quarter_start(today)
    return Period(_add_months(end, -12), end)


def service_start() -> dt.datetime | None:
    """When Sightline began recording: the time of the first ledger entry."""
    integrate()
    first = Entry.objects.order_by("index").values_list("time", flat=True).first()
    return first


def _available_from(earliest_record: dt.datetime | None) -> dt.datetime | None:
    """Counts exist from the earlier of the service start and the earliest record (records can be
    entered for past dates). Before that a count would be a false zero, so it is shown as ``x``."""
    start = service_start()
    candidates = [t for t in (start, earliest_record) if t is not None]
    return min(candidates) if candidates else None


def _unavailable(span: Span, available_from: dt.datetime | None) -> bool:
    return available_from is None or span.ends_at() <= available_from


# --- public tables (before disclosure control) ---------------------------------------------------


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
    from sightline.access.models import Agency

    return [(a.id, a.name) for a in Agency.objects.exclude(kind__in=NON_CASE_AGENCY_KINDS).order_by("name")]


def _in(span: Span, when: dt.datetime) -> bool:
    return span.starts_at() <= when < span.ends_at()


def screened_by_agency_and_band(period: Period) -> RawTable:
    """Children screened in the period, each counted once, by the agency and band of their latest
    screening in the period."""
    from sightline.cases import screening as tool
    from sightline.cases.models import Screening

    bands = tool.default_indicator_set().bands
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
        if _unavailable(span, _available_from(earliest))
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
    from sightline.cases.models import MissingEpisode

    months = period.months()
    cats = list(MissingEpisode.Category.choices)
    starts = list(
        MissingEpisode.objects.filter(
            started_at__gte=period.whole.starts_at(), started_at__lt=period.whole.ends_at()
        ).values_list("started_at", "category")
    )
    earliest = MissingEpisode.objects.order_by("started_at").values_list("started_at", flat=True).first()
    available = _available_from(earliest)
    counts: list[list[int | str]] = []
    for span in months:
        if _unavailable(span, available):
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
    from sightline.cases.models import Concern

    quarters = period.quarters()
    agencies = case_agencies()
    qs = Concern.objects.exclude(status=Concern.Status.WITHDRAWN)
    raised = list(
        qs.filter(raised_at__gte=period.whole.starts_at(), raised_at__lt=period.whole.ends_at()).values_list(
            "raised_at", "agency_id"
        )
    )
    earliest = qs.order_by("raised_at").values_list("raised_at", flat=True).first()
    available = _available_from(earliest)
    counts: list[list[int | str]] = []
    for code, _name in agencies:
        counts.append(
            [
                sdc.X
                if _unavailable(q, available)
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
    from sightline.cases.models import SelfReferral

    quarters = period.quarters()
    days = list(
        SelfReferral.objects.filter(received_on__gte=period.start, received_on__lt=period.end).values_list(
            "received_on", flat=True
        )
    )
    first_day = SelfReferral.objects.order_by("received_on").values_list("received_on", flat=True).first()
    available = _available_from(_midnight(first_day) if first_day else None)
    counts: list[list[int | str]] = [
        [sdc.X if _unavailable(q, available) else sum(1 for d in days if q.start <= d < q.end)]
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
    from sightline.people.models import Person

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
    from sightline.cases.models import Concern, Investigation, InvestigationPerson

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
        _unavailable(span, _available_from(first_concern)),
        _unavailable(span, _available_from(_midnight(first_opened) if first_opened else None)),
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


# --- the ledger, for the independent reviewer ----------------------------------------------------


@dataclass(frozen=True)
class EntryFilter:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def as_data(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items() if v}


def ledger_entries(filters: EntryFilter = EntryFilter()) -> QuerySet[Entry]:
    """Ledger entries matching every given filter, newest first. ``actor`` matches the user exactly;
    ``object_type`` matches exactly; ``action`` and ``object_id`` too; dates are local days."""
    integrate()
    qs = Entry.objects.defer("canonical", "leaf_hash").order_by("-index")
    if filters.actor:
        qs = qs.filter(actor_user=filters.actor.strip())
    if filters.action:
        qs = qs.filter(action=filters.action.strip())
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type.strip())
    if filters.object_id:
        qs = qs.filter(object_id=filters.object_id.strip())
    if filters.since:
        qs = qs.filter(time__gte=_midnight(filters.since))
    if filters.until:
        qs = qs.filter(time__lt=_midnight(filters.until + dt.timedelta(days=1)))
    return qs


def distinct_values(column: str, limit: int = 200) -> list[str]:
    """The values seen in a searchable column (for filter choices): actions or object types."""
    if column not in {"action", "object_type"}:
        raise ValueError(f"no choices for {column}")
    values = Entry.objects.order_by(column).values_list(column, flat=True).distinct()[:limit]
    return list(values)


def get_entry(index: int) -> Entry | None:
    integrate()
    return Entry.objects.filter(index=index).first()


@dataclass(frozen=True)
class CheckpointView:
    checkpoint: Checkpoint
    valid: bool
    problem: str = ""

    @property
    def root_b64(self) -> str:
        import base64

        return base64.b64encode(bytes(self.checkpoint.root)).decode("ascii")


def checkpoints() -> list[CheckpointView]:
    """Every stored checkpoint, newest first, with its signature checked against the signing key."""
    key = public_key()
    out = []
    for cp in Checkpoint.objects.order_by("-id"):
        try:
            parsed = note.verify_checkpoint(cp.note, key)
        except note.NoteError as exc:
            out.append(CheckpointView(cp, False, str(exc)))
            continue
        if parsed.size != cp.size or parsed.root != bytes(cp.root):
            out.append(CheckpointView(cp, False, "the signed note does not match the stored size and root"))
        else:
            out.append(CheckpointView(cp, True))
    return out


def get_checkpoint(checkpoint_id: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(pk=checkpoint_id).first()


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-id").first()
