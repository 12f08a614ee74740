"""Blocking that scales: a name key whose blocks grow with the town is narrowed by birth bucket, and
a town under the budget keeps exactly the standard keys."""

from __future__ import annotations

import random

import pandas as pd
import pytest

from sightline.people.linkage import blocking_scale, link_records
from sightline.people.linkage import model as mdl
from sightline.people.linkage.evaluate import pairwise_scores

from .conftest import AS_OF, Town

COLUMNS = sorted({c.removesuffix("[]") for spec, _ in mdl.BLOCKING_KEYS for c in spec} | {"birth_year"})


def _town(n: int, names: int, seed: int = 1) -> pd.DataFrame:
    """``n`` records drawing given and family sounds from ``names`` each; other keys all distinct."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        year = rng.choice([None, *range(2005, 2015)])
        row: dict[str, object] = {c: f"{c}{i}" for c in COLUMNS}
        row.update(
            unique_id=f"r{i}",
            given_mp=f"G{rng.randrange(names)}",
            family_mp=f"F{rng.randrange(names)}",
            given_canon=[f"g{rng.randrange(names)}"],
            phones=[f"p{i}"],
            birth_year=float(year) if year else None,
            birth_3y_a=None if year is None else year // 3,
            birth_3y_b=None if year is None else int((year + 1.5) // 3),
        )
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


def test_a_town_linked_with_every_name_key_narrowed_loses_almost_nothing(
    town: Town, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As a county-sized town would be linked: budget 0 narrows every plain name key."""
    monkeypatch.setattr(blocking_scale, "PAIRS_PER_RECORD", 0)
    narrowed = link_records(town.records, model_path=town.model_path, as_of=AS_OF)
    full = pairwise_scores(town.result.clusters, town.truth)
    ours = pairwise_scores(narrowed.clusters, town.truth)
    assert ours.precision >= full.precision - 0.01
    assert ours.recall >= full.recall - 0.02
    assert len(narrowed.pairs) < len(town.result.pairs)
