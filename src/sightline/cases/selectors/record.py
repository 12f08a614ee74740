"""The child's record: everything on the child's page, read with one need-to-know check and one
ledgered read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sightline.cases import screening as tool
from sightline.cases.models import Concern, ConcernPerson, InvestigationPerson
from sightline.cases.selectors.access_hooks import require_child_access
from sightline.cases.selectors.chronology import ChronologyEntry, chronology_for
from sightline.cases.selectors.episodes import EpisodeSummary, episodes_for
from sightline.cases.selectors.placements import PlacementView, placements_for
from sightline.cases.selectors.plans import PlanView, plans_for
from sightline.cases.selectors.screenings import (
    RescreenDue,
    ScreeningView,
    rescreen_due_for,
    screening_view,
    screenings_for,
)
from sightline.people.models import Person
from sightline.people.need_to_know import visible_among
from sightline.people.selectors import PersonRecord, person_group_ids, person_record


@dataclass(frozen=True)
class ChildRecord:
    """Everything on the child's page, read with one need-to-know check and one ledgered read."""

    person: PersonRecord
    concerns: list[Concern]
    screenings: list[ScreeningView]
    rescreen: RescreenDue | None
    plans: list[PlanView]
    episodes: EpisodeSummary
    placements: list[PlacementView]
    investigations: list[InvestigationPerson]
    chronology: list[ChronologyEntry]
    linked_people: list[tuple[Person, str]] = field(default_factory=list)  # (person, how they are linked)
    linked_hidden: int = 0  # people linked through concerns whom the user may not see (not named)


def _linked_people(user: Any, group: list[str]) -> tuple[list[tuple[Person, str]], int]:
    """People linked to the child through concerns: those the user may see, and how many others."""
    out: dict[str, tuple[Person, str]] = {}
    for cp in ConcernPerson.objects.filter(concern__person_id__in=group).select_related("person", "concern"):
        out.setdefault(cp.person_id, (cp.person, f"{cp.get_role_display()} in concern {cp.concern_id}"))
    for c in Concern.objects.filter(others__person_id__in=group).select_related("person").distinct():
        out.setdefault(c.person_id, (c.person, f"Subject of concern {c.id}"))
    linked = {k: v for k, v in out.items() if k not in group}
    visible = visible_among(user, linked)
    return [v for k, v in linked.items() if k in visible], len(linked) - len(visible)


def child_record(user: Any, person_id: str, *, now: dt.datetime | None = None) -> ChildRecord:
    root = require_child_access(user, person_id, "child record")
    group = person_group_ids(root)
    indicator_set = tool.default_indicator_set()
    linked, linked_hidden = _linked_people(user, group)
    return ChildRecord(
        person=person_record(root),
        concerns=list(
            Concern.objects.filter(person_id__in=group).select_related("agency").order_by("-raised_at")
        ),
        screenings=[screening_view(s, indicator_set) for s in screenings_for(root)],
        rescreen=rescreen_due_for(root, now=now),
        plans=plans_for(root, now=now),
        episodes=episodes_for(root, now=now),
        placements=placements_for(root, now=now),
        investigations=list(
            InvestigationPerson.objects.filter(person_id__in=group, active=True).select_related(
                "investigation"
            )
        ),
        chronology=chronology_for(root),
        linked_people=linked,
        linked_hidden=linked_hidden,
    )
