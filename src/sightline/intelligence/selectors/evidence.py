"""What lies behind an alert, with no access check: the records and events it names, as the agencies
sent them, and its status history from the ledger. :mod:`.alerts` applies the viewer's access."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sightline.intelligence.models import Alert
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.people.models import SourceEvent, SourceRecord


@dataclass(frozen=True)
class EvidenceRecord:
    """A person record behind an alert: the agency's own id and row, and whom it is linked to."""

    key: str
    agency: str
    record_id: str
    row: int | None
    extract: str
    person_id: str | None
    name: str
    restricted: bool = False  # linked to a person outside the viewer's access


@dataclass(frozen=True)
class EvidenceEvent:
    key: str
    agency: str
    event_id: str
    row: int | None
    extract: str
    kind: str
    occurred_on: dt.date | None
    subject_key: str
    person_id: str | None
    restricted: bool = False  # about a person outside the viewer's access


def split_keys(keys: Iterable[str]) -> dict[str, list[str]]:
    """``agency:local_id`` keys grouped by agency (keys without an agency are left out)."""
    by_agency: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        agency, sep, local = str(key).partition(":")
        if sep:
            by_agency[agency].append(local)
    return by_agency


def alert_evidence(alert: Alert) -> tuple[list[EvidenceRecord], list[EvidenceEvent]]:
    """The records and events an alert names, as the agencies sent them (keys no longer held come
    back with blank rows, so nothing named is silently dropped)."""
    found_r: dict[str, EvidenceRecord] = {}
    for agency, ids in split_keys(alert.record_keys).items():
        for r in SourceRecord.objects.filter(agency_id=agency, record_id__in=ids).select_related("extract"):
            name = f"{r.given_name} {r.family_name}".strip()
            found_r[r.key] = EvidenceRecord(
                r.key, agency, r.record_id, r.row_number, r.extract.source_name, r.person_id, name
            )
    records = [
        found_r.get(k) or EvidenceRecord(k, k.partition(":")[0], k.partition(":")[2], None, "", None, "")
        for k in alert.record_keys
    ]
    found_e: dict[str, EvidenceEvent] = {}
    for agency, ids in split_keys(alert.event_keys).items():
        rows = SourceEvent.objects.filter(agency_id=agency, event_id__in=ids).select_related(
            "extract", "record"
        )
        for e in rows:
            key = f"{agency}:{e.event_id}"
            found_e[key] = EvidenceEvent(
                key, agency, e.event_id, e.row_number, e.extract.source_name, e.kind, e.occurred_on,
                e.record.key, e.record.person_id,
            )  # fmt: skip
    events = [
        found_e.get(k)
        or EvidenceEvent(k, k.partition(":")[0], k.partition(":")[2], None, "", "", None, "", None)
        for k in alert.event_keys
    ]
    events.sort(key=lambda e: (e.occurred_on or dt.date.min, e.key))
    return records, events


@dataclass(frozen=True)
class StatusChange:
    """One change of an alert's status, read from the ledger's hashed bytes."""

    index: int
    time: dt.datetime
    user: str
    role: str
    agency: str
    status: str
    reason: str

    @property
    def status_label(self) -> str:
        return str(Alert.Status(self.status).label) if self.status in Alert.Status.values else self.status


def alert_history(alert_id: str) -> list[StatusChange]:
    """Every status the alert has had, oldest first: raised, then each change by a person or a run."""
    integrate()  # PostgreSQL: sequence anything still queued, so a change just made is listed
    rows = Entry.objects.filter(
        object_type=Alert.ledger_type(), object_id=alert_id, version__isnull=False
    ).order_by("index")
    out: list[StatusChange] = []
    previous = None
    for row in rows.iterator():
        entry = json.loads(bytes(row.canonical))
        data = entry.get("data") or {}
        status = str(data.get("status") or "")
        if status == previous:
            continue
        previous = status
        actor = entry.get("actor") or {}
        out.append(
            StatusChange(
                index=row.index,
                time=row.time,
                user=str(actor.get("user", "")),
                role=str(actor.get("role", "")),
                agency=str(actor.get("agency", "")),
                status=status,
                reason=str(entry.get("reason") or data.get("status_reason") or ""),
            )
        )
    return out
