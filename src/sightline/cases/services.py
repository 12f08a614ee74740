"""Writes for case work. Each function checks the actor's capability, validates, and writes through the
ledger's one write path in one transaction. Nothing is deleted: closing, ending and correcting are new
versions, with a reason where a change must be explained.

Need to know on a particular child is checked by the caller (web view or API endpoint) with
``sightline.access.selectors.require_person_access`` before calling in. Writing about a child makes the
actor's agency involved with them: the involvement hooks in ``selectors.register_access_hooks`` read it
from these tables, so there is nothing separate to keep in step.
Validation problems raise ``django.core.exceptions.ValidationError`` with a message per field, so forms
and the API can point at the field.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from sightline.access.models import Agency, User
from sightline.access.permissions import Cap, require_cap
from sightline.cases import screening as tool
from sightline.cases.models import (
    Concern,
    ConcernPerson,
    Investigation,
    InvestigationPerson,
    InvolvementRole,
    MissingEpisode,
    Placement,
    Plan,
    PlanAction,
    PlanReview,
    ReturnInterview,
    Screening,
    SelfReferral,
    SuspectStatus,
    TriageDecision,
    Urgency,
)
from sightline.ledger.models import LedgeredModel
from sightline.ledger.services import Actor, StaleVersionError, do_create, do_update
from sightline.people.models import Person
from sightline.people.selectors import resolve_person_id

DEFAULT_TRIAGE_HOURS = {Urgency.URGENT.value: 24, Urgency.STANDARD.value: 72}
RETURN_INTERVIEW_HOURS = 72


def triage_hours() -> dict[str, int]:
    """Hours allowed for triage per urgency (``settings.SIGHTLINE_TRIAGE_HOURS``)."""
    configured = getattr(settings, "SIGHTLINE_TRIAGE_HOURS", None) or {}
    return {**DEFAULT_TRIAGE_HOURS, **{k: int(v) for k, v in configured.items()}}


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamped to the month's last day (30 Nov + 3 months = 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- helpers -------------------------------------------------------------------------------------


def _utc(value: dt.datetime | None = None) -> dt.datetime:
    """``value`` (default: now) in UTC. Stored times are UTC so that each ledger version reads exactly
    as the row does when loaded back (ISO strings keep their offset)."""
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC)


EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def _dates(**values: dt.date | None) -> None:
    """Refuse dates that are not dates or fall outside 1900-2100 (typing slips, not real events)."""
    errors = {}
    for name, value in values.items():
        if value is None:
            continue
        if not isinstance(value, dt.date):
            errors[name] = "enter a date"
        elif not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            errors[name] = f"enter a date between {EARLIEST_YEAR} and {LATEST_YEAR}"
    if errors:
        raise ValidationError(errors)


def _aware(value: dt.datetime, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: "enter a date and time"})
    _dates(**{field: value})
    return _utc(value)


def _not_future(value: dt.datetime | dt.date, field: str, now: dt.datetime) -> None:
    # A few minutes' grace for clocks that disagree between agencies' machines.
    if isinstance(value, dt.datetime):
        future = value > now + dt.timedelta(minutes=5)
    else:
        future = value > timezone.localdate(now)
    if future:
        raise ValidationError({field: "this cannot be in the future"})


def _required(values: Mapping[str, Any]) -> None:
    errors = {
        k: "this is required"
        for k, v in values.items()
        if v in (None, "") or (isinstance(v, str) and not v.strip())
    }
    if errors:
        raise ValidationError(errors)


def _person(person_id: str, field: str = "person") -> Person:
    """The person that now stands for ``person_id`` (following manual merges)."""
    try:
        return Person.objects.get(pk=resolve_person_id(person_id))
    except Person.DoesNotExist:
        raise ValidationError({field: f"there is no person {person_id}"}) from None


def _child(person_id: str, field: str = "person") -> Person:
    person = _person(person_id, field)
    if person.kind == Person.Kind.ADULT:
        raise ValidationError({field: f"{person} is recorded as an adult, not a child"})
    return person


def _agency(code: str, field: str = "agency") -> Agency:
    agency = Agency.objects.filter(pk=code).first()
    if agency is None:
        raise ValidationError({field: f"there is no agency {code!r}"})
    return agency


def _actor_agency(actor: Actor) -> Agency:
    if actor.role == "system" and not Agency.objects.filter(pk=actor.agency).exists():
        from sightline.access.services import ensure_standard_agencies

        ensure_standard_agencies()
        return _agency("mash")
    return _agency(actor.agency, "agency")


def _check_version(obj: LedgeredModel, expected: int | None) -> None:
    if expected is not None and obj.version != expected:
        raise StaleVersionError(f"{obj.ledger_type()} {obj.pk} is at version {obj.version}, not {expected}")


def _choice(value: str, choices: Iterable[str], field: str) -> str:
    allowed = list(choices)
    if value not in allowed:
        raise ValidationError({field: f"choose one of: {', '.join(allowed)}"})
    return value


# --- concerns and triage -------------------------------------------------------------------------


def do_raise_concern(
    *,
    actor: Actor,
    person_id: str,
    what_was_seen: str,
    occurred_at: dt.datetime,
    urgency: str,
    place: str = "",
    postcode: str = "",
    indicators: Sequence[str] = (),
    others: Sequence[tuple[str, str]] = (),
    now: dt.datetime | None = None,
) -> Concern:
    """Raise a concern about a child. It joins the triage queue with a deadline set by its urgency.

    ``others`` are ``(person_id, role)`` pairs for other people involved. Raising makes the actor's
    agency involved with the child.
    """
    require_cap(actor, Cap.RAISE_CONCERN)
    now = _utc(now)
    _required({"what_was_seen": what_was_seen, "occurred_at": occurred_at, "urgency": urgency})
    _choice(urgency, Urgency.values, "urgency")
    occurred_at = _aware(occurred_at, "occurred_at")
    _not_future(occurred_at, "occurred_at", now)
    child = _child(person_id)
    indicator_set = tool.default_indicator_set()
    unknown = [code for code in indicators if code not in indicator_set.by_code]
    if unknown:
        raise ValidationError({"indicators": f"unknown indicator codes: {', '.join(unknown)}"})
    if postcode:
        from sightline.people.services import normalise_postcode

        try:
            postcode = normalise_postcode(postcode)
        except ValueError as exc:
            raise ValidationError({"postcode": str(exc)}) from None
    with transaction.atomic():
        agency = _actor_agency(actor)
        concern = do_create(
            Concern(
                person=child,
                agency=agency,
                raised_by=actor.user,
                raised_at=now,
                what_was_seen=what_was_seen.strip(),
                occurred_at=occurred_at,
                place=place.strip(),
                postcode=postcode,
                indicators=sorted(set(indicators)),
                urgency=urgency,
                triage_due_at=now + dt.timedelta(hours=triage_hours()[urgency]),
            ),
            actor=actor,
        )
        for i, (other_id, role) in enumerate(others):
            _choice(role, InvolvementRole.values, f"others[{i}].role")
            other = _person(other_id, f"others[{i}].person")
            if other.id == child.id:
                raise ValidationError(
                    {f"others[{i}].person": "the child is already the subject of the concern"}
                )
            do_create(ConcernPerson(concern=concern, person=other, role=role), actor=actor)
    return concern


def do_triage_concern(
    concern_id: str,
    *,
    actor: Actor,
    decision: str,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> TriageDecision:
    """Record a triage decision. No further action needs a reason. Every decision is kept."""
    require_cap(actor, Cap.TRIAGE)
    _choice(decision, TriageDecision.Decision.values, "decision")
    if decision == TriageDecision.Decision.NO_FURTHER_ACTION and not reason.strip():
        raise ValidationError({"reason": "say why no further action is needed"})
    now = _utc(now)
    with transaction.atomic():
        concern = get_object_or_404(Concern.objects.select_for_update(), pk=concern_id)
        _check_version(concern, expected_version)
        if concern.status == Concern.Status.WITHDRAWN:
            raise ValidationError({"decision": "this concern was withdrawn"})
        agency = _actor_agency(actor)
        record = do_create(
            TriageDecision(
                concern=concern,
                decision=decision,
                reason=reason.strip(),
                decided_by=actor.user,
                agency=agency,
                decided_at=now,
            ),
            actor=actor,
        )
        concern.status = Concern.Status.TRIAGED
        concern.decision = decision
        concern.decided_at = concern.decided_at or now
        do_update(concern, actor=actor, action="triage", reason=reason)
    return record


def do_withdraw_concern(concern_id: str, *, actor: Actor, reason: str) -> Concern:
    """Withdraw a concern raised in error. It stays on record with the reason."""
    require_cap(actor, Cap.RAISE_CONCERN)
    if not reason.strip():
        raise ValidationError({"reason": "say why the concern is withdrawn"})
    with transaction.atomic():
        concern = get_object_or_404(Concern.objects.select_for_update(), pk=concern_id)
        if actor.role != "system" and concern.agency_id != actor.agency and not _has(actor, Cap.TRIAGE):
            raise ValidationError(
                {"__all__": "only the raising agency or a triage role may withdraw a concern"}
            )
        concern.status = Concern.Status.WITHDRAWN
        return do_update(concern, actor=actor, action="withdraw", reason=reason)


def _has(actor: Actor, cap: str) -> bool:
    from sightline.access.permissions import can

    return actor.role == "system" or can(actor.role, cap)


# --- screening -----------------------------------------------------------------------------------


def do_complete_screening(
    *,
    actor: Actor,
    person_id: str,
    answers: Mapping[str, Any],
    override_band: str = "",
    override_reason: str = "",
    notes: str = "",
    concern_id: str | None = None,
    now: dt.datetime | None = None,
) -> Screening:
    """Score a screening with the deployment's indicator set and record it.

    The computed band stands unless the screener overrides it, and an override needs a reason: the
    score supports professional judgement, it does not replace it. Reassessment falls due after the
    set's ``reassess_after_months``.
    """
    require_cap(actor, Cap.SCREEN)
    now = _utc(now)
    indicator_set = tool.default_indicator_set()
    try:
        parsed = tool.parse_answers(indicator_set, answers)
    except tool.IndicatorSetError as exc:
        raise ValidationError({"answers": str(exc)}) from None
    result = tool.score_answers(indicator_set, parsed)
    if override_band:
        try:
            indicator_set.band(override_band)
        except tool.IndicatorSetError:
            raise ValidationError(
                {"override_band": f"choose one of: {', '.join(b.key for b in indicator_set.bands)}"}
            ) from None
        if override_band == result.band.key:
            override_band = ""
        elif not override_reason.strip():
            raise ValidationError({"override_reason": "say why your judgement differs from the score"})
    child = _child(person_id)
    concern = None
    if concern_id:
        concern = Concern.objects.filter(pk=concern_id).first()
        if concern is None:
            raise ValidationError({"concern": f"there is no concern {concern_id}"})
    with transaction.atomic():
        agency = _actor_agency(actor)
        screening = do_create(
            Screening(
                person=child,
                concern=concern,
                indicator_set=indicator_set.id,
                indicator_set_version=indicator_set.version,
                answers={
                    code: {"current": a.current, "earlier": a.earlier}
                    for code, a in sorted(parsed.items())
                    if a.present
                },
                score=result.score,
                computed_band=result.band.key,
                override_band=override_band,
                override_reason=override_reason.strip() if override_band else "",
                band=override_band or result.band.key,
                notes=notes.strip(),
                completed_at=now,
                completed_by=actor.user,
                agency=agency,
                next_due_on=add_months(timezone.localdate(now), indicator_set.reassess_after_months),
            ),
            actor=actor,
            reason=override_reason if override_band else "",
        )
    return screening


# --- plans ---------------------------------------------------------------------------------------


def do_create_plan(
    *,
    actor: Actor,
    person_id: str,
    title: str,
    review_due_on: dt.date,
    summary: str = "",
    now: dt.datetime | None = None,
) -> Plan:
    require_cap(actor, Cap.MANAGE_CASE)
    _dates(review_due_on=review_due_on)
    _required({"title": title, "review_due_on": review_due_on})
    now = _utc(now)
    child = _child(person_id)
    with transaction.atomic():
        agency = _actor_agency(actor)
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
    plan = get_object_or_404(Plan.objects.select_for_update(), pk=plan_id)
    if plan.status != Plan.Status.OPEN:
        raise ValidationError({"__all__": "this plan is closed"})
    return plan


def do_add_plan_action(
    plan_id: str,
    *,
    actor: Actor,
    description: str,
    owner_agency: str,
    due_on: dt.date,
    owner_user: str = "",
    now: dt.datetime | None = None,
) -> PlanAction:
    """Add an action to a plan, owned by an agency and optionally a named user of that agency."""
    require_cap(actor, Cap.MANAGE_CASE)
    _dates(due_on=due_on)
    _required({"description": description, "owner_agency": owner_agency, "due_on": due_on})
    now = _utc(now)
    agency = _agency(owner_agency, "owner_agency")
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
    action_id: str,
    *,
    actor: Actor,
    status: str | None = None,
    due_on: dt.date | None = None,
    note: str | None = None,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> PlanAction:
    """Complete, cancel or reschedule an action. Moving a due date or cancelling needs a reason."""
    require_cap(actor, Cap.MANAGE_CASE)
    _dates(due_on=due_on)
    now = _utc(now)
    with transaction.atomic():
        action = get_object_or_404(PlanAction.objects.select_for_update(), pk=action_id)
        _check_version(action, expected_version)
        if status is not None:
            _choice(status, PlanAction.Status.values, "status")
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
    plan_id: str,
    *,
    actor: Actor,
    summary: str,
    next_review_on: dt.date,
    reviewed_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> PlanReview:
    """Record a plan review; the plan's next review date moves to ``next_review_on``."""
    require_cap(actor, Cap.MANAGE_CASE)
    _dates(next_review_on=next_review_on, reviewed_on=reviewed_on)
    _required({"summary": summary, "next_review_on": next_review_on})
    now = _utc(now)
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
                agency=_actor_agency(actor),
                summary=summary.strip(),
                next_review_on=next_review_on,
            ),
            actor=actor,
        )
        plan.review_due_on = next_review_on
        do_update(plan, actor=actor, action="review")
    return review


def do_close_plan(plan_id: str, *, actor: Actor, reason: str, now: dt.datetime | None = None) -> Plan:
    require_cap(actor, Cap.MANAGE_CASE)
    if not reason.strip():
        raise ValidationError({"reason": "say why the plan is closing"})
    with transaction.atomic():
        plan = _open_plan(plan_id)
        plan.status = Plan.Status.CLOSED
        plan.closed_at = _utc(now)
        plan.close_reason = reason.strip()
        return do_update(plan, actor=actor, action="close", reason=reason)


# --- missing and absent episodes -----------------------------------------------------------------


def do_record_missing_episode(
    *,
    actor: Actor,
    person_id: str,
    category: str,
    started_at: dt.datetime,
    ended_at: dt.datetime | None = None,
    where_found: str = "",
    notes: str = "",
    now: dt.datetime | None = None,
) -> MissingEpisode:
    """Record a missing (M) or absent (A) episode, open or already ended."""
    require_cap(actor, Cap.MANAGE_CASE)
    _required({"category": category, "started_at": started_at})
    _choice(category, MissingEpisode.Category.values, "category")
    now = _utc(now)
    started_at = _aware(started_at, "started_at")
    _not_future(started_at, "started_at", now)
    if ended_at is not None:
        ended_at = _aware(ended_at, "ended_at")
        _not_future(ended_at, "ended_at", now)
        if ended_at < started_at:
            raise ValidationError({"ended_at": "the return must be after the start"})
    child = _child(person_id)
    with transaction.atomic():
        agency = _actor_agency(actor)
        episode = do_create(
            MissingEpisode(
                person=child,
                category=category,
                started_at=started_at,
                ended_at=ended_at,
                reported_by_agency=agency,
                recorded_by=actor.user,
                recorded_at=now,
                where_found=where_found.strip(),
                notes=notes.strip(),
            ),
            actor=actor,
        )
    return episode


def do_end_missing_episode(
    episode_id: str,
    *,
    actor: Actor,
    ended_at: dt.datetime,
    where_found: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> MissingEpisode:
    """Record the child's return (or being found)."""
    require_cap(actor, Cap.MANAGE_CASE)
    now = _utc(now)
    ended_at = _aware(ended_at, "ended_at")
    _not_future(ended_at, "ended_at", now)
    with transaction.atomic():
        episode = get_object_or_404(MissingEpisode.objects.select_for_update(), pk=episode_id)
        _check_version(episode, expected_version)
        if episode.ended_at is not None:
            raise ValidationError({"ended_at": "this episode has already ended"})
        if ended_at < episode.started_at:
            raise ValidationError({"ended_at": "the return must be after the start"})
        episode.ended_at = ended_at
        if where_found:
            episode.where_found = where_found.strip()
        return do_update(episode, actor=actor, action="end")


def do_offer_return_interview(
    episode_id: str, *, actor: Actor, offered_at: dt.datetime, now: dt.datetime | None = None
) -> ReturnInterview:
    """Record that a return home interview was offered (expected within 72 hours of the return)."""
    require_cap(actor, Cap.MANAGE_CASE)
    now = _utc(now)
    offered_at = _aware(offered_at, "offered_at")
    _not_future(offered_at, "offered_at", now)
    with transaction.atomic():
        episode = get_object_or_404(MissingEpisode.objects.select_for_update(), pk=episode_id)
        if episode.ended_at is None:
            raise ValidationError({"offered_at": "record the child's return before offering the interview"})
        if offered_at < episode.ended_at:
            raise ValidationError({"offered_at": "the offer must be after the return"})
        agency = _actor_agency(actor)
        interview = do_create(
            ReturnInterview(
                episode=episode,
                offered_at=offered_at,
                offered_by_agency=agency,
                recorded_by=actor.user,
                recorded_at=now,
            ),
            actor=actor,
        )
    return interview


def do_record_return_interview_response(
    interview_id: str,
    *,
    actor: Actor,
    response: str,
    held_at: dt.datetime | None = None,
    outcome: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ReturnInterview:
    """Record whether the child accepted or declined, and the outcome of an interview that took place."""
    require_cap(actor, Cap.MANAGE_CASE)
    _choice(response, ReturnInterview.Response.values, "response")
    now = _utc(now)
    with transaction.atomic():
        interview = get_object_or_404(ReturnInterview.objects.select_for_update(), pk=interview_id)
        _check_version(interview, expected_version)
        if held_at is not None:
            if response != ReturnInterview.Response.ACCEPTED:
                raise ValidationError({"held_at": "only an accepted interview can have taken place"})
            held_at = _aware(held_at, "held_at")
            _not_future(held_at, "held_at", now)
            if held_at < interview.offered_at:
                raise ValidationError({"held_at": "the interview cannot be before it was offered"})
        interview.response = response
        interview.held_at = held_at
        interview.outcome = outcome.strip()
        return do_update(interview, actor=actor, action="respond")


# --- placements ----------------------------------------------------------------------------------


def do_start_placement(
    *,
    actor: Actor,
    person_id: str,
    placement_type: str,
    started_on: dt.date,
    in_area: bool,
    placing_authority: str,
    provider: str = "",
    postcode: str = "",
    ended_on: dt.date | None = None,
) -> Placement:
    """Record a looked-after child's placement, including children placed here by other councils."""
    require_cap(actor, Cap.MANAGE_CASE)
    _dates(started_on=started_on, ended_on=ended_on)
    _required(
        {"placement_type": placement_type, "started_on": started_on, "placing_authority": placing_authority}
    )
    _choice(placement_type, Placement.Type.values, "placement_type")
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": "the end must be on or after the start"})
    if postcode:
        from sightline.people.services import normalise_postcode

        try:
            postcode = normalise_postcode(postcode)
        except ValueError as exc:
            raise ValidationError({"postcode": str(exc)}) from None
    child = _child(person_id)
    with transaction.atomic():
        agency = _actor_agency(actor)
        placement = do_create(
            Placement(
                person=child,
                placement_type=placement_type,
                started_on=started_on,
                ended_on=ended_on,
                in_area=bool(in_area),
                placing_authority=placing_authority.strip(),
                provider=provider.strip(),
                postcode=postcode,
                recorded_by=actor.user,
                agency=agency,
            ),
            actor=actor,
        )
    return placement


def do_end_placement(
    placement_id: str,
    *,
    actor: Actor,
    ended_on: dt.date,
    end_reason: str,
    expected_version: int | None = None,
) -> Placement:
    require_cap(actor, Cap.MANAGE_CASE)
    _dates(ended_on=ended_on)
    _required({"ended_on": ended_on, "end_reason": end_reason})
    with transaction.atomic():
        placement = get_object_or_404(Placement.objects.select_for_update(), pk=placement_id)
        _check_version(placement, expected_version)
        if placement.ended_on is not None:
            raise ValidationError({"ended_on": "this placement has already ended"})
        if ended_on < placement.started_on:
            raise ValidationError({"ended_on": "the end must be on or after the start"})
        placement.ended_on = ended_on
        placement.end_reason = end_reason.strip()
        return do_update(placement, actor=actor, action="end", reason=end_reason)


# --- investigations ------------------------------------------------------------------------------


def do_open_investigation(
    *, actor: Actor, operation_name: str, opened_on: dt.date, summary: str = "", lead_officer: str = ""
) -> Investigation:
    require_cap(actor, Cap.INVESTIGATE)
    _dates(opened_on=opened_on)
    _required({"operation_name": operation_name, "opened_on": opened_on})
    return do_create(
        Investigation(
            operation_name=operation_name.strip(),
            summary=summary.strip(),
            agency=_actor_agency(actor),
            lead_officer=lead_officer.strip(),
            opened_on=opened_on,
            created_by=actor.user,
        ),
        actor=actor,
    )


def do_close_investigation(
    investigation_id: str, *, actor: Actor, closed_on: dt.date, reason: str
) -> Investigation:
    require_cap(actor, Cap.INVESTIGATE)
    _dates(closed_on=closed_on)
    _required({"closed_on": closed_on, "reason": reason})
    with transaction.atomic():
        inv = get_object_or_404(Investigation.objects.select_for_update(), pk=investigation_id)
        if inv.status == Investigation.Status.CLOSED:
            raise ValidationError({"closed_on": "this investigation is already closed"})
        if closed_on < inv.opened_on:
            raise ValidationError({"closed_on": "an investigation cannot close before it opened"})
        inv.status = Investigation.Status.CLOSED
        inv.closed_on = closed_on
        return do_update(inv, actor=actor, action="close", reason=reason)


def do_link_investigation_person(
    investigation_id: str, *, actor: Actor, person_id: str, role: str, linked_on: dt.date | None = None
) -> InvestigationPerson:
    """Link a victim or suspect to an investigation (once per role)."""
    require_cap(actor, Cap.INVESTIGATE)
    _dates(linked_on=linked_on)
    _choice(role, InvestigationPerson.Role.values, "role")
    person = _person(person_id)
    with transaction.atomic():
        inv = get_object_or_404(Investigation.objects.select_for_update(), pk=investigation_id)
        existing = InvestigationPerson.objects.filter(investigation=inv, person=person, role=role).first()
        if existing is not None:
            if existing.active:
                raise ValidationError({"person": f"{person} is already linked as a {role}"})
            existing.active = True
            return do_update(existing, actor=actor, action="relink")
        link = do_create(
            InvestigationPerson(
                investigation=inv,
                person=person,
                role=role,
                linked_on=linked_on or timezone.localdate(),
                linked_by=actor.user,
            ),
            actor=actor,
        )
    return link


def do_unlink_investigation_person(link_id: str, *, actor: Actor, reason: str) -> InvestigationPerson:
    require_cap(actor, Cap.INVESTIGATE)
    if not reason.strip():
        raise ValidationError({"reason": "say why the link is removed"})
    with transaction.atomic():
        link = get_object_or_404(InvestigationPerson.objects.select_for_update(), pk=link_id)
        if not link.active:
            raise ValidationError({"__all__": "this link is already removed"})
        link.active = False
        return do_update(link, actor=actor, action="unlink", reason=reason)


def do_record_suspect_status(
    investigation_id: str,
    *,
    actor: Actor,
    person_id: str,
    status: str,
    effective_on: dt.date,
    bail_conditions: str = "",
    bail_end_on: dt.date | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> SuspectStatus:
    """Add a step to a suspect's status history. Bail needs its conditions and end date."""
    require_cap(actor, Cap.INVESTIGATE)
    _dates(effective_on=effective_on, bail_end_on=bail_end_on)
    _choice(status, SuspectStatus.Status.values, "status")
    _required({"effective_on": effective_on})
    now = _utc(now)
    _not_future(effective_on, "effective_on", now)
    if status == SuspectStatus.Status.BAIL:
        errors = {}
        if not bail_conditions.strip():
            errors["bail_conditions"] = "enter the bail conditions"
        if bail_end_on is None:
            errors["bail_end_on"] = "enter the date bail ends"
        elif bail_end_on < effective_on:
            errors["bail_end_on"] = "bail must end after it starts"
        if errors:
            raise ValidationError(errors)
    elif bail_conditions or bail_end_on:
        raise ValidationError(
            {"bail_conditions": "bail conditions and end date only apply to a suspect on bail"}
        )
    person = _person(person_id)
    if not InvestigationPerson.objects.filter(
        investigation_id=investigation_id, person=person, role=InvestigationPerson.Role.SUSPECT, active=True
    ).exists():
        raise ValidationError({"person": f"{person} is not a suspect in this investigation"})
    return do_create(
        SuspectStatus(
            investigation_id=investigation_id,
            person=person,
            status=status,
            effective_on=effective_on,
            bail_conditions=bail_conditions.strip(),
            bail_end_on=bail_end_on,
            note=note.strip(),
            recorded_by=actor.user,
            recorded_at=now,
        ),
        actor=actor,
    )


def do_record_self_referral(
    *,
    actor: Actor,
    received_on: dt.date,
    person_id: str | None = None,
    investigation_id: str | None = None,
    channel: str = "",
    summary: str = "",
    now: dt.datetime | None = None,
) -> SelfReferral:
    """Record a victim coming forward. The person may be unknown yet; the count per week is a selector."""
    require_cap(actor, Cap.RAISE_CONCERN)
    _dates(received_on=received_on)
    _required({"received_on": received_on})
    _not_future(received_on, "received_on", _utc(now))
    person = _person(person_id) if person_id else None
    if investigation_id and not Investigation.objects.filter(pk=investigation_id).exists():
        raise ValidationError({"investigation": f"there is no investigation {investigation_id}"})
    with transaction.atomic():
        agency = _actor_agency(actor)
        referral = do_create(
            SelfReferral(
                person=person,
                investigation_id=investigation_id or None,
                received_on=received_on,
                channel=channel.strip(),
                summary=summary.strip(),
                agency=agency,
                recorded_by=actor.user,
            ),
            actor=actor,
        )
    return referral
