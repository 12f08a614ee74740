"""Scoring a few records by replaying the SQL Splink generated (``linkage/replay.py``): the same scores
as Splink itself gives on other rows, and Splink again when a replay fails."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from splink import block_on

from sightline.people.linkage import model as mdl
from sightline.people.linkage import replay
from sightline.people.linkage.backends import Backend
from sightline.people.linkage.prepare import prepare_records

from .conftest import AS_OF, Town


def _score(features: pd.DataFrame, model: dict[str, Any]) -> pd.DataFrame:
    tf = mdl.tf_tables(features, model)
    out = Backend().score(features, model, [block_on("sex")], tf, reuse_sql=True)
    return out.sort_values(["unique_id_l", "unique_id_r"]).reset_index(drop=True)


@pytest.fixture
def model(town: Town) -> dict[str, Any]:
    found = mdl.load_model(town.model_path)
    assert found is not None
    return found


def test_a_replay_gives_what_splink_gives(town: Town, model: dict[str, Any], monkeypatch: Any) -> None:
    first = prepare_records(town.records.iloc[:80], as_of=AS_OF)
    other = prepare_records(town.records.iloc[200:290], as_of=AS_OF)
    replay._scripts.clear()
    _score(first, model)  # Splink runs and its SQL is kept
    assert len(replay._scripts) == 1
    ran: list[str] = []
    real_run = replay.run

    def counted(*args: Any) -> Any:
        out = real_run(*args)
        ran.append("replayed" if out is not None else "splink")
        return out

    monkeypatch.setattr(replay, "run", counted)
    replayed = _score(other, model)
    assert ran == ["replayed"]
    replay._scripts.clear()
    fresh = _score(other, model)
    assert ran == ["replayed", "splink"]
    assert len(replayed) > 100
    pd.testing.assert_frame_equal(replayed, fresh, check_dtype=False)


def test_a_failed_replay_falls_back_to_splink(town: Town, model: dict[str, Any]) -> None:
    features = prepare_records(town.records.iloc[:60], as_of=AS_OF)
    replay._scripts.clear()
    expected = _score(features, model)
    (script,) = replay._scripts.values()
    script.steps.insert(0, ("sql", "SELECT * FROM no_such_table"))
    again = _score(features, model)
    pd.testing.assert_frame_equal(again, expected, check_dtype=False)
    (kept,) = replay._scripts.values()
    assert kept is not script  # the broken script was dropped and a working one kept
    pd.testing.assert_frame_equal(_score(features, model), expected, check_dtype=False)
