"""Reads for the link review pages and the API: the review queue, one review, and the human rulings
about records. Explanations of the scores are in ``explain``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Abs

from sightline.people.models import LinkDecision, LinkReview


def review_queue(status: str = LinkReview.Status.OPEN) -> QuerySet[LinkReview]:
    """Link reviews with this status, the most uncertain first (probability nearest a half)."""
    return (
        LinkReview.objects.filter(status=status)
        .annotate(uncertainty=Abs(F("match_probability") - 0.5))
        .order_by("uncertainty", "record_key_l", "record_key_r")
    )


def review_group(group_id: str) -> QuerySet[LinkReview]:
    """Every review of one group (``review_groups``), in queue order, whatever its status."""
    return (
        LinkReview.objects.filter(group=group_id)
        .exclude(group="")
        .select_related("decision")
        .annotate(uncertainty=Abs(F("match_probability") - 0.5))
        .order_by("uncertainty", "record_key_l", "record_key_r")
    )


def get_link_review(review_id: str) -> LinkReview | None:
    return LinkReview.objects.select_related("decision").filter(pk=review_id).first()


def link_decisions_for(keys: Iterable[str]) -> QuerySet[LinkDecision]:
    """Human rulings about any of these records, newest first."""
    keys = list(keys)
    return LinkDecision.objects.filter(Q(record_key_l__in=keys) | Q(record_key_r__in=keys)).order_by(
        "-decided_at"
    )
