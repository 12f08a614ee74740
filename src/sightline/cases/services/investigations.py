"""Investigations: opening and closing an operation, linking victims and suspects, each suspect's
status history, and victims coming forward (self-referrals)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.access.permissions import Cap, require_cap
from sightline.cases.models import Investigation, InvestigationPerson, SelfReferral, SuspectStatus
from sightline.cases.services import checks
from sightline.core.errors import NotFound
from sightline.core.labels import with_article
from sightline.ledger.services import Actor, do_create, do_update, locked


def do_open_investigation(
    actor: Actor, *, operation_name: str, opened_on: dt.date, summary: str = "", lead_officer: str = ""
) -> Investigation:
    require_cap(actor, Cap.INVESTIGATE)
    checks.dates(opened_on=opened_on)
    checks.required({"operation_name": operation_name, "opened_on": opened_on})
    return do_create(
        Investigation(
            operation_name=operation_name.strip(),
            summary=summary.strip(),
            agency=checks.actor_agency(actor),
            lead_officer=lead_officer.strip(),
            opened_on=opened_on,
            created_by=actor.user,
        ),
        actor=actor,
    )


def do_close_investigation(
    actor: Actor, *, investigation_id: str, closed_on: dt.date, reason: str
) -> Investigation:
    require_cap(actor, Cap.INVESTIGATE)
    checks.dates(closed_on=closed_on)
    checks.required({"closed_on": closed_on, "reason": reason})
    with transaction.atomic():
        inv = locked(Investigation, investigation_id)
        if inv.status == Investigation.Status.CLOSED:
            raise ValidationError({"closed_on": "this investigation is already closed"})
        if closed_on < inv.opened_on:
            raise ValidationError({"closed_on": "an investigation cannot close before it opened"})
        inv.status = Investigation.Status.CLOSED
        inv.closed_on = closed_on
        return do_update(inv, actor=actor, action="close", reason=reason)


def do_link_investigation_person(
    actor: Actor, *, investigation_id: str, person_id: str, role: str, linked_on: dt.date | None = None
) -> InvestigationPerson:
    """Link a victim or suspect to an investigation (once per role)."""
    require_cap(actor, Cap.INVESTIGATE)
    checks.dates(linked_on=linked_on)
    checks.choice(role, InvestigationPerson.Role.values, "role")
    person = checks.person(person_id)
    with transaction.atomic():
        inv = locked(Investigation, investigation_id)
        existing = InvestigationPerson.objects.filter(investigation=inv, person=person, role=role).first()
        if existing is not None:
            if existing.active:
                raise ValidationError({"person": f"{person} is already linked as {with_article(role)}"})
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


def do_unlink_investigation_person(actor: Actor, *, link_id: str, reason: str) -> InvestigationPerson:
    require_cap(actor, Cap.INVESTIGATE)
    if not reason.strip():
        raise ValidationError({"reason": "say why the link is removed"})
    with transaction.atomic():
        link = locked(InvestigationPerson, link_id)
        if not link.active:
            raise ValidationError({"__all__": "this link is already removed"})
        link.active = False
        return do_update(link, actor=actor, action="unlink", reason=reason)


def do_record_suspect_status(
    actor: Actor,
    *,
    investigation_id: str,
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
    checks.dates(effective_on=effective_on, bail_end_on=bail_end_on)
    checks.choice(status, SuspectStatus.Status.values, "status")
    checks.required({"effective_on": effective_on})
    now = checks.utc(now)
    checks.not_future(effective_on, "effective_on", now)
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
    person = checks.person(person_id)
    if not Investigation.objects.filter(pk=investigation_id).exists():
        raise NotFound("No such investigation")
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
    actor: Actor,
    *,
    received_on: dt.date,
    person_id: str | None = None,
    investigation_id: str | None = None,
    channel: str = "",
    summary: str = "",
    now: dt.datetime | None = None,
) -> SelfReferral:
    """Record a victim coming forward. The person may be unknown yet; the count per week is a selector."""
    require_cap(actor, Cap.RAISE_CONCERN)
    checks.dates(received_on=received_on)
    checks.required({"received_on": received_on})
    checks.not_future(received_on, "received_on", checks.utc(now))
    person = checks.person(person_id) if person_id else None
    if investigation_id and not Investigation.objects.filter(pk=investigation_id).exists():
        raise ValidationError({"investigation": f"there is no investigation {investigation_id}"})
    with transaction.atomic():
        agency = checks.actor_agency(actor)
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
