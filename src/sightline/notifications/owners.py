"""Who owns a child, for notifications.

Sightline has no single "allocated worker" field. A child's owners are the people whose open work
about the child says they are responsible now:

- ``plan``: whoever opened the child's open plan (the lead professional for the plan);
- ``action``: whoever is named as the owner of an open action on that plan (allocated work);
- ``alert``: whoever took on an open child-at-risk alert about the child (under review or actioned);
- ``hub``: every CSE coordinator, for an alert about the child that nobody has taken on yet;
- ``screening``: whoever completed a screening of the child in the last
  ``SIGHTLINE_NOTIFY_SCREENING_DAYS`` days.

A child with none of these has no owner, and nobody is notified. Each owner is told once per event,
under the first of these reasons that applies (the order above).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from sightline.access.models import User
from sightline.access.permissions import Role
from sightline.cases.models import Plan, PlanAction, Screening
from sightline.intelligence.models import Alert
from sightline.people.models import Person

# Why a user is told, in the words of the inbox ("You ...") and of an email ("a child ...").
BASES: dict[str, tuple[str, str]] = {
    "plan": ("You own the child's plan", "whose plan you own"),
    "action": ("You hold an action on the child's plan", "you hold a plan action for"),
    "alert": ("You took on an alert about the child", "whose alert you took on"),
    "hub": ("An alert about the child waits for the hub", "with an alert waiting for the hub"),
    "screening": ("You screened the child recently", "you screened recently"),
}
OPEN_ALERT = (Alert.Status.NEW, Alert.Status.UNDER_REVIEW, Alert.Status.ACTIONED)
CHUNK = 500


def screening_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.SIGHTLINE_NOTIFY_SCREENING_DAYS)


def _open_alerts() -> QuerySet[Alert]:
    return Alert.objects.filter(kind=Alert.Kind.CHILD_AT_RISK, active=True, status__in=OPEN_ALERT)


def owned(column: str, now: dt.datetime | None = None) -> Q:
    """A filter on ``column`` (a path to a person id) for children who have an owner, built from
    subqueries so the database does the work. People merged into such a child count as the child."""
    sources: list[QuerySet[Any]] = [
        Plan.objects.filter(status=Plan.Status.OPEN).values("person_id"),
        _open_alerts().values("subject_id"),
        Screening.objects.filter(completed_at__gte=screening_cutoff(now)).values("person_id"),
    ]
    q = Q()
    for source in sources:
        q |= Q(**{f"{column}__in": source})
        merged = Person.objects.filter(status=Person.Status.MERGED, merged_into__in=source)
        q |= Q(**{f"{column}__in": merged.values("pk")})
    return q


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def owners_of(person_ids: Iterable[str], now: dt.datetime | None = None) -> dict[str, dict[str, str]]:
    """For each person id, the usernames of their owners and the reason (a key of ``BASES``)."""
    found: dict[str, list[tuple[str, str]]] = {}

    def add(pid: str, username: str, basis: str) -> None:
        if username:
            found.setdefault(pid, []).append((username, basis))

    ids = sorted(set(person_ids))
    for chunk in _chunks(ids):
        for pid, user in Plan.objects.filter(status=Plan.Status.OPEN, person_id__in=chunk).values_list(
            "person_id", "created_by"
        ):
            add(pid, user, "plan")
        actions = PlanAction.objects.filter(
            status=PlanAction.Status.OPEN, plan__status=Plan.Status.OPEN, plan__person_id__in=chunk
        ).exclude(owner_user="")
        for pid, user in actions.values_list("plan__person_id", "owner_user"):
            add(pid, user, "action")
        hub_waits = set()
        for pid, status, user in (
            _open_alerts().filter(subject_id__in=chunk).values_list("subject_id", "status", "status_by")
        ):
            if status == Alert.Status.NEW or not user:
                hub_waits.add(pid)
            else:
                add(pid, user, "alert")
        if hub_waits:
            coordinators = list(
                User.objects.filter(role=Role.CSE_COORDINATOR, is_active=True).values_list(
                    "username", flat=True
                )
            )
            for pid in sorted(hub_waits):
                for user in coordinators:
                    add(pid, user, "hub")
        recent = Screening.objects.filter(person_id__in=chunk, completed_at__gte=screening_cutoff(now))
        for pid, user in recent.values_list("person_id", "completed_by"):
            add(pid, user, "screening")
    order = list(BASES)
    out: dict[str, dict[str, str]] = {}
    for pid, pairs in found.items():
        best: dict[str, str] = {}
        for user, basis in sorted(pairs, key=lambda p: order.index(p[1])):
            best.setdefault(user, basis)
        out[pid] = best
    return out
