from __future__ import annotations

import pytest

from sightline.intelligence.analysis.normalise import (
    canonical_places,
    display_plate,
    match_partial_plates,
    match_partial_to_partial,
    normalise_phone,
    normalise_place,
    normalise_plate,
    normalise_postcode,
)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Star Kebab, Main St", "star kebab main street"),
        ("STAR KEBAB - MAIN STREET", "Star Kebab Main St."),
        ("The Park Hotel", "park hotel"),
        ("Rovers FC", "Rovers Football Club"),
        ("Marks & Spencer", "marks and spencer"),
        ("Café Rouge", "cafe rouge"),
    ],
)
def test_place_variants_normalise_alike(a: str, b: str) -> None:
    assert normalise_place(a) == normalise_place(b)


def test_saint_and_street_are_told_apart() -> None:
    assert normalise_place("St Mary's School") == "saint marys school"
    assert normalise_place("Mary St") == "mary street"


def test_different_places_stay_different() -> None:
    assert normalise_place("Star Kebab, Main St") != normalise_place("Star Pizza, Main St")


def test_postcodes() -> None:
    assert normalise_postcode("s652ab") == "S65 2AB"
    assert normalise_postcode(" S65  2AB ") == "S65 2AB"
    assert normalise_postcode("") == ""


def test_canonical_places_join_spellings_and_postcodes() -> None:
    ids = canonical_places(
        [
            ("Star Kebab, Main St", "S65 2AB"),
            ("star kebab main street", ""),
            ("Star Kebab", ""),
            ("Tesco", "S1 1AA"),
            ("Tesco", "S2 2BB"),
            ("Home", ""),
            ("Home", "S60 1AA"),
        ]
    )
    kebab = {
        ids[k][0]
        for k in [("Star Kebab, Main St", "S65 2AB"), ("star kebab main street", ""), ("Star Kebab", "")]
    }
    assert kebab == {"place:star-kebab-main-street"}
    assert ids[("Star Kebab, Main St", "S65 2AB")][1] == "Star Kebab, Main St, S65 2AB"
    # Two branches of a chain are two places.
    assert ids[("Tesco", "S1 1AA")][0] != ids[("Tesco", "S2 2BB")][0]
    # Every child's "home" is not one place; a home with a postcode is that address.
    assert ("Home", "") not in ids
    assert ids[("Home", "S60 1AA")][0] == "place:S601AA"


def test_plural_and_short_spellings_join_the_full_name() -> None:
    ids = canonical_places(
        [("Express Pizza, Wellgate", "S60 8PZ"), ("Express Pizza", "S60 8PZ"), ("Express Pizzas", "")]
    )
    assert {place_id for place_id, _ in ids.values()} == {"place:express-pizza-wellgate"}
    assert {label for _, label in ids.values()} == {"Express Pizza, Wellgate, S60 8PZ"}
    # A short name given a postcode the longer one never had is another place.
    other = canonical_places([("Express Pizza, Wellgate", "S60 8PZ"), ("Express Pizza", "S1 1AA")])
    assert other[("Express Pizza", "S1 1AA")][0] != other[("Express Pizza, Wellgate", "S60 8PZ")][0]


def test_plates_and_phones() -> None:
    assert normalise_plate("yx09 a-bc") == "YX09ABC"
    assert normalise_plate("YX09 A??") == "YX09A??"
    assert display_plate("YX09ABC") == "YX09 ABC"
    assert normalise_phone("+44 7700 900123") == "07700900123"
    assert normalise_phone("07700-900-123") == "07700900123"
    assert normalise_phone("0044 7700 900123") == "07700900123"


def test_wildcard_plates_match_only_same_length_and_known_characters() -> None:
    matches = match_partial_plates(
        ["YX09ABC", "YX09ABD", "YX09XBC", "YX09A??", "YX09?BC", "AB12CDE", "ZZ99???", "YX0?"]
    )
    assert matches["YX09A??"] == ["YX09ABC", "YX09ABD"]
    assert matches["YX09?BC"] == ["YX09ABC", "YX09XBC"]
    assert matches["ZZ99???"] == []
    # A shorter partial is not a prefix search.
    assert matches["YX0?"] == []
    assert "YX09ABC" not in matches


def test_partials_of_a_car_never_read_in_full_find_each_other() -> None:
    found = match_partial_to_partial(["YV13NA?", "Y?13NAC", "YV13???", "YX09AB?", "YV13NB?"])
    assert found["YV13NA?"] == ["Y?13NAC", "YV13???"]
    assert found["Y?13NAC"] == ["YV13???", "YV13NA?"]
    assert "YX09AB?" not in found["YV13???"]
    assert found["YX09AB?"] == []


def test_wildcard_matching_on_many_plates() -> None:
    full = [
        f"AB{i % 100:02d}{chr(65 + i % 26)}{chr(65 + i // 26 % 26)}{chr(65 + i // 676 % 26)}"
        for i in range(15000)
    ]
    partial = [p[:5] + "??" for p in full[:3000]]
    matches = match_partial_plates(full + partial)
    assert all(p[:5] + "??" in matches for p in full[:3000])
    assert all(full[i] in matches[full[i][:5] + "??"] for i in range(3000))
