"""End to end on a small synthetic town: quality against ground truth, human
decisions, re-runs and incremental runs."""

from __future__ import annotations

import json
from itertools import count

import pandas as pd

from sightline.people.linkage import (
    REVIEW_BAND,
    HumanDecision,
    PreviousLinkage,
    assign_stable_ids,
    link_records,
)
from sightline.people.linkage.clustering import connected_components_at
from sightline.people.linkage.engine import REVIEW_REASONS
from sightline.people.linkage.evaluate import pairwise_scores
from sightline.people.linkage.model import model_matches_structure

from .conftest import AS_OF, Town


def test_town_links_well_and_beats_connected_components(town: Town) -> None:
    ours = pairwise_scores(town.result.clusters, town.truth)
    cc = connected_components_at(town.result.pairs, 3.3)
    baseline = pairwise_scores({k: cc.get(k, k) for k in town.result.clusters}, town.truth)
    assert ours.precision >= 0.97
    assert ours.f1 >= 0.85
    assert ours.precision > baseline.precision and ours.f1 > baseline.f1


def test_model_is_saved_and_reused(town: Town) -> None:
    saved = json.loads(town.model_path.read_text())
    assert model_matches_structure(saved)
    assert saved == town.result.model
    stamp = town.model_path.stat().st_mtime_ns
    again = link_records(town.records.head(200), model_path=town.model_path, as_of=AS_OF)
    assert town.model_path.stat().st_mtime_ns == stamp
    assert again.model == saved


def test_review_queue_holds_uncertain_and_overridden_pairs(town: Town) -> None:
    review, pairs = town.result.review, town.result.pairs
    assert len(review) > 0
    assert set(review["reason"]) <= set(REVIEW_REASONS.values())
    low, high = REVIEW_BAND
    apart_in_band = pairs[(pairs.match_probability >= low) & (pairs.match_probability < high) & ~pairs.linked]
    queued = set(zip(review.record_key_l, review.record_key_r, strict=True))
    assert set(zip(apart_in_band.record_key_l, apart_in_band.record_key_r, strict=True)) <= queued


def test_human_decisions_are_honoured(town: Town) -> None:
    linked = town.result.pairs[
        town.result.pairs["linked"] & (town.result.pairs.match_probability > 0.99)
    ].iloc[0]
    a, b = linked["record_key_l"], linked["record_key_r"]
    # Two records in different clusters, joined by a human.
    clusters = town.result.clusters
    c, d = sorted({v for v in clusters.values()})[:2]
    decisions = [HumanDecision(a, b, False), HumanDecision(c, d, True)]
    result = link_records(town.records, decisions=decisions, model_path=town.model_path, as_of=AS_OF)
    assert result.clusters[a] != result.clusters[b]
    assert result.clusters[c] == result.clusters[d]
    decided = set(zip(result.review["record_key_l"], result.review["record_key_r"], strict=True))
    assert (min(a, b), max(a, b)) not in decided


def test_rerun_keeps_person_ids(town: Town) -> None:
    counter = count(1)
    first = assign_stable_ids(town.result.clusters, {}, lambda: f"P{next(counter)}")
    again = link_records(town.records, model_path=town.model_path, as_of=AS_OF)
    assert again.clusters == town.result.clusters
    assert assign_stable_ids(again.clusters, first, lambda: f"P{next(counter)}") == first


def test_incremental_run_matches_a_full_run(town: Town) -> None:
    records = town.records
    # The last extract to arrive: every record of one agency.
    late = records["agency"] == "youth_service"
    first = link_records(records[~late], model_path=town.model_path, as_of=AS_OF)
    incremental = link_records(
        records,
        model_path=town.model_path,
        as_of=AS_OF,
        previous=PreviousLinkage(first.pairs, first.clusters),
    )
    full = town.result
    assert incremental.stats["new_records"] == late.sum()
    assert incremental.stats["blocked_pairs"] > 0
    agreement = pairwise_scores(incremental.clusters, full.clusters)
    assert agreement.f1 >= 0.99
    # Old records untouched by the new extract keep exactly their clusters.
    new_keys = set(records.loc[late, "record_key"])
    touched = set(
        incremental.pairs.loc[
            incremental.pairs.record_key_l.isin(new_keys) | incremental.pairs.record_key_r.isin(new_keys),
            ["record_key_l", "record_key_r"],
        ].stack()
    )
    for k, c in first.clusters.items():
        if k not in touched and c not in touched:
            assert incremental.clusters[k] == c


def test_pairs_table_has_per_field_weights(town: Town) -> None:
    pairs = town.result.pairs
    mw = [c for c in pairs.columns if c.startswith("mw_")]
    assert len(mw) == 8
    assert (pairs["record_key_l"] < pairs["record_key_r"]).all()
    assert not pairs.duplicated(["record_key_l", "record_key_r"]).any()
    assert pd.api.types.is_bool_dtype(pairs["linked"])


def test_incremental_run_over_unchanged_records_is_the_full_run(town: Town) -> None:
    full = town.result
    again = link_records(
        town.records,
        model_path=town.model_path,
        as_of=AS_OF,
        previous=PreviousLinkage(full.pairs, full.clusters, tuple(full.attachments)),
    )
    assert again.clusters == full.clusters
    assert sorted(again.attachments) == sorted(full.attachments)
    # the review queue too: untouched sparse records keep their "attached" reason
    assert again.review.reset_index(drop=True).equals(full.review.reset_index(drop=True))


def test_changed_record_leaves_its_old_cluster(town: Town) -> None:
    full = town.result
    members: dict[str, list[str]] = {}
    for k, c in full.clusters.items():
        members.setdefault(c, []).append(k)
    # A pair with no other plausible match, so that neither lands in any component once
    # b changes: only the old grouping could then hold them together.
    p = full.pairs[full.pairs["match_weight"] >= -6.0]
    degree = pd.concat([p["record_key_l"], p["record_key_r"]]).value_counts()
    a, b = next(sorted(ms) for ms in members.values() if len(ms) == 2 and all(degree[k] == 1 for k in ms))
    records = town.records.copy()
    row = records["record_key"] == b
    wiped = ("nhs_number", "upn", "pnc_id", "email", "phone", "postcode", "address")
    records.loc[row, [c for c in wiped if c in records]] = ""
    stranger = ["Zebedee", "Quartermaine", "1950-01-01"]
    records.loc[row, ["given_name", "family_name", "date_of_birth"]] = stranger
    again = link_records(
        records,
        model_path=town.model_path,
        as_of=AS_OF,
        previous=PreviousLinkage(full.pairs, full.clusters, tuple(full.attachments)),
        changed_keys=[b],
    )
    assert again.clusters[a] != again.clusters[b]
