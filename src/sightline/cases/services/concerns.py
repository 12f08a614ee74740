"""Concerns and triage: raising a concern about a child, the triage decision, and withdrawing a
concern raised in error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.access.permissions import Cap, has_cap, require_cap
from sightline.cases import screening as tool
from sightline.cases.deadlines import triage_hours
from sightline.cases.models import Concern, ConcernPerson, InvolvementRole, TriageDecision, Urgency
from sightline.cases.services import checks
from sightline.ledger.services import Actor, check_version, do_create, do_update, locked, record_action
from sightline.people import likely, news
from sightline.people.matches import possible_children
from sightline.people.models import Person
from sightline.people.services import do_create_person


def do_raise_concern(
    actor: Actor,
    *,
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

    ``others`` are ``(person_id, role)`` pairs for other people involved. Raising never makes the
    actor's agency involved with the child: a concern about a child the actor cannot see is accepted
    ``raised_blind`` and goes to the hub's triage queue, and the actor still cannot open the record.
    """
    require_cap(actor, Cap.RAISE_CONCERN)
    now = checks.utc(now)
    checks.required({"what_was_seen": what_was_seen, "occurred_at": occurred_at, "urgency": urgency})
    checks.choice(urgency, Urgency.values, "urgency")
    occurred_at = checks.aware(occurred_at, "occurred_at")
    checks.not_future(occurred_at, "occurred_at", now)
    child = checks.child(person_id)
    indicator_set = tool.default_indicator_set()
    unknown = [code for code in indicators if code not in indicator_set.by_code]
    if unknown:
        raise ValidationError({"indicators": f"unknown indicator codes: {', '.join(unknown)}"})
    postcode = checks.postcode(postcode)
    with transaction.atomic():
        concern = do_create(
            Concern(
                person=child,
                agency=checks.actor_agency(actor),
                raised_by=actor.user,
                raised_at=now,
                what_was_seen=what_was_seen.strip(),
                occurred_at=occurred_at,
                place=place.strip(),
                postcode=postcode,
                indicators=sorted(set(indicators)),
                urgency=urgency,
                triage_due_at=now + dt.timedelta(hours=triage_hours()[urgency]),
                raised_blind=not checks.can_open(actor, child.id),
            ),
            actor=actor,
        )
        for i, (other_id, role) in enumerate(others):
            checks.choice(role, InvolvementRole.values, f"others[{i}].role")
            other = checks.person(other_id, f"others[{i}].person")
            if other.id == child.id:
                raise ValidationError(
                    {f"others[{i}].person": "the child is already the subject of the concern"}
                )
            do_create(ConcernPerson(concern=concern, person=other, role=role), actor=actor)
        news.announce_entry(
            actor,
            news.Entered(
                child.id,
                "concern",
                timezone.localdate(occurred_at),
                concern.agency_id,
                concern.ledger_type(),
                concern.id,
            ),
        )
    return concern


def do_enter_child_for_concern(
    actor: Actor,
    *,
    details: Mapping[str, Any],
    checked: Sequence[str] = (),
    not_them_reason: str = "",
) -> Person:
    """Enter by hand a child Sightline does not know yet, for a concern about them.

    If the linkage model finds children likely or possibly the same (``people.matches``), the actor
    must have been shown every one of them (``checked``) and say why this is a different child.
    That choice is ledgered: the new person's entry carries the reason, and a ``not_a_match`` entry
    names each child ruled out with their likelihood."""
    require_cap(actor, Cap.RAISE_CONCERN)
    fields = dict(details)
    found = possible_children(
        likely.Details(
            given_name=str(fields.get("given_name") or ""),
            family_name=str(fields.get("family_name") or ""),
            other_names=str(fields.get("other_names") or ""),
            date_of_birth=str(fields.get("date_of_birth") or ""),
            estimated_age=fields.get("estimated_age"),
            postcode=str(fields.get("postcode") or ""),
        )
    )
    unseen = sorted(set(found) - set(checked))
    if unseen:
        raise ValidationError(
            {"match": "Sightline has records that may be this child which you have not checked yet"}
        )
    reason = not_them_reason.strip()
    if found and not reason:
        raise ValidationError({"not_them_reason": "say why this is a different child"})
    ruled_out = sorted(found)
    why = f"concern raised; not {', '.join(ruled_out)}: {reason}" if found else "concern raised"
    with transaction.atomic():
        person = do_create_person(actor, kind=Person.Kind.CHILD, reason=why, **fields)
        if found:
            record_action(
                actor,
                "not_a_match",
                Person.ledger_type(),
                person.id,
                data={
                    "ruled_out": [
                        {
                            "person": pid,
                            "likelihood": found[pid].likelihood.value,
                            "probability": round(found[pid].probability, 4),
                        }
                        for pid in ruled_out
                    ]
                },
                reason=reason,
            )
    return person


def do_triage_concern(
    actor: Actor,
    *,
    concern_id: str,
    decision: str,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> TriageDecision:
    """Record a triage decision. No further action needs a reason. Every decision is kept."""
    require_cap(actor, Cap.TRIAGE)
    checks.choice(decision, TriageDecision.Decision.values, "decision")
    if decision == TriageDecision.Decision.NO_FURTHER_ACTION and not reason.strip():
        raise ValidationError({"reason": "say why no further action is needed"})
    now = checks.utc(now)
    with transaction.atomic():
        concern = locked(Concern, concern_id)
        check_version(concern, expected_version)
        if concern.status == Concern.Status.WITHDRAWN:
            raise ValidationError({"decision": "this concern was withdrawn"})
        record = do_create(
            TriageDecision(
                concern=concern,
                decision=decision,
                reason=reason.strip(),
                decided_by=actor.user,
                agency=checks.actor_agency(actor),
                decided_at=now,
            ),
            actor=actor,
        )
        concern.status = Concern.Status.TRIAGED
        concern.decision = decision
        concern.decided_at = concern.decided_at or now
        do_update(concern, actor=actor, action="triage", reason=reason)
    return record


def do_withdraw_concern(actor: Actor, *, concern_id: str, reason: str) -> Concern:
    """Withdraw a concern raised in error. It stays on record with the reason."""
    require_cap(actor, Cap.RAISE_CONCERN)
    if not reason.strip():
        raise ValidationError({"reason": "say why the concern is withdrawn"})
    with transaction.atomic():
        concern = locked(Concern, concern_id)
        if concern.agency_id != actor.agency and not has_cap(actor, Cap.TRIAGE):
            raise ValidationError(
                {"__all__": "only the raising agency or a triage role may withdraw a concern"}
            )
        concern.status = Concern.Status.WITHDRAWN
        return do_update(concern, actor=actor, action="withdraw", reason=reason)
