"""Dice in DuckDB SQL agrees with Dice in Python, and the comparisons run in Splink."""

from __future__ import annotations

import base64
import csv
import logging
import random
from pathlib import Path

import duckdb
import pytest
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

from sightline.pprl.bloom import Params
from sightline.pprl.extract import Extract, encode_extract
from sightline.pprl.similarity import (
    best_dice,
    best_dice_sql,
    comparisons,
    create_prepared_table,
    dice_b64,
    dice_levels,
    dice_sql,
    prepared_row,
    salted_dice_sql,
)

from .conftest import SECRET


def _random_filter(rng: random.Random, density: float, nbytes: int = 128) -> str:
    bits = 0
    for i in range(nbytes * 8):
        if rng.random() < density:
            bits |= 1 << i
    return base64.b64encode(bits.to_bytes(nbytes, "big")).decode()


def test_duckdb_dice_matches_python_on_random_filters() -> None:
    rng = random.Random(7)
    pairs = [(_random_filter(rng, d), _random_filter(rng, e)) for d in (0.02, 0.1, 0.5) for e in (0.05, 0.3)]
    pairs += [(a, a) for a, _ in pairs[:2]]
    con = duckdb.connect()
    con.execute("CREATE TABLE p (a VARCHAR, b VARCHAR)")
    con.executemany("INSERT INTO p VALUES (?, ?)", pairs)
    got = [row[0] for row in con.execute(f"SELECT {dice_sql('a', 'b')} FROM p").fetchall()]
    assert got == pytest.approx([dice_b64(a, b) for a, b in pairs], abs=1e-12)
    assert got[-1] == 1.0


def test_duckdb_list_dice_matches_python() -> None:
    rng = random.Random(8)
    lists = [[_random_filter(rng, 0.1) for _ in range(rng.randint(1, 4))] for _ in range(12)]
    shared = lists[0][0]
    lists[5].append(shared)
    con = duckdb.connect()
    con.execute("CREATE TABLE p (x_l VARCHAR[], x_r VARCHAR[])")
    pairs = list(zip(lists[::2], lists[1::2]))
    con.executemany("INSERT INTO p VALUES (?, ?)", pairs)
    got = [r[0] for r in con.execute(f"SELECT {best_dice_sql('x_l', 'x_r')} FROM p").fetchall()]
    expected = [best_dice(";".join(a), ";".join(b)) for a, b in pairs]
    assert got == pytest.approx(expected, abs=1e-12)


def test_salted_dice_compares_only_filters_whose_salts_agree() -> None:
    rng = random.Random(9)
    f = [_random_filter(rng, 0.1) for _ in range(4)]
    con = duckdb.connect()
    con.execute("CREATE TABLE p (n_l VARCHAR[], n_r VARCHAR[], n_salts_l VARCHAR[], n_salts_r VARCHAR[])")
    rows = [
        ([f[0], f[1]], [f[2], f[3]], ["s1", "s2"], ["s2", "s3"]),  # only s2 meets: f[1] with f[2]
        ([f[0]], [f[0]], ["s1"], ["s9"]),  # the same filter under different salts is not compared
    ]
    con.executemany("INSERT INTO p VALUES (?, ?, ?, ?)", rows)
    got = [r[0] for r in con.execute(f"SELECT {salted_dice_sql('n', 'n_salts')} FROM p").fetchall()]
    assert got[0] == pytest.approx(dice_b64(f[1], f[2]))
    assert got[1] is None


def test_dice_levels_shape() -> None:
    levels = dice_levels("postcode_bf", [0.75, 0.9], lists=False)
    assert [lv["label_for_charts"] for lv in levels] == [
        "Not recorded", "Dice at least 0.9", "Dice at least 0.75", "Different"
    ]  # fmt: skip
    assert levels[0]["is_null_level"] is True


@pytest.mark.slow
def test_comparisons_score_encoded_town_records_in_splink(
    town: Path, extracts: list[tuple[Path, Extract]], tmp_path: Path
) -> None:
    logging.getLogger("splink").setLevel(logging.ERROR)
    rows = []
    encoding = None
    for folder, extract in extracts:
        if extract.manifest["agency"] not in ("education", "health"):
            continue
        out = tmp_path / folder.name
        encode_extract(folder, SECRET, out, Params(salt="agreement"))
        with (out / "people.csv").open(encoding="utf-8") as handle:
            for r in csv.DictReader(handle):
                rows.append(prepared_row(r) | {"unique_id": f"{extract.manifest['agency']}:{r['record_id']}"})
        encoding = extract.manifest["agency"]
    assert encoding is not None
    manifest_encoding = {"hardening": "fold", "names_salted_by_year": True}
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=list(comparisons(manifest_encoding)),
        blocking_rules_to_generate_predictions=[block_on("dob_digest"), block_on("nhs_digest")],
    )
    con = duckdb.connect()
    create_prepared_table(con, "encoded", rows)
    linker = Linker("encoded", settings, db_api=DuckDBAPI(connection=con))
    scored = linker.inference.predict().as_pandas_dataframe()
    with (town / "truth" / "records.csv").open(encoding="utf-8") as handle:
        truth = {f"{r['agency']}:{r['record_id']}": r["true_person_id"] for r in csv.DictReader(handle)}
    same = scored["unique_id_l"].map(truth) == scored["unique_id_r"].map(truth)
    assert same.any() and (~same).any()
    # Untrained, the starting weights already put true pairs well above the others.
    assert scored.loc[same, "match_weight"].median() > scored.loc[~same, "match_weight"].median() + 5
