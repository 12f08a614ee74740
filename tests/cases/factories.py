"""Hand-built case data: people, imported records and events, written through the ledger."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sightline.ledger.services import SYSTEM, do_create
from sightline.people.models import Extract, Person, SourceEvent, SourceRecord
from sightline.people.services import do_create_person


def aware(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def child(kind: str = "child", **fields: Any) -> Person:
    values = {"given_name": "Jessica", "family_name": "Walker", "date_of_birth": "2000-03-14", "sex": "F"}
    values.update(fields)
    return do_create_person(actor=SYSTEM, kind=kind, **values)


def extract(agency: str = "police", imported_at: dt.datetime | None = None) -> Extract:
    return do_create(
        Extract(
            agency_id=agency,
            source_name=f"{agency}-test",
            manifest={"format": "multi-agency-extract/1", "agency": agency},
            digest="0" * 64,
            extracted_on=dt.date(2014, 7, 1),
            imported_at=imported_at or timezone.now(),
        ),
        actor=SYSTEM,
    )


def record(
    person: Person | None,
    agency: str = "police",
    record_id: str = "POL-1",
    imported_at: dt.datetime | None = None,
    **data: Any,
) -> SourceRecord:
    ex = extract(agency, imported_at)
    row = {"record_id": record_id, **data}
    return do_create(
        SourceRecord(
            agency_id=agency,
            record_id=record_id,
            extract=ex,
            row_number=2,
            data=row,
            person=person,
            given_name=str(data.get("given_name", "")),
            family_name=str(data.get("family_name", "")),
            date_of_birth=str(data.get("date_of_birth", "")),
            postcode=str(data.get("postcode", "")),
        ),
        actor=SYSTEM,
    )


def event(
    rec: SourceRecord, kind: str, occurred_on: dt.date, event_id: str = "E1", **data: Any
) -> SourceEvent:
    return do_create(
        SourceEvent(
            agency_id=rec.agency_id,
            event_id=event_id,
            extract=rec.extract,
            row_number=2,
            record=rec,
            kind=kind,
            occurred_on=occurred_on,
            data={"event_id": event_id, "record_id": rec.record_id, "kind": kind, **data},
        ),
        actor=SYSTEM,
    )
