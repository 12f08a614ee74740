"""The inbox. Access is checked again when it is read: a notification about a child the user can no
longer open says only that something new was recorded, with no child, kind or agency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone

from sightline.access.models import Agency
from sightline.access.permissions import Cap
from sightline.cases.selectors.access_hooks import ledger_list, require_viewer_cap
from sightline.notifications.models import Notification
from sightline.notifications.owners import BASES
from sightline.people.models import Person
from sightline.people.need_to_know import visible_among

PER_PAGE = 50
# Roles that can hold a child's record can own one, and so have an inbox.
INBOX_CAPS = (Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)
KIND_LABELS = {
    "missing": "Missing episode",
    "absent": "Absent from placement",
    "police_incident": "Police incident",
    "health_attendance": "Health attendance",
    "sexual_health": "Sexual health attendance",
    "outreach_contact": "Outreach contact",
    "concern": "Concern raised",
}


@dataclass(frozen=True)
class InboxItem:
    created_at: dt.datetime
    new: bool
    hidden: bool  # about a child the user cannot open now: nothing more is shown
    kind: str = ""
    occurred_on: dt.date | None = None
    agency: str = ""
    why: str = ""
    person_id: str = ""
    person_name: str = ""


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


def unseen_count(user: Any) -> int:
    return Notification.objects.filter(user_id=user.pk, seen_at__isnull=True).count()


def inbox(
    user: Any, *, page: int | str = 1, now: dt.datetime | None = None
) -> tuple[Page[Any], list[InboxItem]]:
    """One page of the user's notifications, newest first. Showing them marks them seen; the people
    named are ledgered as a list read."""
    require_viewer_cap(user, *INBOX_CAPS)
    paged = Paginator(Notification.objects.filter(user_id=user.pk).order_by("-created_at", "id"), PER_PAGE)
    current = paged.get_page(page)
    rows: list[Notification] = list(current.object_list)
    visible = visible_among(user, {n.person_id for n in rows})
    names = {p.pk: str(p) for p in Person.objects.filter(pk__in=visible)}
    agencies = dict(Agency.objects.filter(pk__in={n.agency for n in rows}).values_list("pk", "name"))
    items = [
        InboxItem(
            n.created_at,
            n.seen_at is None,
            False,
            kind_label(n.kind),
            n.occurred_on,
            agencies.get(n.agency, n.agency),
            BASES[n.basis][0],
            n.person_id,
            names.get(n.person_id, n.person_id),
        )
        if n.person_id in visible
        else InboxItem(n.created_at, n.seen_at is None, True)
        for n in rows
    ]
    ledger_list(user, "notifications", visible, hidden=sum(1 for i in items if i.hidden))
    unseen = [n.pk for n in rows if n.seen_at is None]
    if unseen:
        Notification.objects.filter(pk__in=unseen).update(seen_at=now or timezone.now())
    return current, items
