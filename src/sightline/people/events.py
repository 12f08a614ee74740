"""Who an agency event names: its subject (the record it is filed under) and the people in its
``others`` cell (``record_id:role;...``, records of the same agency).

One reading for everything that counts or lists a person's events: the analysis reads ``others``
with :func:`event_others`, and the chronology and episode counts find a person's events with
:func:`named_events`, so "named in 11 police records" on an alert and the child's chronology agree.

``named_events`` finds the events that name a record in ``others`` through ``people_event_mention``
(:class:`EventMention`), one row per record an event names, read by :func:`event_others`. It is kept
in step by the ledger's write hooks (registered in ``apps.PeopleConfig.ready``) and rebuilt after a
ledger rebuild: a substring match over every event's JSON would scan them all for each person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q

from sightline.ledger.services import copy_rows, replay
from sightline.people.models import EventMention, SourceEvent, SourceRecord

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
    match = Q()
    for agency, ids in ids_by_agency.items():
        match |= Q(agency_id=agency, record_id__in=sorted(ids))
    roles: dict[str, list[str]] = {}
    # In the order written, which is event_others' order: of two equal roles the first is kept.
    for event_pk, role in EventMention.objects.filter(match).order_by("id").values_list("event_pk", "role"):
        roles.setdefault(event_pk, []).append(role)
    events = {pk: n.event for pk, n in found.items() if pk in roles}
    unread = sorted(pk for pk in roles if pk not in events)
    if unread:
        read = SourceEvent.objects.filter(pk__in=unread).select_related("record", "extract")
        events.update((ev.pk, ev) for ev in read)
    for pk, ev in events.items():
        for role in roles[pk]:
            keep(ev, role)
    return sorted(found.values(), key=lambda n: (n.event.occurred_on, n.event.agency_id, n.event.event_id))


# --- people_event_mention ------------------------------------------------------------------------

CHUNK = 1000
# Record ids are at most this long (extract validation): a longer name in ``others`` names no record.
MAX_RECORD_ID = 200
_INSERT = "INSERT INTO people_event_mention (agency_id, record_id, event_pk, role) VALUES (%s, %s, %s, %s)"


def mentions(event: Any) -> list[tuple[str, str, str, str]]:
    """(agency, record id, event pk, role) for each record the event's ``others`` cell names."""
    seen = dict.fromkeys(
        (event.agency_id, rid, event.pk, role)
        for rid, role in event_others(event.data)
        if len(rid) <= MAX_RECORD_ID
    )
    return list(seen)


def index_events(events: Sequence[Any], created: bool) -> None:
    """Write hook for agency events: their mentions, replaced on update (a later extract may change
    an event's ``others``)."""
    rows = [row for ev in events for row in mentions(ev)]
    with connection.cursor() as cur:
        if not created:
            pks = [ev.pk for ev in events]
            for i in range(0, len(pks), CHUNK):
                chunk = pks[i : i + CHUNK]
                marks = ", ".join(["%s"] * len(chunk))
                cur.execute(f"DELETE FROM people_event_mention WHERE event_pk IN ({marks})", chunk)
        if not rows:
            return
        if connection.vendor == "postgresql" and len(rows) > 100:  # imports: COPY
            copy_rows("COPY people_event_mention (agency_id, record_id, event_pk, role) FROM STDIN", rows)
        else:
            for i in range(0, len(rows), 5000):
                cur.executemany(_INSERT, rows[i : i + 5000])


def rebuild_mentions() -> int:
    """Rebuild people_event_mention from the current events (after a ledger rebuild, a migration)."""
    with connection.cursor() as cur:
        cur.execute("DELETE FROM people_event_mention")
    return replay(index_events, SourceEvent.objects.only("id", "agency_id", "data").iterator(chunk_size=5000))
