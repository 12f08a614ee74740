"""Plans: a child's plans with their actions (overdue or not) and reviews."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sightline.cases.models import Plan, PlanAction, PlanReview
from sightline.cases.selectors.access_hooks import require_child_access
from sightline.cases.selectors.clock import today
from sightline.core.errors import NotFound
from sightline.people.selectors import person_group_ids


@dataclass(frozen=True)
class ActionView:
    action: PlanAction
    overdue: bool


@dataclass(frozen=True)
class PlanView:
    plan: Plan
    actions: list[ActionView]
    reviews: list[PlanReview]
    review_overdue: bool

    @property
    def overdue_actions(self) -> int:
        return sum(1 for a in self.actions if a.overdue)


def action_overdue(action: PlanAction, today: dt.date) -> bool:
    return action.status == PlanAction.Status.OPEN and action.due_on < today


def action_view(action: PlanAction, *, now: dt.datetime | None = None) -> ActionView:
    return ActionView(action, action_overdue(action, today(now)))


def plan_view(plan: Plan, *, now: dt.datetime | None = None) -> PlanView:
    on = today(now)
    actions = list(plan.actions.select_related("owner_agency").order_by("due_on", "created_at"))
    return PlanView(
        plan=plan,
        actions=[ActionView(a, action_overdue(a, on)) for a in actions],
        reviews=list(plan.reviews.order_by("-reviewed_on")),
        review_overdue=plan.status == Plan.Status.OPEN and plan.review_due_on < on,
    )


def plans_for(person_id: str, *, now: dt.datetime | None = None) -> list[PlanView]:
    plans = Plan.objects.filter(person_id__in=person_group_ids(person_id)).order_by("status", "-created_at")
    return [plan_view(p, now=now) for p in plans]


def person_plans(user: Any, person_id: str, *, now: dt.datetime | None = None) -> list[PlanView]:
    root = require_child_access(user, person_id, "plans")
    return plans_for(root, now=now)


def get_plan(user: Any, plan_id: str, *, now: dt.datetime | None = None) -> PlanView:
    plan = Plan.objects.select_related("person").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound("No such plan")
    require_child_access(user, plan.person_id, f"plan {plan_id}")
    return plan_view(plan, now=now)


def get_action(user: Any, action_id: str, *, now: dt.datetime | None = None) -> tuple[PlanAction, PlanView]:
    """A plan action and its plan, after the need-to-know check on the plan's child (ledgered)."""
    action = PlanAction.objects.filter(pk=action_id).first()
    if action is None:
        raise NotFound("No such action")
    return action, get_plan(user, action.plan_id, now=now)
