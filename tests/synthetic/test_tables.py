"""The habit tables: consistent with each other, and the books really follow them."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from sightline.synthetic.conduct import HUB_SCENES, VICTIMS, VISIBILITY, outcome
from sightline.synthetic.habits import AGENCY_HABITS, SIGHTING
from sightline.synthetic.model import Address, Household, Person
from sightline.synthetic.population import HUB_TYPES, E, S
from sightline.synthetic.records import Book, NhsNumbers
from sightline.synthetic.story.hubs import PLAYED
from sightline.synthetic.variants import HUB_KINDS


@pytest.fixture(autouse=True)
def _isolated_home() -> None:
    """Shadows the suite-wide Django settings fixture: the generator is pure Python."""


def person(kind: str = "child", nickname: str = "") -> Person:
    address = Address("12", "Brook Road", "Brook Rd", "Ferham", "S60 1AB")
    household = Household("H1", "Hussain", "british", address, None, 0)
    return Person(
        pid="T0000001",
        kind=kind,
        given="Jessica",
        family="Hussain",
        dob=date(2000, 3, 14),
        sex="F",
        ethnicity="WBRI",
        community="british",
        role="ordinary",
        address=address,
        household=household,
        phone="07700900123",
        nhs="9434765919",
        upn="A123456789012",
        nickname=nickname,
    )


def book(agency: str, seed: int, **habits: Any) -> Book:
    rng = random.Random(seed)
    return Book(agency, replace(AGENCY_HABITS[agency], **habits), rng, (S, E), NhsNumbers(rng))


def test_every_hub_type_has_scenes_that_cover_every_roll() -> None:
    assert set(HUB_TYPES) <= set(HUB_SCENES) == set(HUB_KINDS)
    for kind, scenes in HUB_SCENES.items():
        bounds = [scene.upto for scene in scenes]
        assert bounds == sorted(bounds) and bounds[-1] == 1.0
        roles = {"professional", "associate", "witness"} | ({"carer"} if kind == "foster_carer" else set())
        for scene in scenes:
            if scene.agency:
                assert scene.agency in AGENCY_HABITS and scene.hub_role in roles
                assert scene.at in {"hub", "hospital", ""}
            else:
                assert scene.kind in PLAYED


def test_outcome_tables_end_at_one_and_pick_by_upper_bound() -> None:
    assert VICTIMS.found[-1][0] == 1.0
    assert outcome(VICTIMS.found, 0.0) == "hotspot"
    assert outcome(VICTIMS.found, 0.55) == "public"
    assert outcome(VICTIMS.found, 0.999) == "home"


def test_visibility_levels_are_the_populations_and_the_quietest_reach_police_least() -> None:
    assert list(VISIBILITY) == ["high", "medium", "low"]
    assert VISIBILITY["low"].comes_forward == 0 and VISIBILITY["low"].found_with_men == 0
    assert VISIBILITY["high"].missing_episodes[1] > VISIBILITY["low"].missing_episodes[1]


@pytest.mark.parametrize("seed", range(20))
def test_a_book_writes_what_its_habits_say(seed: int) -> None:
    careful = book("education", seed, dob_full=1.0, dob_transpose=0.0, address=1.0, postcode=1.0, upn=1.0)
    row = careful.rows[careful.rec(person(), S)]
    assert row["date_of_birth"] == "2000-03-14"
    assert row["postcode"] == "S60 1AB" and "Brook" in row["address"]
    assert row["upn"] == "A123456789012" and row["school"] == ""
    hurried = book("youth_service", seed, dob_full=0.0, dob_partial=0.0, estimate_age=1.0, address=0.0)
    index = hurried.rec(person(), S)
    assert hurried.rows[index]["date_of_birth"] == "" and hurried.rows[index]["address"] == ""
    assert abs(hurried.age_error[index]) <= 1


@pytest.mark.parametrize("seed", range(20))
def test_second_hand_records_know_less(seed: int) -> None:
    licensing = book("licensing", seed, duplicate=0.0)
    named = licensing.rows[licensing.rec(person(), S, "named")]
    assert named["date_of_birth"] == "" and named["phone"] == "" and named["address"] == ""
    assert named["postcode"] == "" and named["nhs_number"] == ""
    police = book("police", seed)
    nominal = police.rec(person("adult"), S, "nominal")
    assert police.rec(person("adult"), S, "nominal") == nominal != police.rec(person("adult"), S)


def test_police_sightings_follow_the_sighting_table() -> None:
    police = book("police", 1)
    men = [replace(person("adult", nickname="Smiler"), pid=f"T{i:07d}") for i in range(600)]
    rows = [police.rows[police.rec(man, S, "intel")] for man in men]
    assert all(r["date_of_birth"] == "" and r["description"] for r in rows)
    by_street_name = sum(r["given_name"] == "Smiler" for r in rows) / len(rows)
    with_family = sum(bool(r["family_name"]) for r in rows) / len(rows)
    assert abs(by_street_name - SIGHTING.street_name) < 0.08
    assert abs(with_family - SIGHTING.family_name) < 0.08
