"""A practitioner's ruling that two records are, or are not, the same person. Every later run honours
it, and it decides the link review about the pair if there is one."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.access.permissions import Cap, require_cap
from sightline.ledger.services import Actor, do_create, do_update
from sightline.people.models import LinkDecision, LinkReview, SourceRecord


def do_decide_link(
    actor: Actor, *, key_a: str, key_b: str, same_person: bool, reason: str = ""
) -> LinkDecision:
    """Record that the records ``key_a`` and ``key_b`` (``agency:record_id``) are, or are not, one
    person. A later ruling on the same pair replaces the earlier one (both stay in the ledger)."""
    require_cap(actor, Cap.MERGE_PEOPLE)
    if key_a == key_b:
        raise ValidationError({"key_b": "A record is always the same person as itself"})
    left, right = sorted((key_a, key_b))
    for key in (left, right):
        agency, _, rid = key.partition(":")
        if not SourceRecord.objects.filter(agency_id=agency, record_id=rid).exists():
            raise ValidationError({"key_a" if key == key_a else "key_b": f"There is no record {key!r}"})
    with transaction.atomic():
        decision = (
            LinkDecision.objects.select_for_update().filter(record_key_l=left, record_key_r=right).first()
        )
        now = timezone.now()
        if decision is None:
            decision = do_create(
                LinkDecision(record_key_l=left, record_key_r=right, same_person=same_person, reason=reason,
                             decided_by=actor.user, decided_at=now),
                actor=actor, action="link_decision", reason=reason,
            )  # fmt: skip
        else:
            decision.same_person, decision.reason = same_person, reason
            decision.decided_by, decision.decided_at = actor.user, now
            decision = do_update(decision, actor=actor, action="link_decision", reason=reason)
        review = LinkReview.objects.select_for_update().filter(record_key_l=left, record_key_r=right).first()
        if review is not None and (
            review.status != LinkReview.Status.DECIDED or review.decision_id != decision.pk
        ):
            review.status = LinkReview.Status.DECIDED
            review.decision = decision
            do_update(review, actor=actor, action="link_decision", reason=reason)
    return decision


def do_decide_links(
    actor: Actor, *, pairs: Sequence[tuple[str, str]], same_person: bool, reason: str = ""
) -> list[LinkDecision]:
    """One ruling over several pairs (a review group decided at once), in one transaction: every
    pair is decided, or none is."""
    require_cap(actor, Cap.MERGE_PEOPLE)
    if not pairs:
        raise ValidationError({"pairs": "Choose at least one pair"})
    with transaction.atomic():
        return [
            do_decide_link(actor, key_a=a, key_b=b, same_person=same_person, reason=reason) for a, b in pairs
        ]
