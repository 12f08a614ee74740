from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from sightline.people.linkage import LinkageInputError, prepare_records
from sightline.people.linkage.names import canonical_forms, metaphone
from sightline.people.linkage.prepare import (
    near_keys,
    normalise_address,
    normalise_phones,
    normalise_postcode,
    valid_nhs_number,
    valid_pnc_id,
    valid_upn,
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


def _typos(value: str) -> set[str]:
    """Every value one keystroke from ``value``: a character changed, or two neighbours swapped."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUVWXYZ/"
    out = {value[:i] + c + value[i + 1 :] for i in range(len(value)) for c in chars if c != value[i]}
    out |= {value[:i] + value[i + 1] + value[i] + value[i + 2 :] for i in range(len(value) - 1)}
    return out - {value}


def test_upn_and_pnc_check_letters_catch_every_single_typo() -> None:
    # Made by the synthetic town's generator (the DfE and PNC algorithms).
    upns, pncs = ["W372412705065", "K372412705066"], ["09/123456C", "09/123457D", "12/4567W"]
    assert all(map(valid_upn, upns)) and all(map(valid_pnc_id, pncs))
    assert valid_pnc_id("2009/0123456C")  # four-digit year, padded serial
    assert not any(valid_upn(t) for u in upns for t in _typos(u))
    assert not any(valid_pnc_id(t) for p in pncs for t in _typos(p))
    assert not valid_pnc_id("9162308") and not valid_upn("9162308")  # no check letter to test


def test_near_keys_meet_exactly_one_keystroke_apart() -> None:
    values = ["9162308", "9161308", "9163208", "9161309", "9862301", "916230", None]
    keys = [set(k or ()) for k in near_keys(values, "p")]

    def near(a: int, b: int) -> bool:
        return bool(keys[a] & keys[b])

    assert near(0, 1)  # a digit changed
    assert near(0, 2)  # neighbours swapped
    assert not near(0, 3)  # two digits changed
    assert not near(0, 4)  # two digits exchanged, not neighbours
    assert not keys[5] and not keys[6]  # a digit dropped is another length; blank
    # Two numbers that pass their check are never a typo of each other: not looked for.
    assert near_keys(["09/123456C", "09/123457D"], "p", {"09/123456C", "09/123457D"}) == [None, None]


def test_prepare_keeps_checked_identifiers_and_near_keys() -> None:
    f = prepare_records(frame(upn=["W372412705065", "W372412705056"], pnc_id=["09/123456C", "A1234"]))
    a, b = f.iloc[0], f.iloc[1]
    assert (a["upn_checked"], a["pnc_checked"]) == ("W372412705065", "09/123456C")
    assert b["upn_checked"] is None and b["pnc_checked"] is None  # fails its check; no check letter
    assert b["pnc"] == "A1234"  # still compared, as a number that cannot be checked
    assert set(a["id_near"]) & set(b["id_near"])  # the UPNs are one swap apart
