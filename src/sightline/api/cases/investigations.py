"""Investigations and self-referrals: operations (no people named in the list), one in full, linking
victims and suspects, suspect status, closing, and victims coming forward (counts per week)."""

from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from sightline.access.permissions import Cap
from sightline.api.auth import current_actor, current_user, require
from sightline.api.cases.schemas.investigations import (
    InvestigationCloseIn,
    InvestigationDetailOut,
    InvestigationIn,
    InvestigationLinkIn,
    InvestigationLinkOut,
    InvestigationOut,
    SelfReferralIn,
    SelfReferralOut,
    SuspectStatusIn,
    SuspectStatusOut,
    WeeklyCountOut,
    WeekRangeParams,
)
from sightline.api.core import Pagination, paginate
from sightline.api.people import Id
from sightline.cases import selectors, services
from sightline.cases.models import Investigation, InvestigationPerson, SelfReferral, SuspectStatus
from sightline.core.errors import NotFound

router = Router()

# The longest span of weeks one request may count (about ten years).
MAX_WEEKLY_SPAN_DAYS = 3700


def _require_investigation(investigation_id: str) -> None:
    # Before the person's need-to-know check, so an unknown operation is a 404 whoever is named.
    if not Investigation.objects.filter(pk=investigation_id).exists():
        raise NotFound("No such investigation")


@router.get("/investigations", response=list[InvestigationOut], summary="Investigations (no people named)")
@paginate(Pagination)
def investigations(
    request: HttpRequest, status: Literal["", "open", "closed"] = ""
) -> QuerySet[Investigation]:
    return selectors.investigations(current_user(request), status=status)


@router.post("/investigations", response={201: InvestigationOut}, summary="Open an investigation")
def open_investigation(request: HttpRequest, payload: InvestigationIn) -> Status[Investigation]:
    return Status(201, services.do_open_investigation(current_actor(request), **payload.dict()))


@router.get("/investigations/{investigation_id}", response=InvestigationDetailOut, summary="An investigation")
def get_investigation(request: HttpRequest, investigation_id: str = Id()) -> selectors.InvestigationView:
    return selectors.get_investigation(current_user(request), investigation_id)


@router.post(
    "/investigations/{investigation_id}/people",
    response={201: InvestigationLinkOut},
    summary="Link a victim or suspect",
)
def link_person(
    request: HttpRequest, payload: InvestigationLinkIn, investigation_id: str = Id()
) -> Status[InvestigationPerson]:
    user = require(request, Cap.INVESTIGATE)
    _require_investigation(investigation_id)
    selectors.require_child_access(user, payload.person_id, "link to investigation")
    link = services.do_link_investigation_person(
        current_actor(request),
        investigation_id=investigation_id,
        person_id=payload.person_id,
        role=payload.role,
    )
    return Status(201, link)


@router.post(
    "/investigations/{investigation_id}/suspects/{person_id}/status",
    response={201: SuspectStatusOut},
    summary="Add a step to a suspect's status history",
)
def suspect_status(
    request: HttpRequest, payload: SuspectStatusIn, investigation_id: str = Id(), person_id: str = Id()
) -> Status[SuspectStatus]:
    user = require(request, Cap.INVESTIGATE)
    _require_investigation(investigation_id)
    selectors.require_child_access(user, person_id, "suspect status")
    status = services.do_record_suspect_status(
        current_actor(request), investigation_id=investigation_id, person_id=person_id, **payload.dict()
    )
    return Status(201, status)


@router.post(
    "/investigations/{investigation_id}/close", response=InvestigationOut, summary="Close an investigation"
)
def close_investigation(
    request: HttpRequest, payload: InvestigationCloseIn, investigation_id: str = Id()
) -> Investigation:
    require(request, Cap.INVESTIGATE)
    return services.do_close_investigation(
        current_actor(request),
        investigation_id=investigation_id,
        closed_on=payload.closed_on,
        reason=payload.reason,
    )


@router.post("/self-referrals", response={201: SelfReferralOut}, summary="Record a victim coming forward")
def self_referral(request: HttpRequest, payload: SelfReferralIn) -> Status[SelfReferral]:
    return Status(201, services.do_record_self_referral(current_actor(request), **payload.dict()))


@router.get(
    "/self-referrals/weekly",
    response=list[WeeklyCountOut],
    summary="Victims coming forward per week (counts only)",
)
@paginate(Pagination)
def self_referrals_weekly(request: HttpRequest, params: Query[WeekRangeParams]) -> list[dict[str, object]]:
    require(request, Cap.VIEW_AGGREGATE, Cap.INVESTIGATE)
    if params.end < params.start or (params.end - params.start).days > MAX_WEEKLY_SPAN_DAYS:
        raise ValidationError({"end": "end must be on or after start, and within ten years of it"})
    weeks = selectors.self_referrals_per_week(params.start, params.end)
    return [{"week_starting": week, "count": count} for week, count in weeks]
