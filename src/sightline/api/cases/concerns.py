"""Concerns and triage: raise a concern, the triage queue (or overdue, or new), one concern, and the
triage decision."""

from django.http import HttpRequest
from ninja import Query, Router, Status

from sightline.access.permissions import Cap
from sightline.api.auth import current_actor, current_user, require
from sightline.api.cases.schemas.concerns import (
    ConcernDetailOut,
    ConcernIn,
    ConcernOut,
    TriageDecisionOut,
    TriageIn,
    TriageQueueItemOut,
    TriageQueueParams,
)
from sightline.api.core import Pagination, paginate
from sightline.api.people import Id
from sightline.cases import selectors, services
from sightline.cases.models import Concern, TriageDecision

router = Router()


@router.post("/concerns", response={201: ConcernOut}, summary="Raise a concern about a child")
def raise_concern(request: HttpRequest, payload: ConcernIn) -> Status[Concern]:
    concern = services.do_raise_concern(
        current_actor(request),
        person_id=payload.person_id,
        what_was_seen=payload.what_was_seen,
        occurred_at=payload.occurred_at,
        urgency=payload.urgency,
        place=payload.place,
        postcode=payload.postcode,
        indicators=payload.indicators,
        others=[(o.person_id, o.role) for o in payload.others],
    )
    return Status(201, concern)


@router.get(
    "/concerns", response=list[TriageQueueItemOut], summary="The triage queue (or overdue, or new concerns)"
)
@paginate(Pagination)
def concerns(request: HttpRequest, params: Query[TriageQueueParams]) -> list[selectors.QueueItem]:
    user = current_user(request)
    if params.view == "overdue":
        return selectors.overdue_triage(user)
    if params.view == "new":
        return selectors.new_concerns(user)
    return selectors.triage_queue(user)


@router.get(
    "/concerns/{concern_id}", response=ConcernDetailOut, summary="A concern with its triage decisions"
)
def get_concern(request: HttpRequest, concern_id: str = Id()) -> selectors.ConcernDetail:
    return selectors.get_concern(current_user(request), concern_id)


@router.post(
    "/concerns/{concern_id}/triage", response={201: TriageDecisionOut}, summary="Record a triage decision"
)
def triage(request: HttpRequest, payload: TriageIn, concern_id: str = Id()) -> Status[TriageDecision]:
    require(request, Cap.TRIAGE)
    selectors.require_object_access(current_user(request), Concern, concern_id, "triage")
    decision = services.do_triage_concern(
        current_actor(request),
        concern_id=concern_id,
        decision=payload.decision,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return Status(201, decision)
