"""Writing what a linkage run found, through the ledger: new and changed people, people whose records
all went elsewhere, each record's person and match probability, and the review queue. Only what
changed gets a new version, so a re-run over unchanged records writes nothing."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from sightline.ledger.models import new_id
from sightline.ledger.services import Actor, do_bulk_create, do_bulk_update
from sightline.people.linkage.engine import REVIEW_BAND
from sightline.people.linkage.impact import AT_RISK_REASON, CONTEXT_REASON, IMPACT_LOW
from sightline.people.linkage.records import LinkInputs
from sightline.people.linkage.stable_ids import assign_stable_ids
from sightline.people.linkage.types import LinkageResult
from sightline.people.models import LinkReview, Person, SourceRecord

CHILD_AGE = 18
PROBABILITY_PLACES = 4
CHUNK = 5000


@dataclass
class LinkSummary:
    """What a run found and wrote, and how long each step took."""

    records: int
    people: int
    incremental: bool
    people_created: int = 0
    people_updated: int = 0
    people_retired: int = 0
    records_relinked: int = 0
    review_open: int = 0
    review_added: int = 0
    conflicts: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    fallback: str = ""

    def summary(self) -> str:
        mode = "incremental" if self.incremental else "full"
        if self.fallback:
            mode += f", as the incremental run failed: {self.fallback}"
        text = (
            f"linked {self.records} records into {self.people} people ({mode} run): "
            f"{self.people_created} people new, {self.people_updated} updated, "
            f"{self.people_retired} merged away; "
            f"{self.records_relinked} records relinked; review queue {self.review_open} open "
            f"({self.review_added} new)"
        )
        if self.conflicts:
            text += f"; {len(self.conflicts)} human decisions conflict: " + "; ".join(self.conflicts[:3])
        return text


# --- people from their records -------------------------------------------------------------------


def _age(dob: str, estimated: str, reference: str, as_of: dt.date) -> float | None:
    if dob:
        parts = dob.split("-")
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 7
        day = int(parts[2]) if len(parts) > 2 else 1
        return (as_of - dt.date(year, month, day)).days / 365.25
    if estimated.isdigit():
        ref = dt.date.fromisoformat(reference) if reference else as_of
        return int(estimated) + (as_of - ref).days / 365.25
    return None


def _most_common(values: Iterable[str]) -> str:
    counts = Counter(v for v in values if v)
    if not counts:
        return ""
    # most often recorded, then the fullest form (Jessica over Jess), then alphabetical
    return max(counts, key=lambda v: (counts[v], len(v), [-ord(c) for c in v]))


def person_values(rows: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    """A linked person's summary from their records' fields (never ethnicity from a score's view)."""
    dobs = [r["date_of_birth"] for r in rows if r["date_of_birth"]]
    best = max((len(d) for d in dobs), default=0)
    dob = _most_common(d for d in dobs if len(d) == best)
    ages = [
        a
        for r in rows
        if (a := _age(r["date_of_birth"], r["estimated_age"], r["reference_date"], as_of)) is not None
    ]
    est = [int(r["estimated_age"]) for r in rows if r["estimated_age"].isdigit()]
    kind = Person.Kind.UNKNOWN
    if ages:
        age = sorted(ages)[len(ages) // 2]
        kind = Person.Kind.CHILD if age < CHILD_AGE else Person.Kind.ADULT
    others = sorted({n for r in rows for n in r["other_names"].split(";") if n.strip()} - {""})
    return {
        "kind": kind,
        "given_name": _most_common(r["given_name"] for r in rows)[:200],
        "family_name": _most_common(r["family_name"] for r in rows)[:200],
        "other_names": "; ".join(n.strip() for n in others)[:500],
        "date_of_birth": dob[:10],
        "estimated_age": None if dob or not est else sorted(est)[len(est) // 2],
        "sex": _most_common(r["sex"] for r in rows if r["sex"] in ("F", "M"))[:1],
        "ethnicity": _most_common(r.get("ethnicity", "") for r in rows)[:8],
        "address": _most_common(r["address"] for r in rows)[:500],
        "postcode": _most_common(r["postcode"].upper() for r in rows)[:10],
    }


PERSON_FIELDS = list(person_values([], dt.date(2000, 1, 1)))


def _store_people(
    inputs: LinkInputs, members: dict[str, list[str]], actor: Actor, summary: LinkSummary
) -> None:
    """Create the people this run found and update those whose records changed. People entered
    by hand, or merged, are left as they are."""
    rows_by_key = {r["record_key"]: r for r in inputs.records.to_dict("records")}
    for key, data in inputs.data.items():
        rows_by_key[key]["ethnicity"] = str(data.get("ethnicity") or "").strip()  # for display, never scoring
    existing = {p.pk: p for p in Person.objects.filter(pk__in=list(members))}
    create, update = [], []
    for pid, keys in members.items():
        values = person_values([rows_by_key[k] for k in keys], inputs.as_of)
        person = existing.get(pid)
        if person is None:
            create.append(Person(id=pid, created_by="linkage", **values))
        elif (
            person.created_by == "linkage"
            and person.status == Person.Status.ACTIVE
            and any(getattr(person, k) != v for k, v in values.items())
        ):
            for k, v in values.items():
                setattr(person, k, v)
            update.append(person)
    do_bulk_create(create, actor=actor, action="link", reason="linkage: new person")
    do_bulk_update(
        update, actor=actor, fields=PERSON_FIELDS, action="link", reason="linkage: records changed"
    )
    summary.people_created, summary.people_updated = len(create), len(update)


def _retire_lost(inputs: LinkInputs, ids: dict[str, str], actor: Actor, summary: LinkSummary) -> None:
    """People linkage made whose records all went elsewhere are merged into where most went."""
    lost = set(inputs.persons.values()) - set(ids.values())
    if not lost:
        return
    went: dict[str, Counter[str]] = defaultdict(Counter)
    for key, old in inputs.persons.items():
        if old in lost:
            went[old][ids[key]] += 1
    retire = []
    for person in Person.objects.filter(pk__in=lost, created_by="linkage", status=Person.Status.ACTIVE):
        person.status = Person.Status.MERGED
        person.merged_into = went[person.pk].most_common(1)[0][0]
        retire.append(person)
    do_bulk_update(retire, actor=actor, fields=["status", "merged_into"], action="link",
                   reason="linkage: records joined another person")  # fmt: skip
    summary.people_retired = len(retire)


def record_probabilities(result: LinkageResult) -> dict[str, float]:
    """Each record's strongest link inside its own cluster: how sure we are it belongs there."""
    pairs = result.pairs
    if pairs.empty:
        return {}
    linked = pairs[pairs["linked"]] if "linked" in pairs.columns else pairs
    best: dict[str, float] = {}
    for left, right, p in zip(
        linked["record_key_l"], linked["record_key_r"], linked["match_probability"], strict=True
    ):
        p = float(p)
        if p > best.get(left, -1.0):
            best[left] = p
        if p > best.get(right, -1.0):
            best[right] = p
    return best


def _relink_records(
    inputs: LinkInputs, result: LinkageResult, ids: dict[str, str], actor: Actor, summary: LinkSummary
) -> dict[str, int]:
    """A new version of each record whose person or probability changed. Returns every record's
    version after the run."""
    probability = record_probabilities(result)
    relink: dict[str, tuple[str, float | None]] = {}
    for key, pid in ids.items():
        p = probability.get(key)
        relink[inputs.pk_of[key]] = (pid, round(p, PROBABILITY_PLACES) if p is not None else None)
    current = {
        pk: (person, prob)
        for pk, person, prob in SourceRecord.objects.values_list("id", "person_id", "match_probability")
    }
    changed_pks = [pk for pk, v in relink.items() if current.get(pk) != v]
    versions = dict(inputs.versions)
    key_of = {pk: key for key, pk in inputs.pk_of.items()}
    for i in range(0, len(changed_pks), CHUNK):
        chunk = list(SourceRecord.objects.select_for_update().filter(pk__in=changed_pks[i : i + CHUNK]))
        for obj in chunk:
            obj.person_id, obj.match_probability = relink[obj.pk]
        do_bulk_update(chunk, actor=actor, fields=["person", "match_probability"], action="link",
                       reason="linkage")  # fmt: skip
        for obj in chunk:
            versions[key_of[obj.pk]] = obj.version
    summary.records_relinked = len(changed_pks)
    return versions


def store(inputs: LinkInputs, result: LinkageResult, actor: Actor, summary: LinkSummary) -> dict[str, int]:
    """Write the run's people, records and review queue (the caller holds the transaction). Returns
    every record's version after the run, for the next incremental run."""
    ids = assign_stable_ids(result.clusters, inputs.persons, lambda: new_id(Person.id_prefix))
    members: dict[str, list[str]] = defaultdict(list)
    for key, pid in ids.items():
        members[pid].append(key)
    _store_people(inputs, members, actor, summary)
    _retire_lost(inputs, ids, actor, summary)
    versions = _relink_records(inputs, result, ids, actor, summary)
    store_review(result, actor, summary)
    return versions


def _chance(value: Any) -> float:
    """A review's change chance as stored: 0 where a run gave none."""
    chance = float(value) if value is not None else 0.0
    return round(chance, PROBABILITY_PLACES) if math.isfinite(chance) else 0.0


def _still_at_risk(result: LinkageResult, keys: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Of these at-risk reviews (``impact``), those whose pair this run still scored low and kept apart:
    they stay open until the next analysis says whether they still touch a child at risk."""
    if not keys:
        return set()
    pairs = result.pairs
    pairs = pairs[pairs["record_key_l"].isin({k[0] for k in keys})]
    p = pairs["match_probability"]
    low = pairs[(p >= IMPACT_LOW) & (p < REVIEW_BAND[0]) & ~pairs["linked"].astype(bool)]
    return set(zip(low["record_key_l"], low["record_key_r"], strict=True)) & set(keys)


def store_review(result: LinkageResult, actor: Actor, summary: LinkSummary) -> None:
    """Open a review for each uncertain pair, reopen or update those that come back, and close the
    open ones this run no longer finds uncertain (of those it compared). Decided reviews stay
    decided."""
    now = timezone.now()
    held = {(r.record_key_l, r.record_key_r): r for r in LinkReview.objects.all()}
    wanted = {
        (str(row.record_key_l), str(row.record_key_r)): row for row in result.review.itertuples(index=False)
    }
    create, update = [], []
    for key, row in wanted.items():
        values = {
            "match_probability": round(float(row.match_probability), PROBABILITY_PLACES),
            "match_weight": round(float(row.match_weight), PROBABILITY_PLACES),
            "reason": str(row.reason),
            "group": str(getattr(row, "group", "") or ""),
            "group_kind": str(getattr(row, "group_kind", "") or ""),
            "change_chance": _chance(getattr(row, "change_chance", None)),
        }
        review = held.get(key)
        if review is None:
            create.append(LinkReview(record_key_l=key[0], record_key_r=key[1], raised_at=now, **values))
        elif review.status == LinkReview.Status.CLOSED or (
            review.status == LinkReview.Status.OPEN
            and any(getattr(review, k) != v for k, v in values.items())
        ):
            for k, v in values.items():
                setattr(review, k, v)
            review.status = LinkReview.Status.OPEN
            update.append(review)
    low = [k for k, r in held.items() if r.reason == AT_RISK_REASON and k not in wanted]
    apart = result.clusters
    at_risk = _still_at_risk(result, low) | {
        k for k, r in held.items()
        if r.reason == CONTEXT_REASON and k not in wanted and apart.get(k[0]) != apart.get(k[1])
    }  # fmt: skip
    alone = result.encoded_alone
    for key, review in held.items():
        # A pair of an encoded record and one outside its agreement, which this run could not compare
        # (no secret given), is left as it is: the run has not judged it.
        unjudged = (key[0] in alone) != (key[1] in alone)
        if (
            key not in wanted
            and review.status == LinkReview.Status.OPEN
            and key not in at_risk
            and not unjudged
        ):
            review.status = LinkReview.Status.CLOSED
            update.append(review)
    do_bulk_create(create, actor=actor, action="link", reason="linkage: uncertain pair")
    fields = ["match_probability", "match_weight", "reason", "group", "group_kind", "change_chance", "status"]
    do_bulk_update(update, actor=actor, fields=fields, action="link")
    summary.review_added = len(create)
    summary.review_open = LinkReview.objects.filter(status=LinkReview.Status.OPEN).count()
