"""Hand-built records for each hard case linkage must get right, linked with the model trained
on the test town."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sightline.people.linkage import LinkageResult, link_records
from sightline.people.linkage.clustering import connected_components_at

from .conftest import AS_OF

COLUMNS = [
    "record_key",
    "given_name",
    "family_name",
    "other_names",
    "date_of_birth",
    "estimated_age",
    "sex",
    "postcode",
    "address",
    "phone",
    "nhs_number",
    "upn",
    "ethnicity",
]

ROWS = [
    # Nickname: Jess / Jessica.
    ("police:N1", "Jess", "Walker", "", "2000-03-14", "", "F", "S65 2AB", "3 Mill Lane", "", "", "", "WBRI"),
    (
        "health:N1",
        "Jessica",
        "Walker",
        "",
        "2000-03-14",
        "",
        "F",
        "S65 2AB",
        "3 Mill Ln, Thrybergh",
        "",
        "",
        "",
        "",
    ),
    # Name variant: Mohammed / Muhammad.
    (
        "police:V1",
        "Mohammed",
        "Rashid",
        "",
        "1999-05-02",
        "",
        "M",
        "S61 1DL",
        "12 Oak Rd",
        "",
        "",
        "",
        "APKN",
    ),
    (
        "education:V1",
        "Muhammad",
        "Rashid",
        "",
        "1999-05-02",
        "",
        "M",
        "S61 1DL",
        "12 Oak Road",
        "",
        "",
        "",
        "",
    ),
    # Given and family names swapped.
    ("police:S1", "Begum", "Aisha", "", "2001-07-09", "", "F", "S60 2QT", "", "", "", "", ""),
    ("health:S1", "Aisha", "Begum", "", "2001-07-09", "", "F", "S60 2QT", "40 Nile St", "", "", "", ""),
    # Day and month transposed.
    ("education:T1", "Tyler", "Morgan", "", "2003-02-05", "", "M", "S63 8AZ", "14 Glebe St", "", "", "", ""),
    ("health:T1", "Tyler", "Morgan", "", "2003-05-02", "", "M", "S63 8AZ", "14 Glebe Street", "", "", "", ""),
    # Partial date of birth.
    ("police:P1", "Harry", "Kowalski", "", "2002-02", "", "M", "S25 4BS", "", "", "", "", ""),
    (
        "education:P1",
        "Harry",
        "Kowalski",
        "",
        "2002-02-01",
        "",
        "M",
        "S25 4BS",
        "49 Wentworth Gdns",
        "",
        "",
        "",
        "",
    ),
    # Estimated age instead of a date of birth (14 on 2014-07-01, born 2000).
    ("youth_service:E1", "Chloe", "Pritchard", "", "", "14", "F", "S66 3TH", "", "", "", "", ""),
    (
        "education:E1",
        "Chloe",
        "Pritchard",
        "",
        "2000-01-20",
        "",
        "F",
        "S66 3TH",
        "27 Hall Grove",
        "",
        "",
        "",
        "",
    ),
    # Twins: same family, address and date of birth, different given names.
    (
        "education:W1",
        "Molly",
        "Ackroyd",
        "",
        "2002-06-01",
        "",
        "F",
        "S61 7JR",
        "21 Yewtree Lane",
        "",
        "",
        "",
        "",
    ),
    ("health:W1", "Molly", "Ackroyd", "", "2002-06-01", "", "F", "S61 7JR", "21 Yewtree Ln", "", "", "", ""),
    (
        "education:W2",
        "Chloe",
        "Ackroyd",
        "",
        "2002-06-01",
        "",
        "F",
        "S61 7JR",
        "21 Yewtree Lane",
        "",
        "",
        "",
        "",
    ),
    ("health:W2", "Chloe", "Ackroyd", "", "2002-06-01", "", "F", "S61 7JR", "21 Yewtree Ln", "", "", "", ""),
    # Namesakes: two different Jack Smiths, and a record with no date of birth that
    # looks like either of them.
    (
        "education:J1",
        "Jack",
        "Smith",
        "",
        "2001-01-11",
        "",
        "M",
        "S62 5JN",
        "12 Lindley Drive",
        "",
        "",
        "",
        "",
    ),
    ("health:J1", "Jack", "Smith", "", "2001-01-11", "", "M", "S62 5JN", "12 Lindley Dr", "", "", "", ""),
    (
        "education:J2",
        "Jack",
        "Smith",
        "",
        "2004-09-23",
        "",
        "M",
        "S62 5JN",
        "7 Lindley Drive",
        "",
        "",
        "",
        "",
    ),
    ("health:J2", "Jack", "Smith", "", "2004-09-23", "", "M", "S62 5JN", "7 Lindley Dr", "", "", "", ""),
    ("police:J0", "Jack", "Smith", "", "", "", "M", "S62 5JN", "", "", "", "", ""),
    # Same name and birthday but different NHS numbers: two people.
    ("health:H1", "Ryan", "Clarke", "", "1998-11-30", "", "M", "S60 5DS", "", "", "4010232137", "", ""),
    ("health:H2", "Ryan", "Clarke", "", "1998-11-30", "", "M", "S66 9AU", "", "", "4505577104", "", ""),
    # A misspelt record tied to its person by NHS number.
    ("police:I1", "Jayden", "Oconnor", "", "2004-04-04", "", "M", "", "", "", "6599802109", "", ""),
    ("health:I1", "Jaiden", "O'Connor", "", "2004-04-04", "", "M", "S60 9SZ", "", "", "6599802109", "", ""),
    # Unrelated people.
    (
        "education:U1",
        "Gemma",
        "Turner",
        "",
        "2004-05-24",
        "",
        "F",
        "S61 1DP",
        "9 Sheffield View",
        "",
        "",
        "",
        "",
    ),
    ("education:U2", "Kyle", "Bailey", "", "2001-05-10", "", "M", "S62 6YA", "1 High Lane", "", "", "", ""),
]


def scenario_records() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frame["agency"] = frame["record_key"].str.split(":").str[0]
    frame["record_id"] = frame["record_key"].str.split(":").str[1]
    frame["reference_date"] = AS_OF.isoformat()
    return frame


@pytest.fixture(scope="module")
def result(model_path: Path) -> LinkageResult:
    return link_records(scenario_records(), model_path=model_path, as_of=AS_OF)


def same(result: LinkageResult, a: str, b: str) -> bool:
    return result.clusters[a] == result.clusters[b]


@pytest.mark.parametrize(
    "a, b, field, label",
    [
        ("police:N1", "health:N1", "given_name", "Nickname or variant (e.g. Jess / Jessica)"),
        ("police:V1", "education:V1", "given_name", "Nickname or variant (e.g. Jess / Jessica)"),
        ("police:S1", "health:S1", "given_name", "Given and family names swapped"),
        ("education:T1", "health:T1", "date_of_birth", "Day and month transposed"),
        ("police:P1", "education:P1", "date_of_birth", "Same year and month (one date partial)"),
        ("youth_service:E1", "education:E1", "date_of_birth", "Estimated age consistent (within 1.5 years)"),
        ("police:I1", "health:I1", "identifiers", "Same NHS number"),
    ],
)
def test_hard_cases_link_and_say_why(result: LinkageResult, a: str, b: str, field: str, label: str) -> None:
    assert same(result, a, b)
    levels = {fw.field: fw.level_label for fw in result.explain(a, b)}
    assert levels[field] == label


def test_twins_are_not_merged(result: LinkageResult) -> None:
    assert same(result, "education:W1", "health:W1")
    assert same(result, "education:W2", "health:W2")
    assert not same(result, "education:W1", "education:W2")
    # The twins' records score as a likely match on their own: the household details
    # (family name, address, birthday) outweigh the different given names.
    twin_pair = result.pairs[
        (result.pairs.record_key_l == "education:W1") & (result.pairs.record_key_r == "education:W2")
    ]
    assert len(twin_pair) == 1 and twin_pair.iloc[0]["hard_conflict"]
    # Splink-style connected components at the same threshold merges them.
    cc = connected_components_at(result.pairs, 3.3)
    assert cc["education:W1"] == cc["education:W2"]


def test_namesakes_are_not_merged_through_a_sparse_record(result: LinkageResult) -> None:
    assert same(result, "education:J1", "health:J1")
    assert same(result, "education:J2", "health:J2")
    assert not same(result, "education:J1", "education:J2")
    # The record with no date of birth fits both; connected components chain the two
    # Jacks through it, ours keeps them apart and leaves it for review.
    cc = connected_components_at(result.pairs, 3.3)
    assert cc["education:J1"] == cc["education:J2"]
    reviewed = set(result.review["record_key_l"]) | set(result.review["record_key_r"])
    assert "police:J0" in reviewed


def test_conflicting_nhs_numbers_keep_people_apart(result: LinkageResult) -> None:
    assert not same(result, "health:H1", "health:H2")


def test_unrelated_people_stay_apart(result: LinkageResult) -> None:
    assert result.clusters["education:U1"] == "education:U1"
    assert result.clusters["education:U2"] == "education:U2"


def test_cluster_keys_are_the_smallest_record_key(result: LinkageResult) -> None:
    members: dict[str, list[str]] = {}
    for k, c in result.clusters.items():
        members.setdefault(c, []).append(k)
    assert all(c == min(ms) for c, ms in members.items())


def test_explanation_adds_up_to_the_match_weight(result: LinkageResult) -> None:
    row = result.pairs[
        (result.pairs.record_key_l == "health:N1") & (result.pairs.record_key_r == "police:N1")
    ].iloc[0]
    weights = result.explain("police:N1", "health:N1")
    assert weights[0].field == "prior"
    assert {w.field for w in weights[1:]} == {
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "location",
        "phone",
        "email",
        "identifiers",
    }
    assert sum(w.match_weight for w in weights) == pytest.approx(row["match_weight"], abs=1e-6)
    given = next(w for w in weights if w.field == "given_name")
    assert (given.value_l, given.value_r) == ("jessica", "jess")


def test_explain_scores_pairs_that_blocking_never_compared(result: LinkageResult) -> None:
    weights = result.explain("education:U1", "education:U2")
    assert sum(w.match_weight for w in weights) < 0
    assert next(w for w in weights if w.field == "given_name").level_label == "Different"
