"""Plans: opening a plan for a child, its actions (added, completed, cancelled, rescheduled), its
reviews, and closing it with a reason."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.access.models import User
from sightline.access.permissions import Cap, require_cap
from sightline.cases.models import Plan, PlanAction, PlanReview
from sightline.cases.services import checks
from sightline.ledger.services import Actor, check_version, do_create, do_update, locked


def do_create_plan(
    actor: Actor,
    *,
    person_id: str,
    title: str,
    review_due_on: dt.date,
    summary: str = "",
    now: dt.datetime | None = None,
) -> Plan:
    require_cap(actor, Cap.MANAGE_CASE)
    checks.dates(review_due_on=review_due_on)
    checks.required({"title": title, "review_due_on": review_due_on})
    now = checks.utc(now)
    child = checks.child(person_id)
    with transaction.atomic():
        agency = checks.actor_agency(actor)
        plan = do_create(
            Plan(
                person=child,
                title=title.strip(),
                summary=summary.strip(),
                agency=agency,
                created_by=actor.user,
                created_at=now,
                review_due_on=review_due_on,
            ),
            actor=actor,
        )
    return plan


def _open_plan(plan_id: str) -> Plan:
    plan = locked(Plan, plan_id)
    if plan.status != Plan.Status.OPEN:
        raise ValidationError({"__all__": "this plan is closed"})
    return plan


def do_add_plan_action(
    actor: Actor,
    *,
    plan_id: str,
    description: str,
    owner_agency: str,
    due_on: dt.date,
    owner_user: str = "",
    now: dt.datetime | None = None,
) -> PlanAction:
    """Add an action to a plan, owned by an agency and optionally a named user of that agency."""
    require_cap(actor, Cap.MANAGE_CASE)
    checks.dates(due_on=due_on)
    checks.required({"description": description, "owner_agency": owner_agency, "due_on": due_on})
    now = checks.utc(now)
    agency = checks.agency(owner_agency, "owner_agency")
    if owner_user:
        owner = User.objects.filter(username=owner_user).first()
        if owner is None:
            raise ValidationError({"owner_user": f"there is no user {owner_user!r}"})
        if owner.agency_id != agency.id:
            raise ValidationError({"owner_user": f"{owner_user} does not work for {agency.name}"})
    with transaction.atomic():
        plan = _open_plan(plan_id)
        action = do_create(
            PlanAction(
                plan=plan,
                description=description.strip(),
                owner_agency=agency,
                owner_user=owner_user,
                due_on=due_on,
                created_by=actor.user,
                created_at=now,
            ),
            actor=actor,
        )
    return action


def do_update_plan_action(
    actor: Actor,
    *,
    action_id: str,
    status: str | None = None,
    due_on: dt.date | None = None,
    note: str | None = None,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> PlanAction:
    """Complete, cancel or reschedule an action. Moving a due date or cancelling needs a reason."""
    require_cap(actor, Cap.MANAGE_CASE)
    checks.dates(due_on=due_on)
    now = checks.utc(now)
    with transaction.atomic():
        action = locked(PlanAction, action_id)
        check_version(action, expected_version)
        if status is not None:
            checks.choice(status, PlanAction.Status.values, "status")
            if status == PlanAction.Status.CANCELLED and not reason.strip():
                raise ValidationError({"reason": "say why the action is cancelled"})
            action.status = status
            action.completed_on = timezone.localdate(now) if status == PlanAction.Status.DONE else None
        if due_on is not None and due_on != action.due_on:
            if not reason.strip():
                raise ValidationError({"reason": "say why the due date is moving"})
            action.due_on = due_on
        if note is not None:
            action.note = note.strip()
        return do_update(action, actor=actor, reason=reason)


def do_review_plan(
    actor: Actor,
    *,
    plan_id: str,
    summary: str,
    next_review_on: dt.date,
    reviewed_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> PlanReview:
    """Record a plan review; the plan's next review date moves to ``next_review_on``."""
    require_cap(actor, Cap.MANAGE_CASE)
    checks.dates(next_review_on=next_review_on, reviewed_on=reviewed_on)
    checks.required({"summary": summary, "next_review_on": next_review_on})
    now = checks.utc(now)
    reviewed_on = reviewed_on or timezone.localdate(now)
    if next_review_on <= reviewed_on:
        raise ValidationError({"next_review_on": "the next review must be after this one"})
    with transaction.atomic():
        plan = _open_plan(plan_id)
        review = do_create(
            PlanReview(
                plan=plan,
                reviewed_on=reviewed_on,
                reviewed_by=actor.user,
                agency=checks.actor_agency(actor),
                summary=summary.strip(),
                next_review_on=next_review_on,
            ),
            actor=actor,
        )
        plan.review_due_on = next_review_on
        do_update(plan, actor=actor, action="review")
    return review


def do_close_plan(actor: Actor, *, plan_id: str, reason: str, now: dt.datetime | None = None) -> Plan:
    require_cap(actor, Cap.MANAGE_CASE)
    if not reason.strip():
        raise ValidationError({"reason": "say why the plan is closing"})
    with transaction.atomic():
        plan = _open_plan(plan_id)
        plan.status = Plan.Status.CLOSED
        plan.closed_at = checks.utc(now)
        plan.close_reason = reason.strip()
        return do_update(plan, actor=actor, action="close", reason=reason)
