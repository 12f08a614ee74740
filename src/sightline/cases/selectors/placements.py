"""Placements: a looked-after child's placements, which is current, and which were made by another
council (children placed here from elsewhere)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from sightline.cases.models import Placement
from sightline.cases.selectors.access_hooks import require_child_access
from sightline.cases.selectors.clock import today
from sightline.core.errors import NotFound
from sightline.people.models import Person
from sightline.people.selectors import person_group_ids


def local_authority() -> str:
    """The deployment's own council (``settings.SIGHTLINE_LOCAL_AUTHORITY``)."""
    return str(getattr(settings, "SIGHTLINE_LOCAL_AUTHORITY", "") or "")


@dataclass(frozen=True)
class PlacementView:
    placement: Placement
    current: bool
    placed_by_other_council: bool


def placements_for(person_id: str, *, now: dt.datetime | None = None) -> list[PlacementView]:
    on = today(now)
    home = local_authority().strip().lower()
    return [
        PlacementView(
            p,
            current=p.started_on <= on and (p.ended_on is None or p.ended_on >= on),
            placed_by_other_council=bool(home) and p.placing_authority.strip().lower() != home,
        )
        for p in Placement.objects.filter(person_id__in=person_group_ids(person_id)).order_by("-started_on")
    ]


def person_placements(user: Any, person_id: str, *, now: dt.datetime | None = None) -> list[PlacementView]:
    root = require_child_access(user, person_id, "placements")
    return placements_for(root, now=now)


def get_placement(user: Any, placement_id: str, *, purpose: str) -> tuple[Placement, Person]:
    """A placement and the child who now stands for its person, after the need-to-know check
    (ledgered with ``purpose``)."""
    placement = Placement.objects.filter(pk=placement_id).first()
    if placement is None:
        raise NotFound("No such placement")
    root = require_child_access(user, placement.person_id, purpose)
    return placement, Person.objects.get(pk=root)
