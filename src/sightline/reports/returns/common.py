"""What every return shares: the period, the rules and the problems they find, and what is known of
each child (their council record id, date of birth, sex and ethnicity as the returns write them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from sightline.cases.models import Placement
from sightline.cases.selectors import local_authority
from sightline.people.models import Person, SourceEvent, SourceRecord


@dataclass(frozen=True)
class Period:
    """The return's period, both days included (a census year runs 1 April to 31 March)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"the period starts ({self.start}) after it ends ({self.end})")

    def holds(self, day: dt.date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def overlaps(self, start: dt.date, end: dt.date | None) -> bool:
        return start <= self.end and (end is None or end >= self.start)


@dataclass(frozen=True)
class Rule:
    """A validation rule. ``source``: ``DfE`` for the published rule of that code, ``Sightline`` for a
    check of its own (codes ``SL-...``). A query asks the analyst to check; an error must be fixed."""

    code: str
    message: str
    query: bool = False
    source: str = "DfE"

    @property
    def severity(self) -> str:
        return "query" if self.query else "error"


@dataclass(frozen=True)
class Problem:
    """One rule broken by one child's data. ``record`` says where to fix it: the agency record and
    event, or the case-work row."""

    rule: Rule
    person_id: str
    record: str
    detail: str = ""


@dataclass
class ReturnFile:
    name: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if not p.rule.query)


def returns_agency() -> str:
    """The agency whose extract is the council's children's social care record."""
    return str(settings.SIGHTLINE_RETURNS_AGENCY)


def full_date(text: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` date of birth; a partial one (``YYYY-MM``, ``YYYY``) is not a date."""
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def dmy(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def local_day(when: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(when) if when else None


@dataclass(frozen=True)
class Child:
    person_id: str
    name: str
    la_id: str  # the council's record id, or the Sightline person id when it has none
    has_la_id: bool
    dob: dt.date | None
    sex: str
    ethnicity: str


def children(person_ids: Iterable[str]) -> dict[str, Child]:
    """What the returns say about each person, with their record id in the council's extract."""
    ids = sorted(set(person_ids))
    la: dict[str, str] = {}
    for pid, rid in (
        SourceRecord.objects.filter(agency_id=returns_agency(), person_id__in=ids)
        .order_by("person_id", "record_id")
        .values_list("person_id", "record_id")
    ):
        la.setdefault(str(pid), rid)
    return {
        p.pk: Child(
            p.pk,
            str(p),
            la.get(p.pk, p.pk),
            p.pk in la,
            full_date(p.date_of_birth),
            p.sex,
            p.ethnicity,
        )
        for p in Person.objects.filter(pk__in=ids)
    }


# --- looked after --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Care:
    """One stretch of being looked after by this council: a placement (case work, or the council's
    own extract). ``provider``/``postcode``: where, when known."""

    start: dt.date
    end: dt.date | None
    record: str
    provider: str = ""
    postcode: str = ""


def looked_after(period: Period) -> dict[str, list[Care]]:
    """Children looked after by this council at any time in the period, each with every placement
    (in the period or not), earliest first. Children placed here by other councils are theirs to
    return, so they are not here."""
    home = local_authority().strip().lower()
    out: dict[str, list[Care]] = {}
    for p in Placement.objects.filter(placing_authority__iexact=home):
        out.setdefault(p.person_id, []).append(
            Care(p.started_on, p.ended_on, f"placement {p.id}", p.provider, p.postcode)
        )
    events = SourceEvent.objects.filter(
        agency_id=returns_agency(), kind="placement", record__person__isnull=False
    ).values_list("record__person_id", "occurred_on", "ended_on", "event_id", "record__record_id", "data")
    for pid, start, end, eid, rid, data in events:
        place = str((data or {}).get("place") or "")
        postcode = str((data or {}).get("postcode") or "")
        ref = f"{returns_agency()}:{rid} event {eid}"
        out.setdefault(str(pid), []).append(Care(start, end, ref, place, postcode))
    return {
        pid: sorted(spans, key=lambda c: (c.start, c.end or dt.date.max))
        for pid, spans in out.items()
        if any(period.overlaps(c.start, c.end) for c in spans)
    }
