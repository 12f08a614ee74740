"""What every case-work write checks before it touches the ledger: times in UTC, plausible dates,
required fields, choices, the people and agencies named, and the version the user read.

Problems raise ``django.core.exceptions.ValidationError`` with a message per field, so forms and the
API can point at the field; a missing object raises ``sightline.core.errors.NotFound``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils import timezone

from sightline.access.models import Agency, User
from sightline.access.services import ensure_standard_agencies
from sightline.ledger.models import LedgeredModel
from sightline.ledger.services import SYSTEM, Actor
from sightline.people.models import Person
from sightline.people.need_to_know import person_access
from sightline.people.selectors import resolve_person_id
from sightline.people.services import normalise_postcode

M = TypeVar("M", bound=LedgeredModel)

EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


def utc(value: dt.datetime | None = None) -> dt.datetime:
    """``value`` (default: now) in UTC. Stored times are UTC so that each ledger version reads exactly
    as the row does when loaded back (ISO strings keep their offset)."""
    if value is None:
        return timezone.now()
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt.UTC)


def dates(**values: dt.date | None) -> None:
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


def aware(value: dt.datetime, field: str) -> dt.datetime:
    """A date and time the user gave, checked and in UTC."""
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: "enter a date and time"})
    dates(**{field: value})
    return utc(value)


def not_future(value: dt.datetime | dt.date, field: str, now: dt.datetime) -> None:
    # A few minutes' grace for clocks that disagree between agencies' machines.
    if isinstance(value, dt.datetime):
        future = value > now + dt.timedelta(minutes=5)
    else:
        future = value > timezone.localdate(now)
    if future:
        raise ValidationError({field: "this cannot be in the future"})


def required(values: Mapping[str, Any]) -> None:
    errors = {
        k: "this is required"
        for k, v in values.items()
        if v in (None, "") or (isinstance(v, str) and not v.strip())
    }
    if errors:
        raise ValidationError(errors)


def choice(value: str, choices: Iterable[str], field: str) -> str:
    allowed = list(choices)
    if value not in allowed:
        raise ValidationError({field: f"choose one of: {', '.join(allowed)}"})
    return value


def postcode(value: str) -> str:
    try:
        return normalise_postcode(value) if value else ""
    except ValueError as exc:
        raise ValidationError({"postcode": str(exc)}) from None


def person(person_id: str, field: str = "person") -> Person:
    """The person that now stands for ``person_id`` (following manual merges)."""
    try:
        return Person.objects.get(pk=resolve_person_id(person_id))
    except Person.DoesNotExist:
        raise ValidationError({field: f"there is no person {person_id}"}) from None


def child(person_id: str, field: str = "person") -> Person:
    found = person(person_id, field)
    if found.kind == Person.Kind.ADULT:
        # The id, not the name: the writer may not be allowed to see who it is.
        raise ValidationError({field: f"{person_id} is recorded as an adult, not a child"})
    return found


def can_open(actor: Actor, person_id: str) -> bool:
    """Whether the acting account may open the person's record now (the system actor always may)."""
    if actor.role == SYSTEM.role:
        return True
    user = User.objects.filter(username=actor.user, is_active=True).first()
    return user is not None and person_access(user, person_id).allowed


def agency(code: str, field: str = "agency") -> Agency:
    found = Agency.objects.filter(pk=code).first()
    if found is None:
        raise ValidationError({field: f"there is no agency {code!r}"})
    return found


def actor_agency(actor: Actor) -> Agency:
    """The agency a write is recorded for: the actor's, or the MASH for the system actor."""
    if actor.role == SYSTEM.role and not Agency.objects.filter(pk=actor.agency).exists():
        ensure_standard_agencies()
        return agency("mash")
    return agency(actor.agency, "agency")
