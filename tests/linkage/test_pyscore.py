"""Scoring pairs in Python by the model's own conditions (``linkage/pyscore.py``): pair by pair what
Splink gives, on a trained model, and Splink again for a condition it cannot translate."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import duckdb
import pandas as pd
import pytest
from splink.blocking_rule_library import CustomRule

from sightline.people import likely
from sightline.people.linkage import model as mdl
from sightline.people.linkage import pyscore
from sightline.people.linkage.backends import Backend
from sightline.people.linkage.engine import format_pairs
from sightline.people.linkage.prepare import prepare_records
from sightline.people.linkage.records import FRAME_COLUMNS

from .conftest import AS_OF, Town

TODAY = dt.date(2014, 7, 1)


@pytest.fixture
def model(town: Town) -> dict[str, Any]:
    found = mdl.load_model(town.model_path)
    assert found is not None
    return found


def _typed(town: Town) -> pd.DataFrame:
    """What users type: whole names, a lone name, initials, swapped names, part dates, an age."""
    sample = town.records.sort_values("record_key").iloc[::37].head(12)
    rows = []
    for i, r in enumerate(sample.to_dict("records")):
        given, family = str(r["given_name"] or ""), str(r["family_name"] or "")
        dob = str(r["date_of_birth"] or "")
        readings = [
            likely.Details(given_name=given, family_name=family, date_of_birth=dob),
            likely.Details(given_name=family, family_name=given, date_of_birth=dob[:7]),
            likely.Details(given_name=given[:1], family_name=family, date_of_birth=dob[:4]),
            likely.Details(family_name=family + "e", estimated_age=14, sex="F"),
            likely.Details(given_name=given, postcode=str(r.get("postcode") or "")),
        ]
        rows += [d.row(f"typed:{i}-{j}", TODAY) for j, d in enumerate(readings) if not d.empty]
    return pd.DataFrame(rows, columns=FRAME_COLUMNS)


def _features(town: Town) -> pd.DataFrame:
    # Neighbours by family name, so that many pairs agree on something.
    near = town.records.sort_values(["family_name", "given_name"]).iloc[300:460]
    return prepare_records(pd.concat([_typed(town), near], ignore_index=True), as_of=AS_OF)


def _by_splink(features: pd.DataFrame, model: dict[str, Any]) -> pd.DataFrame:
    tf = likely._neutral_tf(features, model)
    scored = Backend().score(features, model, [CustomRule("1=1")], tf)
    return format_pairs(scored).set_index(["record_key_l", "record_key_r"]).sort_index()


def test_every_pair_scores_as_splink_scores_it(town: Town, model: dict[str, Any]) -> None:
    features = _features(town)
    expected = _by_splink(features, model)
    scorer = pyscore.scorer(model)
    rows = pyscore.records(features, scorer.columns)
    assert len(expected) > 10_000
    levels_seen: dict[str, set[float]] = {}
    for (left, right), want in expected.iterrows():
        p, weights = scorer.pair(rows[left], rows[right])
        assert p == pytest.approx(want["match_probability"], rel=1e-9, abs=1e-15), (left, right)
        not_null = {n for n in mdl.COMPARISON_NAMES if want[f"gamma_{n}"] >= 0}
        assert set(weights) == not_null, (left, right)
        for name in not_null:
            assert weights[name] == pytest.approx(want[f"mw_{name}"], abs=1e-9), (left, right, name)
            levels_seen.setdefault(name, set()).add(round(weights[name], 6))
    # The pairs reach most of the model's levels, so agreement is not on one level only.
    assert sum(len(v) for v in levels_seen.values()) >= 35  # of 42 (37 when written)
    levels = {c["output_column_name"]: len(c["comparison_levels"]) - 1 for c in model["comparisons"]}
    for name in ("given_name", "family_name", "date_of_birth", "location"):
        assert len(levels_seen[name]) == levels[name], name


def test_a_search_bands_people_as_splink_would(town: Town, model: dict[str, Any]) -> None:
    features = _features(town)
    in_python = {(k, round(p, 12)) for k, p, _ in likely._pairs(features, model)}
    broken = copy.deepcopy(model)
    level = broken["comparisons"][0]["comparison_levels"][1]
    assert level["sql_condition"] == "given_l = given_r"
    # The same condition in a form not translated: the search is scored by Splink instead.
    level["sql_condition"] = "regexp_full_match(given_l, given_r) AND given_l = given_r"
    with pytest.raises(pyscore.Unsupported, match=r"RegexpFullMatch|regexp_full_match"):
        pyscore.scorer(broken)
    by_splink = {(k, round(p, 12)) for k, p, _ in likely._pairs(features, broken)}
    assert len(in_python) > 100
    assert in_python == by_splink


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("MARTHA", "MARHTA", 0.9611),
        ("DIXON", "DICKSONX", 0.8133),
        ("", "", 0.0),
        ("A", "", 0.0),
        ("ZOË", "ZOE", None),  # counted in UTF-8 bytes, as DuckDB counts
    ],
)
def test_string_similarity_is_duckdbs(left: str, right: str, expected: float | None) -> None:
    theirs = duckdb.sql(f"SELECT jaro_winkler_similarity('{left}', '{right}')").fetchone()
    assert theirs is not None
    ours = pyscore._jw(left, right)
    assert ours == pytest.approx(theirs[0], abs=1e-12)
    if expected is not None:
        assert ours == pytest.approx(expected, abs=1e-4)
    lev = duckdb.sql(f"SELECT levenshtein('{left}', '{right}'), damerau_levenshtein('{left}', '{right}')")
    assert lev.fetchone() == (pyscore._lev(left, right), pyscore._dl(left, right))
