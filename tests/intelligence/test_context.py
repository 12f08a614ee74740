"""Collective linkage: a sparse record is proposed beside the child seen with the same adults and
places, when name and age fit; not beside a child who only shares a hub, a name or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
import pytest

from sightline.intelligence.context import HUB, context_pairs
from sightline.ledger.services import SYSTEM
from sightline.people.linkage.decisions import do_decide_link
from sightline.people.linkage.impact import CONTEXT_REASON, do_raise_context_reviews
from sightline.people.linkage.store import LinkSummary, store_review
from sightline.people.linkage.types import LinkageResult
from sightline.people.models import LinkReview
from tests import factories

AS_OF = dt.date(2014, 7, 1)


def _world(extra_edges: Sequence[tuple[str, str]] = ()) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    records = pd.DataFrame(
        [
            ("youth:Y1", "P-JESS", "Jess", "", "", "14"),  # sparse: "Jess, about 14"
            ("police:P1", "P-JESSICA", "Jessica", "Hall", "2000-02-03", ""),
            ("police:P2", "P-JESSIE", "Jessie", "Ward", "2000-05-06", ""),  # same name, shares one thing
            ("police:P3", "P-AMY", "Amy", "Cole", "2000-01-01", ""),  # shares everything, wrong name
            ("police:P4", "P-JESS2", "Jessica", "Lowe", "2007-01-01", ""),  # right name, 7 years younger
        ],
        columns=["record_key", "person_id", "given_name", "family_name", "date_of_birth", "estimated_age"],
    )
    people = ["P-JESS", "P-JESSICA", "P-JESSIE", "P-AMY", "P-JESS2"]
    nodes = pd.DataFrame(
        [(p, "person", "child") for p in people]
        + [(a, "person", "adult") for a in ("P-MAN1", "P-MAN2")]
        + [("place:flat", "place", ""), ("vehicle:AB12", "vehicle", "")],
        columns=["id", "type", "role"],
    )
    edges = [
        ("P-JESS", "P-MAN1"), ("P-JESS", "vehicle:AB12"), ("P-JESS", "place:flat"),
        ("P-JESSICA", "P-MAN1"), ("P-JESSICA", "vehicle:AB12"),
        ("P-JESSIE", "place:flat"),
        ("P-AMY", "P-MAN1"), ("P-AMY", "vehicle:AB12"), ("P-AMY", "place:flat"),
        ("P-JESS2", "P-MAN1"), ("P-JESS2", "vehicle:AB12"),
        *extra_edges,
    ]  # fmt: skip
    return records, nodes, pd.DataFrame(edges, columns=["source", "target"])


def test_a_sparse_record_is_proposed_beside_the_child_seen_with_the_same_people() -> None:
    records, nodes, edges = _world()
    assert context_pairs(records, nodes, edges, AS_OF) == [("police:P1", "youth:Y1", 2)]


def test_what_many_children_share_tells_nothing() -> None:
    crowd = [(f"P-KID{i}", "P-MAN1") for i in range(HUB)] + [
        (f"P-KID{i}", "vehicle:AB12") for i in range(HUB)
    ]
    records, nodes, edges = _world(crowd)
    kids = pd.DataFrame(
        [(f"P-KID{i}", "person", "child") for i in range(HUB)], columns=["id", "type", "role"]
    )
    assert context_pairs(records, pd.concat([nodes, kids]), edges, AS_OF) == []


@pytest.mark.django_db
def test_proposals_become_reviews_that_the_next_analysis_keeps_or_closes() -> None:
    jess = factories.person("child", given_name="Jess")
    jessica = factories.person("child", given_name="Jessica", family_name="Hall")
    factories.record(jess, "police", "Y1", given_name="Jess", estimated_age="14")
    factories.record(jessica, "police", "P1", given_name="Jessica", family_name="Hall")
    factories.record(jessica, "police", "P2", given_name="Jessica", family_name="Hall")
    assert do_raise_context_reviews(SYSTEM, pairs=[("police:P1", "police:Y1", 2)]) == 1
    review = LinkReview.objects.get(reason=CONTEXT_REASON)
    assert review.status == "open" and review.change_chance == pytest.approx(2 / 3, abs=1e-4)
    assert do_raise_context_reviews(SYSTEM, pairs=[("police:P1", "police:Y1", 2)]) == 1  # not twice
    assert LinkReview.objects.filter(reason=CONTEXT_REASON).count() == 1
    # a decided pair is not raised again; one no longer proposed is closed
    do_decide_link(SYSTEM, key_a="police:P2", key_b="police:Y1", same_person=False)
    assert do_raise_context_reviews(SYSTEM, pairs=[("police:P2", "police:Y1", 3)]) == 0
    review.refresh_from_db()
    assert review.status == "closed"
    assert not LinkReview.objects.filter(record_key_l="police:P2").exists()


@pytest.mark.django_db
def test_a_link_run_keeps_a_proposal_open_while_the_records_stay_apart() -> None:
    for rid in ("Y1", "P1"):
        factories.record(factories.person("child", given_name="Jess"), "police", rid, given_name="Jess")
    do_raise_context_reviews(SYSTEM, pairs=[("police:P1", "police:Y1", 2)])
    pairs = pd.DataFrame(columns=["record_key_l", "record_key_r", "match_probability", "linked"])
    review = pd.DataFrame(
        columns=["record_key_l", "record_key_r", "match_probability", "match_weight", "reason"]
    )

    def run(clusters: dict[str, str]) -> str:
        result = LinkageResult(clusters=clusters, pairs=pairs, review=review, model={})
        store_review(result, SYSTEM, LinkSummary(records=2, people=2, incremental=False))
        return LinkReview.objects.get(reason=CONTEXT_REASON).status

    assert run({"police:P1": "police:P1", "police:Y1": "police:Y1"}) == "open"
    assert run({"police:P1": "police:P1", "police:Y1": "police:P1"}) == "closed"  # joined by the run
