"""Screening: the indicator set in use, a child's screenings, completing a screening, and whether a
re-screen is due."""

from django.http import HttpRequest
from ninja import Router, Status

from sightline.access.permissions import Cap
from sightline.api.auth import current_actor, current_user, require
from sightline.api.cases.schemas.screenings import IndicatorSetOut, RescreenOut, ScreeningIn, ScreeningOut
from sightline.api.core import Pagination, paginate
from sightline.api.people import Id
from sightline.cases import screening as tool
from sightline.cases import selectors, services

router = Router()


@router.get("/indicators", response=IndicatorSetOut, summary="The screening indicator set in use")
def indicator_set(request: HttpRequest) -> tool.IndicatorSet:
    return tool.default_indicator_set()


@router.get(
    "/people/{person_id}/screenings",
    response=list[ScreeningOut],
    summary="A child's screenings, newest first",
)
@paginate(Pagination)
def screenings(request: HttpRequest, person_id: str = Id()) -> list[selectors.ScreeningView]:
    return selectors.screening_history(current_user(request), person_id)


@router.post("/people/{person_id}/screenings", response={201: ScreeningOut}, summary="Complete a screening")
def screen(
    request: HttpRequest, payload: ScreeningIn, person_id: str = Id()
) -> Status[selectors.ScreeningView]:
    require(request, Cap.SCREEN)
    root = selectors.require_child_access(current_user(request), person_id, "screening")
    s = services.do_complete_screening(
        current_actor(request),
        person_id=root,
        answers={code: a.dict() for code, a in payload.answers.items()},
        override_band=payload.override_band,
        override_reason=payload.override_reason,
        notes=payload.notes,
        concern_id=payload.concern_id,
    )
    return Status(201, selectors.screening_view(s, tool.default_indicator_set()))


@router.get(
    "/people/{person_id}/rescreen", response=RescreenOut, summary="Whether a re-screen is due, and why"
)
def rescreen(request: HttpRequest, person_id: str = Id()) -> selectors.RescreenDue | RescreenOut:
    root = selectors.require_child_access(current_user(request), person_id, "re-screen status")
    return selectors.rescreen_due_for(root) or RescreenOut.not_due(root)


@router.get("/rescreens-due", response=list[RescreenOut], summary="Children due a re-screen that you may see")
@paginate(Pagination)
def rescreens_due(request: HttpRequest) -> list[selectors.RescreenDue]:
    return selectors.rescreens_due(current_user(request))
