"""Hand-built case data for indicator tests, written through the case-work services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sightline.cases import services as cases
from sightline.ledger.services import SYSTEM
from sightline.people.models import Person
from sightline.people.services import do_create_person

MILD = {"S01": {"current": True}, "V01": {"current": True}}  # score 6: mild risk
NOT_AT_RISK = {"V01": {"current": True}}  # score 1: not at risk


def at(*args: int) -> dt.datetime:
    """An aware datetime in the deployment's time zone."""
    return timezone.make_aware(dt.datetime(*args))


def child(name: str = "Child", **fields: Any) -> Person:
    return do_create_person(actor=SYSTEM, kind="child", given_name=name, family_name="Test", **fields)


def adult(name: str = "Adult") -> Person:
    return do_create_person(actor=SYSTEM, kind="adult", given_name=name, family_name="Suspect")


def concern(person: Person, raised: dt.datetime, urgency: str = "standard") -> Any:
    return cases.do_raise_concern(
        actor=SYSTEM,
        person_id=person.id,
        what_was_seen="Seen getting into a car with an older man",
        occurred_at=raised - dt.timedelta(hours=1),
        urgency=urgency,
        now=raised,
    )


def triage(concern_obj: Any, decided: dt.datetime, decision: str = "screening") -> Any:
    reason = "checked, no concern" if decision == "no_further_action" else ""
    return cases.do_triage_concern(
        concern_id=concern_obj.id, actor=SYSTEM, decision=decision, reason=reason, now=decided
    )


def screen(person: Person, when: dt.datetime, answers: dict[str, Any] | None = None) -> Any:
    return cases.do_complete_screening(actor=SYSTEM, person_id=person.id, answers=answers or MILD, now=when)
