"""API for analysts: ranked alerts with their evidence and status, networks as cytoscape.js
elements, the link review queue with match weights, and link decisions.

Endpoints parse input, call the intelligence selectors and services, and shape the answer. What a
user may see, and the ledgering of what is shown, is decided in ``sightline.intelligence.selectors``
for the API and the web pages alike.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import StringConstraints

from sightline.api.auth import current_actor, current_user
from sightline.api.core import Pagination, paginate
from sightline.api.people import TEXT_PATTERN, Date, Id, ObjectId, Reason
from sightline.core.errors import NotFound
from sightline.intelligence import selectors as intel
from sightline.intelligence.services import do_set_alert_status
from sightline.people.linkage.decisions import do_decide_link, do_decide_links
from sightline.people.linkage.explain import PairExplanation
from sightline.people.models import LinkDecision, LinkReview, SourceRecord

router = Router(tags=["intelligence"])

AlertKind = Literal["child_at_risk", "adult_of_concern", "place_of_concern", "vehicle_of_concern", "group"]
AlertStatus = Literal["new", "under_review", "actioned", "dismissed"]
ReviewStatus = Literal["open", "decided", "closed"]
MemberType = Literal["person", "place", "vehicle", "phone"]
RecordKey = Annotated[str, StringConstraints(min_length=3, max_length=300, pattern=TEXT_PATTERN)]


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
    confidence: str = Field(
        "",
        description="child alerts: strong, moderate or limited, from the records tying the child to adults "
        "of concern; blank for other kinds",
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


class Position(Schema):
    x: float = Field(description="0 to 1 along the picture's longer side")
    y: float


class NodeOut(Schema):
    data: NodeData
    position: Position = Field(description="where the web page draws it: the same group, the same picture")


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
    group: str = Field(description="the review group this pair belongs to; empty when none")
    group_kind: str = Field(description="household or people; empty when none")
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
    data: dict[str, Any] = Field(
        description="the record's columns as the agency sent them; for an encoded record only what it "
        "sent plain (its reference, sex, how much of the date of birth is known, columns it kept)"
    )
    encoded: bool = Field(False, description="the agency sent the record encoded (docs/pprl.md)")
    encoded_fields: list[str] = Field(
        default_factory=list, description="for an encoded record, the fields it holds encoded"
    )


class LinkReviewDetailOut(Schema):
    review: LinkReviewOut
    left: RecordOut
    right: RecordOut
    match_weights: list[FieldWeightOut] = Field(
        description="empty when linkage has not run here, or for a pair with an encoded record that its "
        "agreement's run did not compare"
    )
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


# --- alerts --------------------------------------------------------------------------------------


@router.get(
    "/alerts", response=list[AlertOut], summary="Alerts from the latest analysis, highest score first"
)
@paginate(Pagination)
def list_alerts(request: HttpRequest, params: Query[AlertParams]) -> intel.Listing[intel.AlertView]:
    """Each alert names the records and events behind it. The people the page names are ledgered
    as read (the page returned, as on the web)."""
    statuses = (params.status,) if params.status else intel.OPEN_STATUSES
    return intel.alert_list(current_user(request), kind=params.kind or "", statuses=statuses)


def _detail(request: HttpRequest, alert_id: str) -> AlertDetailOut:
    detail = intel.alert_detail(current_user(request), alert_id)
    return AlertDetailOut(
        alert=AlertOut.from_orm(detail.alert),
        records=[EvidenceRecordOut.from_orm(r) for r in detail.records],
        events=[EvidenceEventOut.from_orm(e) for e in detail.events],
        history=[
            StatusChangeOut(
                ledger_index=h.index, time=h.time, user=h.user, role=h.role, status=h.status, reason=h.reason
            )
            for h in detail.history
        ],
    )


@router.get("/alerts/{alert_id}", response=AlertDetailOut, summary="An alert with its evidence and history")
def get_alert(request: HttpRequest, alert_id: str = Id()) -> AlertDetailOut:
    """The people its evidence names are ledgered as read, and the person it is about as opened."""
    return _detail(request, alert_id)


@router.post(
    "/alerts/{alert_id}/status", response=AlertDetailOut, summary="Change an alert's status (ledgered)"
)
def set_alert_status(request: HttpRequest, payload: AlertStatusIn, alert_id: str = Id()) -> AlertDetailOut:
    """new, under_review, actioned or dismissed. Dismissing needs a reason; a dismissed alert comes
    back only when new records or events appear behind it."""
    do_set_alert_status(
        current_actor(request), alert_id=alert_id, status=payload.status, reason=payload.reason
    )
    return _detail(request, alert_id)


# --- networks ------------------------------------------------------------------------------------


@router.get("/networks", response=list[NetworkOut], summary="Groups from the latest analysis")
@paginate(Pagination)
def list_networks(request: HttpRequest) -> intel.Listing[intel.NetworkSummary]:
    return intel.networks(current_user(request))


@router.get("/networks/{network_id}", response=GraphOut, summary="A group as cytoscape.js elements, filtered")
def network_graph(request: HttpRequest, params: Query[GraphParams], network_id: str = Id()) -> GraphOut:
    """People outside your access come back ``restricted``, without their name. The people shown are
    ledgered as read."""
    if params.since and params.until and params.since > params.until:
        raise HttpError(422, "since must be on or before until")
    view = intel.network_view(
        current_user(request),
        network_id,
        since=params.since,
        until=params.until,
        kinds=params.kind,
        member_types=params.type,
    )
    nodes = [
        NodeOut(
            data=NodeData(
                id=m.member_id, label=m.label, type=m.member_type, role=m.role, restricted=m.restricted
            ),
            position=Position(x=view.positions[m.member_id][0], y=view.positions[m.member_id][1]),
        )
        for m in view.members
    ]
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
        for link in view.links
    ]
    return GraphOut(network=NetworkOut.from_orm(view.network), nodes=nodes, edges=edges)


# --- link review ---------------------------------------------------------------------------------


@router.get("/link-reviews", response=list[LinkReviewOut], summary="Pairs linkage was unsure about")
@paginate(Pagination)
def list_link_reviews(request: HttpRequest, params: Query[ReviewParams]) -> intel.Listing[LinkReview]:
    """The most uncertain pairs first (probability nearest a half). The people the page's records are
    linked to are ledgered as read."""
    return intel.link_review_list(current_user(request), status=params.status).map(lambda row: row.review)


def _record_out(r: SourceRecord, encoded: frozenset[str] | None = None) -> RecordOut:
    """A record as its agency sent it. Of an encoded one, no filter or digest: not even the digest of
    its encodings the record keeps (``data.encoded``)."""
    is_encoded = intel.is_encoded(r)
    return RecordOut(
        key=r.key,
        agency=r.agency_id,
        record_id=r.record_id,
        row=r.row_number,
        person_id=r.person_id,
        data={k: v for k, v in r.data.items() if not (is_encoded and k == "encoded")},
        encoded=is_encoded,
        encoded_fields=sorted(encoded or ()),
    )


@router.get(
    "/link-reviews/{review_id}",
    response=LinkReviewDetailOut,
    summary="Both records of a pair and the match weight of each field",
)
def get_link_review(request: HttpRequest, review_id: str = Id()) -> LinkReviewDetailOut:
    """Both records are opened: need to know applies to each, and each read is ledgered."""
    pair = intel.link_review(current_user(request), review_id)
    return _pair_out(pair, intel.pair_weights(pair))


@router.post(
    "/link-decisions",
    response={201: LinkDecisionOut},
    summary="Decide whether two records are the same person (ledgered; every later link run follows it)",
)
def decide_link(request: HttpRequest, payload: LinkDecisionIn) -> Status[LinkDecisionOut]:
    """Both records are opened first, as on the review page: need to know applies to each."""
    try:
        intel.open_records(
            current_user(request), [payload.record_key_l, payload.record_key_r], purpose="link decision"
        )
    except NotFound as exc:  # a record named in the body, not in the path
        raise HttpError(422, str(exc)) from exc
    decision: LinkDecision = do_decide_link(
        current_actor(request),
        key_a=payload.record_key_l,
        key_b=payload.record_key_r,
        same_person=payload.same_person,
        reason=payload.reason,
    )
    return Status(201, LinkDecisionOut.from_orm(decision))


class LinkReviewGroupOut(Schema):
    id: str
    kind: str = Field(description="household or people")
    label: str
    waiting: list[LinkReviewDetailOut] = Field(description="open pairs; match_weights are left empty")
    decided: list[LinkReviewDetailOut]


class LinkGroupDecisionIn(Schema):
    same_person: bool
    reason: Reason = ""
    review_ids: list[ObjectId] | None = Field(
        None, description="the waiting pairs this decision is for; all when left out", max_length=10_000
    )


def _pair_out(pair: intel.LinkReviewPair, explained: PairExplanation | None = None) -> LinkReviewDetailOut:
    """A pair with both records and, when ``explained`` (``intel.pair_weights``), each field's weight."""
    return LinkReviewDetailOut(
        review=LinkReviewOut.from_orm(pair.review),
        left=_record_out(pair.left, pair.encoded_l),
        right=_record_out(pair.right, pair.encoded_r),
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


@router.get(
    "/link-review-groups/{group_id}",
    response=LinkReviewGroupOut,
    summary="The pairs of a review group, to decide at once",
)
def get_link_review_group(request: HttpRequest, group_id: str = Id()) -> LinkReviewGroupOut:
    """Every record of the group is opened: need to know applies to each, and each read is ledgered."""
    group = intel.link_review_group(current_user(request), group_id)
    return LinkReviewGroupOut(
        id=group.id,
        kind=group.kind,
        label=group.label,
        waiting=[_pair_out(p) for p in group.waiting],
        decided=[_pair_out(p) for p in group.decided],
    )


@router.post(
    "/link-review-groups/{group_id}/decision",
    response={201: list[LinkDecisionOut]},
    summary="Decide the waiting pairs of a review group at once (ledgered; all or none)",
)
def decide_link_group(
    request: HttpRequest, payload: LinkGroupDecisionIn, group_id: str = Id()
) -> Status[list[LinkDecisionOut]]:
    """The group's records are opened first, as on its page. Naming a pair that is not waiting in
    this group is refused, and nothing is decided."""
    group = intel.link_review_group(current_user(request), group_id)
    waiting = {p.review.id: p for p in group.waiting}
    wanted = list(waiting) if payload.review_ids is None else list(dict.fromkeys(payload.review_ids))
    stray = [pk for pk in wanted if pk not in waiting]
    if stray:
        raise HttpError(422, f"review {stray[0]} is not waiting in this group")
    if not wanted:
        raise HttpError(409, "No pair of this group is waiting for a decision")
    made = do_decide_links(
        current_actor(request),
        pairs=[(waiting[pk].left.key, waiting[pk].right.key) for pk in wanted],
        same_person=payload.same_person,
        reason=payload.reason,
    )
    return Status(201, [LinkDecisionOut.from_orm(d) for d in made])
