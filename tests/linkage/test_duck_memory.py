"""Linkage's DuckDB connections have a memory limit and spill under SIGHTLINE_HOME (a million records
once grew past the machine's memory and were killed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sightline.people.linkage import duck


def test_the_limit_defaults_to_half_the_machine_and_spills_under_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(duck.MEMORY_ENV, raising=False)
    monkeypatch.setenv("SIGHTLINE_HOME", str(tmp_path))
    con = duck.connect()
    limit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    spill = con.execute("SELECT current_setting('temp_directory')").fetchone()[0]
    assert spill == str(tmp_path / "linkage" / "spill") and Path(spill).is_dir()
    half_gib = duck.memory_limit()
    assert half_gib.endswith("MB") and int(half_gib[:-2]) > 0
    # DuckDB reports its limit in its own units (GiB): within 1% of what was set.
    value, unit = limit.split()
    scale = {"MiB": 1, "GiB": 1024, "TiB": 1024 * 1024}[unit]
    assert abs(float(value) * scale - int(half_gib[:-2]) * 10**6 / 2**20) < 0.01 * float(value) * scale


def test_the_environment_sets_it_and_a_bad_value_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(duck.MEMORY_ENV, "2GB")
    monkeypatch.setenv("SIGHTLINE_HOME", str(tmp_path))
    con = duck.connect()
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "1.8 GiB"
    monkeypatch.setenv(duck.MEMORY_ENV, "lots")
    with pytest.raises(ValueError, match="SIGHTLINE_LINKAGE_MEMORY='lots'"):
        duck.memory_limit()
