"""What the analysis knows about one person, for their record and the triage of a concern about them:
the open alerts about them, what lies behind each, and the people the analysis ties to them.

The viewer must be able to open the person (need to know; the page that shows this has ledgered
that read). A role that may not see intelligence learns only how many open alerts there are, so it
can ask someone who may. People behind an alert whom the viewer may not open keep their place and
what ties them, but not their name or id. One ``read_list`` entry names the people shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q

from sightline.access.models import Agency
from sightline.access.permissions import Cap, can
from sightline.core.labels import code_label, kind_label, kinds_text, place_label
from sightline.intelligence.models import Alert, Network, NetworkMember
from sightline.intelligence.selectors.alerts import (
    OPEN_STATUSES,
    PERSON_KINDS,
    TOP_REASONS,
    AlertView,
    alert_view,
    named_groups,
    reason_lines,
    top_reasons,
)
from sightline.intelligence.selectors.evidence import split_keys
from sightline.intelligence.selectors.viewer import ledger_shown, viewer_actor
from sightline.people import need_to_know as access
from sightline.people.models import Person, SourceEvent
from sightline.people.need_to_know import visible_among
from sightline.people.selectors import person_group_ids, resolve_person_id


@dataclass(frozen=True)
class TieEvent:
    key: str  # agency:event_id
    agency_name: str
    kind_label: str
    occurred_on: dt.date | None


@dataclass(frozen=True)
class TieView:
    """Someone or something tied to the person. ``restricted``: a person the viewer may not open
    (``id`` and ``label`` blank). ``alert_id``: the open alert about a place or vehicle, if any."""

    type: str  # person, place, vehicle or phone
    id: str
    label: str
    person_kind: str  # child, adult or unknown, for people
    score: float | None
    how: str
    events: list[TieEvent]
    restricted: bool = False
    alert_id: str = ""


@dataclass(frozen=True)
class PersonAlert:
    alert: AlertView
    top_reasons: list[str]
    more_reasons: int
    ties: list[TieView]  # the adults, children, places, vehicles and phones behind it
    network_id: str = ""  # the group a group alert is about

    def _people(self, child: bool) -> list[TieView]:
        return [
            t
            for t in self.ties
            if t.type == "person" and (t.person_kind == "child") == child and not t.restricted
        ]

    @property
    def adults(self) -> list[TieView]:
        """People tied to the subject who are not known to be children."""
        return self._people(child=False)

    @property
    def children(self) -> list[TieView]:
        return self._people(child=True)

    @property
    def restricted_people(self) -> int:
        return sum(1 for t in self.ties if t.restricted)

    @property
    def places(self) -> list[TieView]:
        return [t for t in self.ties if t.type == "place"]

    @property
    def vehicles(self) -> list[TieView]:
        return [t for t in self.ties if t.type == "vehicle"]

    @property
    def phones(self) -> list[TieView]:
        return [t for t in self.ties if t.type == "phone"]


@dataclass(frozen=True)
class PersonIntelligence:
    """``shown``: the viewer's role sees intelligence; otherwise only ``open_alerts`` is filled."""

    shown: bool
    open_alerts: int
    alerts: list[PersonAlert] = field(default_factory=list)
    naming: list[AlertView] = field(default_factory=list)  # other open alerts whose ties name them
    network: list[TieView] = field(default_factory=list)  # people the analysis ties to them


def _groups_of(group: list[str]) -> list[str]:
    return list(
        NetworkMember.objects.filter(
            member_type="person", member_id__in=group, active=True, network__active=True
        ).values_list("network_id", flat=True)
    )


def _about(group: list[str], networks: list[str]) -> list[Alert]:
    """Open alerts about the person: on them, or on a group they belong to."""
    qs = Alert.objects.filter(active=True, status__in=OPEN_STATUSES)
    mine = list(qs.filter(kind__in=PERSON_KINDS, subject_id__in=group))
    mine += list(qs.filter(kind=Alert.Kind.GROUP, subject_id__in=networks))
    return sorted(mine, key=lambda a: (-a.score, a.id))


def _naming(group: list[str], exclude: set[str]) -> list[Alert]:
    """Other open alerts whose ties name the person (an adult of concern they were found with...)."""
    qs = Alert.objects.filter(active=True, status__in=OPEN_STATUSES).exclude(pk__in=exclude)
    # Ties are a JSON list. PostgreSQL finds them by containment through its GIN index
    # (intelligence.0004); SQLite narrows by a substring match. Both are then read exactly.
    match = Q()
    for pid in group:
        if connection.vendor == "postgresql":
            match |= Q(ties__contains=[{"type": "person", "id": pid}])
        else:
            match |= Q(ties__icontains=pid)
    found = []
    for alert in qs.filter(match):
        if any(t.get("type") == "person" and t.get("id") in group for t in alert.ties or []):
            found.append(alert)
    return sorted(found, key=lambda a: (-a.score, a.id))


def _event_facts(keys: Iterable[str]) -> dict[str, TieEvent]:
    names = dict(Agency.objects.values_list("pk", "name"))
    out: dict[str, TieEvent] = {}
    for agency, ids in split_keys(set(keys)).items():
        rows = SourceEvent.objects.filter(agency_id=agency, event_id__in=ids)
        for eid, kind, day in rows.values_list("event_id", "kind", "occurred_on"):
            name = names.get(agency, code_label(agency))
            out[f"{agency}:{eid}"] = TieEvent(f"{agency}:{eid}", name, kind_label(kind), day)
    return out


def _events(keys: Iterable[str], facts: dict[str, TieEvent]) -> list[TieEvent]:
    shown = [
        facts.get(k) or TieEvent(k, code_label(k.partition(":")[0]), "", None) for k in dict.fromkeys(keys)
    ]
    return sorted(shown, key=lambda e: (e.occurred_on or dt.date.min, e.key))


def _network_ties(group: list[str], networks: list[str]) -> list[dict[str, Any]]:
    """People linked to the person by a contact in their group's links, as ties."""
    ties: dict[str, dict[str, Any]] = {}
    for links in Network.objects.filter(pk__in=networks).values_list("links", flat=True):
        for link in links or []:
            if link.get("type") != "contact":
                continue
            ends = {link.get("source"), link.get("target")}
            if not ends & set(group):
                continue
            for other in ends - set(group):
                tie = ties.setdefault(str(other), {"type": "person", "id": str(other), "events": []})
                tie["events"] = sorted(set(tie["events"]) | set(link.get("events", [])))
                n = len(tie["events"])
                tie["how"] = (
                    f"together in {n} record{'' if n == 1 else 's'} ({kinds_text(link.get('kinds', []))})"
                )
    return list(ties.values())


class _Shower:
    """Turns stored ties into what this viewer may see, reading each fact once."""

    def __init__(self, user: Any, ties: list[dict[str, Any]]) -> None:
        people = {t["id"] for t in ties if t.get("type") == "person"}
        self.visible = visible_among(user, people)
        rows = Person.objects.filter(pk__in=people).values_list("pk", "kind", "given_name", "family_name")
        self.kinds = {pk: kind for pk, kind, _g, _f in rows}
        self.names = {pk: f"{g} {f}".strip() for pk, _k, g, f in rows}
        self.facts = _event_facts(k for t in ties for k in t.get("events", []))
        objects = [t["id"] for t in ties if t.get("type") in ("place", "vehicle")]
        self.object_alerts = dict(
            Alert.objects.filter(active=True, subject_id__in=objects).values_list("subject_id", "pk")
        )
        self.shown_people: set[str] = set()
        # The engine names people in reasons as "Name (P-…)": those the viewer may not open are not named.
        self.hidden = {
            f"{t.get('label')} ({t['id']})": "someone whose record you cannot open"
            for t in ties
            if t.get("type") == "person" and t.get("label") and t["id"] not in self.visible
        }

    def redact(self, text: str) -> str:
        for named, unnamed in self.hidden.items():
            text = text.replace(named, unnamed)
        return text

    def tie(self, t: dict[str, Any]) -> TieView:
        kind, ident = str(t.get("type", "")), str(t.get("id", ""))
        events = _events(t.get("events", []), self.facts)
        score = t.get("score")
        if kind != "person":
            label = place_label(t.get("label", "")) if kind == "place" else str(t.get("label") or ident)
            return TieView(
                kind, ident, label, "", score, t.get("how", ""), events,
                alert_id=self.object_alerts.get(ident, ""),
            )  # fmt: skip
        person_kind = self.kinds.get(ident, "unknown")
        if ident not in self.visible:
            return TieView(kind, "", "", person_kind, score, t.get("how", ""), events, restricted=True)
        self.shown_people.add(ident)
        label = self.names.get(ident) or str(t.get("label") or ident)
        return TieView(kind, ident, label, person_kind, score, t.get("how", ""), events)


def _merge(first: list[dict[str, Any]], extra: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Person ties from the alerts, then any others the group's links add (same person once)."""
    out = {t["id"]: dict(t) for t in first if t.get("type") == "person"}
    for t in extra:
        held = out.get(t["id"])
        if held is None:
            out[t["id"]] = t
        else:
            held["events"] = sorted(set(held.get("events", [])) | set(t["events"]))
    return list(out.values())


def person_intelligence(user: Any, person_id: str) -> PersonIntelligence:
    """Open alerts about a person and the people the analysis ties to them, as the viewer may see
    them. Raises PermissionDenied when the viewer may not open the person."""
    person_id = resolve_person_id(person_id)
    if not access.person_access(user, person_id).allowed:
        raise PermissionDenied("You cannot see this person's record")
    group = person_group_ids(person_id)
    networks = _groups_of(group)
    about = _about(group, networks)
    if not can(getattr(user, "role", ""), Cap.VIEW_INTELLIGENCE):
        return PersonIntelligence(shown=False, open_alerts=len(about))
    actor = viewer_actor(user, Cap.VIEW_INTELLIGENCE)
    naming = _naming(group, {a.id for a in about})
    own_ties = [t for a in about if a.kind in PERSON_KINDS for t in a.ties or []]
    network = _merge(own_ties, _network_ties(group, networks))
    show = _Shower(user, own_ties + network)
    groups = named_groups([*about, *naming])
    named = {g.named_person for g in groups.values() if g.named_person}
    subjects = {a.subject_id for a in naming if a.kind in PERSON_KINDS}
    visible = visible_among(user, [*group, *subjects, *named])
    alerts = [
        PersonAlert(
            alert=alert_view(a, visible, groups),
            top_reasons=top_reasons(show.redact(a.reasons)),
            more_reasons=max(len(reason_lines(a.reasons)) - TOP_REASONS, 0),
            ties=[show.tie(t) for t in a.ties or []],
            network_id=a.subject_id if a.kind == Alert.Kind.GROUP else "",
        )
        for a in about
    ]
    people = sorted((show.tie(t) for t in network), key=lambda v: (-(v.score or 0.0), v.label, v.id))
    shown_naming = [alert_view(a, visible, groups) for a in naming]
    # Named: the people tied to them, the subjects of alerts naming them, people groups are named after.
    ledger_shown(actor, f"analysis about {person_id}", show.shown_people | ((subjects | named) & visible))
    return PersonIntelligence(
        shown=True,
        open_alerts=len(about),
        alerts=alerts,
        naming=shown_naming,
        network=people,
    )
