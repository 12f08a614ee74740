"""Protected concerns: only the independent reviewer, and whoever raised a concern, can see it. Every
look (and every refusal) is ledgered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from sightline.access.permissions import Cap, can
from sightline.access.services import actor_for
from sightline.accountability.models import ProtectedConcern, ProtectedConcernResponse
from sightline.core.errors import NotFound
from sightline.ledger.services import record_action

PROTECTED_TYPE = ProtectedConcern.ledger_type()


def may_review_protected(viewer: Any) -> bool:
    return can(getattr(viewer, "role", ""), Cap.REVIEW_BREAK_GLASS)


@dataclass(frozen=True)
class ConcernView:
    concern: ProtectedConcern
    responses: list[ProtectedConcernResponse]

    @property
    def latest_outcome(self) -> str:
        return self.responses[-1].get_outcome_display() if self.responses else "Awaiting a response"

    @property
    def closed(self) -> bool:
        return bool(self.responses) and self.responses[-1].outcome == ProtectedConcernResponse.Outcome.CLOSED


def _views(concerns: Iterable[ProtectedConcern]) -> list[ConcernView]:
    concerns = list(concerns)
    responses: dict[str, list[ProtectedConcernResponse]] = defaultdict(list)
    for r in ProtectedConcernResponse.objects.filter(concern__in=concerns).order_by("responded_at"):
        responses[r.concern_id].append(r)
    return [ConcernView(c, responses.get(c.id, [])) for c in concerns]


def protected_concerns_for_review(viewer: Any) -> list[ConcernView]:
    """Every protected concern, for the independent reviewer only. The look is ledgered."""
    if not may_review_protected(viewer):
        raise PermissionDenied("Only the independent reviewer sees protected concerns")
    views = _views(ProtectedConcern.objects.select_related("agency_concerned").order_by("-raised_at"))
    record_action(actor_for(viewer), "read_list", PROTECTED_TYPE, "all", data={"count": len(views)})
    return views


def unanswered_protected_count(viewer: Any) -> int:
    if not may_review_protected(viewer):
        return 0
    return ProtectedConcern.objects.filter(responses__isnull=True).count()


def my_protected_concerns(viewer: Any) -> list[ConcernView]:
    """The concerns this viewer raised (and only those): the raiser can follow what happened."""
    return _views(ProtectedConcern.objects.filter(raised_by=viewer.username).order_by("-raised_at"))


def get_protected_concern(viewer: Any, concern_id: str) -> ConcernView:
    """One protected concern, for the independent reviewer or the person who raised it. Nobody else
    (managers and coordinators included) can open it; every look and refusal is ledgered."""
    concern = ProtectedConcern.objects.select_related("agency_concerned").filter(pk=concern_id).first()
    if concern is None:
        raise NotFound("No such protected concern")
    if not (may_review_protected(viewer) or concern.raised_by == viewer.username):
        record_action(actor_for(viewer), "read_denied", PROTECTED_TYPE, concern_id)
        raise PermissionDenied(
            "Only the independent reviewer and the person who raised it can see this concern"
        )
    record_action(actor_for(viewer), "read", PROTECTED_TYPE, concern_id)
    return _views([concern])[0]
