"""Pairs of records linkage was unsure about, as one viewer may see them.

* The queue names both records of each pair on the page: one ``read_list`` entry names the people
  they are linked to; a record linked to someone outside the viewer's access is listed without a name.
* A pair opened in full (and the two records of a link decision) goes through need to know for each
  record: through its person (``require_person_access``: a ledgered ``read``, or a refusal), or, for a
  record not linked yet, a ``read`` of the record itself.
* An encoded record (docs/pprl.md) shows its agency, its reference and which fields it holds encoded,
  never a filter or digest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sightline.access.permissions import Cap
from sightline.core.errors import NotFound
from sightline.intelligence.models import Alert
from sightline.intelligence.selectors.viewer import Listing, ledger_shown, viewer_actor
from sightline.ledger.services import Actor, record_action
from sightline.people import need_to_know as access
from sightline.people.linkage import explain, group_kinds, reviews
from sightline.people.linkage.records import records_by_key
from sightline.people.models import LinkReview, SourceRecord
from sightline.people.need_to_know import visible_among
from sightline.people.selectors import resolve_person_id


@dataclass(frozen=True)
class RecordName:
    """One record of a listed pair. ``restricted``: linked to a person outside the viewer's access."""

    key: str
    name: str
    restricted: bool


@dataclass(frozen=True)
class LinkReviewRow:
    """A pair in the queue; a side is None when its record is no longer held."""

    review: LinkReview
    left: RecordName | None
    right: RecordName | None
    affects_alert: bool = False
    group_size: int = 1  # pairs of its group in this list, when groups are collapsed


@dataclass(frozen=True)
class LinkReviewPair:
    """A pair opened in full: the review and both records as the agencies sent them. For an encoded
    record, ``encoded_l`` or ``encoded_r`` names the fields it holds encoded (None: a plain record)."""

    review: LinkReview
    left: SourceRecord
    right: SourceRecord
    encoded_l: frozenset[str] | None = None
    encoded_r: frozenset[str] | None = None


def _name(record: SourceRecord | None, visible: set[str]) -> RecordName | None:
    if record is None:
        return None
    restricted = bool(record.person_id) and record.person_id not in visible
    name = "" if restricted else f"{record.given_name} {record.family_name}".strip()
    if not restricted and is_encoded(record):
        name = explain.ENCODED
    return RecordName(record.key, name, restricted)


def is_encoded(record: SourceRecord) -> bool:
    """Whether the agency sent this record encoded (its names and the like stay with the agency)."""
    return bool(record.data.get("encoded"))


def alert_record_keys() -> set[str]:
    """The agency records behind the open child-at-risk and group alerts: a link decision about one of
    them can change who an alert is about or who is in it."""
    keys: set[str] = set()
    live = Alert.objects.filter(active=True, kind__in=[Alert.Kind.CHILD_AT_RISK, Alert.Kind.GROUP])
    for record_keys in live.exclude(status=Alert.Status.DISMISSED).values_list("record_keys", flat=True):
        keys.update(record_keys or [])
    return keys


def link_review_list(
    user: Any, *, status: str = LinkReview.Status.OPEN, collapse_groups: bool = False
) -> Listing[LinkReviewRow]:
    """Reviews with this status: open ones that touch an alert's records first (their decision can
    change who is at risk or who is in a group), the likeliest to change what linkage did first
    (``LinkReview.change_chance``); then the rest, the most uncertain first. With
    ``collapse_groups`` a group (``review_groups``) is one row, where its first pair would be, with
    its size. Each page taken from it ledgers the people its records are linked to."""
    actor = viewer_actor(user, Cap.MERGE_PEOPLE)
    impact = alert_record_keys() if status == LinkReview.Status.OPEN else set()
    sizes: dict[str, int] = {}

    def touches(r: LinkReview) -> bool:
        return r.record_key_l in impact or r.record_key_r in impact

    def show(reviews: list[LinkReview]) -> list[LinkReviewRow]:
        records = records_by_key([k for r in reviews for k in (r.record_key_l, r.record_key_r)])
        visible = visible_among(user, [r.person_id for r in records.values()])
        ledger_shown(actor, "link reviews", visible)
        return [
            LinkReviewRow(
                r,
                _name(records.get(r.record_key_l), visible),
                _name(records.get(r.record_key_r), visible),
                touches(r) or (r.group in impact_groups),
                sizes.get(r.group, 1) if r.group else 1,
            )
            for r in reviews
        ]

    queue = reviews.review_queue(status).select_related("decision")
    impact_groups: set[str] = set()
    if not impact and not collapse_groups:
        return Listing(queue, show)
    # Only the ids are ordered here (a stable sort keeps the queue's own order, most uncertain first,
    # within each part); the page shown loads its own reviews.
    columns = ("id", "record_key_l", "record_key_r", "group", "change_chance", "group_kind")
    pairs = list(queue.values_list(*columns, named=True))

    def behind(p: Any) -> bool:
        return p.record_key_l in impact or p.record_key_r in impact or p.group in impact_groups

    impact_groups.update(p.group for p in pairs if p.group and touches(p))
    first = [p for p in pairs if behind(p)]
    # Those behind an alert: the likeliest to change what linkage did first, then the most uncertain.
    # A group asks one question: its likeliest change. A household's pairs are plainly different
    # people, whatever the score, so their decision changes nothing linkage did.
    chance: dict[str, float] = {}
    for p in first:
        unit = p.group or p.id
        mine = 0.0 if p.group_kind == group_kinds.HOUSEHOLD else p.change_chance
        chance[unit] = max(chance.get(unit, 0.0), mine)
    first.sort(key=lambda p: -chance[p.group or p.id])
    ids = []
    for p in first + [p for p in pairs if not behind(p)]:
        if collapse_groups and p.group:
            sizes[p.group] = sizes.get(p.group, 0) + 1
            if sizes[p.group] > 1:
                continue
        ids.append(p.id)

    def show_ids(page: list[str]) -> list[LinkReviewRow]:
        loaded = queue.in_bulk(page)
        return show([loaded[pk] for pk in page if pk in loaded])

    return Listing(ids, show_ids)


def link_review_counts(user: Any) -> dict[str, int]:
    """How many reviews have each status. Names no one, so ledgers nothing."""
    viewer_actor(user, Cap.MERGE_PEOPLE)
    return {s: reviews.review_queue(s).count() for s in LinkReview.Status.values}


def _open(user: Any, actor: Actor, records: Iterable[SourceRecord], purpose: str) -> None:
    for r in records:
        if r.person_id:
            access.require_person_access(user, resolve_person_id(r.person_id), purpose)
        else:
            record_action(actor, "read", SourceRecord.ledger_type(), r.pk, reason=purpose)


def open_records(user: Any, keys: Iterable[str], *, purpose: str) -> dict[str, SourceRecord]:
    """The records with these ``agency:record_id`` keys, each opened for the viewer (need to know,
    ledgered). Raises NotFound, before opening any, when a key names no record held."""
    actor = viewer_actor(user, Cap.MERGE_PEOPLE)
    wanted = list(dict.fromkeys(keys))
    records = records_by_key(wanted)
    missing = [k for k in wanted if k not in records]
    if missing:
        raise NotFound(f"no record {missing[0]!r} (give agency:record_id)")
    _open(user, actor, (records[k] for k in wanted), purpose)
    return records


def link_review(user: Any, review_id: str) -> LinkReviewPair:
    """A review with both its records opened for the viewer (purpose ``link review <id>``). Raises
    NotFound (no such review, or a record of it no longer held) or NeedToKnowDenied."""
    viewer_actor(user, Cap.MERGE_PEOPLE)
    review = reviews.get_link_review(review_id)
    if review is None:
        raise NotFound("No such link review")
    try:
        records = open_records(
            user, [review.record_key_l, review.record_key_r], purpose=f"link review {review.id}"
        )
    except NotFound:
        raise NotFound("A record of this pair is no longer held") from None
    left, right = records[review.record_key_l], records[review.record_key_r]
    encoded = explain.encoded_fields([r.key for r in (left, right) if is_encoded(r)])
    return LinkReviewPair(review, left, right, encoded.get(left.key), encoded.get(right.key))


def pair_weights(pair: LinkReviewPair) -> explain.PairExplanation | None:
    """How each field moved the pair's match weight (None when linkage has not run here). Reads only
    what :func:`link_review` already opened."""
    key = (pair.review.record_key_l, pair.review.record_key_r)
    return explain.explain_pairs([(pair.left.key, pair.right.key)]).get(key)


@dataclass(frozen=True)
class LinkReviewGroup:
    """A group of reviews opened in full: the pairs still waiting first, then those decided."""

    id: str
    kind: str
    label: str
    waiting: list[LinkReviewPair]
    decided: list[LinkReviewPair]


def link_review_group(user: Any, group_id: str) -> LinkReviewGroup:
    """The open and decided reviews of a group, each record opened for the viewer (purpose ``link
    review group <id>``); pairs whose records are no longer held are left out. Raises NotFound when
    the group has no such pair, or NeedToKnowDenied."""
    actor = viewer_actor(user, Cap.MERGE_PEOPLE)
    members = [r for r in reviews.review_group(group_id) if r.status != LinkReview.Status.CLOSED]
    records = records_by_key([k for r in members for k in (r.record_key_l, r.record_key_r)])
    members = [r for r in members if r.record_key_l in records and r.record_key_r in records]
    if not members:
        raise NotFound("No such group of link reviews")
    keys = dict.fromkeys(k for r in members for k in (r.record_key_l, r.record_key_r))
    _open(user, actor, (records[k] for k in keys), f"link review group {group_id}")
    pairs = [LinkReviewPair(r, records[r.record_key_l], records[r.record_key_r]) for r in members]
    kind = members[0].group_kind
    return LinkReviewGroup(
        group_id,
        kind,
        group_kinds.KIND_LABELS.get(kind, "Pairs linkage grouped together"),
        [p for p in pairs if p.review.status == LinkReview.Status.OPEN],
        [p for p in pairs if p.review.status != LinkReview.Status.OPEN],
    )
