"""The outreach funnel and capacity, as counts: no child is named, so indicators and the board report
read them without a viewer.

The funnel follows the children identified in a period: those with a child-at-risk alert first raised
in it (a dismissed alert counts only if outreach was assigned from it anyway). Of them, how many had
outreach assigned, were contacted (a worker spoke with them, whatever they said) and engaged, counted
to date; and the hours from the alert to the first contact. Capacity is the outreach open at a moment
(workers named on it, and children) against the funded level (``SIGHTLINE_OUTREACH_FUNDED``).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from sightline.access.permissions import Cap
from sightline.cases.selectors.access_hooks import require_viewer_cap
from sightline.intelligence.models import Alert
from sightline.outreach.models import Assignment
from sightline.outreach.rules import FundedLevel, funded_level


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    count: int
    percent: float | None  # of the children identified


@dataclass(frozen=True)
class Funnel:
    start: dt.datetime
    end: dt.datetime
    identified: int
    assigned: int
    contacted: int
    engaged: int
    hours_to_contact: tuple[float, ...] = ()

    @property
    def median_hours_to_contact(self) -> float | None:
        return statistics.median(self.hours_to_contact) if self.hours_to_contact else None

    def stages(self) -> list[Stage]:
        def share(n: int) -> float | None:
            return round(100.0 * n / self.identified, 1) if self.identified else None

        return [
            Stage("identified", "Identified at risk", self.identified, share(self.identified)),
            Stage("assigned", "Outreach assigned", self.assigned, share(self.assigned)),
            Stage("contacted", "Contacted", self.contacted, share(self.contacted)),
            Stage("engaged", "Engaged", self.engaged, share(self.engaged)),
        ]


@dataclass(frozen=True)
class Capacity:
    at: dt.datetime
    workers: int  # workers named on open outreach
    caseload: int  # children in open outreach
    unallocated: int  # of those, assigned to a team with no named worker yet
    funded: FundedLevel

    @property
    def per_worker(self) -> float | None:
        return round(self.caseload / self.workers, 1) if self.workers else None

    @property
    def workers_percent(self) -> float | None:
        return round(100.0 * self.workers / self.funded.workers, 1) if self.funded.workers else None

    @property
    def caseload_percent(self) -> float | None:
        return round(100.0 * self.caseload / self.funded.children, 1) if self.funded.children else None


@dataclass
class _Child:
    raised: dt.datetime
    alerts: set[str] = field(default_factory=set)
    dismissed_only: bool = True


def _children(start: dt.datetime, end: dt.datetime) -> dict[str, _Child]:
    out: dict[str, _Child] = {}
    rows = Alert.objects.filter(
        kind=Alert.Kind.CHILD_AT_RISK, first_raised_at__gte=start, first_raised_at__lt=end
    ).values_list("id", "subject_id", "first_raised_at", "status")
    for alert_id, subject, raised, status in rows:
        child = out.setdefault(subject, _Child(raised))
        child.raised = min(child.raised, raised)
        child.alerts.add(alert_id)
        child.dismissed_only &= status == Alert.Status.DISMISSED
    return out


def funnels(windows: Sequence[tuple[dt.datetime, dt.datetime]]) -> list[Funnel]:
    """One funnel per (start, end) window, end exclusive. Loads the outreach once."""
    if not windows:
        return []
    by_alert: dict[str, list[Assignment]] = defaultdict(list)
    by_person: dict[str, list[Assignment]] = defaultdict(list)
    for a in Assignment.objects.filter(assigned_at__gte=min(s for s, _ in windows)).only(
        "alert_id", "person_id", "assigned_at", "first_contact_at", "engaged_at"
    ):
        by_alert[a.alert_id].append(a)
        by_person[a.person_id].append(a)
    out = []
    for start, end in windows:
        identified = assigned = contacted = engaged = 0
        hours: list[float] = []
        for subject, child in _children(start, end).items():
            mine = {a.id: a for aid in child.alerts for a in by_alert.get(aid, [])}
            mine.update({a.id: a for a in by_person.get(subject, []) if a.assigned_at >= child.raised})
            if child.dismissed_only and not mine:
                continue
            identified += 1
            assigned += bool(mine)
            contacts = [a.first_contact_at for a in mine.values() if a.first_contact_at is not None]
            if contacts:
                contacted += 1
                hours.append(max(0.0, (min(contacts) - child.raised).total_seconds() / 3600))
            engaged += any(a.engaged_at is not None for a in mine.values())
        out.append(Funnel(start, end, identified, assigned, contacted, engaged, tuple(hours)))
    return out


def funnel(start: dt.datetime, end: dt.datetime) -> Funnel:
    return funnels([(start, end)])[0]


def capacities(moments: Sequence[dt.datetime]) -> list[Capacity]:
    """The outreach open at each moment against the funded level."""
    funded = funded_level()
    rows = list(Assignment.objects.values_list("person_id", "worker", "assigned_at", "closed_at"))
    out = []
    for at in moments:
        open_ = [(p, w) for p, w, start, end in rows if start <= at and (end is None or end > at)]
        out.append(
            Capacity(
                at=at,
                workers=len({w for _p, w in open_ if w}),
                caseload=len({p for p, _w in open_}),
                unallocated=len({p for p, w in open_ if not w}),
                funded=funded,
            )
        )
    return out


def capacity(at: dt.datetime) -> Capacity:
    return capacities([at])[0]


@dataclass(frozen=True)
class Figures:
    """The funnel over a period and capacity now, for pages and the API."""

    funnel: Funnel
    capacity: Capacity

    @property
    def start(self) -> dt.datetime:
        return self.funnel.start

    @property
    def end(self) -> dt.datetime:
        return self.funnel.end

    @property
    def stages(self) -> list[Stage]:
        return self.funnel.stages()

    @property
    def median_hours_to_contact(self) -> float | None:
        return self.funnel.median_hours_to_contact


def figures(*, months: int = 12, now: dt.datetime | None = None) -> Figures:
    """The children identified in the ``months`` before ``now`` through the funnel, and capacity now.
    Counts only: no check, for aggregate readers (indicators, the board report)."""
    now = now or timezone.now()
    start = now - dt.timedelta(days=round(months * 365.25 / 12))
    return Figures(funnel(start, now), capacity(now))


def outreach_figures(user: Any, *, months: int = 12, now: dt.datetime | None = None) -> Figures:
    """:func:`figures` for a viewer who may see aggregate figures or assigns outreach."""
    require_viewer_cap(user, Cap.VIEW_AGGREGATE, Cap.ASSIGN_OUTREACH)
    return figures(months=months, now=now)
