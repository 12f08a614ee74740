from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sightline.people.linkage import LinkageInputError, prepare_records
from sightline.people.linkage.names import canonical_forms, metaphone
from sightline.people.linkage.prepare import (
    normalise_address,
    normalise_phones,
    normalise_postcode,
    valid_nhs_number,
)


def frame(**columns: list[str]) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    data = {"record_key": [f"a:{i}" for i in range(n)], **columns}
    return pd.DataFrame(data)


def test_nickname_canonicals_overlap_for_nicknames_but_not_for_shared_nicknames() -> None:
    assert set(canonical_forms("jess")) & set(canonical_forms("jessica"))
    assert set(canonical_forms("mike")) & set(canonical_forms("mick"))
    assert set(canonical_forms("mo")) & set(canonical_forms("mohammed"))
    assert set(canonical_forms("mohammed")) & set(canonical_forms("muhammad"))
    # Alan and Alfred are both "Al", which does not make them the same name.
    assert not set(canonical_forms("alan")) & set(canonical_forms("alfred"))


def test_phonetic_keys_catch_spelling_variants() -> None:
    assert metaphone("mohammed") == metaphone("muhammad") == metaphone("mohamed")
    assert metaphone("jessica") != metaphone("jess")


def test_prepare_standardises_names_dates_and_contacts() -> None:
    f = prepare_records(
        frame(
            given_name=["Mary-Jane", "  jéssica "],
            family_name=["O'Neil", "SMITH-JONES"],
            other_names=["MJ;Moll", ""],
            date_of_birth=["2001-03-04", "2001-07"],
            estimated_age=["", ""],
            postcode=["s65 2ab", "S65"],
            phone=["+44 7700 900123; 01709 123456", ""],
            nhs_number=["401 023 2137", "1234567890"],
        )
    )
    a, b = f.iloc[0], f.iloc[1]
    assert a["given"] == "mary" and a["family"] == "oneil"
    assert set(a["name_tokens"]) >= {"mary", "jane", "oneil", "mj", "moll"}
    assert b["given"] == "jessica" and b["family"] == "smithjones"
    assert (a["dob"], a["dob_t"], a["dob_ym"], a["dob_precision"]) == (
        "2001-03-04",
        "2001-04-03",
        "2001-03",
        "day",
    )
    assert (b["dob"], b["dob_ym"], b["dob_y"], b["dob_precision"]) == (None, "2001-07", "2001", "month")
    assert (a["postcode"], a["pc_sector"], a["pc_district"]) == ("S652AB", "S652", "S65")
    assert (b["postcode"], b["pc_district"]) == (None, "S65")
    assert list(a["phones"]) == ["01709123456", "07700900123"]
    assert a["nhs"] == "4010232137" and b["nhs"] is None  # bad check digit


def test_estimated_age_becomes_an_approximate_birth_year_at_its_reference_date() -> None:
    f = prepare_records(
        frame(estimated_age=["14", "14"], reference_date=["2014-07-01", "2011-07-01"]),
        as_of=date(2020, 1, 1),
    )
    assert f["birth_is_estimate"].tolist() == [True, True]
    assert f["birth_year"].iloc[0] == pytest.approx(2000.0, abs=0.01)
    assert f["birth_year"].iloc[1] == pytest.approx(1997.0, abs=0.01)


def test_bad_input_names_the_record_and_field() -> None:
    with pytest.raises(LinkageInputError, match=r"a:1: date_of_birth: .*'2001-13-01'"):
        prepare_records(frame(date_of_birth=["2001-01-01", "2001-13-01"]))
    with pytest.raises(LinkageInputError, match=r"a:0: estimated_age"):
        prepare_records(frame(estimated_age=["about ten"]))
    with pytest.raises(LinkageInputError, match="record_key: duplicated"):
        prepare_records(pd.DataFrame({"record_key": ["x", "x"]}))


def test_ethnicity_is_never_read() -> None:
    base = frame(given_name=["Amy", "Zoe", "Ali"], ethnicity=["WBRI", "APKN", "MWBC"])
    shuffled = base.assign(ethnicity=["NOBT", "WBRI", ""])
    a, b = prepare_records(base), prepare_records(shuffled)
    assert "ethnicity" not in a.columns
    pd.testing.assert_frame_equal(a, b)


def test_small_normalisers() -> None:
    assert normalise_postcode("s60 1pp") == ("S601PP", "S601", "S60")
    assert normalise_address("12 Lindley Drive, Parkgate", None) == "12 lindley dr"
    assert normalise_address("Flat 7, Princess House, Bawtry St", None) == "flat 7 princess house"
    assert normalise_phones("07700 900123;07700900123") == ["07700900123"]
    assert valid_nhs_number("4010232137") and not valid_nhs_number("4010232138")
