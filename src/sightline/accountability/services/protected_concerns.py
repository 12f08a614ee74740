"""Protected concerns about how a case or the service is handled. A concern is written once and never
changed; only the independent reviewer answers it, with new records."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from sightline.access.permissions import Cap, require_cap
from sightline.accountability.models import ProtectedConcern, ProtectedConcernResponse
from sightline.accountability.services.validation import find_agency, now_or, required
from sightline.core.errors import NotFound
from sightline.ledger.services import Actor, do_create


def do_raise_protected_concern(
    actor: Actor,
    *,
    about: str,
    what_happened: str,
    case_reference: str = "",
    agency_concerned: str = "",
    now: dt.datetime | None = None,
) -> ProtectedConcern:
    """Raise a concern about how a case or the service is handled. Only the independent reviewer sees it."""
    require_cap(actor, Cap.RAISE_PROTECTED_CONCERN)
    required({"about": about, "what_happened": what_happened})
    if about not in ProtectedConcern.About.values:
        raise ValidationError({"about": "choose a case or the service"})
    if about == ProtectedConcern.About.CASE and not case_reference.strip():
        raise ValidationError({"case_reference": "enter the case, person or concern reference"})
    agency = find_agency(agency_concerned, "agency_concerned") if agency_concerned else None
    return do_create(
        ProtectedConcern(
            about=about,
            case_reference=case_reference.strip()[:100],
            agency_concerned=agency,
            what_happened=what_happened.strip(),
            raised_by=actor.user,
            raised_by_agency=actor.agency,
            raised_by_role=actor.role,
            raised_at=now_or(now),
        ),
        actor=actor,
        action="raise",
    )


def do_respond_to_protected_concern(
    actor: Actor, *, concern_id: str, outcome: str, text: str, now: dt.datetime | None = None
) -> ProtectedConcernResponse:
    """The independent reviewer's response: a new record; the concern itself never changes."""
    require_cap(actor, Cap.REVIEW_BREAK_GLASS)
    required({"outcome": outcome, "text": text})
    if outcome not in ProtectedConcernResponse.Outcome.values:
        raise ValidationError({"outcome": "choose an outcome from the list"})
    concern = ProtectedConcern.objects.filter(pk=concern_id).first()
    if concern is None:
        raise NotFound("No such protected concern")
    if concern.raised_by == actor.user:
        raise ValidationError({"__all__": "you raised this concern: another reviewer must respond"})
    return do_create(
        ProtectedConcernResponse(
            concern=concern,
            outcome=outcome,
            text=text.strip(),
            responded_by=actor.user,
            responded_at=now_or(now),
        ),
        actor=actor,
        action="respond",
    )
