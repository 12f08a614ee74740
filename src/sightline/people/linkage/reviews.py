"""Reads for the link review pages and the API: the review queue, one review, and the human rulings
about records. Explanations of the scores are in ``explain``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Abs

from sightline.people.linkage.records import people_of_keys
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


def expected_changes(pairs: Sequence[tuple[str, str, float]]) -> list[float]:
    """For each pair (left key, right key, probability): how many links between records a decision
    is expected to change. A pair kept apart is joined with the chance it is one person, joining
    every record of the one to every record of the other; a pair linked together is split with the
    chance it is not, moving the record away from the rest of its person."""
    person, sizes = people_of_keys({k for left, right, _ in pairs for k in (left, right)})
    out = []
    for left, right, p in pairs:
        pl, pr = person.get(left), person.get(right)
        if pl is not None and pl == pr:
            out.append((1 - p) * max(sizes.get(pl, 1) - 1, 1))
        else:
            out.append(p * sizes.get(pl or "", 1) * sizes.get(pr or "", 1))
    return out
