"""One keystroke (a character changed, or two neighbours swapped) is a typo, not a second person:
identifiers and dates of birth one keystroke apart, and swapped names with a misspelling, are not hard
conflicts. Numbers with a check character are the exception: a typo fails the check, so two valid
numbers that differ are two people. Twins stay apart whatever their numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sightline.people.linkage import LinkageResult, link_records
from sightline.people.linkage import model as mdl

from .conftest import AS_OF

COLUMNS = ["record_key", "given_name", "family_name", "date_of_birth", "sex", "postcode", "address", "pnc_id"]

ROWS = [
    # An agency's own reference (no check character) mistyped, the name misspelt past every
    # phonetic key and the birthday one digit off: only the near reference brings them together.
    ("police:K1", "Ky", "Dixon", "2004-04-13", "M", "", "", "9162308"),
    ("social_care:K1", "Kyo", "Dixon", "2004-04-03", "M", "", "", "9161308"),
    # A PNC id with two digits swapped: it fails its check letter, so it is a typo of the other.
    ("police:C1", "Liam", "Hart", "2003-08-19", "M", "S61 2QT", "4 Ash Grove", "09/123456C"),
    ("youth_offending:C1", "Liam", "Hart", "2003-08-19", "M", "S61 2QT", "4 Ash Grove", "09/123465C"),
    # Two valid PNC ids: two people, however alike.
    ("police:C2", "Owen", "Marsh", "2002-01-07", "M", "S60 4LB", "9 Fir Road", "09/123457D"),
    ("youth_offending:C2", "Owen", "Marsh", "2002-01-07", "M", "S60 4LB", "9 Fir Road", "12/4567W"),
    # Twins registered together: references one apart, given names different.
    ("social_care:W1", "Ella", "Ward", "2005-02-11", "F", "S66 8PL", "30 Moor Lane", "5520417"),
    ("social_care:W2", "Emma", "Ward", "2005-02-11", "F", "S66 8PL", "30 Moor Lane", "5520418"),
    # The year's digits swapped.
    ("education:Y1", "Noah", "Price", "2001-03-14", "M", "S63 7DW", "18 Park View", ""),
    ("health:Y1", "Noah", "Price", "2010-03-14", "M", "S63 7DW", "18 Park View", ""),
    # Given and family names swapped, one of them misspelt past its phonetic key.
    ("police:S2", "Whitaker", "Isla", "2000-10-02", "F", "S65 1AA", "", ""),
    ("health:S2", "Isla", "Whitaler", "2000-10-02", "F", "S65 1AA", "7 Deane Road", ""),
    # Swapped with a keystroke in each, past both phonetic keys and Jaro-Winkler's 0.92 ("Hels" and
    # "Held" 0.88): FEBRL's shape.
    ("police:S3", "Hels", "Trey", "1999-01-13", "M", "S60 2BB", "", ""),
    ("health:S3", "Trye", "Held", "1999-01-13", "M", "S60 2BB", "19 Holman Street", ""),
]


@pytest.fixture(scope="module")
def result(model_path: Path) -> LinkageResult:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frame["agency"] = frame["record_key"].str.split(":").str[0]
    frame["record_id"] = frame["record_key"].str.split(":").str[1]
    frame["reference_date"] = AS_OF.isoformat()
    return link_records(frame, model_path=model_path, as_of=AS_OF)


def level(result: LinkageResult, a: str, b: str, field: str) -> str:
    return next(fw.level_label for fw in result.explain(a, b) if fw.field == field)


def pair(result: LinkageResult, a: str, b: str) -> pd.Series:
    left, right = sorted((a, b))
    rows = result.pairs[(result.pairs.record_key_l == left) & (result.pairs.record_key_r == right)]
    assert len(rows) == 1, "the pair was never scored"
    return rows.iloc[0]


def test_a_reference_one_keystroke_off_is_a_typo_and_brings_the_records_together(
    result: LinkageResult,
) -> None:
    assert level(result, "police:K1", "social_care:K1", "identifiers") == mdl.KEYSTROKE_APART
    assert not pair(result, "police:K1", "social_care:K1")["hard_conflict"]
    assert result.clusters["police:K1"] == result.clusters["social_care:K1"]


def test_a_checked_number_that_fails_its_check_is_a_typo(result: LinkageResult) -> None:
    assert level(result, "police:C1", "youth_offending:C1", "identifiers") == mdl.KEYSTROKE_APART
    assert result.clusters["police:C1"] == result.clusters["youth_offending:C1"]


def test_two_valid_numbers_that_differ_are_two_people(result: LinkageResult) -> None:
    assert level(result, "police:C2", "youth_offending:C2", "identifiers") == "Identifier conflicts"
    assert pair(result, "police:C2", "youth_offending:C2")["hard_conflict"]
    assert result.clusters["police:C2"] != result.clusters["youth_offending:C2"]


def test_twins_with_references_one_apart_stay_apart(result: LinkageResult) -> None:
    twins = pair(result, "social_care:W1", "social_care:W2")
    assert twins["gamma_identifiers"] == mdl.gamma_of("identifiers", mdl.KEYSTROKE_APART)
    # The near reference is no identifier match: the different given names still hold them apart.
    assert twins["hard_conflict"]
    assert result.clusters["social_care:W1"] != result.clusters["social_care:W2"]


def test_a_birth_year_with_two_digits_swapped_is_a_typo(result: LinkageResult) -> None:
    label = "One keystroke different (a digit changed or two swapped)"
    assert level(result, "education:Y1", "health:Y1", "date_of_birth") == label
    assert result.clusters["education:Y1"] == result.clusters["health:Y1"]


def test_swapped_names_with_a_misspelling_are_still_swapped(result: LinkageResult) -> None:
    assert level(result, "police:S2", "health:S2", "given_name") == "Given and family names swapped"
    assert result.clusters["police:S2"] == result.clusters["health:S2"]


def test_swapped_names_with_a_keystroke_in_each_are_still_swapped(result: LinkageResult) -> None:
    assert level(result, "police:S3", "health:S3", "given_name") == "Given and family names swapped"
    assert not pair(result, "police:S3", "health:S3")["hard_conflict"]
    assert result.clusters["police:S3"] == result.clusters["health:S3"]
