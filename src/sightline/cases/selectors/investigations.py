"""Investigations: operations with their victims and suspects (every person named checked for need
to know), a person's investigations, suspects' status histories, and counts of victims coming forward."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sightline.access.permissions import Cap
from sightline.cases.models import Investigation, InvestigationPerson, SelfReferral, SuspectStatus
from sightline.cases.selectors.access_hooks import require_child_access, require_viewer_cap
from sightline.core.errors import NotFound
from sightline.people import need_to_know as access
from sightline.people.need_to_know import visible_among
from sightline.people.selectors import person_group_ids


@dataclass(frozen=True)
class SuspectView:
    link: InvestigationPerson
    history: list[SuspectStatus]  # newest first

    @property
    def current(self) -> SuspectStatus | None:
        return self.history[0] if self.history else None


@dataclass(frozen=True)
class InvestigationView:
    investigation: Investigation
    victims: list[InvestigationPerson]
    suspects: list[SuspectView]
    self_referrals: list[SelfReferral]


def _investigation_view(inv: Investigation) -> InvestigationView:
    links = list(inv.people.filter(active=True).select_related("person").order_by("role", "linked_on"))
    statuses: dict[str, list[SuspectStatus]] = defaultdict(list)
    for st in inv.suspect_statuses.order_by("-effective_on", "-recorded_at"):
        statuses[st.person_id].append(st)
    return InvestigationView(
        investigation=inv,
        victims=[lk for lk in links if lk.role == InvestigationPerson.Role.VICTIM],
        suspects=[
            SuspectView(lk, statuses.get(lk.person_id, []))
            for lk in links
            if lk.role == InvestigationPerson.Role.SUSPECT
        ],
        self_referrals=list(inv.self_referrals.order_by("-received_on")),
    )


def investigations(user: Any, *, status: str = "") -> QuerySet[Investigation]:
    """Investigations (operation names only, no people): for investigating roles."""
    require_viewer_cap(user, Cap.INVESTIGATE, Cap.VIEW_ALL_PEOPLE)
    qs = Investigation.objects.select_related("agency").order_by("-opened_on", "operation_name")
    return qs.filter(status=status) if status else qs


def get_investigation(user: Any, investigation_id: str) -> InvestigationView:
    """An investigation with its victims, suspects and status histories. Every person named is
    checked for need to know and the read is ledgered for each of them."""
    require_viewer_cap(user, Cap.INVESTIGATE, Cap.VIEW_ALL_PEOPLE)
    inv = Investigation.objects.select_related("agency").filter(pk=investigation_id).first()
    if inv is None:
        raise NotFound("No such investigation")
    view = _investigation_view(inv)
    people = {lk.person_id for lk in view.victims} | {s.link.person_id for s in view.suspects}
    visible = visible_among(user, people)
    # Someone named is outside the user's access: refuse, ledgered as a refusal like any other.
    for pid in sorted(people - visible) + sorted(visible):
        access.require_person_access(user, pid, f"investigation {inv.operation_name}")
    return view


def person_investigations(user: Any, person_id: str) -> list[tuple[InvestigationPerson, list[SuspectStatus]]]:
    """The investigations a person is linked to, with their suspect status history where a suspect."""
    root = require_child_access(user, person_id, "investigations")
    group = person_group_ids(root)
    out = []
    for link in InvestigationPerson.objects.filter(person_id__in=group, active=True).select_related(
        "investigation"
    ):
        history = (
            list(
                SuspectStatus.objects.filter(
                    investigation_id=link.investigation_id, person_id=link.person_id
                ).order_by("-effective_on", "-recorded_at")
            )
            if link.role == InvestigationPerson.Role.SUSPECT
            else []
        )
        out.append((link, history))
    return out


def current_suspect_statuses(*, as_of: dt.date | None = None) -> dict[tuple[str, str], SuspectStatus]:
    """(investigation id, person id) -> the status in force on ``as_of`` (no access check)."""
    qs = SuspectStatus.objects.order_by("effective_on", "recorded_at")
    if as_of is not None:
        qs = qs.filter(effective_on__lte=as_of)
    out: dict[tuple[str, str], SuspectStatus] = {}
    for st in qs:
        out[(st.investigation_id, st.person_id)] = st
    return out


def suspects_on_bail(*, as_of: dt.date | None = None) -> list[SuspectStatus]:
    """Suspects whose status in force is bail, with bail not yet ended (for indicators)."""
    day = as_of or timezone.localdate()
    return [
        st
        for st in current_suspect_statuses(as_of=day).values()
        if st.status == SuspectStatus.Status.BAIL and (st.bail_end_on is None or st.bail_end_on >= day)
    ]


def self_referrals_per_week(start: dt.date, end: dt.date) -> list[tuple[dt.date, int]]:
    """Victims coming forward per ISO week (Monday start), every week from ``start`` to ``end``
    included, zero weeks too. Aggregate only: no names."""
    first = start - dt.timedelta(days=start.weekday())
    counts: dict[dt.date, int] = defaultdict(int)
    for day in SelfReferral.objects.filter(received_on__gte=first, received_on__lte=end).values_list(
        "received_on", flat=True
    ):
        counts[day - dt.timedelta(days=day.weekday())] += 1
    weeks = []
    week = first
    while week <= end:
        weeks.append((week, counts.get(week, 0)))
        week += dt.timedelta(days=7)
    return weeks
