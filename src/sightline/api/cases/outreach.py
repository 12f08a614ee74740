"""Outreach: assign it from an alert, the outreach you work with, one outreach, each attempt, the
decision after a decline, and the funnel (counts only)."""

from collections.abc import Callable

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from sightline.api.auth import current_actor, current_user
from sightline.api.cases.schemas.outreach import (
    FunnelOut,
    FunnelParams,
    OutreachAssignIn,
    OutreachAttemptIn,
    OutreachDecisionIn,
    OutreachListParams,
    OutreachOut,
    OutreachRowOut,
)
from sightline.api.core import Pagination, arguments, paginate
from sightline.api.people import Id
from sightline.intelligence.selectors import Listing
from sightline.outreach import selectors, services

router = Router()

# What the ledgered reads of an outreach say, before and after each step
_ATTEMPT = ("record outreach attempt", "outreach attempt recorded")
_DECISION = ("outreach decision", "outreach decision recorded")


@router.get("/outreach", response=list[OutreachRowOut], summary="The outreach you work with")
@paginate(Pagination)
def outreach_list(request: HttpRequest, params: Query[OutreachListParams]) -> Listing[selectors.OutreachRow]:
    """A coordinator's every outreach; anyone else's, their team's. The children the page names are
    ledgered as read."""
    return selectors.outreach_list(current_user(request), closed=params.closed)


@router.post("/outreach", response={201: OutreachOut}, summary="Assign outreach from a child-at-risk alert")
def assign_outreach(request: HttpRequest, payload: OutreachAssignIn) -> Status[selectors.AssignmentView]:
    """The team named (and only it) becomes involved with the child, so its workers can open the record.
    A new or under-review alert is marked actioned."""
    user = current_user(request)
    selectors.assign_context(user, payload.alert_id)  # need to know on the alert's child, ledgered
    assignment = services.do_assign_outreach(
        current_actor(request),
        alert_id=payload.alert_id,
        agency=payload.agency,
        worker=payload.worker,
        note=payload.note,
    )
    return Status(201, selectors.view_of(assignment, user))


@router.get("/outreach-funnel", response=FunnelOut, summary="The outreach funnel and capacity (counts only)")
def outreach_funnel(request: HttpRequest, params: Query[FunnelParams]) -> selectors.Figures:
    return selectors.outreach_figures(current_user(request), months=params.months)


@router.get("/outreach/{assignment_id}", response=OutreachOut, summary="One outreach with its attempts")
def get_outreach(request: HttpRequest, assignment_id: str = Id()) -> selectors.AssignmentView:
    return selectors.get_assignment(current_user(request), assignment_id)


@router.post(
    "/outreach/{assignment_id}/attempts",
    response={201: OutreachOut},
    summary="Record an attempt to reach the child",
)
def record_attempt(
    request: HttpRequest, payload: OutreachAttemptIn, assignment_id: str = Id()
) -> Status[selectors.AssignmentView]:
    """A decline stops further attempts until a decision (close, or continue with a reason) is recorded."""
    return _recorded(request, assignment_id, payload, services.do_record_outreach_attempt, _ATTEMPT)


@router.post(
    "/outreach/{assignment_id}/decisions",
    response={201: OutreachOut},
    summary="Close the outreach, or continue it after a decline, with the reason",
)
def decide(
    request: HttpRequest, payload: OutreachDecisionIn, assignment_id: str = Id()
) -> Status[selectors.AssignmentView]:
    return _recorded(request, assignment_id, payload, services.do_decide_outreach, _DECISION)


def _recorded(
    request: HttpRequest,
    assignment_id: str,
    payload: Schema,
    service: Callable[..., object],
    purposes: tuple[str, str],
) -> Status[selectors.AssignmentView]:
    """Records a step on an outreach the caller can see, from the payload's fields at the version they
    saw, and returns the outreach as it now stands."""
    before, after = purposes
    user = current_user(request)
    selectors.get_assignment(user, assignment_id, before)
    service(current_actor(request), assignment_id=assignment_id, **arguments(payload))
    return Status(201, selectors.get_assignment(user, assignment_id, after))
