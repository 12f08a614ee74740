"""API for analysts: ranked alerts with their evidence and status, networks as cytoscape.js
elements, the link review queue with match weights, and link decisions.

Endpoints parse input and call the same checks, services and selectors as the web pages
(``sightline.intelligence``, ``sightline.people.linkage``, ``sightline.people.need_to_know``);
what they show of people is ledgered the same way.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StringConstraints

from sightline.access.permissions import Cap
from sightline.api.auth import current_actor, current_user, require
from sightline.api.core import Pagination, paginate
from sightline.api.people import TEXT_PATTERN, Date, Id, Reason
from sightline.intelligence import selectors as intel
from sightline.intelligence.models import Alert
from sightline.intelligence.services import AlertStatusError, do_set_alert_status
from sightline.ledger.services import record_action
from sightline.people import need_to_know as access
from sightline.people import selectors as people
from sightline.people.linkage import reviews
from sightline.people.linkage.decisions import do_decide_link
from sightline.people.linkage.explain import explain_pairs
from sightline.people.linkage.records import records_by_key
from sightline.people.models import LinkDecision, LinkReview, SourceRecord

router = Router(tags=["intelligence"])

AlertKind = Literal["child_at_risk", "adult_of_concern", "place_of_concern", "vehicle_of_concern", "group"]
AlertStatus = Literal["new", "under_review", "actioned", "dismissed"]
ReviewStatus = Literal["open", "decided", "closed"]
MemberType = Literal["person", "place", "vehicle", "phone"]
RecordKey = Annotated[str, StringConstraints(min_length=3, max_length=300, pattern=TEXT_PATTERN)]
PERSON_KINDS = ("child_at_risk", "adult_of_concern")


# --- schemas -------------------------------------------------------------------------------------


class AlertOut(Schema):
    id: str
    kind: str
    subject_id: str = Field(description="person id; place, vehicle or network id for those kinds")
    subject_label: str
    score: float
    reasons: str = Field(description="human-readable, naming the records and events behind each reason")
    record_keys: list[str] = Field(description="agency:record_id of the person records behind it")
    event_keys: list[str] = Field(description="agency:event_id of the events behind it")
    status: str
    status_reason: str
    status_by: str
    status_at: dt.datetime | None
    first_raised_at: dt.datetime
    version: int
    restricted: bool = Field(
        False, description="about a person outside your access: label and reasons withheld (break-glass)"
    )


class EvidenceRecordOut(Schema):
    key: str
    agency: str
    record_id: str
    row: int | None = Field(description="row in the agency's people.csv; null if no longer held")
    person_id: str | None = Field(description="null when not linked, or outside your access")


class EvidenceEventOut(Schema):
    key: str
    agency: str
    event_id: str
    row: int | None
    kind: str
    occurred_on: dt.date | None
    subject_key: str


class StatusChangeOut(Schema):
    ledger_index: int
    time: dt.datetime
    user: str
    role: str
    status: str
    reason: str


class AlertDetailOut(Schema):
    alert: AlertOut
    records: list[EvidenceRecordOut]
    events: list[EvidenceEventOut]
    history: list[StatusChangeOut]


class AlertStatusIn(Schema):
    status: AlertStatus
    reason: Reason = Field("", description="needed to dismiss")


class AlertParams(Schema):
    kind: AlertKind | None = None
    status: AlertStatus | None = Field(None, description="default: every status but dismissed")


class NetworkOut(Schema):
    id: str
    label: str
    size: int
    children: int
    adults: int
    score: float


class GraphParams(Schema):
    since: Date | None = Field(None, description="links with an event on or after this date")
    until: Date | None = Field(None, description="links with an event on or before this date")
    kind: list[Annotated[str, StringConstraints(max_length=40, pattern=TEXT_PATTERN)]] = Field(
        default_factory=list, description="event kinds (repeat for several)"
    )
    type: list[MemberType] = Field(default_factory=list, description="member types (repeat for several)")


class NodeData(Schema):
    id: str
    label: str
    type: str
    role: str
    restricted: bool = Field(description="a person outside your access: no name, break-glass needed")


class EdgeData(Schema):
    id: str
    source: str
    target: str
    type: str
    weight: float
    concerning: bool
    kinds: list[str]
    agencies: list[str]
    events: list[str]
    first_seen: str | None
    last_seen: str | None


class NodeOut(Schema):
    data: NodeData


class EdgeOut(Schema):
    data: EdgeData


class GraphOut(Schema):
    """cytoscape.js elements (``cy.add(elements)``)."""

    network: NetworkOut
    nodes: list[NodeOut]
    edges: list[EdgeOut]


class ReviewParams(Schema):
    status: ReviewStatus = Field("open", description="open (default), decided or closed")


class LinkReviewOut(Schema):
    id: str
    record_key_l: str
    record_key_r: str
    match_probability: float
    match_weight: float
    reason: str
    status: str
    decision_id: str | None
    raised_at: dt.datetime


class FieldWeightOut(Schema):
    field: str
    comparison: str = Field(description="the level the two values reached, e.g. 'Nickname or variant'")
    match_weight: float = Field(description="bits; the prior and every field add up to the pair's weight")
    value_l: str | None
    value_r: str | None


class RecordOut(Schema):
    key: str
    agency: str
    record_id: str
    row: int
    person_id: str | None
    data: dict[str, Any] = Field(description="the record's columns as the agency sent them")


class LinkReviewDetailOut(Schema):
    review: LinkReviewOut
    left: RecordOut
    right: RecordOut
    match_weights: list[FieldWeightOut] = Field(description="empty when linkage has not run here")
    scored_by_run: bool | None


class LinkDecisionIn(Schema):
    record_key_l: RecordKey = Field(description="agency:record_id")
    record_key_r: RecordKey = Field(description="agency:record_id")
    same_person: bool
    reason: Reason = ""


class LinkDecisionOut(Schema):
    id: str
    record_key_l: str
    record_key_r: str
    same_person: bool
    reason: str
    decided_by: str
    decided_at: dt.datetime
    version: int


# --- helpers -------------------------------------------------------------------------------------


def _ledger_list(request: HttpRequest, what: str, person_ids: Iterable[str | None]) -> None:
    ids = sorted({p for p in person_ids if p})
    if ids:
        record_action(
            current_actor(request), "read_list", access.PERSON_TYPE, what, data={"people": ids}, reason=what
        )


def _visible(request: HttpRequest, person_ids: Iterable[str | None]) -> set[str]:
    wanted = {p for p in person_ids if p}
    if not wanted:
        return set()
    qs = access.visible_people(current_user(request)).filter(pk__in=wanted)
    return set(qs.values_list("pk", flat=True))


def _alert(alert_id: str) -> Alert:
    alert = intel.get_alert(alert_id)
    if alert is None:
        raise Http404("No such alert")
    return alert


def _network_out(n: Any) -> NetworkOut:
    return NetworkOut(
        id=n.id, label=n.label or n.id, size=n.size, children=n.children, adults=n.adults, score=n.score
    )


# --- alerts --------------------------------------------------------------------------------------


@router.get(
    "/alerts", response=list[AlertOut], summary="Alerts from the latest analysis, highest score first"
)
@paginate(Pagination)
def list_alerts(request: HttpRequest, params: Query[AlertParams]) -> list[AlertOut]:
    """Each alert names the records and events behind it. The people the list names are ledgered
    as read (the whole filtered list, as the case-work lists are)."""
    require(request, Cap.VIEW_INTELLIGENCE)
    statuses = (params.status,) if params.status else ("new", "under_review", "actioned")
    alerts = list(intel.alert_list(kind=params.kind or "", statuses=statuses))
    visible = _visible(request, [a.subject_id for a in alerts if a.kind in PERSON_KINDS])
    _ledger_list(request, "alerts", visible)
    return [_alert_out(a, visible) for a in alerts]


def _alert_out(alert: Alert, visible: set[str]) -> AlertOut:
    out = AlertOut.from_orm(alert)
    if alert.kind in PERSON_KINDS and alert.subject_id not in visible:
        out.subject_label, out.reasons, out.restricted = "", "", True
    return out


def _detail(request: HttpRequest, alert: Alert) -> AlertDetailOut:
    records, events = intel.alert_evidence(alert)
    subject: list[str | None] = [alert.subject_id] if alert.kind in PERSON_KINDS else []
    visible = _visible(request, [r.person_id for r in records] + [e.person_id for e in events] + subject)
    _ledger_list(request, f"alert {alert.id}", visible)
    return AlertDetailOut(
        alert=_alert_out(alert, visible),
        records=[
            EvidenceRecordOut(
                key=r.key,
                agency=r.agency,
                record_id=r.record_id,
                row=r.row,
                person_id=r.person_id if r.person_id in visible else None,
            )
            for r in records
        ],
        events=[
            EvidenceEventOut(
                key=e.key,
                agency=e.agency,
                event_id=e.event_id,
                row=e.row,
                kind=e.kind,
                occurred_on=e.occurred_on,
                subject_key=e.subject_key,
            )
            for e in events
        ],
        history=[
            StatusChangeOut(
                ledger_index=h.index, time=h.time, user=h.user, role=h.role, status=h.status, reason=h.reason
            )
            for h in intel.alert_history(alert.id)
        ],
    )


@router.get("/alerts/{alert_id}", response=AlertDetailOut, summary="An alert with its evidence and history")
def get_alert(request: HttpRequest, alert_id: str = Id()) -> AlertDetailOut:
    require(request, Cap.VIEW_INTELLIGENCE)
    return _detail(request, _alert(alert_id))


@router.post(
    "/alerts/{alert_id}/status", response=AlertDetailOut, summary="Change an alert's status (ledgered)"
)
def set_alert_status(request: HttpRequest, payload: AlertStatusIn, alert_id: str = Id()) -> AlertDetailOut:
    """new, under_review, actioned or dismissed. Dismissing needs a reason; a dismissed alert comes
    back only when new records or events appear behind it."""
    require(request, Cap.MANAGE_ALERTS)
    alert = _alert(alert_id)
    try:
        alert = do_set_alert_status(
            alert.id, payload.status, actor=current_actor(request), reason=payload.reason
        )
    except AlertStatusError as exc:
        raise HttpError(422, str(exc)) from exc
    return _detail(request, alert)


# --- networks ------------------------------------------------------------------------------------


@router.get("/networks", response=list[NetworkOut], summary="Groups from the latest analysis")
@paginate(Pagination)
def list_networks(request: HttpRequest) -> list[NetworkOut]:
    require(request, Cap.VIEW_INTELLIGENCE)
    return [_network_out(n) for n in intel.active_networks()]


@router.get("/networks/{network_id}", response=GraphOut, summary="A group as cytoscape.js elements, filtered")
def network_graph(request: HttpRequest, params: Query[GraphParams], network_id: str = Id()) -> GraphOut:
    """People outside your access come back ``restricted``, without their name. The people shown are
    ledgered as read."""
    require(request, Cap.VIEW_INTELLIGENCE)
    net = intel.get_network(network_id)
    if net is None or not net.active:
        raise Http404("No such group")
    if params.since and params.until and params.since > params.until:
        raise HttpError(422, "since must be on or before until")
    graph = intel.network_graph(
        net, since=params.since, until=params.until, kinds=params.kind, member_types=params.type
    )
    visible = _visible(request, [m.member_id for m in graph.members if m.member_type == "person"])
    _ledger_list(request, f"network {net.id}", visible)
    nodes = []
    for m in graph.members:
        restricted = m.member_type == "person" and m.member_id not in visible
        nodes.append(
            NodeOut(
                data=NodeData(
                    id=m.member_id,
                    label="" if restricted else (m.label or m.member_id),
                    type=m.member_type,
                    role=m.role,
                    restricted=restricted,
                )
            )
        )
    edges = [
        EdgeOut(
            data=EdgeData(
                id=f"{link['source']}|{link['target']}|{link['type']}",
                source=link["source"],
                target=link["target"],
                type=link["type"],
                weight=float(link.get("weight", 0)),
                concerning=bool(link.get("concerning")),
                kinds=list(link.get("kinds", [])),
                agencies=list(link.get("agencies", [])),
                events=list(link.get("events", [])),
                first_seen=link.get("first_seen"),
                last_seen=link.get("last_seen"),
            )
        )
        for link in graph.links
    ]
    return GraphOut(network=_network_out(net), nodes=nodes, edges=edges)


# --- link review ---------------------------------------------------------------------------------


@router.get("/link-reviews", response=list[LinkReviewOut], summary="Pairs linkage was unsure about")
@paginate(Pagination)
def list_link_reviews(request: HttpRequest, params: Query[ReviewParams]) -> QuerySet[LinkReview]:
    """The most uncertain pairs first (probability nearest a half)."""
    require(request, Cap.MERGE_PEOPLE)
    return reviews.review_queue(params.status)


def _record_out(r: SourceRecord) -> RecordOut:
    return RecordOut(
        key=r.key,
        agency=r.agency_id,
        record_id=r.record_id,
        row=r.row_number,
        person_id=r.person_id,
        data=dict(r.data),
    )


def _open_records(request: HttpRequest, records: Iterable[SourceRecord], purpose: str) -> None:
    user = current_user(request)
    for r in records:
        if r.person_id:
            access.require_person_access(user, people.resolve_person_id(r.person_id), purpose)
        else:
            record_action(current_actor(request), "read", SourceRecord.ledger_type(), r.pk, reason=purpose)


@router.get(
    "/link-reviews/{review_id}",
    response=LinkReviewDetailOut,
    summary="Both records of a pair and the match weight of each field",
)
def get_link_review(request: HttpRequest, review_id: str = Id()) -> LinkReviewDetailOut:
    require(request, Cap.MERGE_PEOPLE)
    review = reviews.get_link_review(review_id)
    if review is None:
        raise Http404("No such link review")
    records = records_by_key([review.record_key_l, review.record_key_r])
    left, right = records.get(review.record_key_l), records.get(review.record_key_r)
    if left is None or right is None:
        raise Http404("A record of this pair is no longer held")
    _open_records(request, [left, right], f"link review {review.id}")
    explained = explain_pairs([(left.key, right.key)]).get((review.record_key_l, review.record_key_r))
    return LinkReviewDetailOut(
        review=LinkReviewOut.from_orm(review),
        left=_record_out(left),
        right=_record_out(right),
        match_weights=[
            FieldWeightOut(
                field=f.field,
                comparison=f.level_label,
                match_weight=f.match_weight,
                value_l=f.value_l,
                value_r=f.value_r,
            )
            for f in (explained.fields if explained else ())
        ],
        scored_by_run=explained.scored_by_run if explained else None,
    )


@router.post(
    "/link-decisions",
    response={201: LinkDecisionOut},
    summary="Decide whether two records are the same person (ledgered; every later link run follows it)",
)
def decide_link(request: HttpRequest, payload: LinkDecisionIn) -> Status[LinkDecisionOut]:
    require(request, Cap.MERGE_PEOPLE)
    records = records_by_key([payload.record_key_l, payload.record_key_r])
    missing = [k for k in (payload.record_key_l, payload.record_key_r) if k not in records]
    if missing:
        raise HttpError(422, f"no record {missing[0]!r} (give agency:record_id)")
    if payload.record_key_l == payload.record_key_r:
        raise HttpError(422, "a record is always the same person as itself")
    _open_records(request, records.values(), "link decision")
    try:
        decision: LinkDecision = do_decide_link(
            current_actor(request),
            key_a=payload.record_key_l,
            key_b=payload.record_key_r,
            same_person=payload.same_person,
            reason=payload.reason,
        )
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, LinkDecisionOut.from_orm(decision))
