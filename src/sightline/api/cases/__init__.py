"""API for case work: concerns and triage, screenings, plans, episodes and return interviews,
placements, investigations, self-referrals, the chronology and task lists, outreach, sharing
decisions and section 47 workspaces.

Endpoints only parse input, check need to know with ``cases.selectors.require_child_access`` /
``require_object_access`` (ledgered, the same calls the web pages make), and call the same services
and selectors as the web pages. Lists are paginated (``limit``/``offset``); errors are problem+json.
The request and response shapes are in ``schemas``; each other module holds one area's endpoints.
"""

from ninja import Router

from sightline.api.cases import (
    chronology,
    concerns,
    episodes,
    investigations,
    outreach,
    placements,
    plans,
    screenings,
    sharing,
)

router = Router(tags=["cases"])
for _area in (
    concerns,
    screenings,
    plans,
    episodes,
    placements,
    investigations,
    chronology,
    outreach,
    sharing,
):
    # Keep the operation ids clients generated code from when the endpoints were one module.
    for _path in _area.router.path_operations.values():
        for _operation in _path.operations:
            _operation.operation_id = f"sightline_api_cases_{_operation.view_func.__name__}"
    router.add_router("", _area.router)

__all__ = ["router"]
