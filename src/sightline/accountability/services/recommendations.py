"""Recommendations and their actions: adding them, and changing their wording, owner or target date.
Moving a target date needs a reason and leaves a ``TargetDateChange`` row for the board report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction

from sightline.access.permissions import Cap, require_cap
from sightline.accountability.models import (
    Action,
    EngagementEvent,
    Recommendation,
    ResponsePlan,
    TargetDateChange,
)
from sightline.accountability.services.validation import (
    REF,
    REF_PROBLEM,
    check_date,
    check_indicators,
    check_owner,
    find_agency,
    now_or,
    required,
)
from sightline.ledger.services import Actor, check_version, do_create, do_update, locked

R = TypeVar("R", Recommendation, Action)


def move_date(
    obj: Recommendation | Action, new: dt.date, reason: str, actor: Actor, now: dt.datetime
) -> TargetDateChange | None:
    """Set a new target date; a move needs a reason and leaves a TargetDateChange (same transaction)."""
    if new == obj.target_date:
        return None
    if not reason.strip():
        raise ValidationError({"reason": "say why the target date is moving"})
    change = do_create(
        TargetDateChange(
            recommendation=obj if isinstance(obj, Recommendation) else None,
            action=obj if isinstance(obj, Action) else None,
            old_date=obj.target_date,
            new_date=new,
            reason=reason.strip(),
            changed_by=actor.user,
            changed_at=now,
        ),
        actor=actor,
        reason=reason.strip(),
    )
    obj.target_date = new
    return change


def do_add_recommendation(
    actor: Actor,
    *,
    plan_id: str,
    ref: str,
    title: str,
    target_date: dt.date,
    text: str = "",
    indicator_keys: Sequence[str] = (),
) -> Recommendation:
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    required({"ref": ref, "title": title, "target_date": target_date})
    check_date("target_date", target_date)
    if not REF.match(ref.strip()):
        raise ValidationError({"ref": REF_PROBLEM})
    keys = check_indicators(indicator_keys)
    with transaction.atomic():
        plan = locked(ResponsePlan, plan_id)
        if Recommendation.objects.filter(plan=plan, ref=ref.strip()).exists():
            raise ValidationError({"ref": f"the plan already has a recommendation {ref.strip()}"})
        position = Recommendation.objects.filter(plan=plan).count()
        return do_create(
            Recommendation(
                plan=plan,
                ref=ref.strip(),
                title=title.strip(),
                text=text.strip(),
                target_date=target_date,
                indicator_keys=keys,
                position=position,
            ),
            actor=actor,
        )


def do_update_recommendation(
    actor: Actor,
    *,
    recommendation_id: str,
    title: str | None = None,
    text: str | None = None,
    target_date: dt.date | None = None,
    indicator_keys: Sequence[str] | None = None,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Recommendation:
    """Edit a recommendation. Moving its target date needs a reason (and is shown on the report)."""
    with _changing(actor, Recommendation, recommendation_id, expected_version, target_date) as rec:
        _set_text(rec, "title", title, needed=True)
        _set_text(rec, "text", text)
        if indicator_keys is not None:
            rec.indicator_keys = check_indicators(indicator_keys)
        return _saved(rec, actor, target_date, reason, now)


def _next_ref(rec: Recommendation) -> str:
    refs = set(Action.objects.filter(recommendation=rec).values_list("ref", flat=True))
    n = len(refs) + 1
    while f"{rec.ref}.{n}" in refs:
        n += 1
    return f"{rec.ref}.{n}"[:20]


def do_add_action(
    actor: Actor,
    *,
    recommendation_id: str,
    description: str,
    owner_agency: str,
    target_date: dt.date,
    owner_name: str = "",
    owner_user: str = "",
    ref: str = "",
    engagement_event_id: str | None = None,
) -> Action:
    """Add an action (optionally a follow-up of a community engagement event)."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    required({"description": description, "owner_agency": owner_agency, "target_date": target_date})
    check_date("target_date", target_date)
    if ref and not REF.match(ref.strip()):
        raise ValidationError({"ref": REF_PROBLEM})
    owner = find_agency(owner_agency, "owner_agency")
    username = check_owner(owner_user.strip(), owner)
    event = None
    if engagement_event_id:
        event = EngagementEvent.objects.filter(pk=engagement_event_id).first()
        if event is None:
            raise ValidationError({"engagement_event": f"there is no engagement event {engagement_event_id}"})
    with transaction.atomic():
        rec = locked(Recommendation, recommendation_id)
        ref = ref.strip() or _next_ref(rec)
        if Action.objects.filter(recommendation=rec, ref=ref).exists():
            raise ValidationError({"ref": f"{rec.ref} already has an action {ref}"})
        return do_create(
            Action(
                recommendation=rec,
                ref=ref,
                description=description.strip(),
                owner_agency=owner,
                owner_name=owner_name.strip(),
                owner_user=username,
                target_date=target_date,
                engagement_event=event,
                position=Action.objects.filter(recommendation=rec).count(),
            ),
            actor=actor,
        )


def do_update_action(
    actor: Actor,
    *,
    action_id: str,
    description: str | None = None,
    owner_agency: str | None = None,
    owner_name: str | None = None,
    owner_user: str | None = None,
    target_date: dt.date | None = None,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Action:
    """Edit an action's wording, owner or target date. Moving the date needs a reason."""
    with _changing(actor, Action, action_id, expected_version, target_date) as action:
        _set_text(action, "description", description, needed=True)
        if owner_agency is not None:
            action.owner_agency = find_agency(owner_agency, "owner_agency")
        _set_text(action, "owner_name", owner_name)
        if owner_user is not None or owner_agency is not None:
            user = action.owner_user if owner_user is None else owner_user.strip()
            action.owner_user = check_owner(user, action.owner_agency)
        return _saved(action, actor, target_date, reason, now)


@contextmanager
def _changing(
    actor: Actor, model: type[R], record_id: str, expected_version: int | None, target_date: dt.date | None
) -> Iterator[R]:
    """Managers only; the record is locked and must still be at the version the editor saw."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    check_date("target_date", target_date)
    with transaction.atomic():
        record = locked(model, record_id)
        check_version(record, expected_version)
        yield record


def _set_text(
    record: Recommendation | Action, field: str, value: str | None, *, needed: bool = False
) -> None:
    if value is None:
        return
    if needed:
        required({field: value})
    setattr(record, field, value.strip())


def _saved(record: R, actor: Actor, target_date: dt.date | None, reason: str, now: dt.datetime | None) -> R:
    """A moved target date is ledgered as such, with its reason."""
    moved = target_date is not None and move_date(record, target_date, reason, actor, now_or(now))
    return do_update(record, actor=actor, action="move_target_date" if moved else "update", reason=reason)
