"""The same trained model on Splink's Spark backend, in local mode."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from sightline.people.linkage import link_records

from .conftest import AS_OF
from .test_scenarios import scenario_records


def _spark_unavailable() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'sightline[spark]')"
    if shutil.which("java") is None:
        return "no java on PATH (Spark needs Java 17)"
    return None


@pytest.mark.skipif(_spark_unavailable() is not None, reason=str(_spark_unavailable()))
def test_spark_backend_runs_the_same_model(model_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A handful of records: one partition saves Spark most of its fixed cost per query.
    monkeypatch.setenv("SIGHTLINE_SPARK_PARTITIONS", "1")
    records = scenario_records()
    duck = link_records(records, model_path=model_path, as_of=AS_OF, backend="duckdb")
    spark = link_records(records, model_path=model_path, as_of=AS_OF, backend="spark")
    assert spark.clusters == duck.clusters
    d = duck.pairs.set_index(["record_key_l", "record_key_r"])["match_weight"]
    s = spark.pairs.set_index(["record_key_l", "record_key_r"])["match_weight"]
    assert set(d.index) == set(s.index)
    assert (d - s.loc[d.index]).abs().max() < 1e-6
