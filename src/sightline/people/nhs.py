"""The consistent identifier: a person's NHS number with where it came from, the reason recorded when
there is none, and how complete an agency's extract is in carrying it for children.

A number is held either on an agency's source record (``data["nhs_number"]``, from an extract) or as a
``PersonIdentifier`` entered by hand; both name their agency. Numbers must pass the modulus-11 check.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sightline.access.models import Agency
from sightline.access.permissions import Cap, require_cap
from sightline.core.errors import NotFound
from sightline.ledger.services import Actor, do_create, do_update
from sightline.people.models import Extract, NhsNumberStatus, Person, PersonIdentifier, SourceRecord
from sightline.people.services import normalise_identifier, valid_nhs_number

ADULT_AGE = 18


@dataclass(frozen=True)
class NhsHolding:
    """One NHS number held for a person, and its source."""

    value: str
    agency: str
    source: str  # "extract" or "manual"
    ref: str  # the extract and record, for one from an extract


def check_nhs_number(value: str, field: str = "nhs_number") -> str:
    """The number normalised (10 digits), or a ValidationError naming the field."""
    clean = normalise_identifier(value)
    if not valid_nhs_number(clean):
        raise ValidationError(
            {field: f"{value!r} is not a valid NHS number (10 digits with a modulus-11 check digit)"}
        )
    return clean


def _age_on(data: dict[str, Any], on: dt.date) -> int | None:
    return age_from(str(data.get("date_of_birth", "")), str(data.get("estimated_age", "")), on)


@lru_cache(maxsize=65_536)
def age_from(date_of_birth: str, estimated_age: str, on: dt.date) -> int | None:
    """Age on ``on`` from a (partial) date of birth, else the estimated age (cached: an extract's
    rows share a few thousand dates of birth)."""
    dob = date_of_birth.strip()
    if len(dob) >= 4 and dob[:4].isdigit():  # a year at least
        month = int(dob[5:7]) if len(dob) >= 7 and dob[5:7].isdigit() else 1
        day = int(dob[8:10]) if len(dob) >= 10 and dob[8:10].isdigit() else 1
        return on.year - int(dob[:4]) - ((on.month, on.day) < (month, day))
    age = estimated_age.strip()
    return int(age) if age.isdigit() else None


def completeness(rows: Iterable[dict[str, Any]], on: dt.date) -> tuple[int, int]:
    """Of the person records about children (under 18 on ``on`` by date of birth or estimated age),
    how many there are and how many carry a valid NHS number."""
    children = with_nhs = 0
    for data in rows:
        age = _age_on(data, on)
        if age is None or age >= ADULT_AGE or age < 0:
            continue
        children += 1
        if valid_nhs_number(str(data.get("nhs_number", ""))):
            with_nhs += 1
    return children, with_nhs


@dataclass(frozen=True)
class AgencyCompleteness:
    """One agency's latest measured extract: its child records and how many carry an NHS number."""

    agency: str
    agency_name: str
    extract_id: str
    extracted_on: dt.date
    children: int
    with_nhs: int

    @property
    def percent(self) -> float | None:
        return 100.0 * self.with_nhs / self.children if self.children else None


def nhs_completeness_by_agency(at: dt.datetime | None = None) -> list[AgencyCompleteness]:
    """For each agency, its latest extract imported before ``at`` (default: now) that was measured
    (counts only, no person), by agency code."""
    qs = Extract.objects.filter(child_records__isnull=False)
    if at is not None:
        qs = qs.filter(imported_at__lt=at)
    names = dict(Agency.objects.values_list("id", "name"))
    latest: dict[str, AgencyCompleteness] = {}
    rows = qs.order_by("agency_id", "-imported_at", "-id").values_list(
        "agency_id", "id", "extracted_on", "child_records", "child_records_with_nhs"
    )
    for agency, pk, on, children, with_nhs in rows:
        if agency not in latest:
            name = names.get(agency, agency)
            latest[agency] = AgencyCompleteness(agency, name, pk, on, children or 0, with_nhs or 0)
    return [latest[a] for a in sorted(latest)]


def holdings(person_ids: Iterable[str]) -> list[NhsHolding]:
    """The NHS numbers held for these people (one person and those merged into them), with sources."""
    ids = list(person_ids)
    out: dict[tuple[str, str], NhsHolding] = {}
    records = SourceRecord.objects.filter(person_id__in=ids).values_list(
        "agency_id", "record_id", "extract_id", "data"
    )
    for agency, record_id, extract_id, data in records:
        value = normalise_identifier(str((data or {}).get("nhs_number", "")))
        if value and valid_nhs_number(value):
            out.setdefault((value, agency), NhsHolding(value, agency, "extract", f"{extract_id} {record_id}"))
    manual = PersonIdentifier.objects.filter(
        person_id__in=ids, scheme=PersonIdentifier.Scheme.NHS_NUMBER, active=True
    ).values_list("value", "agency_id", "source", "source_ref")
    for value, agency, source, ref in manual:
        out.setdefault((value, agency or ""), NhsHolding(value, agency or "", source, ref))
    return sorted(out.values(), key=lambda h: (h.value, h.agency))


def status_of(person_ids: Iterable[str]) -> NhsNumberStatus | None:
    """The recorded reason a person has no NHS number, unless a number has since been recorded."""
    return NhsNumberStatus.objects.filter(person_id__in=list(person_ids), resolved=False).first()


def do_record_nhs_status(
    actor: Actor, *, person_id: str, reason_code: str, note: str = ""
) -> NhsNumberStatus:
    """Record why a person has no NHS number (a new reason is a new version of the same row)."""
    require_cap(actor, Cap.RAISE_CONCERN)
    if reason_code not in NhsNumberStatus.Reason.values:
        raise ValidationError({"reason_code": f"choose one of {', '.join(NhsNumberStatus.Reason.values)}"})
    if reason_code == NhsNumberStatus.Reason.OTHER and not note.strip():
        raise ValidationError({"note": "say why there is no NHS number"})
    with transaction.atomic():
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise NotFound("No such person")
        if holdings([person.id]):
            raise ValidationError({"reason_code": "this person has an NHS number recorded"})
        agency = actor.agency if actor.role != "system" else None
        current = NhsNumberStatus.objects.select_for_update().filter(person=person).first()
        if current is None:
            return do_create(
                NhsNumberStatus(
                    person=person,
                    reason_code=reason_code,
                    note=note.strip(),
                    agency_id=agency or None,
                    recorded_by=actor.user,
                ),
                actor=actor,
            )
        current.reason_code = reason_code
        current.note = note.strip()
        current.agency_id = agency or None
        current.recorded_by = actor.user
        current.resolved = False
        return do_update(current, actor=actor, reason=note.strip())


def do_record_nhs_number(
    actor: Actor, *, person_id: str, value: str, source: str = "manual", source_ref: str = ""
) -> PersonIdentifier:
    """Record a person's NHS number with its source; a recorded reason for its absence is resolved."""
    require_cap(actor, Cap.RAISE_CONCERN)
    clean = check_nhs_number(value, "value")
    if source not in {"manual", "extract"}:
        raise ValidationError({"source": "choose manual or extract"})
    with transaction.atomic():
        person = Person.objects.filter(pk=person_id).first()
        if person is None:
            raise NotFound("No such person")
        agency = actor.agency if actor.role != "system" else None
        made = do_create(
            PersonIdentifier(
                person=person,
                scheme=PersonIdentifier.Scheme.NHS_NUMBER,
                value=clean,
                agency_id=agency or None,
                source=source,
                source_ref=source_ref.strip(),
            ),
            actor=actor,
        )
        status = NhsNumberStatus.objects.select_for_update().filter(person=person, resolved=False).first()
        if status is not None:
            status.resolved = True
            do_update(status, actor=actor, action="resolve", reason=f"NHS number recorded ({made.id})")
    return made
