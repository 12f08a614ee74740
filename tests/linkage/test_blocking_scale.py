"""Blocking that scales: a name key whose blocks grow with the town is narrowed by birth bucket, and
a town under the budget keeps exactly the standard keys."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from sightline.people.linkage import blocking_scale, link_records
from sightline.people.linkage import model as mdl
from sightline.people.linkage.evaluate import pairwise_scores
from sightline.people.linkage.prepare import prepare_records

from .conftest import AS_OF, Town

COLUMNS = sorted({c.removesuffix("[]") for spec, _ in mdl.BLOCKING_KEYS for c in spec} | {"birth_year"})


def _town(n: int, names: int, seed: int = 1, districts: int = 0, no_family: float = 0.0) -> pd.DataFrame:
    """``n`` records drawing given and family sounds from ``names`` each; other keys all distinct
    (but the postcode district, drawn from ``districts`` when given). A ``no_family`` share has
    no family name."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        year = rng.choice([None, *range(2005, 2015)])
        row: dict[str, object] = {c: f"{c}{i}" for c in COLUMNS}
        row.update(
            unique_id=f"r{i}",
            family=None if rng.random() < no_family else f"family{i}",
            sex=rng.choice([None, "F", "M"]),
            given_mp=f"G{rng.randrange(names)}",
            family_mp=f"F{rng.randrange(names)}",
            given_canon=[f"g{rng.randrange(names)}"],
            phones=[f"p{i}"],
            birth_year=float(year) if year else None,
            birth_3y_a=None if year is None else year // 3,
            birth_3y_b=None if year is None else int((year + 1.5) // 3),
        )
        if districts:
            row["pc_district"] = f"D{rng.randrange(districts)}"
        rows.append(row)
    return pd.DataFrame(rows)


def test_pairs_are_counted_per_block() -> None:
    frame = pd.DataFrame({"given_mp": ["A", "A", "A", "B"], "family_mp": ["X", "X", "X", "X"]})
    assert blocking_scale.key_pairs(frame, ("given_mp", "family_mp")) == 3
    arrays = pd.DataFrame({"given_canon": [["a", "b"], ["a"], ["b"]], "family_mp": ["X", "X", "X"]})
    assert blocking_scale.key_pairs(arrays, ("given_canon[]", "family_mp")) == 2


def test_a_varied_town_keeps_the_standard_keys() -> None:
    assert blocking_scale.scaled_keys(_town(2000, names=200)) == mdl.BLOCKING_KEYS


def test_a_crowded_name_key_is_split_by_birth_bucket_and_keeps_undated_records() -> None:
    keys = blocking_scale.scaled_keys(_town(3000, names=3))  # about 330 records share each name pair
    spec = ("given_mp", "family_mp")
    assert (spec, None) not in keys
    assert ((*spec, "birth_3y_a"), None) in keys and ((*spec, "birth_3y_b"), None) in keys
    assert (spec, blocking_scale.UNDATED_SIDE) in keys
    # Keys that hold a date, an identifier or a condition are untouched.
    for spec_, condition in mdl.BLOCKING_KEYS:
        if condition is not None or "dob" in spec_ or len(spec_) == 1:
            assert (spec_, condition) in keys
    # Splink accepts every rule made from them.
    assert len(mdl.blocking_rules(keys)) == len(keys) + 1


def test_conditional_rules_are_counted_after_their_condition() -> None:
    frame = pd.DataFrame(
        {
            "given_mp": ["A"] * 5,
            "family_mp": ["X"] * 5,
            "birth_year": [2001.0, 2001.0, 2002.0, None, None],
            "family": ["x", "x", None, "x", "x"],
        }
    )
    spec = ("given_mp", "family_mp")
    assert blocking_scale.rule_pairs(frame, (spec, None)) == (10, 10)
    # Either side undated: all ten less the three among the dated.
    assert blocking_scale.rule_pairs(frame, (spec, blocking_scale.UNDATED_SIDE)) == (7, 10)
    # A side with no family name: all ten less the six among those with one.
    assert blocking_scale.rule_pairs(frame, (spec, mdl.SPARSE_SIDE)) == (4, 10)


def test_a_conditional_rule_under_the_budget_after_its_condition_is_kept() -> None:
    features = _town(3000, names=3)  # everyone has a family name: the sparse rules keep no pair
    budget = blocking_scale.PAIRS_PER_RECORD * len(features)
    sparse = [(spec, c) for spec, c in mdl.BLOCKING_KEYS if c == mdl.SPARSE_SIDE]
    keys = blocking_scale.scaled_keys(features)
    for rule in sparse:
        after, joined = blocking_scale.rule_pairs(features, rule)
        assert after == 0 and budget < joined <= blocking_scale.JOIN_FACTOR * budget
        assert rule in keys
    after, joined = blocking_scale.rule_pairs(
        features, (("given_mp", "family_mp"), blocking_scale.UNDATED_SIDE)
    )
    assert after < budget < joined


def test_with_a_tiny_budget_every_rule_fits() -> None:
    features = _town(3000, names=3, districts=40, no_family=0.1)
    per_record = 1
    budget = per_record * len(features)
    keys = blocking_scale.scaled_keys(features, per_record=per_record)
    for rule in keys:
        after, joined = blocking_scale.rule_pairs(features, rule)
        assert after <= budget, rule
        assert joined <= blocking_scale.JOIN_FACTOR * budget, rule
    # The rules for records with no family name were over the budget after their condition, and
    # are narrowed in the join itself rather than dropped.
    for spec, condition in mdl.BLOCKING_KEYS:
        if condition == mdl.SPARSE_SIDE:
            assert blocking_scale.rule_pairs(features, (spec, condition))[0] > budget
            assert any(c == condition and set(spec) < set(s) for s, c in keys)
    assert len(mdl.blocking_rules(keys)) == len(keys) + 1


def test_a_town_linked_with_every_name_key_narrowed_loses_almost_nothing(
    town: Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a county-sized town is linked (a million records, 40 pairs a record): the name keys split
    by birth bucket and the rules for records with no family name narrowed by postcode district.
    This town is far smaller, so its budget is scaled down until it is narrowed that way (at 0.3, both
    rules for records with no family name are narrowed and recall falls by 0.024)."""
    monkeypatch.setattr(blocking_scale, "PAIRS_PER_RECORD", 0.32)
    keys = blocking_scale.scaled_keys(prepare_records(town.records, as_of=AS_OF))
    assert any(c == mdl.SPARSE_SIDE and "pc_district" in spec for spec, c in keys)
    assert (("given_mp", "family_mp", "birth_3y_a"), None) in keys
    narrowed = link_records(town.records, model_path=town.model_path, as_of=AS_OF)
    full = pairwise_scores(town.result.clusters, town.truth)
    ours = pairwise_scores(narrowed.clusters, town.truth)
    assert ours.precision >= full.precision - 0.01
    assert ours.recall >= full.recall - 0.02
    assert len(narrowed.pairs) < len(town.result.pairs)
