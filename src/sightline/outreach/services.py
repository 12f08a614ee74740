"""Writes for outreach: assigning it from an alert, recording each attempt, and deciding what happens
when a child declines (or when outreach ends). Each takes the actor first and everything else by
keyword, checks the actor's capability and team, validates, and writes through the ledger's one write
path in one transaction.

Need to know on the child is checked by the caller (web view or API endpoint) with
``sightline.cases.selectors.require_child_access`` before calling in. Assigning outreach makes the
assigned team's agency involved with the child (``selectors.access``): that is the one write here
that opens a record to anyone, and only to the team named.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.access.models import User
from sightline.access.permissions import Cap, can, has_cap, require_cap
from sightline.cases.services import checks
from sightline.core.errors import NotFound
from sightline.intelligence.models import Alert
from sightline.intelligence.services import do_set_alert_status
from sightline.ledger.services import Actor, check_version, do_create, do_update, locked
from sightline.outreach.models import (
    CONTACT_OUTCOMES,
    Assignment,
    Attempt,
    Consent,
    Decision,
    Method,
    Outcome,
)
from sightline.outreach.rules import may_work_on
from sightline.people import news


def _require_team(actor: Actor, assignment: Assignment) -> None:
    if not may_work_on(actor, assignment.agency_id):
        raise PermissionDenied(
            f"only the team the outreach is assigned to ({assignment.agency_id}) or a coordinator can"
        )


def _worker(username: str, agency: str) -> str:
    """A named worker must be an active account in the team whose role records outreach."""
    if not username.strip():
        return ""
    found = User.objects.filter(username=username.strip(), is_active=True).first()
    if found is None or not can(found.role, Cap.RECORD_OUTREACH):
        raise ValidationError({"worker": f"{username} is not an account that can record outreach"})
    if found.agency_id != agency:
        raise ValidationError({"worker": f"{username} does not work in the team chosen ({agency})"})
    return found.username


def do_assign_outreach(
    actor: Actor,
    *,
    alert_id: str,
    agency: str,
    worker: str = "",
    note: str = "",
    now: dt.datetime | None = None,
) -> Assignment:
    """Assign outreach to the child a child-at-risk alert is about, to a team and optionally a named
    worker in it. A new or under-review alert is marked actioned, with the assignment as the reason."""
    require_cap(actor, Cap.ASSIGN_OUTREACH)
    checks.required({"agency": agency})
    now = checks.utc(now)
    team = checks.agency(agency)
    named = _worker(worker, team.id)
    with transaction.atomic():
        alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
        if alert is None:
            raise NotFound("No such alert")
        if alert.kind != Alert.Kind.CHILD_AT_RISK:
            raise ValidationError({"alert": "outreach is assigned from an alert about a child at risk"})
        if alert.status == Alert.Status.DISMISSED:
            raise ValidationError({"alert": "this alert was dismissed: review it before assigning outreach"})
        child = checks.child(alert.subject_id, "alert")
        taken = Assignment.objects.filter(person=child).exclude(status=Assignment.Status.CLOSED).first()
        if taken is not None:
            open_ = f"{taken.id}, {taken.agency_id}"
            raise ValidationError(
                {"alert": f"this child already has outreach open ({open_}): close it first"}
            )
        assignment = do_create(
            Assignment(
                person=child,
                alert=alert,
                agency=team,
                worker=named,
                assigned_by=actor.user,
                assigned_at=now,
                note=note.strip(),
            ),
            actor=actor,
        )
        if alert.status in (Alert.Status.NEW, Alert.Status.UNDER_REVIEW) and has_cap(
            actor, Cap.MANAGE_ALERTS
        ):
            person = User.objects.filter(username=named).first() if named else None
            who = f"{person.display_name} ({team.name})" if person else team.name
            do_set_alert_status(
                actor, alert_id=alert.id, status=Alert.Status.ACTIONED, reason=f"Outreach assigned to {who}"
            )
    return assignment


def do_record_outreach_attempt(
    actor: Actor,
    *,
    assignment_id: str,
    method: str,
    outcome: str,
    occurred_at: dt.datetime | None = None,
    place: str = "",
    consent: str = "",
    wishes: str = "",
    referred_to: str = "",
    notes: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Attempt:
    """Record one attempt to reach the child (by default, now). When the worker spoke with the child,
    their consent is recorded; a decline also records what the child said they want, and stops further
    attempts until someone decides, with a reason, to close the outreach or to continue."""
    require_cap(actor, Cap.RECORD_OUTREACH)
    checks.required({"method": method, "outcome": outcome})
    checks.choice(method, Method.values, "method")
    checks.choice(outcome, Outcome.values, "outcome")
    now = checks.utc(now)
    occurred_at = now if occurred_at is None else checks.aware(occurred_at, "occurred_at")
    checks.not_future(occurred_at, "occurred_at", now)
    contact = outcome in CONTACT_OUTCOMES
    if contact:
        checks.required({"consent": consent})
        checks.choice(consent, Consent.values, "consent")
    elif consent:
        raise ValidationError({"consent": "consent is recorded only when you spoke with the child"})
    if outcome == Outcome.DECLINED:
        checks.required({"wishes": wishes})
    if outcome == Outcome.REFERRED_ON:
        checks.required({"referred_to": referred_to})
    with transaction.atomic():
        assignment = locked(Assignment, assignment_id)
        check_version(assignment, expected_version)
        _require_team(actor, assignment)
        if assignment.status == Assignment.Status.CLOSED:
            raise ValidationError({"outcome": "this outreach is closed"})
        if assignment.status == Assignment.Status.DECISION_NEEDED:
            raise ValidationError(
                {"outcome": "the child declined: record a decision, with a reason, before another attempt"}
            )
        if timezone.localdate(occurred_at) < timezone.localdate(assignment.assigned_at):
            raise ValidationError(
                {
                    "occurred_at": "this outreach was assigned on "
                    f"{timezone.localdate(assignment.assigned_at):%-d %B %Y}: "
                    "record attempts from that day on"
                }
            )
        attempt = do_create(
            Attempt(
                assignment=assignment,
                occurred_at=occurred_at,
                place=place.strip(),
                method=method,
                outcome=outcome,
                consent=consent if contact else "",
                wishes=wishes.strip(),
                referred_to=referred_to.strip() if outcome == Outcome.REFERRED_ON else "",
                notes=notes.strip(),
                agency=checks.actor_agency(actor),
                recorded_by=actor.user,
                recorded_at=now,
            ),
            actor=actor,
        )
        if contact:
            first = assignment.first_contact_at
            assignment.first_contact_at = occurred_at if first is None else min(first, occurred_at)
            assignment.consent = consent
            if wishes.strip():
                assignment.wishes = wishes.strip()
        if outcome == Outcome.ENGAGED and (
            assignment.engaged_at is None or occurred_at < assignment.engaged_at
        ):
            assignment.engaged_at = occurred_at
        if outcome == Outcome.DECLINED:
            assignment.status = Assignment.Status.DECISION_NEEDED
        do_update(assignment, actor=actor, action=f"attempt_{outcome}")
        if contact:  # the child's owners hear of a contact made, as of one an agency imports
            news.announce_entry(
                actor,
                news.Entered(
                    assignment.person_id,
                    "outreach_contact",
                    timezone.localdate(occurred_at),
                    attempt.agency_id,
                    attempt.ledger_type(),
                    attempt.id,
                ),
            )
    return attempt


def do_decide_outreach(
    actor: Actor,
    *,
    assignment_id: str,
    decision: str,
    reason: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Decide, with a reason, to close the outreach, or (after the child declined) to continue it."""
    if not has_cap(actor, Cap.RECORD_OUTREACH):
        require_cap(actor, Cap.ASSIGN_OUTREACH)
    checks.required({"decision": decision, "reason": reason})
    checks.choice(decision, Decision.Choice.values, "decision")
    now = checks.utc(now)
    with transaction.atomic():
        assignment = locked(Assignment, assignment_id)
        check_version(assignment, expected_version)
        _require_team(actor, assignment)
        if assignment.status == Assignment.Status.CLOSED:
            raise ValidationError({"decision": "this outreach is already closed"})
        if decision == Decision.Choice.CONTINUE and assignment.status != Assignment.Status.DECISION_NEEDED:
            raise ValidationError({"decision": "outreach is open already: there is no decline to answer"})
        declined = None
        if assignment.status == Assignment.Status.DECISION_NEEDED:
            declined = assignment.attempts.filter(outcome=Outcome.DECLINED).order_by("-occurred_at").first()
        made = do_create(
            Decision(
                assignment=assignment,
                decision=decision,
                reason=reason.strip(),
                after_attempt=declined,
                agency=checks.actor_agency(actor),
                decided_by=actor.user,
                decided_at=now,
            ),
            actor=actor,
            reason=reason.strip(),
        )
        if decision == Decision.Choice.CLOSE:
            assignment.status = Assignment.Status.CLOSED
            assignment.closed_at = now
            assignment.close_reason = reason.strip()
        else:
            assignment.status = Assignment.Status.OPEN
        do_update(assignment, actor=actor, action=f"decide_{decision}", reason=reason.strip())
    return made
