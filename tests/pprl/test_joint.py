"""The hub's own encodings when it holds the agreement's secret, and the one joint clustering
(docs/pprl.md, "2026-12-04: one joint clustering with the secret"). Made-up people only."""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from sightline.people.linkage.encoded import cluster_agreement
from sightline.people.linkage.encoded_rows import encoded_row
from sightline.people.linkage.joint import cluster_joint
from sightline.pprl.bloom import Encoder, Params
from sightline.pprl.levels import (
    BLOCK_COLUMNS_SQL,
    BLOCKING_SQL,
    HUB_COLUMNS,
    HUB_TYPES,
    given_salts_near,
    joint_comparisons,
    near_family_salts,
)
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
    _create_table(con, rows, HUB_TYPES)
    con.execute(f"CREATE OR REPLACE TABLE encoded AS SELECT *, {BLOCK_COLUMNS_SQL} FROM encoded")
    return con


def _hub_row(enc: RowEncoder, key: str, row: dict[str, str]) -> dict[str, object]:
    """A hub record as ``encoded.hub_encoded`` gives it."""
    held = enc.hub_person(row, WHEN)
    return (
        encoded_row(key, "F", held)
        | {c: sorted(_listed(held[c])) or None for c in HUB_COLUMNS}
        | {"hub": True}
    )


def _candidates(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """The pairs the joint run's one blocking rule makes, as Splink explodes it."""
    rule = BLOCKING_SQL.replace("l.block_key", "l.k").replace("r.block_key", "r.k")
    exploded = "(SELECT *, unnest(block_key) AS k FROM encoded)"
    return con.execute(
        f"SELECT DISTINCT l.unique_id, r.unique_id FROM {exploded} l, {exploded} r"
        f" WHERE l.unique_id < r.unique_id AND {rule} ORDER BY 1, 2"
    ).fetchall()


def test_one_blocking_key_in_common_makes_a_candidate_pair_and_the_joint_levels_see_it() -> None:
    """Jessica (an agency's) and Jess (the hub's, her birth month mistyped) share only a postcode in a
    birth year: a candidate pair, whose given names meet as nickname and form. Two of the hub's
    records are never a pair (the plain model scores those); a shared nickname form makes a pair
    only where one record lacks a full name or date of birth (Jess with an age only)."""
    enc = _encoder()
    where = {"postcode": "S60 1AA"}
    agency = encoded_row(
        "health:1", "F", enc.person(_row("Jessica", "Ashworth", "2010-03-15", **where), WHEN)
    )
    rows = [
        agency,
        _hub_row(enc, "police:1", _row("Jess", "Ashworth", "2010-07-15", **where)),
        _hub_row(enc, "police:2", _row("Jess", "Ashworth", "2010-07-15", **where)),
        _hub_row(enc, "police:3", _row("Jessie", "Brook", "2010-03-20")),
        _hub_row(enc, "youth:4", _row("Jess", "", estimated_age="14")),
    ]
    con = _table(rows)
    assert _candidates(con) == [("health:1", "police:1"), ("health:1", "police:2"), ("health:1", "youth:4")]
    assert _level(con, "given_name", "health:1", "police:1") == "Nickname or variant"
    assert _level(con, "date_of_birth", "health:1", "police:1") == "Two of day, month and year agree"


def test_a_given_name_with_no_birth_is_salted_as_the_agreements_records_at_its_postcode() -> None:
    """The hub decodes the salts of its neighbours' given names (it holds the secret; the 7th of
    November might be the 11th of July) and encodes "Grace, no age" under them, so that she meets
    Grace Wright at her postcode."""
    enc = _encoder()
    agency = [
        encoded_row("education:1", "F", enc.person(_row("Grace", "Wright", "2000-11-07", postcode=pc), WHEN))
        for pc in ("S65 1WQ", "S26 2HX")
    ]
    near = given_salts_near(enc.enc, agency, WHEN.year)
    assert sorted(near[str(agency[0]["postcode_bf"])]) == [
        "1999-11",
        "1999-7",
        "2000-11",
        "2000-7",
        "2001-11",
        "2001-7",
    ]
    held = enc.hub_person(_row("Grace", "", postcode="S65 1WQ"), WHEN)
    assert not held["given_bf"]
    held |= enc.given_under([("Grace", near[held["postcode_bf"]])])[0]
    assert _listed(held["given_bf"]) & set(agency[0]["given_bf"])
    assert _listed(held["given_canon_digest"]) & set(agency[0]["given_canon_digest"])


def test_the_joint_levels_see_swapped_names_and_an_estimated_age_close_to_a_date_of_birth() -> None:
    """What the plain model sees and the encoded one did not: "Wright Aidan" is Aidan Wright with
    the names in the wrong boxes (not a different given name, a hard conflict), and "Amber, about 13"
    is closer to a girl born 11 years before than the age's six-year spread says."""
    enc = _encoder()

    def hub(key: str, row: dict[str, str]) -> dict[str, object]:
        return _hub_row(enc, key, row)

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
    p2 cannot have. Keeping the plain run's people whole (until 2026-12-04), h could only join both or
    neither; in one clustering, as a plain run holding h would, p1 goes with h and p2 stays apart."""
    keys = ["h", "p1", "p2"]
    plain_pairs = _pairs(("p1", "p2", 4.0, False))
    encoded = _pairs(("h", "p1", 12.0, False), ("h", "p2", -8.0, True))
    assert cluster_agreement(["p1", "p2"], plain_pairs) == {"p1": "p1", "p2": "p1"}  # the plain run
    joint = cluster_joint(keys, encoded, plain_pairs)
    assert joint == {"h": "h", "p1": "h", "p2": "p2"}


def test_the_joint_clustering_links_through_an_encoded_record_and_keeps_the_plain_models_weight() -> None:
    """A pair both models scored keeps the plain model's weight; an encoded record still bridges."""
    plain_pairs = _pairs(("p1", "p2", -2.0, False), ("p1", "p3", -9.0, True))
    encoded = _pairs(("h", "p1", 9.0, False), ("h", "p2", 9.0, False), ("p1", "p3", 9.0, False))
    joint = cluster_joint(["h", "p1", "p2", "p3"], encoded, plain_pairs)
    assert joint["h"] == joint["p1"] == joint["p2"] != joint["p3"]
