"""Placements: a child's placements, recording one, and its end."""

from django.http import HttpRequest
from ninja import Router, Status

from sightline.api.auth import current_actor, current_user
from sightline.api.cases.schemas.placements import PlacementEndIn, PlacementIn, PlacementOut
from sightline.api.core import Pagination, arguments, paginate
from sightline.api.people import Id
from sightline.cases import selectors, services
from sightline.cases.models import Placement

router = Router()


def _view(placement: Placement) -> selectors.PlacementView:
    return next(v for v in selectors.placements_for(placement.person_id) if v.placement.id == placement.id)


@router.get("/people/{person_id}/placements", response=list[PlacementOut], summary="A child's placements")
@paginate(Pagination)
def placements(request: HttpRequest, person_id: str = Id()) -> list[selectors.PlacementView]:
    return selectors.person_placements(current_user(request), person_id)


@router.post("/people/{person_id}/placements", response={201: PlacementOut}, summary="Record a placement")
def start_placement(
    request: HttpRequest, payload: PlacementIn, person_id: str = Id()
) -> Status[selectors.PlacementView]:
    root = selectors.require_child_access(current_user(request), person_id, "record placement")
    placement = services.do_start_placement(current_actor(request), person_id=root, **payload.dict())
    return Status(201, _view(placement))


@router.post("/placements/{placement_id}/end", response=PlacementOut, summary="End a placement")
def end_placement(
    request: HttpRequest, payload: PlacementEndIn, placement_id: str = Id()
) -> selectors.PlacementView:
    selectors.require_object_access(current_user(request), Placement, placement_id, "end placement")
    placement = services.do_end_placement(
        current_actor(request), placement_id=placement_id, **arguments(payload)
    )
    return _view(placement)
