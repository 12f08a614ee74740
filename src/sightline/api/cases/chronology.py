"""The chronology and task lists: a child's timeline across every agency, and my tasks or overdue
items."""

from django.http import HttpRequest
from ninja import Query, Router

from sightline.api.auth import current_user
from sightline.api.cases.schemas.chronology import (
    CaseTaskOut,
    CaseTaskParams,
    ChronologyEntryOut,
    ChronologyParams,
)
from sightline.api.core import Pagination, paginate
from sightline.api.people import Id
from sightline.cases import selectors

router = Router()


@router.get(
    "/people/{person_id}/chronology", response=list[ChronologyEntryOut], summary="A child's chronology"
)
@paginate(Pagination)
def chronology(
    request: HttpRequest, params: Query[ChronologyParams], person_id: str = Id()
) -> list[selectors.ChronologyEntry]:
    """One timeline across every agency, newest first: case work and imported agency events."""
    return selectors.chronology(current_user(request), person_id, agency=params.agency, kind=params.kind)


@router.get("/tasks", response=list[CaseTaskOut], summary="My tasks, or overdue items")
@paginate(Pagination)
def tasks(request: HttpRequest, params: Query[CaseTaskParams]) -> list[selectors.TaskItem]:
    user = current_user(request)
    return selectors.overdue_items(user) if params.which == "overdue" else selectors.my_tasks(user)
