"""Who an agency event names: its subject (the record it is filed under) and the people in its
``others`` cell (``record_id:role;...``, records of the same agency).

One reading for everything that counts or lists a person's events: the analysis reads ``others``
with :func:`event_others`, and the chronology and episode counts find a person's events with
:func:`named_events`, so "named in 11 police records" on an alert and the child's chronology agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from sightline.people.models import SourceEvent, SourceRecord

SUBJECT = "subject"
# Which role counts when one person is named twice in one event (the analysis keeps the same one).
ROLE_PRIORITY = ("suspect", "associate", "victim", SUBJECT, "witness", "carer", "parent", "professional")
# Roles in which an event is about the child themself (the analysis's indicators count these).
CHILD_ROLES = (SUBJECT, "victim", "associate")


def event_others(data: Mapping[str, Any] | Any) -> list[tuple[str, str]]:
    """(record_id, role) of everyone an event's ``others`` cell names, roles in lower case."""
    raw = data.get("others") if isinstance(data, Mapping) else None
    out: list[tuple[str, str]] = []
    for item in str(raw or "").split(";"):
        other, sep, role = item.strip().rpartition(":")
        if sep and other.strip():
            out.append((other.strip(), role.strip().lower()))
    return out


@dataclass(frozen=True)
class NamedEvent:
    """An event that names a person: ``role`` is ``subject`` when it is filed under one of their
    records, else the role the ``others`` cell gives them (the event is filed under someone else)."""

    event: SourceEvent
    role: str

    @property
    def filed_under_them(self) -> bool:
        return self.role == SUBJECT


def _rank(role: str) -> int:
    return ROLE_PRIORITY.index(role) if role in ROLE_PRIORITY else len(ROLE_PRIORITY)


def named_events(records: Iterable[SourceRecord]) -> list[NamedEvent]:
    """Every event that names one of these records, as subject or in ``others``, once each (the
    strongest role wins, as in the analysis), oldest first."""
    recs = list(records)
    if not recs:
        return []
    found: dict[str, NamedEvent] = {}

    def keep(ev: SourceEvent, role: str) -> None:
        held = found.get(ev.pk)
        if held is None or _rank(role) < _rank(held.role):
            found[ev.pk] = NamedEvent(ev, role)

    for ev in SourceEvent.objects.filter(record__in=[r.pk for r in recs]).select_related("record", "extract"):
        keep(ev, SUBJECT)
    ids_by_agency: dict[str, set[str]] = {}
    for r in recs:
        ids_by_agency.setdefault(r.agency_id, set()).add(r.record_id)
    # ``others`` is free text inside the row: narrow with a substring match, then read it exactly.
    match = Q()
    for agency, ids in ids_by_agency.items():
        for rid in ids:
            match |= Q(agency_id=agency, data__others__icontains=rid)
    for ev in SourceEvent.objects.filter(match).select_related("record", "extract"):
        for rid, role in event_others(ev.data):
            if rid in ids_by_agency.get(ev.agency_id, ()):
                keep(ev, role)
    return sorted(found.values(), key=lambda n: (n.event.occurred_on, n.event.agency_id, n.event.event_id))
