"""Placement pages: record a looked-after child's placement, and its end."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.cases import selectors as cases
from sightline.cases import services
from sightline.web.forms import form_view
from sightline.web.forms_cases import PlacementEndForm, PlacementForm
from sightline.web.views.cases.common import actor, child, person_url


@cap_required(Cap.MANAGE_CASE)
def placement_new(request: HttpRequest, person_id: str) -> HttpResponse:
    person = child(request, person_id, "record a placement")
    return form_view(
        request,
        PlacementForm(request.POST or None, initial={"placing_authority": cases.local_authority()}),
        template="web/cases/placement_new.html",
        call=lambda cd: services.do_start_placement(
            actor(request),
            person_id=person.id,
            placement_type=cd["placement_type"],
            started_on=cd["started_on"],
            ended_on=cd.get("ended_on"),
            in_area=cd["in_area"] == "yes",
            placing_authority=cd["placing_authority"],
            provider=cd.get("provider", ""),
            postcode=cd.get("postcode", ""),
        ),
        success=lambda _: person_url(person.id, "placements"),
        message="Placement recorded.",
        context={"child": person},
    )


@cap_required(Cap.MANAGE_CASE)
def placement_end(request: HttpRequest, placement_id: str) -> HttpResponse:
    placement, person = cases.get_placement(request.user, placement_id, purpose="end a placement")
    return form_view(
        request,
        PlacementEndForm(request.POST or None, initial={"version": placement.version}),
        template="web/cases/placement_end.html",
        call=lambda cd: services.do_end_placement(
            actor(request),
            placement_id=placement.id,
            ended_on=cd["ended_on"],
            end_reason=cd["end_reason"],
            expected_version=cd.get("version"),
        ),
        success=lambda _: person_url(person.id, "placements"),
        message="Placement ended.",
        context={"placement": placement, "child": person},
    )
