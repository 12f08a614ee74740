"""Reads over alerts and networks. Views and exports call these; none of them query models directly."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from sightline.intelligence.models import Alert, Network, NetworkMember


def ranked_alerts(*, include_dismissed: bool = False, kind: str | None = None) -> QuerySet[Alert]:
    """Alerts raised by the latest run, highest score first (ties by id, so the order is stable)."""
    qs = Alert.objects.filter(active=True)
    if not include_dismissed:
        qs = qs.exclude(status=Alert.Status.DISMISSED)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-score", "id")


def network_members() -> QuerySet[NetworkMember]:
    """Current members of current networks, in network, type and id order."""
    return NetworkMember.objects.filter(active=True, network__active=True).order_by(
        "network_id", "member_type", "member_id"
    )


def get_network(network_id: str) -> Network | None:
    return Network.objects.filter(pk=network_id).first()


# --- for the analysts' pages and the API (``web/views/intelligence.py``, ``api/intelligence.py``) ----
# None of these check access or ledger a read: callers do, through ``sightline.access``.


def alert_list(*, kind: str = "", statuses: Collection[str] = ()) -> QuerySet[Alert]:
    """Alerts raised by the latest run, highest score first, of a kind and statuses (any if blank)."""
    qs = Alert.objects.filter(active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if statuses:
        qs = qs.filter(status__in=list(statuses))
    return qs.order_by("-score", "id")


def get_alert(alert_id: str) -> Alert | None:
    return Alert.objects.filter(pk=alert_id).first()


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


def _split_keys(keys: Iterable[str]) -> dict[str, list[str]]:
    by_agency: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        agency, sep, local = str(key).partition(":")
        if sep:
            by_agency[agency].append(local)
    return by_agency


def alert_evidence(alert: Alert) -> tuple[list[EvidenceRecord], list[EvidenceEvent]]:
    """The records and events an alert names, as the agencies sent them (keys no longer held come
    back with blank rows, so nothing named is silently dropped)."""
    from sightline.people.models import SourceEvent, SourceRecord

    found_r: dict[str, EvidenceRecord] = {}
    for agency, ids in _split_keys(alert.record_keys).items():
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
    for agency, ids in _split_keys(alert.event_keys).items():
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
    from sightline.ledger.models import Entry
    from sightline.ledger.services import integrate

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


def active_networks() -> QuerySet[Network]:
    return Network.objects.filter(active=True).order_by("-score", "id")


@dataclass
class NetworkGraph:
    """A group's members and the links among them that survive the filters (``links`` rows are
    ``Network.links`` items, with ``events`` narrowed to the events in range)."""

    network: Network
    members: list[NetworkMember]
    links: list[dict[str, Any]]
    event_kinds: list[str]
    member_types: list[str]


def network_graph(
    network: Network,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    kinds: Collection[str] = (),
    member_types: Collection[str] = (),
) -> NetworkGraph:
    """The group filtered by time (events on or between the dates), event kind and member type.

    A link stays when one of its events passes the filters; links that rest on no event (a partial
    registration that may be a full one) stay while both ends do. With a time or kind filter, only
    members touching a remaining link are kept."""
    from sightline.people.models import SourceEvent

    members = list(network.members.filter(active=True).order_by("member_type", "label", "member_id"))
    all_types = sorted({m.member_type for m in members})
    if member_types:
        members = [m for m in members if m.member_type in set(member_types)]
    ids = {m.member_id for m in members}
    links = [dict(link) for link in network.links or [] if link["source"] in ids and link["target"] in ids]
    keys = {k for link in links for k in link.get("events", [])}
    when: dict[str, tuple[str, dt.date]] = {}
    for agency, local in _split_keys(keys).items():
        for eid, kind, occurred in SourceEvent.objects.filter(
            agency_id=agency, event_id__in=local
        ).values_list("event_id", "kind", "occurred_on"):
            when[f"{agency}:{eid}"] = (kind, occurred)
    all_kinds = sorted({k for k, _d in when.values()})
    filtered = bool(since or until or kinds)
    kept: list[dict[str, Any]] = []
    for link in links:
        events = list(link.get("events", []))
        if filtered and events:
            events = [
                k
                for k in events
                if k in when
                and (not kinds or when[k][0] in kinds)
                and (since is None or when[k][1] >= since)
                and (until is None or when[k][1] <= until)
            ]
            if not events:
                continue
            dates = sorted(when[k][1] for k in events)
            link.update(
                events=events,
                kinds=sorted({when[k][0] for k in events}),
                first_seen=dates[0].isoformat(),
                last_seen=dates[-1].isoformat(),
            )
        kept.append(link)
    if filtered:
        touched = {link["source"] for link in kept} | {link["target"] for link in kept}
        members = [m for m in members if m.member_id in touched]
    return NetworkGraph(network, members, kept, all_kinds, all_types)
