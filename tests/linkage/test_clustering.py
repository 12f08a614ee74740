"""The clustering on its own, with hand-set pair weights."""

from __future__ import annotations

import pandas as pd

from sightline.people.linkage import ClusteringSettings, HumanDecision
from sightline.people.linkage.clustering import cluster_records, connected_components_at

SETTINGS = ClusteringSettings(score_within=False)


def pairs(*rows: tuple[str, str, float] | tuple[str, str, float, bool]) -> pd.DataFrame:
    data = [(r[0], r[1], r[2], r[3] if len(r) > 3 else False) for r in rows]
    return pd.DataFrame(data, columns=["record_key_l", "record_key_r", "match_weight", "hard_conflict"])


def run(
    p: pd.DataFrame,
    keys: list[str],
    decisions: tuple[HumanDecision, ...] = (),
    sparse: set[str] | None = None,
) -> dict[str, str]:
    clusters, _, _, _, _ = cluster_records(keys, p, decisions, SETTINGS, sparse=sparse)
    return clusters


def test_a_weak_bridge_does_not_chain_two_people() -> None:
    # a1-a2 and b1-b2 are two people; x (no date of birth) fits both; a and b
    # disagree on their dates of birth.
    p = pairs(
        ("a1", "a2", 20),
        ("b1", "b2", 20),
        ("a1", "x", 6),
        ("a2", "x", 6),
        ("b1", "x", 6),
        ("b2", "x", 6),
        ("a1", "b1", 2, True),
        ("a1", "b2", 2, True),
        ("a2", "b1", 2, True),
        ("a2", "b2", 2, True),
    )
    keys = ["a1", "a2", "b1", "b2", "x"]
    cc = connected_components_at(p, 3.3)
    assert len({cc[k] for k in keys}) == 1  # Splink-style: one person
    ours = run(p, keys)
    assert ours["a1"] == ours["a2"] and ours["b1"] == ours["b2"]
    assert ours["a1"] != ours["b1"]


def test_average_linkage_needs_the_whole_cluster_to_agree() -> None:
    # c fits a1 well but a2 and a3 poorly: on average it does not belong.
    p = pairs(
        ("a1", "a2", 15), ("a1", "a3", 15), ("a2", "a3", 15), ("a1", "c", 8), ("a2", "c", 0), ("a3", "c", -1)
    )
    ours = run(p, ["a1", "a2", "a3", "c"])
    assert ours["c"] == "c" and ours["a1"] == ours["a3"]


def test_human_decisions_override_scores() -> None:
    p = pairs(("a", "b", 20), ("c", "d", -5))
    decisions = (HumanDecision("a", "b", False), HumanDecision("d", "c", True))
    ours = run(p, ["a", "b", "c", "d"], decisions)
    assert ours["a"] != ours["b"]
    assert ours["c"] == ours["d"] == "c"


def test_same_person_decision_overrides_a_hard_conflict() -> None:
    p = pairs(("a", "b", 10, True))
    assert run(p, ["a", "b"])["b"] == "b"
    assert run(p, ["a", "b"], (HumanDecision("a", "b", True),))["b"] == "a"


def test_latest_decision_on_a_pair_wins_and_contradictions_are_reported() -> None:
    p = pairs(("a", "b", 20))
    decisions = (HumanDecision("a", "b", False), HumanDecision("a", "b", True))
    assert run(p, ["a", "b"], decisions)["b"] == "a"
    chain = (HumanDecision("a", "b", True), HumanDecision("b", "c", True), HumanDecision("a", "c", False))
    clusters, _, conflicts, _, _ = cluster_records(["a", "b", "c"], pairs(), chain, SETTINGS)
    assert clusters["c"] == "a" and len(conflicts) == 1 and "a and c" in conflicts[0]


def test_sparse_record_joins_its_only_plausible_person() -> None:
    p = pairs(("p1", "p2", 20), ("s", "p1", -2), ("s", "p2", -3), ("s", "q", -9))
    assert run(p, ["p1", "p2", "q", "s"], sparse={"s"})["s"] == "p1"
    assert run(p, ["p1", "p2", "q", "s"], sparse=set())["s"] == "s"


def test_sparse_record_with_a_rival_outside_its_component_stays_alone() -> None:
    """A police record "Richard, about 29" fits a driver of 31 (-3.6) and, nearly as well, another
    Richard of 29 (-7.5) whom the pair's weight leaves outside the candidate component: the driver
    is not clearly better."""
    keys = ["d1", "d2", "r", "s"]
    near = pairs(("d1", "d2", 20), ("s", "d1", -3.6), ("s", "r", -7.5))
    assert run(near, keys, sparse={"s"})["s"] == "s"
    far = pairs(("d1", "d2", 20), ("s", "d1", -3.6), ("s", "r", -9.0))
    assert run(far, keys, sparse={"s"})["s"] == "d1"


def test_sparse_record_with_two_equally_plausible_people_stays_alone() -> None:
    p = pairs(("p1", "p2", 20), ("q1", "q2", 20), ("s", "p1", -2), ("s", "q1", -2.5))
    assert run(p, ["p1", "p2", "q1", "q2", "s"], sparse={"s"})["s"] == "s"
