"""Plans, recommendations and actions as pages and the board report show them: with their status,
evidence counts, overdue actions, actions awaiting sign-off and moved target dates."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from sightline.access.permissions import Cap, can
from sightline.accountability.models import (
    Action,
    ActionStatus,
    Evidence,
    Recommendation,
    ResponsePlan,
    TargetDateChange,
)
from sightline.accountability.selectors.status import (
    STATUSES,
    State,
    action_state,
    recommendation_state,
    status_counts,
    today_or,
)
from sightline.core.errors import NotFound


@dataclass(frozen=True)
class ActionView:
    action: Action
    state: State
    evidence_count: int


@dataclass(frozen=True)
class RecommendationView:
    recommendation: Recommendation
    state: State
    actions: list[ActionView]


@dataclass
class PlanView:
    plan: ResponsePlan
    recommendations: list[RecommendationView]
    counts: dict[str, int]

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        return status_counts(self.counts)


def plans() -> QuerySet[ResponsePlan]:
    return ResponsePlan.objects.order_by("-imported_at")


def get_plan(key: str) -> ResponsePlan:
    plan = ResponsePlan.objects.filter(Q(key=key) | Q(pk=key)).first()
    if plan is None:
        raise NotFound("No such plan")
    return plan


def _evidence_counts(action_ids: Iterable[str]) -> Counter[str]:
    return Counter(
        Evidence.objects.filter(action_id__in=list(action_ids), withdrawn=False).values_list(
            "action_id", flat=True
        )
    )


def _recommendation_view(
    rec: Recommendation, actions: list[Action], evidence: Counter[str], today: dt.date
) -> RecommendationView:
    return RecommendationView(
        rec,
        recommendation_state(rec, actions, today),
        [ActionView(a, action_state(a, today), evidence.get(a.id, 0)) for a in actions],
    )


def plan_view(plan: ResponsePlan, today: dt.date | None = None) -> PlanView:
    today = today_or(today)
    recs = list(plan.recommendations.order_by("position", "ref"))
    actions: dict[str, list[Action]] = defaultdict(list)
    all_actions = list(
        Action.objects.filter(recommendation__plan=plan)
        .select_related("owner_agency")
        .order_by("position", "ref")
    )
    for a in all_actions:
        actions[a.recommendation_id].append(a)
    evidence = _evidence_counts(a.id for a in all_actions)
    views = [_recommendation_view(rec, actions.get(rec.id, []), evidence, today) for rec in recs]
    counts = Counter(v.state.key for v in views)
    return PlanView(plan, views, {k: counts.get(k, 0) for k in STATUSES})


def recommendations_by_status(
    plan: ResponsePlan | None = None, today: dt.date | None = None
) -> dict[str, int]:
    """Counts of recommendations per status (every plan, or one)."""
    out = dict.fromkeys(STATUSES, 0)
    for p in [plan] if plan else list(plans()):
        for k, v in plan_view(p, today).counts.items():
            out[k] += v
    return out


def get_recommendation(recommendation_id: str, today: dt.date | None = None) -> RecommendationView:
    rec = Recommendation.objects.select_related("plan").filter(pk=recommendation_id).first()
    if rec is None:
        raise NotFound("No such recommendation")
    acts = list(rec.actions.select_related("owner_agency").order_by("position", "ref"))
    return _recommendation_view(rec, acts, _evidence_counts(a.id for a in acts), today_or(today))


def get_action(action_id: str) -> Action:
    action = (
        Action.objects.select_related("recommendation__plan", "owner_agency", "engagement_event")
        .filter(pk=action_id)
        .first()
    )
    if action is None:
        raise NotFound("No such action")
    return action


def may_view_action(viewer: Any, action: Action) -> bool:
    """The board, managers of recommendations, those who sign off, and the action's own owner."""
    role = getattr(viewer, "role", "")
    return (
        can(role, Cap.VIEW_AGGREGATE)
        or can(role, Cap.MANAGE_RECOMMENDATIONS)
        or can(role, Cap.SIGN_OFF)
        or (bool(action.owner_user) and action.owner_user == getattr(viewer, "username", None))
    )


def viewable_action(viewer: Any, action_id: str) -> Action:
    """The action, if this viewer may see it."""
    action = get_action(action_id)
    if not may_view_action(viewer, action):
        raise PermissionDenied("Your role does not allow this")
    return action


@dataclass(frozen=True)
class OverdueItem:
    action: Action
    days_overdue: int
    state: State


def overdue_actions(
    *, owner_user: str | None = None, plan: ResponsePlan | None = None, today: dt.date | None = None
) -> list[OverdueItem]:
    """Actions past their target date and not signed off as complete, most overdue first."""
    today = today_or(today)
    qs = (
        Action.objects.filter(target_date__lt=today)
        .exclude(status=ActionStatus.COMPLETE, signed_off_at__isnull=False)
        .select_related("recommendation__plan", "owner_agency")
    )
    if owner_user is not None:
        qs = qs.filter(owner_user=owner_user)
    if plan is not None:
        qs = qs.filter(recommendation__plan=plan)
    return [
        OverdueItem(a, (today - a.target_date).days, action_state(a, today))
        for a in qs.order_by("target_date", "recommendation__position", "position")
    ]


def awaiting_sign_off(*, exclude_user: str | None = None) -> list[Action]:
    """Actions marked complete that no second person has signed off (excluding ones ``exclude_user``
    marked complete, which they cannot sign off)."""
    qs = Action.objects.filter(status=ActionStatus.COMPLETE, signed_off_at__isnull=True).select_related(
        "recommendation__plan", "owner_agency"
    )
    if exclude_user:
        qs = qs.exclude(completed_by=exclude_user)
    return list(qs.order_by("completed_at"))


@dataclass(frozen=True)
class MovedDate:
    change: TargetDateChange
    plan: ResponsePlan
    what: str  # "R3" or "R3/R3.1"
    description: str

    @property
    def days_moved(self) -> int:
        return (self.change.new_date - self.change.old_date).days


def moved_target_dates(
    *, plan: ResponsePlan | None = None, since: dt.datetime | None = None
) -> list[MovedDate]:
    """Every moved target date with the old and new date, the reason, who and when (newest first)."""
    qs = TargetDateChange.objects.select_related(
        "recommendation__plan", "action__recommendation__plan"
    ).order_by("-changed_at")
    if since is not None:
        qs = qs.filter(changed_at__gte=since)
    out = []
    for c in qs:
        if c.action is not None:
            rec = c.action.recommendation
            item = MovedDate(c, rec.plan, f"{rec.ref}/{c.action.ref}", c.action.description)
        else:
            assert c.recommendation is not None
            item = MovedDate(c, c.recommendation.plan, c.recommendation.ref, c.recommendation.title)
        if plan is None or item.plan.pk == plan.pk:
            out.append(item)
    return out
