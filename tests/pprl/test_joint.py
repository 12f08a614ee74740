"""The hub's own encodings when it holds the agreement's secret, and the one joint clustering
(docs/pprl.md, "2026-12-04: one joint clustering with the secret"). Made-up people only."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from sightline.people.linkage.encoded import cluster_agreement
from sightline.people.linkage.encoded_rows import encoded_row
from sightline.people.linkage.joint import cluster_joint
from sightline.people.linkage.types import LinkageResult
from sightline.pprl.bloom import Encoder, Params
from sightline.pprl.levels import BLOCK_KEY_SQL, HUB_COLUMNS, joint_comparisons, near_family_salts
from sightline.pprl.normalise import birth_date
from sightline.pprl.records import PEOPLE_COLUMNS
from sightline.pprl.rows import RowEncoder

from .conftest import SECRET

WHEN = dt.date(2024, 6, 1)


def _encoder() -> RowEncoder:
    return RowEncoder(Encoder.create(SECRET, Params(salt="joint-test")))


def _row(given: str, family: str, dob: str = "", **more: str) -> dict[str, str]:
    return {"given_name": given, "family_name": family, "date_of_birth": dob, "sex": "F", **more}


def _listed(value: str) -> set[str]:
    return {v for v in value.split(";") if v}


def test_the_hubs_wider_salts_leave_an_agencys_output_as_it_was() -> None:
    """An agency's row encodes byte for byte the same before and after the same encoder has encoded
    hub rows (which share its caches); tests/pprl/test_known_answers.py pins the bytes themselves."""
    row = _row("Jessica", "Ashworth", "2010-03-15", postcode="S60 1AA")
    fresh = _encoder().person(row, WHEN)
    shared = _encoder()
    shared.hub_person(_row("Jess", "Ashworth", "2010-07-15"), WHEN)
    shared.hub_person(row, WHEN)
    assert shared.person(row, WHEN) == fresh
    assert set(fresh) == set(PEOPLE_COLUMNS)


def test_a_nickname_meets_across_birth_months_only_in_the_hubs_encoding() -> None:
    """Jessica born in March (an agency's record) and Jess born in July, the month mistyped: two
    agency records share no given-name salt, so the nickname cannot show; the hub's record of Jess,
    salted under every month of her year, meets Jessica's canonical digest and her blocking keys."""
    enc = _encoder()
    agency = enc.person(_row("Jessica", "Ashworth", "2010-03-15"), WHEN)
    as_agency = enc.person(_row("Jess", "Ashworth", "2010-07-15"), WHEN)
    hub = enc.hub_person(_row("Jess", "Ashworth", "2010-07-15"), WHEN)
    assert not _listed(agency["given_canon_digest"]) & _listed(as_agency["given_canon_digest"])
    assert _listed(agency["given_canon_digest"]) & _listed(hub["given_canon_digest"])
    assert _listed(agency["given_salts"]) & _listed(hub["given_salts"])


def test_near_dates_and_no_birth_still_compare_names_with_the_hub() -> None:
    """A family name a day off, and both names where one side has no date of birth at all."""
    enc = _encoder()
    agency = enc.person(_row("Amy", "Ashworth", "2010-03-15"), WHEN)
    hub = enc.hub_person(_row("Amy", "Ashworth", "2010-03-16"), WHEN)
    assert _listed(agency["family_bf"]) & _listed(hub["family_bf"])
    no_birth = enc.person(_row("Amy", "Ashworth"), WHEN)
    assert not _listed(no_birth["fullname_bf"]) & _listed(agency["fullname_bf"])
    assert _listed(no_birth["fullname_bf"]) & _listed(hub["fullname_bf"])
    hub_no_birth = enc.hub_person(_row("Amy", "Ashworth"), WHEN)
    assert _listed(agency["fullname_bf"]) & _listed(hub_no_birth["fullname_bf"])
    assert "2010-2-29" not in near_family_salts(birth_date("2010-03-29"))  # no such date


def _table(rows: list[dict[str, object]]) -> duckdb.DuckDBPyConnection:
    from sightline.people.linkage.encoded import _create_table  # noqa: PLC0415

    con = duckdb.connect()
    _create_table(con, rows, HUB_COLUMNS)
    con.execute(f"CREATE OR REPLACE TABLE encoded AS SELECT *, {BLOCK_KEY_SQL} AS block_key FROM encoded")
    return con


def test_one_blocking_key_in_common_makes_a_candidate_pair_and_the_joint_levels_see_it() -> None:
    enc = _encoder()
    agency = encoded_row("health:1", "F", enc.person(_row("Jessica", "Ashworth", "2010-03-15"), WHEN))
    held = enc.hub_person(_row("Jess", "Ashworth", "2010-07-15"), WHEN)
    hub = encoded_row("police:1", "F", held) | {c: sorted(_listed(held[c])) or None for c in HUB_COLUMNS}
    stranger = encoded_row("police:2", "F", enc.hub_person(_row("Maud", "Pemberton", "1950-01-02"), WHEN))
    con = _table([agency, hub, stranger])
    shared = con.execute(
        "SELECT DISTINCT l.unique_id, r.unique_id FROM encoded l, encoded r"
        " WHERE l.unique_id < r.unique_id AND list_has_any(l.block_key, r.block_key)"
    ).fetchall()
    assert shared == [("health:1", "police:1")]
    assert _level(con, "given_name", "health:1", "police:1") == "Nickname or variant"
    assert _level(con, "date_of_birth", "health:1", "police:1") == "Two of day, month and year agree"


def test_the_joint_levels_see_swapped_names_and_an_estimated_age_close_to_a_date_of_birth() -> None:
    """What the plain model sees and the encoded one did not: "Wright Aidan" is Aidan Wright with
    the names in the wrong boxes (not a different given name, a hard conflict), and "Amber, about 13"
    is closer to a girl born 11 years before than the age's six-year spread says."""
    enc = _encoder()

    def hub(key: str, row: dict[str, str]) -> dict[str, object]:
        held = enc.hub_person(row, WHEN)
        return encoded_row(key, "F", held) | {c: sorted(_listed(held[c])) or None for c in HUB_COLUMNS}

    con = _table(
        [
            encoded_row("health:1", "F", enc.person(_row("Aidan", "Wright", "1998-05-02"), WHEN)),
            hub("police:1", _row("Wright", "Aidan", "1998-05-02")),
            encoded_row("health:2", "F", enc.person(_row("Amber", "Moore", "2011-02-03"), WHEN)),
            hub("youth:2", _row("Amber", "", estimated_age="13")),
            hub("youth:3", _row("Amber", "", estimated_age="16")),
        ]
    )
    swapped = "Given and family names swapped (the same together)"
    assert _level(con, "given_name", "health:1", "police:1") == swapped
    assert _level(con, "family_name", "health:1", "police:1") == swapped
    close = "Estimated age consistent (within a year)"
    assert _level(con, "date_of_birth", "health:2", "youth:2") == close
    assert _level(con, "date_of_birth", "health:2", "youth:3") == "Estimated age consistent"


def _level(con: duckdb.DuckDBPyConnection, comparison: str, left: str, right: str) -> str:
    """The label of the level the pair meets in one of the joint comparisons, as Splink finds it."""
    levels = next(
        c["comparison_levels"]
        for c in joint_comparisons({"hardening": "fold"})
        if c["output_column_name"] == comparison
    )
    cases = " ".join(
        f"WHEN {lv['sql_condition']} THEN {i}" for i, lv in enumerate(levels) if lv["sql_condition"] != "ELSE"
    )
    columns = [r[0] for r in con.execute("DESCRIBE encoded").fetchall()]
    both = ", ".join(f'l."{c}" AS "{c}_l", r."{c}" AS "{c}_r"' for c in columns)
    sql = f"SELECT CASE {cases} ELSE {len(levels) - 1} END FROM (SELECT {both} FROM encoded l, encoded r"
    row = con.execute(sql + " WHERE l.unique_id = ? AND r.unique_id = ?)", [left, right]).fetchone()
    assert row is not None
    return str(levels[row[0]]["label_for_charts"])


def _pairs(*rows: tuple[str, str, float, bool]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["record_key_l", "record_key_r", "match_weight", "hard_conflict"])


def test_the_joint_clustering_undoes_a_join_the_plain_run_made_without_the_agreements_records() -> None:
    """Police (p1) and social care (p2) look alike to the plain model (4 bits: one person in a run of
    the plain records alone). A health record (h, encoded) is p1 for certain and has a date of birth
    p2 cannot have. Keeping the plain run's people whole, h can only join both or neither; in one
    clustering, as a plain run holding h would, p1 goes with h and p2 stays apart."""
    keys = ["h", "p1", "p2"]
    plain_pairs = _pairs(("p1", "p2", 4.0, False))
    encoded = _pairs(("h", "p1", 12.0, False), ("h", "p2", -8.0, True))
    plain = LinkageResult(
        clusters={"p1": "p1", "p2": "p1"}, pairs=plain_pairs, review=pd.DataFrame(), model={}
    )
    kept_whole = cluster_agreement(keys, encoded, frozenset({"p1", "p2"}), plain)
    assert kept_whole["p1"] == kept_whole["p2"]
    joint = cluster_joint(keys, encoded, plain_pairs)
    assert joint == {"h": "h", "p1": "h", "p2": "p2"}


def test_the_joint_clustering_links_through_an_encoded_record_and_keeps_the_plain_models_weight() -> None:
    """A pair both models scored keeps the plain model's weight; an encoded record still bridges."""
    plain_pairs = _pairs(("p1", "p2", -2.0, False), ("p1", "p3", -9.0, True))
    encoded = _pairs(("h", "p1", 9.0, False), ("h", "p2", 9.0, False), ("p1", "p3", 9.0, False))
    joint = cluster_joint(["h", "p1", "p2", "p3"], encoded, plain_pairs)
    assert joint["h"] == joint["p1"] == joint["p2"] != joint["p3"]
