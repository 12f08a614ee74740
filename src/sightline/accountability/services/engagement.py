"""The community engagement plan and log: events planned, held or cancelled, who came, which communities
they reached and the issues raised. Cancelling an event or moving its date needs a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from sightline.access.permissions import Cap, require_cap
from sightline.accountability.models import EngagementEvent, ResponsePlan
from sightline.accountability.services.validation import check_date, find_agency, required, set_fields
from sightline.ledger.services import Actor, check_version, do_create, do_update, locked

CHANGEABLE = frozenset(
    {"title", "event_on", "status", "location", "communities", "attendees", "issues_raised", "notes"}
)
ONLY_WHEN_HELD = "attendees and issues raised can only be recorded for an event that was held"


def _communities(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(" ".join(v.split()) for v in values if v and v.strip()))


def _check_status(status: str) -> None:
    if status not in EngagementEvent.Status.values:
        raise ValidationError({"status": f"choose one of: {', '.join(EngagementEvent.Status.values)}"})


def _check_attendees(attendees: int | None) -> None:
    if attendees is not None and attendees < 0:
        raise ValidationError({"attendees": "enter zero or more"})


def do_record_engagement_event(
    actor: Actor,
    *,
    title: str,
    event_on: dt.date,
    organised_by: str,
    status: str = EngagementEvent.Status.PLANNED,
    location: str = "",
    communities: Sequence[str] = (),
    attendees: int | None = None,
    issues_raised: str = "",
    notes: str = "",
    plan_id: str | None = None,
) -> EngagementEvent:
    """Add an event to the community engagement plan (planned) or log (held)."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    required({"title": title, "event_on": event_on, "organised_by": organised_by})
    check_date("event_on", event_on)
    _check_status(status)
    _check_attendees(attendees)
    if status != EngagementEvent.Status.HELD and (attendees or issues_raised.strip()):
        raise ValidationError({"status": ONLY_WHEN_HELD})
    agency = find_agency(organised_by, "organised_by")
    plan = None
    if plan_id:
        plan = ResponsePlan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise ValidationError({"plan": f"there is no plan {plan_id}"})
    return do_create(
        EngagementEvent(
            plan=plan,
            title=title.strip(),
            event_on=event_on,
            status=status,
            location=location.strip(),
            organised_by=agency,
            communities=_communities(communities),
            attendees=attendees,
            issues_raised=issues_raised.strip(),
            notes=notes.strip(),
            recorded_by=actor.user,
        ),
        actor=actor,
    )


def do_update_engagement_event(
    actor: Actor,
    *,
    event_id: str,
    changes: Mapping[str, Any],
    reason: str = "",
    expected_version: int | None = None,
) -> EngagementEvent:
    """Record how an event went (held, attendees, communities reached, issues raised) or change the plan.
    Cancelling or moving the date needs a reason."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ValidationError({"__all__": f"cannot change {', '.join(sorted(unknown))}"})
    with transaction.atomic():
        event = locked(EngagementEvent, event_id)
        check_version(event, expected_version)
        values = dict(changes)
        if "communities" in values:
            values["communities"] = _communities(values["communities"])
        for k in ("title", "location", "issues_raised", "notes"):
            if k in values:
                values[k] = str(values[k] or "").strip()
        if "title" in values:
            required({"title": values["title"]})
        if "event_on" in values:
            required({"event_on": values["event_on"]})
            check_date("event_on", values["event_on"])
        status = values.get("status", event.status)
        _check_status(status)
        _check_attendees(values.get("attendees", event.attendees))
        needs_reason = (status == EngagementEvent.Status.CANCELLED and event.status != status) or (
            "event_on" in values and values["event_on"] != event.event_on
        )
        if needs_reason and not reason.strip():
            raise ValidationError({"reason": "say why the event is cancelled or moved"})
        if not set_fields(event, values):
            return event
        if event.status != EngagementEvent.Status.HELD and (event.attendees or event.issues_raised):
            raise ValidationError({"status": ONLY_WHEN_HELD})
        return do_update(event, actor=actor, reason=reason.strip())
