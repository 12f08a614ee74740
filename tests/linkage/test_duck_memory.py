"""Linkage's DuckDB connections have a memory limit and spill under SIGHTLINE_HOME (a million records
once grew past the machine's memory and were killed)."""

from __future__ import annotations

import os
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
    half = duck.memory_limit()
    total_mib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20
    assert half == f"{int(total_mib // 2)}MiB"
    # DuckDB shows its limit in its own units ("11.7 GiB"): the same within its rounding.
    value, unit = limit.split()
    shown_mib = float(value) * {"MiB": 1, "GiB": 1024, "TiB": 1024 * 1024}[unit]
    assert abs(shown_mib - total_mib / 2) < 0.01 * shown_mib


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
