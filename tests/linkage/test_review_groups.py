"""Review groups: pairs one look can decide. Hand-made households, and the synthetic town against its
truth: every group must be answerable with one answer."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sightline.people.linkage.prepare import prepare_records
from sightline.people.linkage.review_groups import change_chances, group_reviews

from .conftest import Town

ADDRESS = {"address": "12 Elm Road", "postcode": "S65 1AA"}


def _records(*rows: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"agency": "police", **ADDRESS, **r} for r in rows])


def _grouped(
    records: pd.DataFrame, pairs: list[tuple[str, str]], clusters: dict[str, str] | None = None
) -> pd.DataFrame:
    features = prepare_records(records, as_of=date(2014, 7, 1))
    review = pd.DataFrame(
        [{"record_key_l": a, "record_key_r": b, "match_probability": 0.5} for a, b in pairs]
    )
    return group_reviews(review, features, clusters or {})


def test_a_household_of_different_children_is_one_group() -> None:
    records = _records(
        {"record_key": "a", "given_name": "Amy", "family_name": "Carter", "date_of_birth": "2001-03-04"},
        {"record_key": "b", "given_name": "Beth", "family_name": "Carter", "date_of_birth": "2003-09-10"},
        {"record_key": "c", "given_name": "Amy", "family_name": "Carter", "date_of_birth": "1972-01-20"},
        {"record_key": "d", "given_name": "Beth", "family_name": "Carter", "date_of_birth": "2003-09-10"},
    )
    out = _grouped(records, [("a", "b"), ("a", "c"), ("b", "c")])
    assert set(out["group_kind"]) == {"household"}
    assert out["group"].nunique() == 1 and out["group"].iloc[0].startswith("LG")
    # The same pairs again give the same group: its id comes from the household, not the run.
    assert _grouped(records, [("a", "c"), ("b", "c"), ("a", "d")])["group"].iloc[0] == out["group"].iloc[0]


def test_one_person_written_two_ways_is_not_a_household_pair() -> None:
    records = _records(
        {"record_key": "a", "given_name": "Jasmin", "family_name": "Carter", "date_of_birth": "2001-03-04"},
        {"record_key": "b", "given_name": "Jasmine", "family_name": "Carter", "date_of_birth": "2001-03-04"},
        {"record_key": "c", "given_name": "Nicola", "family_name": "Carter", "date_of_birth": "2001-03-04"},
        {"record_key": "d", "given_name": "Nikki", "family_name": "Carter", "date_of_birth": "2001-03-04"},
        {"record_key": "e", "given_name": "Liam", "family_name": "Carter", "date_of_birth": "2001-03-04"},
        {"record_key": "f", "given_name": "Kai", "family_name": "Carter", "date_of_birth": "2001-03-04"},
    )
    # A misspelling, a nickname the list may lack (same initial, same birth): never "household".
    # Twins with different initials are.
    out = _grouped(records, [("a", "b"), ("c", "d"), ("e", "f"), ("a", "e")])
    kinds = dict(zip(zip(out.record_key_l, out.record_key_r, strict=True), out.group_kind, strict=True))
    assert kinds[("a", "b")] == "" and kinds[("c", "d")] == ""
    assert kinds[("e", "f")] == kinds[("a", "e")] == "household"


def test_a_lone_pair_and_a_pair_inside_one_cluster_are_not_grouped() -> None:
    records = _records(
        {"record_key": "a", "given_name": "Amy", "family_name": "Carter", "date_of_birth": "2001-03-04"},
        {"record_key": "b", "given_name": "Beth", "family_name": "Carter", "date_of_birth": "2003-09-10"},
        {
            "record_key": "x",
            "given_name": "Jo",
            "family_name": "Smith",
            "address": "1 High St",
            "postcode": "",
        },
        {
            "record_key": "y",
            "given_name": "Jo",
            "family_name": "Smith",
            "address": "2 Low St",
            "postcode": "",
        },
        {
            "record_key": "z",
            "given_name": "Jo",
            "family_name": "Smith",
            "address": "3 Mid St",
            "postcode": "",
        },
    )
    out = _grouped(records, [("a", "b"), ("x", "y"), ("y", "z")], {"x": "x", "y": "x", "z": "x"})
    assert list(out["group"]) == ["", "", ""]


def test_pairs_between_the_same_two_clusters_are_one_group() -> None:
    records = _records(
        {
            "record_key": "p1",
            "given_name": "Jo",
            "family_name": "Smith",
            "address": "1 High St",
            "postcode": "",
        },
        {"record_key": "p2", "given_name": "Joanne", "family_name": "Smith", "address": "", "postcode": ""},
        {
            "record_key": "q1",
            "given_name": "Jo",
            "family_name": "Smyth",
            "address": "9 Low St",
            "postcode": "",
        },
        {"record_key": "r1", "given_name": "Joe", "family_name": "Smith", "address": "", "postcode": ""},
    )
    clusters = {"p1": "p1", "p2": "p1", "q1": "q1", "r1": "r1"}
    out = _grouped(records, [("p1", "q1"), ("p2", "q1"), ("p1", "r1")], clusters)
    assert list(out["group_kind"]) == ["people", "people", ""]
    assert out["group"].iloc[0] == out["group"].iloc[1] != ""


def test_the_towns_groups_each_take_one_answer(town: Town) -> None:
    """Against the town's truth: no group mixes pairs of one person with pairs of two, and every
    household pair is two people. Otherwise deciding a group at once would make errors."""
    review = town.result.review
    grouped = review[review["group"] != ""]
    assert len(grouped) >= 10 and grouped["group"].nunique() >= 3
    same = [
        town.truth[a] == town.truth[b]
        for a, b in zip(grouped.record_key_l, grouped.record_key_r, strict=True)
    ]
    answers = pd.DataFrame({"group": grouped["group"], "kind": grouped["group_kind"], "same": same})
    assert answers.groupby("group")["same"].nunique().max() == 1
    assert not answers.loc[answers["kind"] == "household", "same"].any()
    assert (answers["kind"] == "household").sum() >= 5


def test_the_chance_a_decision_changes_a_link_counts_every_pair_between_the_clusters() -> None:
    clusters = {"a1": "a1", "a2": "a1", "b1": "b1", "c1": "c1", "d1": "d1"}
    pairs = pd.DataFrame(
        [
            ("a1", "b1", 0.6, False),
            ("a2", "b1", 0.4, True),  # another record of A disagrees with B outright
            ("a1", "a2", 0.8, False),
            ("c1", "d1", 0.5, False),
        ],
        columns=["record_key_l", "record_key_r", "match_probability", "hard_conflict"],
    )
    review = pd.DataFrame(
        [("a1", "b1", 0.6), ("a1", "a2", 0.8), ("c1", "d1", 0.5), ("b1", "x9", 0.35)],
        columns=["record_key_l", "record_key_r", "match_probability"],
    )
    chances = change_chances(review, pairs, clusters)
    # apart: the best pair times the share free of conflict; joined: the chance it is not one person;
    # a pair with nothing scored between its clusters: its own probability
    assert chances == pytest.approx([0.3, 0.2, 0.5, 0.35])
