"""The review queue checked against the truth: does a reviewer who works down the queue as the page
shows it fix the linkage errors that matter first? (#11: "the first 100 decisions fix at least half
of the linkage errors that touch alerted children").

A reviewer (an analyst account) takes the first N rows of `/intelligence/link-reviews` in its order:
those behind an open alert first, then the most uncertain, a group as one row. Each row is one
decision, answered from the truth: a single pair as it truly is; a group with the answer most of its
pairs truly have, the others unticked (left open). The decisions go through the same service as the
page, then `sightline link` runs again, honouring them. Errors are counted before and after.
Imported once Django is set up (quality_run.py).

An error *touching an alerted child* is a pair of records that linkage got wrong where the child is
one of the children the analysis alerted about (as true people): two records of the child kept
apart, or a record of someone else joined to the child (or to the Sightline person alerted about).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from itertools import combinations
from typing import Any

from sightline.access.models import User
from sightline.access.services import actor_for, do_create_user
from sightline.intelligence import selectors as intel
from sightline.ledger.services import SYSTEM
from sightline.people.linkage.decisions import do_decide_links
from sightline.people.linkage.reviews import review_group
from sightline.people.linkage.run import do_link
from sightline.people.models import LinkReview, SourceRecord


def errors_touching(
    person_of: Mapping[str, str | None],
    true_of: Mapping[str, str],
    alerted_truth: set[str],
    alerted: set[str],
) -> set[tuple[str, str]]:
    """Record pairs linked wrongly that touch an alerted child (module docstring)."""
    by_true: dict[str, list[str]] = defaultdict(list)
    by_person: dict[str, list[str]] = defaultdict(list)
    for key, tid in true_of.items():
        by_true[tid].append(key)
        by_person[person_of.get(key) or f"unlinked:{key}"].append(key)
    errors: set[tuple[str, str]] = set()
    for tid in alerted_truth:
        for a, b in combinations(sorted(by_true.get(tid, ())), 2):
            if (person_of.get(a) or a) != (person_of.get(b) or b):
                errors.add((a, b))
    for pid, keys in by_person.items():
        touched = pid in alerted or any(true_of[k] in alerted_truth for k in keys)
        if not touched or len(keys) < 2:
            continue
        for a, b in combinations(sorted(keys), 2):
            if true_of[a] != true_of[b] and (pid in alerted or alerted_truth & {true_of[a], true_of[b]}):
                errors.add((a, b))
    return errors


def _reviewer() -> Any:

    user = User.objects.filter(username="bench-reviewer").first()
    return user or do_create_user(SYSTEM, username="bench-reviewer", role="analyst", agency="police")


def first_decisions(
    true_of: Mapping[str, str],
    person_of: Mapping[str, str | None],
    alerted_truth: set[str],
    alerted: set[str],
    n: int = 100,
) -> dict[str, Any]:
    """Make the first `n` decisions of the queue from the truth, link again, and count the errors
    touching alerted children before and after. Changes the database (decisions, people)."""

    before = errors_touching(person_of, true_of, alerted_truth, alerted)
    user = _reviewer()
    actor = actor_for(user)
    rows = intel.link_review_list(user, collapse_groups=True)[:n]
    pairs_decided = groups = touching = 0
    answers: Counter[str] = Counter()
    for row in rows:
        review = row.review
        members = (
            list(review_group(review.group).filter(status=LinkReview.Status.OPEN))
            if row.group_size > 1
            else [review]
        )
        truth = {(r.record_key_l, r.record_key_r): true_of.get(r.record_key_l) == true_of.get(r.record_key_r)
                 for r in members}  # fmt: skip
        same = Counter(truth.values()).most_common(1)[0][0]
        chosen = [pair for pair, answer in truth.items() if answer == same]
        do_decide_links(actor, pairs=chosen, same_person=same, reason="bench: from the truth")
        pairs_decided += len(chosen)
        groups += row.group_size > 1
        answers["same" if same else "not the same"] += 1
        touching += any(p in before or (p[1], p[0]) in before for p in chosen)
    t = time.perf_counter()
    do_link()
    relink = time.perf_counter() - t
    after_of = {
        f"{a}:{r}": p for a, r, p in SourceRecord.objects.values_list("agency_id", "record_id", "person_id")
    }
    after = errors_touching(after_of, true_of, alerted_truth, alerted)
    fixed = len(before - after)
    return {
        "decisions": len(rows),
        "pairs_decided": pairs_decided,
        "group_decisions": groups,
        "decisions_on_an_error": touching,
        "answers": dict(answers),
        "errors_before": len(before),
        "errors_after": len(after),
        "errors_fixed": fixed,
        "errors_new": len(after - before),
        "fixed_share": fixed / len(before) if before else float("nan"),
        "relink_seconds": relink,
    }
