"""The community engagement plan and log, and the communities the events reached."""

from __future__ import annotations

from collections import Counter

from django.db.models import QuerySet

from sightline.accountability.models import EngagementEvent
from sightline.core.errors import NotFound


def engagement_events(*, status: str = "") -> QuerySet[EngagementEvent]:
    qs = EngagementEvent.objects.select_related("organised_by", "plan").order_by("-event_on")
    if status:
        qs = qs.filter(status=status)
    return qs


def get_engagement_event(event_id: str) -> EngagementEvent:
    event = EngagementEvent.objects.select_related("organised_by", "plan").filter(pk=event_id).first()
    if event is None:
        raise NotFound("No such engagement event")
    return event


def communities_reached() -> list[tuple[str, int]]:
    """Each community and the number of held events that reached it, most first."""
    counts: Counter[str] = Counter()
    for communities in EngagementEvent.objects.filter(status=EngagementEvent.Status.HELD).values_list(
        "communities", flat=True
    ):
        counts.update(set(communities or []))
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
