"""Hard conflicts a person's cluster already holds (clustering._Held), and the training step that takes
matches out of u (model.u_without_matches). The shapes are FEBRL's: a record whose given name was
replaced but whose identifier is the person's, beside another whose identifier has a slip."""

from __future__ import annotations

import pandas as pd

from sightline.people.linkage import ClusteringSettings
from sightline.people.linkage.clustering import cluster_records
from sightline.people.linkage.model import KEYSTROKE_APART, gamma_of, hard_conflicts, u_without_matches

SETTINGS = ClusteringSettings(score_within=False)
SAME, DIFFERENT = 7, 0
SAME_ID = gamma_of("identifiers", "Same PNC id")
NEAR_ID = gamma_of("identifiers", KEYSTROKE_APART)
NO_ID = -1


def pairs(*rows: tuple[str, str, float, int, int, int]) -> pd.DataFrame:
    """(left, right, weight, given name level, birth date level, identifiers level)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "record_key_l",
            "record_key_r",
            "match_weight",
            "gamma_given_name",
            "gamma_date_of_birth",
            "gamma_identifiers",
        ],
    )
    frame["hard_conflict"] = hard_conflicts(frame)
    return frame


def clusters(frame: pd.DataFrame, keys: list[str]) -> dict[str, str]:
    found, *_ = cluster_records(keys, frame, [], SETTINGS)
    return found


def test_a_record_joined_by_its_identifier_brings_its_given_name_to_the_person() -> None:
    # d1's given name was replaced; its identifier is org's and d2's. d3 has org's name, and an
    # identifier one keystroke from theirs, so d1 and d3 conflict on the given name.
    frame = pairs(
        ("org", "d2", 25, SAME, SAME, SAME_ID),
        ("org", "d3", 25, SAME, SAME, NEAR_ID),
        ("d2", "d3", 25, SAME, SAME, NEAR_ID),
        ("d1", "org", 20, DIFFERENT, SAME, SAME_ID),
        ("d1", "d2", 20, DIFFERENT, SAME, SAME_ID),
        ("d1", "d3", 20, DIFFERENT, SAME, NEAR_ID),
    )
    assert frame.set_index(["record_key_l", "record_key_r"])["hard_conflict"].to_dict() == {
        ("org", "d2"): False,
        ("org", "d3"): False,
        ("d2", "d3"): False,
        ("d1", "org"): False,
        ("d1", "d2"): False,
        ("d1", "d3"): True,
    }
    found = clusters(frame, ["org", "d1", "d2", "d3"])
    assert len(set(found.values())) == 1, found


def test_twins_stay_apart_when_no_record_holds_both_names() -> None:
    # Ava (a1, a2) and Eva (b1): one household, one birth date, different given names.
    frame = pairs(
        ("a1", "a2", 20, SAME, SAME, NO_ID),
        ("a1", "b1", 15, DIFFERENT, SAME, NO_ID),
        ("a2", "b1", 15, DIFFERENT, SAME, NO_ID),
    )
    found = clusters(frame, ["a1", "a2", "b1"])
    assert found["a1"] == found["a2"] != found["b1"]


def test_a_held_name_excuses_only_a_record_that_agrees_with_it() -> None:
    # x is joined to Ava's a1 by their identifier despite its own given name; Eva's b1 agrees with
    # neither name, so nothing in Ava's cluster excuses the conflict with her.
    frame = pairs(
        ("a1", "x", 20, DIFFERENT, SAME, SAME_ID),
        ("a1", "b1", 15, DIFFERENT, SAME, NO_ID),
        ("b1", "x", 15, DIFFERENT, SAME, NO_ID),
    )
    found = clusters(frame, ["a1", "x", "b1"])
    assert found["a1"] == found["x"] != found["b1"]


def test_without_levels_a_hard_conflict_is_never_excused() -> None:
    frame = pairs(
        ("org", "d2", 25, SAME, SAME, SAME_ID),
        ("d1", "org", 20, DIFFERENT, SAME, SAME_ID),
        ("d1", "d2", 20, DIFFERENT, SAME, NEAR_ID),
    )
    bare = frame[["record_key_l", "record_key_r", "match_weight", "hard_conflict"]]
    assert len(set(clusters(frame, ["org", "d1", "d2"]).values())) == 1
    found = clusters(bare, ["org", "d1", "d2"])
    assert found["d1"] != found["d2"]


def test_birth_dates_that_differ_beside_a_slip_in_the_number_are_no_conflict() -> None:
    frame = pairs(
        ("a", "b", 10, SAME, DIFFERENT, NEAR_ID),
        ("a", "c", 10, DIFFERENT, SAME, NEAR_ID),
        ("a", "d", 10, SAME, DIFFERENT, NO_ID),
    )
    assert frame["hard_conflict"].tolist() == [False, True, True]


def test_u_leaves_out_the_matches_a_random_sample_holds() -> None:
    def model() -> dict[str, object]:
        levels = [
            {"label_for_charts": "null", "is_null_level": True},
            {"label_for_charts": "Same", "m_probability": 0.9, "u_probability": 0.00045},
            {"label_for_charts": "Close", "m_probability": 0.05, "u_probability": 0.0105},
            {"label_for_charts": "Different", "m_probability": 0.05, "u_probability": 0.98905},
        ]
        return {
            "probability_two_random_records_match": 0.0005,
            "comparisons": [{"comparison_levels": levels}],
        }

    # Matches alone explain the sampled agreement (0.0005 x 0.9 = 0.00045): half a pair in the sample.
    levels = u_without_matches(model(), sampled=200_000)["comparisons"][0]["comparison_levels"]
    same, close, different = (float(lv["u_probability"]) for lv in levels[1:])
    assert abs(same - 2.5e-6) < 1e-7
    assert 0.0104 < close < 0.0105  # barely moved: 0.0005 x 0.05 of 0.0105 were matches
    assert abs(same + close + different - 1) < 1e-9
    # Where matches are rare (a large town), u is as sampled.
    small = model()
    small["probability_two_random_records_match"] = 1e-9
    levels = u_without_matches(small, sampled=200_000)["comparisons"][0]["comparison_levels"]
    assert abs(float(levels[1]["u_probability"]) - 0.00045) < 1e-8
