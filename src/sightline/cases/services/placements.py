"""Placements: a looked-after child's placement starting and ending, including children placed here
by other councils."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from sightline.access.permissions import Cap, require_cap
from sightline.cases.models import Placement
from sightline.cases.services import checks
from sightline.ledger.services import Actor, check_version, do_create, do_update, locked


def do_start_placement(
    actor: Actor,
    *,
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
    checks.dates(started_on=started_on, ended_on=ended_on)
    checks.required(
        {"placement_type": placement_type, "started_on": started_on, "placing_authority": placing_authority}
    )
    checks.choice(placement_type, Placement.Type.values, "placement_type")
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": "the end must be on or after the start"})
    postcode = checks.postcode(postcode)
    child = checks.child(person_id)
    with transaction.atomic():
        agency = checks.actor_agency(actor)
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
    actor: Actor,
    *,
    placement_id: str,
    ended_on: dt.date,
    end_reason: str,
    expected_version: int | None = None,
) -> Placement:
    require_cap(actor, Cap.MANAGE_CASE)
    checks.dates(ended_on=ended_on)
    checks.required({"ended_on": ended_on, "end_reason": end_reason})
    with transaction.atomic():
        placement = locked(Placement, placement_id)
        check_version(placement, expected_version)
        if placement.ended_on is not None:
            raise ValidationError({"ended_on": "this placement has already ended"})
        if ended_on < placement.started_on:
            raise ValidationError({"ended_on": "the end must be on or after the start"})
        placement.ended_on = ended_on
        placement.end_reason = end_reason.strip()
        return do_update(placement, actor=actor, action="end", reason=end_reason)
