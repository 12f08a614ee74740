"""``sightline analyse``: feed the imported records into the analysis engine and keep what it finds.

The engine (``intelligence.analysis``) is pure; this module reads its inputs from the database and
writes its alerts, networks, places and vehicles through the ledger in one transaction. Only what
changed is written, so a re-run over the same data adds nothing. Alert status belongs to people:
a run never resets it, and a dismissed alert stays dismissed unless records or events appear
behind it that were not there when it was dismissed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from sightline.access.permissions import Cap, require_cap
from sightline.core.errors import NotFound
from sightline.intelligence.analysis import AnalysisResult, analyse
from sightline.intelligence.analysis.result import Tie
from sightline.intelligence.context import context_pairs
from sightline.intelligence.models import Alert, AnalysisRun, Network, NetworkMember, Place, Vehicle
from sightline.intelligence.selectors.link_reviews import alert_record_keys
from sightline.ledger.services import SYSTEM, Actor, do_bulk_create, do_bulk_update, do_create, do_update
from sightline.people.events import event_others
from sightline.people.linkage.impact import do_raise_at_risk_reviews, do_raise_context_reviews
from sightline.people.models import Extract, Person, SourceEvent, SourceRecord

# Columns of a person record the engine may see. Ethnicity is never among them.
RECORD_INPUTS = (
    "date_of_birth", "estimated_age", "sex", "phone", "given_name", "family_name", "description", "postcode",
)  # fmt: skip
EVENT_INPUTS = ("ended_on", "place", "postcode", "vehicle", "phone", "factors", "summary", "licence")
CSE_FACTOR = "11A"
STATUS_TRANSITIONS = {
    Alert.Status.NEW: {Alert.Status.UNDER_REVIEW, Alert.Status.ACTIONED, Alert.Status.DISMISSED},
    Alert.Status.UNDER_REVIEW: {Alert.Status.NEW, Alert.Status.ACTIONED, Alert.Status.DISMISSED},
    Alert.Status.ACTIONED: {Alert.Status.UNDER_REVIEW, Alert.Status.DISMISSED},
    Alert.Status.DISMISSED: {Alert.Status.UNDER_REVIEW},
}
Progress = Callable[[str, float], None]


class AlertStatusError(ValidationError):
    """A status change the alert does not allow, with the message on the field at fault."""


# --- ids -----------------------------------------------------------------------------------------


def object_ref(node: str) -> tuple[str, str]:
    """(member type, Sightline id) of an engine node: a person id, or place:/vehicle:/phone: key."""
    kind, sep, rest = node.partition(":")
    if sep and kind == "phone":
        return "phone", rest
    if sep and kind in ("place", "vehicle"):
        prefix = "PL" if kind == "place" else "VH"
        return kind, f"{prefix}-{hashlib.sha256(node.encode()).hexdigest()[:12].upper()}"
    return "person", node


def subject_ref(alert_kind: str, subject: str) -> str:
    if alert_kind in ("place_of_concern", "vehicle_of_concern"):
        return object_ref(subject)[1]
    return subject


# --- inputs --------------------------------------------------------------------------------------


@dataclass
class Inputs:
    records: pd.DataFrame
    events: pd.DataFrame
    event_people: pd.DataFrame
    flagged: frozenset[str]
    as_of: dt.date


def _resolved_people() -> dict[str, str]:
    """person id -> the person it was merged into, followed to the end (hand merges count)."""
    merged = dict(Person.objects.exclude(merged_into="").values_list("id", "merged_into"))
    out: dict[str, str] = {}
    for pid in merged:
        seen, cur = {pid}, merged[pid]
        while cur in merged and cur not in seen:
            seen.add(cur)
            cur = merged[cur]
        out[pid] = cur
    return out


def load_inputs(as_of: dt.date | None = None) -> Inputs:
    resolved = _resolved_people()
    rec_rows: list[dict[str, Any]] = []
    person_of: dict[str, str] = {}
    key_of: dict[str, str] = {}
    latest = None
    rows = SourceRecord.objects.values_list(
        "id", "agency_id", "record_id", "person_id", "data", "extract__extracted_on"
    ).order_by("agency_id", "record_id")
    for pk, agency, rid, person, data, extracted_on in rows.iterator(chunk_size=5000):
        key = f"{agency}:{rid}"
        key_of[pk] = key
        pid = resolved.get(person, person) if person else pk  # unlinked: its own person until `link`
        person_of[key] = pid
        latest = extracted_on if latest is None or extracted_on > latest else latest
        row = {"record_key": key, "person_id": pid, "agency": agency}
        for column in RECORD_INPUTS:
            row[column] = str(data.get(column) or "")
        rec_rows.append(row)
    records = pd.DataFrame(rec_rows, columns=["record_key", "person_id", "agency", *RECORD_INPUTS])

    ev_rows: list[dict[str, Any]] = []
    people_rows: list[tuple[str, str, str]] = []
    flagged: set[str] = set()
    erows = SourceEvent.objects.values_list("agency_id", "event_id", "record_id", "kind", "data").order_by(
        "agency_id", "event_id"
    )
    for agency, eid, record_pk, kind, data in erows.iterator(chunk_size=5000):
        key = f"{agency}:{eid}"
        subject = key_of[record_pk]
        row = {
            "event_key": key,
            "record_key": subject,
            "kind": kind,
            "occurred_on": str(data.get("occurred_on") or "").strip(),
            "agency": agency,
        }
        for column in EVENT_INPUTS:
            row[column] = str(data.get(column) or "")
        ev_rows.append(row)
        for other, role in event_others(data):
            people_rows.append((key, f"{agency}:{other}", role))
        if agency == "social_care" and CSE_FACTOR in str(data.get("factors") or "").upper().replace(
            " ", ""
        ).split(";"):
            flagged.add(person_of[subject])
    events = pd.DataFrame(
        ev_rows, columns=["event_key", "record_key", "kind", "occurred_on", "agency", *EVENT_INPUTS]
    )
    event_people = pd.DataFrame(people_rows, columns=["event_key", "record_key", "role"])
    # As of the newest extract held: the data's own date, so a re-run over the same data scores the same.
    newest = Extract.objects.aggregate(m=Max("extracted_on"))["m"]
    return Inputs(
        records, events, event_people, frozenset(flagged), as_of or newest or latest or timezone.localdate()
    )


# --- the run -------------------------------------------------------------------------------------


@dataclass
class AnalyseSummary:
    run_id: str
    as_of: dt.date
    records: int
    events: int
    alerts: int
    alerts_created: int = 0
    alerts_updated: int = 0
    alerts_reopened: int = 0
    networks: int = 0
    places: int = 0
    vehicles: int = 0
    at_risk_reviews: int = 0
    context_reviews: int = 0
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"analysis {self.run_id} as of {self.as_of}: {self.records} records, {self.events} events; "
            f"{self.alerts} alerts ({self.alerts_created} new, {self.alerts_updated} changed, "
            f"{self.alerts_reopened} dismissed alerts raised again with new evidence); "
            f"{self.networks} networks, {self.places} places, {self.vehicles} vehicles; "
            f"{self.at_risk_reviews} low-scored pairs touching children at risk and {self.context_reviews} "
            "sparse records beside a child seen with the same people open for review"
        )


def do_analyse(
    actor: Actor = SYSTEM,
    *,
    as_of: dt.date | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> tuple[AnalyseSummary, AnalysisResult]:
    """Analyse everything imported and store the alerts, networks, places and vehicles. ``now``
    (by default the clock) dates the run and the alerts it raises first."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    started = now or timezone.now()
    inputs = load_inputs(as_of)
    timings["load"] = time.perf_counter() - t0
    t = time.perf_counter()
    result = analyse(
        inputs.records, inputs.events, inputs.event_people, as_of=inputs.as_of, flagged=inputs.flagged,
        progress=progress,
    )  # fmt: skip
    timings["analyse"] = time.perf_counter() - t
    t = time.perf_counter()
    with transaction.atomic():
        run = do_create(
            AnalysisRun(
                started_at=started, as_of=inputs.as_of, records=len(inputs.records), events=len(inputs.events)
            ),
            actor=actor,
            action="analyse",
        )
        summary = AnalyseSummary(
            run.id, inputs.as_of, len(inputs.records), len(inputs.events), len(result.alerts)
        )
        summary.places = _store_objects(Place, _place_rows(result), actor)
        summary.vehicles = _store_objects(Vehicle, _vehicle_rows(result), actor)
        summary.networks = _store_networks(result, actor)
        _store_alerts(result, run.id, actor, summary, now or timezone.now())
        summary.at_risk_reviews = do_raise_at_risk_reviews(actor, record_keys=alert_record_keys())
        proposed = context_pairs(inputs.records, result.nodes, result.edge_events, inputs.as_of)
        summary.context_reviews = do_raise_context_reviews(actor, pairs=proposed)
        timings["store"] = time.perf_counter() - t
        timings.update({f"engine {k}": v for k, v in result.timings.items()})
        run.finished_at = now or timezone.now()
        run.alerts = len(result.alerts)
        run.networks = summary.networks
        run.timings = {k: round(v, 3) for k, v in timings.items()}
        do_update(run, actor=actor, action="analyse")
    summary.timings = timings
    return summary, result


def _changed(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _place_rows(result: AnalysisResult) -> dict[str, dict[str, Any]]:
    out = {}
    for row in result.places.itertuples(index=False):
        key = str(row.place_id)
        out[object_ref(key)[1]] = {
            "key": key[:300], "label": str(row.label)[:300], "score": round(float(row.score), 4),
            "n_children": int(row.n_children),
        }  # fmt: skip
    return out


def _vehicle_rows(result: AnalysisResult) -> dict[str, dict[str, Any]]:
    out = {}
    for row in result.vehicles.itertuples(index=False):
        key = str(row.vehicle_id)
        candidates = [object_ref(c)[1] for c in (row.candidates if isinstance(row.candidates, list) else [])]
        out[object_ref(key)[1]] = {
            "key": key[:64], "registration": str(row.label)[:32], "partial": "?" in key,
            "candidates": sorted(candidates), "score": round(float(row.score), 4),
            "n_children": int(row.n_children),
        }  # fmt: skip
    return out


def _store_objects(model: Any, rows: dict[str, dict[str, Any]], actor: Actor) -> int:
    existing = {o.pk: o for o in model.objects.all()}
    create, update = [], []
    for pk, values in rows.items():
        obj = existing.get(pk)
        if obj is None:
            create.append(model(id=pk, active=True, **values))
        elif _changed(obj, {**values, "active": True}):
            update.append(obj)
    for pk, obj in existing.items():
        if pk not in rows and obj.active:
            obj.active = False
            update.append(obj)
    do_bulk_create(create, actor=actor, action="analyse")
    fields = [*next(iter(rows.values()), {}).keys(), "active"] if rows else ["active"]
    do_bulk_update(update, actor=actor, fields=fields, action="analyse")
    return len(rows)


def _network_links(result: AnalysisResult, members: dict[str, set[str]]) -> dict[str, list[dict[str, Any]]]:
    """Edges between members of the same network, aggregated over events (for i2 and the UI)."""
    group_of = {node: nid for nid, nodes in members.items() for node in nodes}
    ev = result.edge_events
    if ev.empty:
        return {}
    src_group = ev["source"].map(group_of)
    same = src_group.notna() & (src_group == ev["target"].map(group_of))
    ev = ev[same].assign(network=src_group[same])
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (nid, source, target, etype), rows in ev.groupby(["network", "source", "target", "type"], sort=True):
        occurred = pd.to_datetime(rows["occurred"]).dropna()
        out[str(nid)].append(
            {
                "source": object_ref(str(source))[1],
                "target": object_ref(str(target))[1],
                "type": str(etype),
                "weight": round(float(rows["weight"].sum()), 4),
                "concerning": bool(rows["concerning"].any()),
                "kinds": sorted(set(rows["kind"]) - {""}),
                "agencies": sorted(set(rows["agency"]) - {""}),
                "events": sorted(set(rows["event_key"]) - {""}),
                "first_seen": occurred.min().date().isoformat() if len(occurred) else None,
                "last_seen": occurred.max().date().isoformat() if len(occurred) else None,
            }
        )
    return out


def _store_networks(result: AnalysisResult, actor: Actor) -> int:
    nets = result.networks
    members: dict[str, set[str]] = defaultdict(set)
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    labels = dict(zip(result.nodes["id"], result.nodes["label"], strict=True)) if len(result.nodes) else {}
    scores = dict(zip(result.nodes["id"], result.nodes["score"], strict=True)) if len(result.nodes) else {}
    for row in nets.itertuples(index=False):
        nid, node = str(row.network_id), str(row.member_id)
        members[nid].add(node)
        mtype, mid = object_ref(node)
        rows[(nid, mtype, mid)] = {"label": str(labels.get(node, mid))[:300], "role": str(row.role or "")}
    group_alerts = {a.subject_id: a for a in result.alerts if a.kind == "group"}
    names = result.groups.set_index("network_id")
    links = _network_links(result, members)
    existing = {n.pk: n for n in Network.objects.all()}
    create, update = [], []
    for nid, nodes in members.items():
        roles = [rows[(nid, *object_ref(n))]["role"] for n in nodes]
        alert = group_alerts.get(nid)
        named = names.loc[nid] if nid in names.index else None
        values = {
            "label": str(named["name"] if named is not None else nid)[:300],
            "name_without_person": str(named["name_without_person"] if named is not None else nid)[:300],
            "named_person": str(named["named_person"] if named is not None else "")[:64],
            "size": len(nodes),
            "children": roles.count("child"),
            "adults": roles.count("adult"),
            "score": round(
                float(alert.score if alert is not None else max(scores.get(n, 0.0) for n in nodes)), 4
            ),
            "links": links.get(nid, []),
            "active": True,
        }
        obj = existing.get(nid)
        if obj is None:
            create.append(Network(id=nid, **values))
        elif _changed(obj, values):
            update.append(obj)
    for pk, obj in existing.items():
        if pk not in members and obj.active:
            obj.active = False
            update.append(obj)
    do_bulk_create(create, actor=actor, action="analyse")
    do_bulk_update(
        update, actor=actor,
        fields=[
            "label", "name_without_person", "named_person", "size", "children", "adults", "score", "links",
            "active",
        ],
        action="analyse",
    )  # fmt: skip

    held = {(m.network_id, m.member_type, m.member_id): m for m in NetworkMember.objects.all()}
    mcreate, mupdate = [], []
    for key, values in rows.items():
        m = held.get(key)
        if m is None:
            mcreate.append(
                NetworkMember(network_id=key[0], member_type=key[1], member_id=key[2], active=True, **values)
            )
        elif _changed(m, {**values, "active": True}):
            mupdate.append(m)
    for key, m in held.items():
        if key not in rows and m.active:
            m.active = False
            mupdate.append(m)
    do_bulk_create(mcreate, actor=actor, action="analyse")
    do_bulk_update(mupdate, actor=actor, fields=["label", "role", "active"], action="analyse")
    return len(members)


def _evidence(record_keys: Iterable[str], event_keys: Iterable[str]) -> list[str]:
    return sorted({f"record {k}" for k in record_keys} | {f"event {k}" for k in event_keys})


def _tie(t: Tie) -> dict[str, Any]:
    kind, ident = object_ref(t.node)
    return {
        "type": kind, "id": ident, "label": t.label[:300], "score": t.score, "how": t.how,
        "events": list(t.events),
    }  # fmt: skip


def _store_alerts(
    result: AnalysisResult, run_id: str, actor: Actor, summary: AnalyseSummary, now: dt.datetime
) -> None:
    existing = {a.pk: a for a in Alert.objects.all()}
    create, update = [], []
    raised = set()
    for a in result.alerts:
        raised.add(a.alert_key)
        values: dict[str, Any] = {
            "kind": a.kind,
            "subject_id": subject_ref(a.kind, a.subject_id)[:64],
            "subject_label": (a.label or "")[:300],
            "score": round(float(a.score), 4),
            "reasons": a.reasons,
            "record_keys": sorted(set(a.record_keys)),
            "event_keys": sorted(set(a.event_keys)),
            "ties": [_tie(t) for t in a.ties],
            "confidence": a.confidence,
            "active": True,
        }
        obj = existing.get(a.alert_key)
        if obj is None:
            create.append(
                Alert(id=a.alert_key, status=Alert.Status.NEW, first_raised_at=now, last_run=run_id, **values)
            )
            continue
        changed = _changed(obj, values)
        if obj.status == Alert.Status.DISMISSED:
            new = set(_evidence(values["record_keys"], values["event_keys"])) - set(obj.dismissed_evidence)
            if new:
                obj.status = Alert.Status.NEW
                obj.status_reason = (
                    f"raised again: new since it was dismissed: {', '.join(sorted(new)[:5])}"
                    + (f" and {len(new) - 5} more" if len(new) > 5 else "")
                )
                obj.status_by = actor.user
                obj.status_at = now
                summary.alerts_reopened += 1
                changed = True
        if changed:
            obj.last_run = run_id
            update.append(obj)
    for pk, obj in existing.items():
        if pk not in raised and obj.active:
            obj.active = False
            obj.last_run = run_id
            update.append(obj)
    do_bulk_create(create, actor=actor, action="analyse")
    do_bulk_update(
        update,
        actor=actor,
        fields=[
            "kind", "subject_id", "subject_label", "score", "reasons", "record_keys", "event_keys", "ties",
            "confidence", "active",
            "status", "status_reason", "status_by", "status_at", "last_run",
        ],
        action="analyse",
    )  # fmt: skip
    summary.alerts_created = len(create)
    summary.alerts_updated = len(update) - summary.alerts_reopened


# --- people acting on alerts ---------------------------------------------------------------------


def do_set_alert_status(
    actor: Actor, *, alert_id: str, status: str, reason: str = "", now: dt.datetime | None = None
) -> Alert:
    """Move an alert on (new, under review, actioned, dismissed), by default now. Dismissing needs a
    reason."""
    require_cap(actor, Cap.MANAGE_ALERTS)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise NotFound("No such alert")
        if status not in Alert.Status.values:
            raise AlertStatusError(
                {"status": f"{status!r} is not an alert status ({', '.join(Alert.Status.values)})"}
            )
        if status == alert.status:
            raise AlertStatusError({"status": f"the alert is already {alert.get_status_display().lower()}"})
        if status not in STATUS_TRANSITIONS[Alert.Status(alert.status)]:
            raise AlertStatusError({"status": f"an alert that is {alert.status} cannot become {status}"})
        if status == Alert.Status.DISMISSED and not reason.strip():
            raise AlertStatusError({"reason": "dismissing an alert needs a reason"})
        alert.status = status
        alert.status_reason = reason.strip()
        alert.status_by = actor.user
        alert.status_at = now or timezone.now()
        if status == Alert.Status.DISMISSED:
            alert.dismissed_evidence = _evidence(alert.record_keys, alert.event_keys)
        return do_update(alert, actor=actor, action=f"alert_{status}", reason=reason.strip())
