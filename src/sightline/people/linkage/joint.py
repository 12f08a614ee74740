"""One joint clustering of an agreement's records and the hub's plain ones, when the hub holds the
agreement's secret (docs/pprl.md, "2026-12-04: one joint clustering with the secret").

The hub encodes its plain records under the agreement (``RowEncoder.hub_people``: wider salts than
an agency's), the encoded model scores every candidate pair but those of two plain records, and the
plain run's pairs (scored by the plain model) join them in one constrained clustering. The plain
run's people are not kept whole: a join the plain run made for want of the agreement's records can
be undone by them, as one plain run over all the records would have undone it.

Pure like the engine: no Django.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from splink.blocking_rule_library import CustomRule

from sightline.people.linkage.clustering import ClusteringSettings, cluster_records, normalise_decisions
from sightline.people.linkage.encoded import (
    PAIR_COLUMNS,
    EncodedLinkage,
    hub_encoded,
    link_encoded,
    score_pairs,
    union_clusters,
)
from sightline.people.linkage.engine import review_pairs
from sightline.people.linkage.review_groups import change_chances
from sightline.people.linkage.types import HumanDecision, LinkageResult
from sightline.pprl.levels import BLOCK_COLUMNS_SQL, BLOCKING_SQL, HUB_TYPES, joint_comparisons

# The plain engine's clustering, without scoring every pair within a group: the encoded model cannot
# score pairs the plain model scored, and the other way round.
CLUSTERING = ClusteringSettings(score_within=False)
# One rule: a blocking key in common (levels.BLOCK_COLUMNS_SQL), exploded.
BLOCKING = [CustomRule(BLOCKING_SQL, arrays_to_explode=["block_key"])]
PAIR = ["record_key_l", "record_key_r", "match_weight", "hard_conflict"]
# A plain record with one of these stands on its own beside the names (engine.sparse_records).
ANCHORS = ("date_of_birth", "postcode", "nhs_number", "upn", "pnc_id")
ENCODED_ANCHORS = ("dob_digest", "postcode_bf", "nhs_digest", "upn_digest", "pnc_digest")


def link_joint(
    rows: Sequence[Mapping[str, Any]],
    hub: Sequence[Mapping[str, Any]],
    encoding: Mapping[str, Any],
    plain_records: pd.DataFrame,
    plain: LinkageResult,
    decisions: Sequence[HumanDecision] = (),
) -> EncodedLinkage:
    """Every record of the agreement (`rows`) and of the plain run (`hub`, encoded by the hub) into
    people, in one clustering over the encoded model's pairs and the plain run's."""
    started = time.perf_counter()
    hub_keys = frozenset(str(r["unique_id"]) for r in hub)
    everyone = [*rows, *hub]
    pairs = score_pairs(
        everyone, encoding, BLOCKING, BLOCK_COLUMNS_SQL, joint_comparisons(encoding), HUB_TYPES
    )
    both_hub = pairs["record_key_l"].isin(hub_keys) & pairs["record_key_r"].isin(hub_keys)
    pairs = pairs[~both_hub].reset_index(drop=True)
    keys = sorted(str(r["unique_id"]) for r in everyone) + sorted(set(plain.clusters) - hub_keys)
    sparse = sparse_plain(plain_records) | sparse_encoded(rows)
    clusters = cluster_joint(keys, pairs, plain.pairs, decisions, sparse)
    pairs["linked"] = [
        clusters[a] == clusters[b] for a, b in zip(pairs["record_key_l"], pairs["record_key_r"], strict=True)
    ]
    stats = {"seconds": time.perf_counter() - started, "pairs": float(len(pairs))}
    return EncodedLinkage(clusters, pairs, stats)


def cluster_joint(
    keys: Sequence[str],
    encoded_pairs: pd.DataFrame,
    plain_pairs: pd.DataFrame,
    decisions: Sequence[HumanDecision] = (),
    sparse: set[str] | None = None,
) -> dict[str, str]:
    """Records -> people by the plain engine's constrained clustering over both models' pairs. A
    pair scored by both (none, as the run drops two hub records' encoded pairs) keeps the plain
    model's weight. Human decisions about two of these records hold as in the plain clustering."""
    known = set(keys)
    held = [d for d in decisions if d.record_key_l in known and d.record_key_r in known]
    frames = [_pairs(plain_pairs), _pairs(encoded_pairs)]
    together = pd.concat([f for f in frames if not f.empty] or frames[:1], ignore_index=True)
    together = together.drop_duplicates(["record_key_l", "record_key_r"], keep="first")
    clusters, *_ = cluster_records(keys, together, held, CLUSTERING, sparse=sparse)
    return clusters


def _pairs(frame: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame({c: frame[c] for c in PAIR[:3]}) if not frame.empty else pd.DataFrame(columns=PAIR)
    if not frame.empty:
        conflict = frame["hard_conflict"] if "hard_conflict" in frame else pd.Series(False, index=frame.index)
        out["hard_conflict"] = conflict.fillna(False).astype(bool)
    return out


def sparse_plain(records: pd.DataFrame) -> set[str]:
    """Plain records with no family name or nothing beside the names (as ``engine.sparse_records``)."""
    if records.empty:
        return set()

    def blank(column: str) -> pd.Series:
        if column not in records:
            return pd.Series(True, index=records.index)
        return records[column].fillna("").astype(str).str.strip() == ""

    no_anchor = pd.Series(True, index=records.index)
    for column in ANCHORS:
        no_anchor &= blank(column)
    return set(records.loc[blank("family_name") | no_anchor, "record_key"].astype(str))


def sparse_encoded(rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """Encoded records with no full name (so no family name) or nothing beside the names."""
    return {
        str(r["unique_id"])
        for r in rows
        if not r.get("fullname_bf") or not any(r.get(c) for c in ENCODED_ANCHORS)
    }


def with_encoded(
    result: LinkageResult,
    groups: Mapping[str, tuple[Mapping[str, Any], Sequence[Mapping[str, Any]]]],
    plain: pd.DataFrame,
    secret: bytes | None,
    decisions: Sequence[HumanDecision] = (),
) -> LinkageResult:
    """The plain run's result joined with a run per agreement of its encoded records. With the
    agreement's `secret`, the plain records take part in that run, encoded by the hub, and that run's
    one clustering (``link_joint``) gives the plain records' people too.

    Human `decisions` are honoured within each run, and a "same person" decision about records no
    one run holds both of (an encoded record and a plain one, without the secret) joins their people.
    The uncertain pairs of the agreements' runs join the review queue, judged as the plain engine
    judges its own (``engine.review_pairs``) against the people finally found."""
    runs = []
    alone: set[str] = set()
    joint = secret is not None and not plain.empty
    for encoding, rows in groups.values():
        if joint:
            assert secret is not None
            hub = hub_encoded(plain, encoding, secret, rows)
            runs.append(link_joint(rows, hub, encoding, plain, result, decisions))
        else:
            alone.update(str(r["unique_id"]) for r in rows)
            runs.append(link_encoded(rows, encoding, decisions=decisions))
    must, cannot = normalise_decisions(decisions)
    held = set(result.clusters).union(*(r.clusters for r in runs))
    across = [(a, b) for a, b in sorted(must) if a in held and b in held]
    # In a joint run the plain records' people are that run's, not the plain run's.
    plain_people = [] if joint and runs else result.clusters.items()
    clusters = union_clusters(plain_people, *(r.clusters.items() for r in runs), across)
    encoded_pairs = pd.concat([r.pairs for r in runs], ignore_index=True)
    ours = encoded_pairs[[c for c in PAIR_COLUMNS if c in encoded_pairs]]
    pairs = pd.concat([result.pairs, ours], ignore_index=True) if len(ours) else result.pairs.copy()
    if not pairs.empty:
        pairs["linked"] = [
            clusters.get(a) == clusters.get(b)
            for a, b in zip(pairs["record_key_l"], pairs["record_key_r"], strict=True)
        ]
    if not encoded_pairs.empty:
        encoded_pairs["linked"] = [
            clusters.get(a) == clusters.get(b)
            for a, b in zip(encoded_pairs["record_key_l"], encoded_pairs["record_key_r"], strict=True)
        ]
    encoded_review = _encoded_review(pairs, ours, must | cannot, clusters)
    review = pd.concat([result.review, encoded_review], ignore_index=True)
    stats = dict(result.stats) | {"encoded_seconds": sum(r.stats.get("seconds", 0.0) for r in runs)}
    return dataclasses.replace(
        result,
        clusters=clusters,
        pairs=pairs,
        review=review,
        stats=stats,
        encoded_pairs=encoded_pairs,
        encoded_alone=frozenset(alone),
    )


def _encoded_review(
    pairs: pd.DataFrame, ours: pd.DataFrame, decided: set[tuple[str, str]], clusters: Mapping[str, str]
) -> pd.DataFrame:
    """The review rows of the agreements' pairs (`ours`), judged over all the run's `pairs` so that a
    record's best link inside its person counts every pair it has, plain or encoded. Not grouped;
    each with its chance of changing what linkage did (``review_groups.change_chances``)."""
    columns = ["record_key_l", "record_key_r", "match_probability", "match_weight", "reason"]
    if ours.empty:
        return pd.DataFrame(columns=[*columns, "group", "group_kind", "change_chance"])
    every = pairs.reset_index(drop=True)
    every["hard_conflict"] = every["hard_conflict"].fillna(False).astype(bool)
    review = review_pairs(every, decided, ())
    wanted = set(zip(ours["record_key_l"], ours["record_key_r"], strict=True))
    keys = zip(review["record_key_l"], review["record_key_r"], strict=True)
    review = review[[k in wanted for k in keys]].reset_index(drop=True)
    return review.assign(group="", group_kind="", change_chance=change_chances(review, every, clusters))
