"""Reviews raised after each analysis. Pairs scored too low for the review queue that touch a child at
risk: the records a sparse mention ("Kayleigh, 11") would add to a child's record are worth a
human look even at a low score, because they change what is known about that child. The link run
keeps them open while they stay low and apart; the next analysis closes those that no longer touch
an alert. And pairs collective linkage proposes (``intelligence.context``): a sparse record beside
the child seen with the same adults and places. Decided pairs stay decided."""

from __future__ import annotations

from collections.abc import Collection

from django.utils import timezone

from sightline.ledger.services import Actor, do_bulk_create, do_bulk_update
from sightline.people.linkage.engine import REVIEW_BAND
from sightline.people.linkage.review_groups import change_chances
from sightline.people.linkage.state import stored_pairs_among, stored_pairs_touching
from sightline.people.models import LinkDecision, LinkReview

# Below this a pair is noise even for a child at risk (measured: docs/linkage.md, "Review queue").
IMPACT_LOW = 0.05
AT_RISK_REASON = "low score, but a record of a child at risk: a decision may add to what is known of them"
CONTEXT_REASON = "seen with the same adults, places, vehicles or phones as this child, under a name that fits"


def at_risk_pairs(record_keys: Collection[str]) -> dict[tuple[str, str], tuple[float, float, float]]:
    """Pairs of the last link run kept apart with a probability in [IMPACT_LOW, the review band),
    with a record among ``record_keys``: (left, right) -> (probability, weight, change chance)."""
    frame, clusters = stored_pairs_touching(sorted(record_keys), IMPACT_LOW, REVIEW_BAND[0])
    if not len(frame):
        return {}
    left, right = frame["record_key_l"], frame["record_key_r"]
    frame = frame[left.map(clusters).fillna(left) != right.map(clusters).fillna(right)]
    involved = {clusters.get(k, k) for k in (*frame["record_key_l"], *frame["record_key_r"])}
    members = [k for k, c in clusters.items() if c in involved]
    chances = change_chances(frame, stored_pairs_among(members), clusters)
    return {
        (str(a), str(b)): (round(float(p), 4), round(float(w), 4), round(c, 4))
        for a, b, p, w, c in zip(
            frame["record_key_l"], frame["record_key_r"], frame["match_probability"], frame["match_weight"],
            chances, strict=True,
        )
    }  # fmt: skip


def do_raise_at_risk_reviews(actor: Actor, *, record_keys: Collection[str]) -> int:
    """Open a review for each at-risk pair (``at_risk_pairs``) not decided or already open; close the
    open at-risk reviews no longer among them. Returns how many are open."""
    wanted = {
        key: {"match_probability": p, "match_weight": w, "change_chance": chance}
        for key, (p, w, chance) in at_risk_pairs(record_keys).items()
    }
    return _raise(actor, AT_RISK_REASON, "analysis: a low-scored pair touches a child at risk", wanted)


def do_raise_context_reviews(actor: Actor, *, pairs: Collection[tuple[str, str, int]]) -> int:
    """Open a review for each pair collective linkage proposes (``intelligence.context``: left key,
    right key, neighbours shared), unless decided or already open; close the open ones no longer
    proposed. The chance of a change grows with what they share: n / (n + 1). Returns how many are open."""
    wanted = {
        (a, b): {"match_probability": 0.0, "match_weight": 0.0, "change_chance": round(n / (n + 1), 4)}
        for a, b, n in pairs
        if a != b
    }
    return _raise(actor, CONTEXT_REASON, "analysis: seen with the same people and places", wanted)


def _raise(actor: Actor, reason: str, why: str, wanted: dict[tuple[str, str], dict[str, float]]) -> int:
    """Open (or reopen) a review with ``reason`` for each wanted pair not decided or already open, and
    close the open ones with ``reason`` no longer wanted. Returns how many with ``reason`` are open."""
    decided = set(LinkDecision.objects.values_list("record_key_l", "record_key_r"))
    lefts = {k[0] for k in wanted}
    held = {(r.record_key_l, r.record_key_r): r for r in LinkReview.objects.filter(record_key_l__in=lefts)}
    open_now = LinkReview.objects.filter(status=LinkReview.Status.OPEN, reason=reason)
    held |= {(r.record_key_l, r.record_key_r): r for r in open_now}
    now = timezone.now()
    create, update = [], []
    for key, values in wanted.items():
        review = held.get(key)
        if key in decided or (review is not None and review.status != LinkReview.Status.CLOSED):
            continue
        if review is None:
            create.append(
                LinkReview(record_key_l=key[0], record_key_r=key[1], raised_at=now, reason=reason, **values)
            )
            continue
        for field, value in values.items():
            setattr(review, field, value)
        review.reason, review.status, review.group, review.group_kind = reason, LinkReview.Status.OPEN, "", ""
        update.append(review)
    for key, review in held.items():
        if review.reason == reason and review.status == LinkReview.Status.OPEN and key not in wanted:
            review.status = LinkReview.Status.CLOSED
            update.append(review)
    do_bulk_create(create, actor=actor, action="link", reason=why)
    fields = ["match_probability", "match_weight", "reason", "group", "group_kind", "change_chance", "status"]
    do_bulk_update(update, actor=actor, fields=fields, action="link")
    return LinkReview.objects.filter(status=LinkReview.Status.OPEN, reason=reason).count()
