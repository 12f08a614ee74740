"""Group names: after the most central adult and place, with the size; the same data gives the same
name; a name comes without its person too, for viewers who may not open that person's record."""

from __future__ import annotations

import pandas as pd
import pytest

from sightline.intelligence.analysis import AnalysisResult, analyse
from sightline.intelligence.analysis.naming import group_names, place_title

from .town import AS_OF, PLANTED_ADULTS, exploitation_town

LABELS = {"a1": "Darren Hollis", "a2": "Wayne Platt", "c1": "Kayleigh Brookes", "c2": "Amy Shaw"}
OBJECTS = {
    "place:star-kebab": "star kebab main street, S65 2AB",
    "place:school": "wingfield academy, S61 4AR",
    "vehicle:YX09ABC": "YX09 ABC",
    "phone:07700900123": "07700900123",
}


def _members(network: str, rows: list[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    out = []
    for member, role in rows:
        kind = member.partition(":")[0] if ":" in member else "person"
        out.append((network, kind, member, role))
    return out


def _frame(rows: list[tuple[str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["network_id", "member_type", "member_id", "role"])


def _edges(rows: list[tuple[str, str, float, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["source", "target", "weight", "concerning"])


def _group() -> tuple[pd.DataFrame, pd.DataFrame]:
    people = [("a1", "adult"), ("a2", "adult"), ("c1", "child"), ("c2", "child")]
    things = [(o, "") for o in ("place:star-kebab", "place:school", "vehicle:YX09ABC", "phone:07700900123")]
    members = _frame(_members("N-1", [*people, *things]))
    edges = _edges(
        [
            # Wayne has more links, but Darren more concerning ones: Darren is the more central.
            ("a1", "c1", 3.0, True), ("a1", "c2", 2.0, True), ("a2", "c1", 1.0, False),
            ("a2", "c2", 1.0, False), ("a2", "place:school", 2.0, False),
            ("a2", "phone:07700900123", 9.0, False),
            # The school sees more contact; the takeaway more concerning contact.
            ("c1", "place:star-kebab", 1.0, True), ("c1", "place:school", 4.0, False),
            ("c2", "place:school", 4.0, False), ("a1", "vehicle:YX09ABC", 1.0, True),
        ]
    )  # fmt: skip
    return members, edges


def test_named_after_the_most_central_adult_and_place_with_the_size() -> None:
    members, edges = _group()
    (row,) = group_names(members, edges, LABELS, OBJECTS).to_dict("records")
    assert row == {
        "network_id": "N-1",
        "name": "Group around Darren Hollis and Star Kebab Main Street (8 members)",
        "name_without_person": "Group around Star Kebab Main Street (8 members)",
        "named_person": "a1",
    }


def test_the_same_data_in_another_order_gives_the_same_names() -> None:
    members, edges = _group()
    first = group_names(members, edges, LABELS, OBJECTS)
    again = group_names(
        members.sample(frac=1, random_state=3), edges.sample(frac=1, random_state=4), LABELS, OBJECTS
    )
    pd.testing.assert_frame_equal(first, again)


def test_ties_go_to_the_smaller_id_and_links_outside_the_group_do_not_count() -> None:
    members = _frame(_members("N-2", [("a2", "adult"), ("a1", "adult"), ("c1", "child")]))
    edges = _edges([("a1", "c1", 1.0, True), ("a2", "c1", 1.0, True), ("a2", "elsewhere", 50.0, True)])
    (row,) = group_names(members, edges, LABELS, OBJECTS).to_dict("records")
    assert row["named_person"] == "a1"
    # no place or vehicle: without the person the name says only what kind of person it is
    assert row["name"] == "Group around Darren Hollis (3 members)"
    assert row["name_without_person"] == "Group around an adult outside your access (3 members)"


def test_without_adults_a_child_and_a_vehicle_name_the_group() -> None:
    things = [("vehicle:YX09ABC", ""), ("phone:07700900123", "")]
    members = _frame(_members("N-3", [("c1", "child"), ("c2", "child"), *things]))
    edges = _edges(
        [
            ("c1", "c2", 1.0, True),
            ("c1", "vehicle:YX09ABC", 1.0, True),
            ("c2", "phone:07700900123", 0.5, False),
        ]
    )
    (row,) = group_names(members, edges, LABELS, OBJECTS).to_dict("records")
    # phones never name a group: a number tells a reader little
    assert row["name"] == "Group around Kayleigh Brookes and vehicle YX09 ABC (4 members)"
    assert row["name_without_person"] == "Group around vehicle YX09 ABC (4 members)"


def test_a_person_without_a_name_is_passed_over() -> None:
    members = _frame(_members("N-4", [("a1", "adult"), ("nameless", "adult"), ("c1", "child")]))
    edges = _edges([("nameless", "c1", 9.0, True), ("a1", "c1", 1.0, True)])
    (row,) = group_names(members, edges, LABELS, OBJECTS).to_dict("records")
    assert row["named_person"] == "a1"


@pytest.mark.parametrize(
    ("label", "title"),
    [
        ("village chippy bawtry road, S63 2RH", "Village Chippy Bawtry Road, S63 2RH"),
        ("28 queens way, S66 6ZS", "28 Queens Way, S66 6ZS"),
        ("mcdonald's KFC drive", "Mcdonald's KFC Drive"),
        ("S60 1AA", "S60 1AA"),
        ("rotherham, interchange", "Rotherham, Interchange"),
    ],
)
def test_place_titles(label: str, title: str) -> None:
    assert place_title(label) == title


@pytest.fixture(scope="module")
def result() -> AnalysisResult:
    return analyse(*exploitation_town().inputs(), as_of=AS_OF)


def test_the_analysis_names_the_planted_group_and_its_alert(result: AnalysisResult) -> None:
    group = next(a for a in result.alerts if a.kind == "group")
    names = result.groups.set_index("network_id")
    name = names.loc[group.subject_id, "name"]
    assert group.label == name
    members = result.networks[result.networks["network_id"] == group.subject_id]
    person = names.loc[group.subject_id, "named_person"]
    assert person in PLANTED_ADULTS and members.set_index("member_id").loc[person, "role"] == "adult"
    assert name.startswith("Group around ") and f"({len(members)} members)" in name
    assert set(result.groups["network_id"]) == set(result.networks["network_id"])
    assert not any(n.startswith("N-") for n in result.groups["name"])
