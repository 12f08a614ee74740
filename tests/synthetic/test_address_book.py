"""A county-sized town: the address book grows a crowded locality's postcodes and street names instead
of looping for ever (a million records once never finished generating)."""

from __future__ import annotations

import random
import re

from sightline.synthetic import geography as geo
from sightline.synthetic.population import AddressBook

POSTCODE = re.compile(r"^S\d{2} \d[A-Z]{2}$")


def test_one_locality_holds_far_more_homes_than_its_three_sectors() -> None:
    book = AddressBook(random.Random(7))
    homes = [book.new("Broom") for _ in range(40_000)]
    codes = {h.postcode for h in homes}
    assert all(POSTCODE.match(code) for code in codes)
    assert len(codes) > 3 * 20 * 20  # more units than the locality's first three sectors hold
    assert len(book.sectors["Broom"]) == 9 or book.district["Broom"] != "S60"
    streets = book.street_names["Broom"]
    assert len(streets) > len(geo.STREET_STEMS) * len(geo.STREET_ENDINGS)  # prefixed names were needed
    assert any(s.startswith("Upper ") for s in streets)
    # Every home is a different address.
    assert len({(h.number, h.street, h.postcode) for h in homes}) == len(homes)


def test_a_small_locality_keeps_its_three_sectors_and_plain_street_names() -> None:
    book = AddressBook(random.Random(7))
    for _ in range(500):
        book.new("Broom")
    assert len(book.sectors["Broom"]) == 3 and book.district["Broom"] == "S60"
    assert not any(s.split()[0] in ("Upper", "Lower") for s in book.street_names["Broom"])
