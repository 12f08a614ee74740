"""Plans: a child's plans, opening one, its actions and reviews, and closing it."""

from django.http import HttpRequest
from ninja import Router, Status

from sightline.api.auth import current_actor, current_user
from sightline.api.cases.schemas.plans import (
    CasePlanIn,
    CasePlanOut,
    PlanActionIn,
    PlanActionOut,
    PlanActionPatch,
    PlanCloseIn,
    PlanReviewIn,
    PlanReviewOut,
)
from sightline.api.core import Pagination, arguments, paginate
from sightline.api.people import Id
from sightline.cases import selectors, services
from sightline.cases.models import Plan, PlanAction, PlanReview

router = Router()


@router.get(
    "/people/{person_id}/plans",
    response=list[CasePlanOut],
    summary="A child's plans with actions and reviews",
)
@paginate(Pagination)
def plans(request: HttpRequest, person_id: str = Id()) -> list[selectors.PlanView]:
    return selectors.person_plans(current_user(request), person_id)


@router.post("/people/{person_id}/plans", response={201: CasePlanOut}, summary="Open a plan")
def create_plan(
    request: HttpRequest, payload: CasePlanIn, person_id: str = Id()
) -> Status[selectors.PlanView]:
    root = selectors.require_child_access(current_user(request), person_id, "open plan")
    plan = services.do_create_plan(current_actor(request), person_id=root, **arguments(payload))
    return Status(201, selectors.plan_view(plan))


@router.get("/plans/{plan_id}", response=CasePlanOut, summary="A plan with its actions and reviews")
def get_plan(request: HttpRequest, plan_id: str = Id()) -> selectors.PlanView:
    return selectors.get_plan(current_user(request), plan_id)


@router.post("/plans/{plan_id}/actions", response={201: PlanActionOut}, summary="Add an action to a plan")
def add_action(
    request: HttpRequest, payload: PlanActionIn, plan_id: str = Id()
) -> Status[selectors.ActionView]:
    selectors.require_object_access(current_user(request), Plan, plan_id, "add plan action")
    action = services.do_add_plan_action(current_actor(request), plan_id=plan_id, **arguments(payload))
    return Status(201, selectors.action_view(action))


@router.patch(
    "/actions/{action_id}",
    response=PlanActionOut,
    summary="Complete, cancel, reschedule or annotate an action",
)
def update_action(
    request: HttpRequest, payload: PlanActionPatch, action_id: str = Id()
) -> selectors.ActionView:
    selectors.require_object_access(current_user(request), PlanAction, action_id, "update plan action")
    action = services.do_update_plan_action(current_actor(request), action_id=action_id, **arguments(payload))
    return selectors.action_view(action)


@router.post("/plans/{plan_id}/reviews", response={201: PlanReviewOut}, summary="Record a plan review")
def review_plan(request: HttpRequest, payload: PlanReviewIn, plan_id: str = Id()) -> Status[PlanReview]:
    selectors.require_object_access(current_user(request), Plan, plan_id, "review plan")
    review = services.do_review_plan(current_actor(request), plan_id=plan_id, **arguments(payload))
    return Status(201, review)


@router.post("/plans/{plan_id}/close", response=CasePlanOut, summary="Close a plan, with a reason")
def close_plan(request: HttpRequest, payload: PlanCloseIn, plan_id: str = Id()) -> selectors.PlanView:
    selectors.require_object_access(current_user(request), Plan, plan_id, "close plan")
    plan = services.do_close_plan(current_actor(request), plan_id=plan_id, reason=payload.reason)
    return selectors.plan_view(plan)
