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
    create_macros,
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


def test_salted_dice_macro_on_decoded_filters_matches_python_on_real_encoded_pairs(
    extracts: list[tuple[Path, Extract]], tmp_path: Path
) -> None:
    """The comparisons' Dice (the macro, on filters decoded once into `*_bits` columns) is Python's
    Dice over the filters whose salts agree, pair by pair, on records encoded from the town."""
    folder, _ = next((f, e) for f, e in extracts if e.manifest["agency"] == "health")
    encode_extract(folder, SECRET, tmp_path / "health", Params(salt="agreement"))
    with (tmp_path / "health" / "people.csv").open(encoding="utf-8") as handle:
        encoded = list(csv.DictReader(handle))[:300]
    rows = [prepared_row(r) | {"unique_id": r["record_id"]} for r in encoded]
    con = duckdb.connect()
    create_prepared_table(con, "encoded", rows)

    def expected(left: dict[str, str], right: dict[str, str], name: str) -> float | None:
        salts_r = dict(zip(right[f"{name}_salts"].split(";"), right[f"{name}_bf"].split(";"), strict=True))
        shared = [
            dice_b64(f, salts_r[s])
            for s, f in zip(left[f"{name}_salts"].split(";"), left[f"{name}_bf"].split(";"), strict=True)
            if s and s in salts_r
        ]
        return max(shared) if shared else None

    checked = 0
    for name in ("given", "family", "fullname"):
        sql = (
            f"SELECT l.unique_id, r.unique_id, pprl_salted_dice(l.{name}_bits, r.{name}_bits,"
            f" l.{name}_salts, r.{name}_salts) FROM encoded l JOIN encoded r ON l.unique_id < r.unique_id"
            f" WHERE list_has_any(l.{name}_salts, r.{name}_salts)"
        )
        got = con.execute(sql).fetchall()
        by_id = {r["record_id"]: r for r in encoded}
        assert got, name
        for left, right, value in got:
            assert value == pytest.approx(expected(by_id[left], by_id[right], name), abs=1e-12), (name, left)
        checked += len(got)
        # Records whose salts never meet have no Dice at all.
        apart = con.execute(sql.replace("WHERE list_has_any", "WHERE NOT list_has_any")).fetchall()
        assert apart and all(value is None for *_, value in apart)
    assert checked > 300
    # And the unsalted macro agrees with the SQL and Python Dice on the addresses.
    pairs = con.execute(
        f"SELECT l.address_bf, r.address_bf, pprl_dice(l.address_bits, r.address_bits),"
        f" {dice_sql('l.address_bf', 'r.address_bf')} FROM encoded l JOIN encoded r"
        " ON l.unique_id < r.unique_id WHERE l.address_bf IS NOT NULL AND r.address_bf IS NOT NULL LIMIT 2000"
    ).fetchall()
    assert pairs and any(0 < macro < 1 for *_, macro, _ in pairs)
    for a, b, macro, sql_dice in pairs:
        assert macro == pytest.approx(dice_b64(a, b), abs=1e-12) and macro == pytest.approx(sql_dice)


def test_macros_are_what_the_comparisons_call() -> None:
    """Every Dice level calls a macro that `create_macros` defines on the connection."""
    con = duckdb.connect()
    create_macros(con)
    defined = {
        r[0]
        for r in con.execute(
            "SELECT function_name FROM duckdb_functions() WHERE macro_definition IS NOT NULL"
        ).fetchall()
    }
    sql = " ".join(
        lv["sql_condition"] for c in comparisons({"hardening": "fold"}) for lv in c["comparison_levels"]
    )
    assert "pprl_salted_dice(given_bits_l" in sql and "pprl_dice(address_bits_l" in sql
    assert {"pprl_dice", "pprl_salted_dice"} <= defined
    assert "from_base64" not in sql  # nothing is decoded per pair


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
